package dev.tiercache.tier;

import java.lang.reflect.Type;

import org.jspecify.annotations.Nullable;

import dev.tiercache.tier.RemoteRead.Hit;

/**
 * What a read puts in one cache's L1, and for how long. A value read from Redis goes in only if it was
 * read as its real type (a JSON payload read as {@code Object} is not), lives no longer than its soft
 * expiry, its refresh-ahead point or {@code local.ttl}, and, when a change to the key was reported
 * while it was read, stays only once Redis is seen to still hold what was read (see
 * {@link LocalTier#fillRead}). Thread-safe.
 */
final class LocalFills {

	private final @Nullable LocalTier local;

	private final @Nullable RemoteCache remote;

	LocalFills(@Nullable LocalTier local, @Nullable RemoteCache remote) {
		this.local = local;
		this.remote = remote;
	}

	/** Fills L1 from a Redis hit read after {@code stamp}. */
	void fromRemote(RemoteKey remoteKey, Type type, Hit hit, long stamp, CacheSettings settings) {
		LocalTier tier = this.local;
		RemoteCache l2 = this.remote;
		if (tier == null || l2 == null || type == Object.class) {
			return;
		}
		long until = Math.min(hit.softExpiresAt(), settings.freshness().refreshAt(hit.writtenAt(), hit.softExpiresAt()));
		long lifetime = Math.min(until - System.currentTimeMillis(), settings.localTtl().toMillis());
		if (lifetime <= 0) {
			return;
		}
		Refill refill = tier.fillRead(remoteKey.original(), remoteKey.rendered(), hit.value(), type, lifetime,
				stamp, hit.framed(), hit.tags());
		if (refill != null) {
			l2.recheck(remoteKey, refill);
		}
	}

	/**
	 * How long a value with this TTL lives in L1: at most {@code local.ttl} when Redis is used, and no
	 * later than its refresh-ahead point, so that the read after that goes to Redis and reloads it in
	 * the background.
	 */
	static long lifetime(long ttlMillis, CacheSettings settings) {
		if (!settings.usesRemote()) {
			return ttlMillis;
		}
		long lifetime = Math.min(ttlMillis, settings.localTtl().toMillis());
		return Math.min(lifetime, settings.freshness().refreshAt(0, ttlMillis));
	}

}
