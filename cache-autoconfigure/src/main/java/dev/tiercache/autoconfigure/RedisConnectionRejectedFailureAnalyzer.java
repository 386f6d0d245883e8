package dev.tiercache.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

import dev.tiercache.resilience.RedisConnectionRejectedException;

/**
 * Turns a {@link RedisConnectionRejectedException} into a start-up report that names Spring Boot's
 * properties to check: the Redis user and password, or the TLS settings.
 */
final class RedisConnectionRejectedFailureAnalyzer extends AbstractFailureAnalyzer<RedisConnectionRejectedException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, RedisConnectionRejectedException cause) {
		return switch (cause.getReason()) {
			case CREDENTIALS -> new FailureAnalysis("Redis refused the credentials Tiercache connected with: '"
					+ cause.getDetail() + "'.", "Check 'spring.data.redis.username' and 'spring.data.redis.password' "
					+ "(or the user and password in 'spring.data.redis.url'; for Sentinel, "
					+ "'spring.data.redis.sentinel.username' and 'spring.data.redis.sentinel.password' are the "
					+ "sentinels' own). With Redis ACLs the user must exist, be enabled ('on') and accept that "
					+ "password; the README's 'Security' section gives the smallest ACL rule Tiercache works with.",
					cause);
			case CERTIFICATE -> new FailureAnalysis("Tiercache does not trust the TLS certificate Redis presented: "
					+ cause.getDetail() + ".", "Check 'spring.data.redis.ssl.bundle' and the SSL bundle it names "
					+ "under 'spring.ssl.bundle' (its truststore must hold the CA that signed Redis's certificate), "
					+ "and that the certificate names the host in 'spring.data.redis.host' (or "
					+ "'spring.data.redis.url').", cause);
		};
	}

}
