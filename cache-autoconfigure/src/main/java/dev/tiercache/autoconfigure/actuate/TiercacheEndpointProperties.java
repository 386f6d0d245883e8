package dev.tiercache.autoconfigure.actuate;

import java.util.LinkedHashSet;
import java.util.Set;

import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the {@code tiercache} Actuator endpoint ({@code management.endpoint.tiercache.*}),
 * beside Boot's own {@code management.endpoint.tiercache.access}: which is read only unless set to
 * {@code unrestricted}.
 */
@ConfigurationProperties("management.endpoint.tiercache")
public class TiercacheEndpointProperties {

	/**
	 * When to show cache keys (a cache's hot keys). Keys are application data, such as user ids or
	 * e-mail addresses.
	 */
	private Show showKeys = Show.NEVER;

	/**
	 * Roles used to determine whether a user is authorized to be shown cache keys. When empty, all
	 * authenticated users are authorized.
	 */
	private Set<String> roles = new LinkedHashSet<>();

	public Show getShowKeys() {
		return this.showKeys;
	}

	public void setShowKeys(Show showKeys) {
		this.showKeys = showKeys;
	}

	public Set<String> getRoles() {
		return this.roles;
	}

	public void setRoles(Set<String> roles) {
		this.roles = roles;
	}

}
