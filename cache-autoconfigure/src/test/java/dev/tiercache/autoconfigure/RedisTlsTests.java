package dev.tiercache.autoconfigure;

import java.nio.file.Path;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import dev.tiercache.autoconfigure.CatalogApplication.Catalog;
import dev.tiercache.resilience.RedisConnectionRejectedException;
import dev.tiercache.test.SingleServer;
import dev.tiercache.test.TcpProxy;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Issue 18, TLS: Tiercache reaches Redis over TLS with Spring Boot's own properties
 * ({@code spring.data.redis.ssl.*} and an SSL bundle holding a CA made in the test), through a
 * TLS-terminating proxy written with the JDK in front of the test Redis (so that it runs on any
 * {@code redis-server}, built with TLS or not): every pattern works on two instances. A certificate
 * signed by a CA the application does not trust stops start-up with a report naming the properties.
 */
@SingleServer
@ExtendWith(OutputCaptureExtension.class)
class RedisTlsTests {

	private final TestContexts contexts = new TestContexts();

	private final TestCertificates authority = TestCertificates.authority("Tiercache test CA");

	private @Nullable TcpProxy proxy;

	@TempDir
	Path directory;

	@AfterEach
	void close() throws Exception {
		this.contexts.close();
		if (this.proxy != null) {
			this.proxy.close();
		}
	}

	@Test
	void everyPatternWorksOverTls() throws Exception {
		TcpProxy tls = startProxy();
		Catalog catalog = new Catalog();
		Path trusted = this.authority.writeCertificate(this.directory);
		CatalogApplication.exerciseEveryPattern(start(catalog, trusted), start(catalog, trusted));
		assertThat(tls.connectionsAccepted()).as("connections made through the TLS proxy, the only way to Redis")
			.isGreaterThanOrEqualTo(2);
	}

	@Test
	void aCertificateSignedByAnUntrustedAuthorityStopsStartUpWithAReportNamingTheProperties(CapturedOutput output)
			throws Exception {
		startProxy();
		Path untrusted = TestCertificates.authority("Another CA").writeCertificate(this.directory);
		assertThatException().isThrownBy(() -> start(new Catalog(), untrusted))
			.satisfies((failure) -> assertThat(CatalogApplication.rejectionIn(failure)).as("why the context failed")
				.isInstanceOfSatisfying(RedisConnectionRejectedException.class, (rejected) -> assertThat(
						rejected.getReason()).isEqualTo(RedisConnectionRejectedException.Reason.CERTIFICATE)));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Tiercache does not trust the TLS certificate Redis presented")
			.contains("'spring.data.redis.ssl.bundle'");
	}

	private TcpProxy startProxy() throws Exception {
		this.proxy = TcpProxy.tls(TestRedis.port(), this.authority.serverContext());
		return this.proxy;
	}

	private ConfigurableApplicationContext start(Catalog catalog, Path trustedCertificates) {
		return this.contexts.start(CatalogApplication.class, CatalogApplication.shared(catalog),
				"spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + this.proxy.port(),
				"spring.data.redis.ssl.enabled=true", "spring.data.redis.ssl.bundle=redis",
				"spring.ssl.bundle.pem.redis.truststore.certificate=file:" + trustedCertificates.toAbsolutePath(),
				"tiercache.cache-names=books,prices");
	}

}
