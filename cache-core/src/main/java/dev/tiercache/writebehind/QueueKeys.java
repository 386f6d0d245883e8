package dev.tiercache.writebehind;

import java.nio.charset.StandardCharsets;

/**
 * The Redis keys of one cache's queue. Partition {@code p} is a stream at
 * {@code <prefix>:wb:{<cache>:<p>}}, with its pending values in the hash
 * {@code <prefix>:wb:pending:{<cache>:<p>}} (fields {@code v:<key>} and {@code i:<key>}: the framed
 * value and the entry id of the key's latest write) and its owner's lease in the hash
 * {@code <prefix>:wb:owner:{<cache>:<p>}} ({@link OwnerLease}), all in one cluster slot. Dead letters
 * are in {@code <prefix>:wb:dead:{<cache>}}, live flushers in {@code <prefix>:wb:flushers:{<cache>}}.
 * Only the live flushers' set has a TTL, so an eviction policy that spares keys without one
 * ({@code noeviction}, {@code volatile-*}) never drops a queued write or a lease. Immutable.
 */
final class QueueKeys {

	/** The consumer group every instance reads with. */
	static final byte[] GROUP = ascii("tiercache");

	private final byte[][] streams;

	private final byte[][] pending;

	private final byte[][] leases;

	private final byte[] dead;

	private final byte[] flushers;

	QueueKeys(String keyPrefix, String cache, int partitions) {
		this.streams = new byte[partitions][];
		this.pending = new byte[partitions][];
		this.leases = new byte[partitions][];
		for (int p = 0; p < partitions; p++) {
			String tag = "{" + cache + ":" + p + "}";
			this.streams[p] = utf8(keyPrefix + ":wb:" + tag);
			this.pending[p] = utf8(keyPrefix + ":wb:pending:" + tag);
			// a hash since the lease has an epoch; the name is kept, so that an instance of a version that
			// kept a string here and one of this version fail on each other's key rather than share a partition
			this.leases[p] = utf8(keyPrefix + ":wb:owner:" + tag);
		}
		this.dead = utf8(keyPrefix + ":wb:dead:{" + cache + "}");
		this.flushers = utf8(keyPrefix + ":wb:flushers:{" + cache + "}");
	}

	int partitions() {
		return this.streams.length;
	}

	/** The partition of a rendered key: the same on every instance (String's hash is specified). */
	int partitionOf(String renderedKey) {
		int hash = renderedKey.hashCode() * 0x9E3779B9;
		return Math.floorMod(hash ^ (hash >>> 16), this.streams.length);
	}

	byte[] stream(int partition) {
		return this.streams[partition];
	}

	byte[] pending(int partition) {
		return this.pending[partition];
	}

	byte[] lease(int partition) {
		return this.leases[partition];
	}

	byte[] dead() {
		return this.dead;
	}

	byte[] flushers() {
		return this.flushers;
	}

	static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	static byte[] ascii(Object value) {
		return String.valueOf(value).getBytes(StandardCharsets.US_ASCII);
	}

}
