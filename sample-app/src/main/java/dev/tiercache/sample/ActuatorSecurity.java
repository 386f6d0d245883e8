package dev.tiercache.sample;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Who may do what with the Actuator: anyone may read health, metrics and the {@code tiercache}
 * endpoint ({@code GET} or {@code HEAD}: the dashboard and load balancers do), while their writes
 * (clearing a cache, evicting a key, re-queueing or dropping dead letters) and every other endpoint
 * need the {@code ADMIN} role, over HTTP Basic. The catalogue's own API stays open, as a demo's should. Two users, from
 * {@code sample.users.*}: {@code admin} (role {@code ADMIN}) and {@code viewer} (no role). In a real
 * service, take them from your identity provider.
 */
@Configuration(proxyBeanMethods = false)
class ActuatorSecurity {

	/**
	 * The Actuator paths anyone may read, named one by one: an endpoint exposed later (a heap dump, the
	 * environment) is an admin's until it is added here.
	 */
	private static final String[] READABLE = { "/actuator/health", "/actuator/health/**", "/actuator/tiercache",
			"/actuator/tiercache/**", "/actuator/metrics", "/actuator/metrics/**" };

	@Bean
	SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
		return http
			.authorizeHttpRequests((requests) -> requests
				.requestMatchers(HttpMethod.GET, READABLE)
				.permitAll()
				.requestMatchers(HttpMethod.HEAD, READABLE)
				.permitAll()
				.requestMatchers("/actuator", "/actuator/**")
				.hasRole("ADMIN")
				.anyRequest()
				.permitAll())
			.httpBasic(Customizer.withDefaults())
			// a stateless API and Actuator called with Basic credentials, not a browser session
			.csrf((csrf) -> csrf.ignoringRequestMatchers("/api/**", "/actuator/**"))
			.build();
	}

	@Bean
	UserDetailsService users(@Value("${sample.users.admin-password}") String adminPassword,
			@Value("${sample.users.viewer-password}") String viewerPassword) {
		PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
		return new InMemoryUserDetailsManager(
				User.withUsername("admin").password(encoder.encode(adminPassword)).roles("ADMIN").build(),
				User.withUsername("viewer").password(encoder.encode(viewerPassword)).roles().build());
	}

}
