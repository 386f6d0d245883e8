package dev.tiercache.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

import dev.tiercache.writebehind.UnsafeEvictionPolicyException;

/**
 * Turns an {@link UnsafeEvictionPolicyException} into a start-up report that names the Redis setting to
 * change.
 */
final class UnsafeEvictionPolicyFailureAnalyzer extends AbstractFailureAnalyzer<UnsafeEvictionPolicyException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, UnsafeEvictionPolicyException cause) {
		return new FailureAnalysis(cause.getMessage(), "Set 'maxmemory-policy' to 'noeviction' on the Redis server "
				+ "(in redis.conf, with 'CONFIG SET maxmemory-policy noeviction', or in your provider's parameter "
				+ "group). A 'volatile-*' policy also keeps write-behind queues, which have no TTL, as does "
				+ "'maxmemory 0'. Only @WriteBehind needs this: under '" + cause.getPolicy() + "' the other "
				+ "Tiercache patterns work.", cause);
	}

}
