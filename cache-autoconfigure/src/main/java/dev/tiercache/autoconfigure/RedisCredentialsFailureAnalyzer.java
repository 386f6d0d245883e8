package dev.tiercache.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

import dev.tiercache.resilience.RedisCredentialsRejectedException;

/**
 * Turns a {@link RedisCredentialsRejectedException} into a start-up report that names Spring Boot's
 * properties for the Redis user and password.
 */
final class RedisCredentialsFailureAnalyzer extends AbstractFailureAnalyzer<RedisCredentialsRejectedException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, RedisCredentialsRejectedException cause) {
		return new FailureAnalysis("Redis refused the credentials Tiercache connected with: '" + cause.getReply()
				+ "'.", "Check 'spring.data.redis.username' and 'spring.data.redis.password' (or the user and "
				+ "password in 'spring.data.redis.url'; for Sentinel, 'spring.data.redis.sentinel.username' and "
				+ "'spring.data.redis.sentinel.password' are the sentinels' own). With Redis ACLs the user must "
				+ "exist, be enabled ('on') and accept that password; the README's 'Security' section gives the "
				+ "smallest ACL rule Tiercache works with.", cause);
	}

}
