package dev.tiercache.writebehind;

import java.nio.charset.StandardCharsets;

import dev.tiercache.internal.redis.RedisKey.CachePart;
import dev.tiercache.internal.redis.RedisKey.PartitionPart;
import dev.tiercache.internal.redis.RedisKeys;

/**
 * The Redis keys of one cache's queue, as {@link RedisKeys} lays them out, built once: per partition
 * a stream of calls, a hash of pending values (per key, the framed value and the entry id of its
 * latest write), its owner's lease ({@link OwnerLease}) and its dead letters, all in the partition's
 * cluster slot (with the cache's entries of the partition's keys); per cache its live flushers and its
 * number of partitions. Only the live flushers' set has a TTL, so an eviction policy that spares keys
 * without one ({@code noeviction}, {@code volatile-*}) never drops a queued write or a lease. Immutable.
 */
final class QueueKeys {

	/** The consumer group every instance reads with. */
	static final byte[] GROUP = ascii("tiercache");

	private final byte[][] streams;

	private final byte[][] pending;

	private final byte[][] leases;

	private final byte[][] dead;

	private final byte[] flushers;

	private final byte[] partitionCount;

	QueueKeys(RedisKeys keys, String cache, int partitions) {
		this.streams = new byte[partitions][];
		this.pending = new byte[partitions][];
		this.leases = new byte[partitions][];
		this.dead = new byte[partitions][];
		for (int p = 0; p < partitions; p++) {
			this.streams[p] = keys.partition(PartitionPart.STREAM, cache, p);
			this.pending[p] = keys.partition(PartitionPart.PENDING, cache, p);
			// a hash since the lease has an epoch; the name is kept, so that an instance of a version that
			// kept a string here and one of this version fail on each other's key rather than share a partition
			this.leases[p] = keys.partition(PartitionPart.OWNER, cache, p);
			this.dead[p] = keys.partition(PartitionPart.DEAD_LETTERS, cache, p);
		}
		this.flushers = keys.cache(CachePart.FLUSHERS, cache);
		this.partitionCount = keys.writeBehindPartitions(cache);
	}

	int partitions() {
		return this.streams.length;
	}

	/** The partition of a rendered key: the same on every instance ({@link RedisKeys#partitionOf}). */
	int partitionOf(String renderedKey) {
		return RedisKeys.partitionOf(renderedKey, this.streams.length);
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

	byte[] dead(int partition) {
		return this.dead[partition];
	}

	byte[] flushers() {
		return this.flushers;
	}

	/** Where the queue's number of partitions is kept for every instance, in the live flushers' slot. */
	byte[] partitionCount() {
		return this.partitionCount;
	}

	static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	static byte[] ascii(Object value) {
		return String.valueOf(value).getBytes(StandardCharsets.US_ASCII);
	}

}
