package dev.tiercache.internal.write;

import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.redis.EntryKeys;
import dev.tiercache.internal.redis.RedisKey.PartitionPart;
import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.internal.redis.RemoteCommands;

/**
 * The latest queued write of each key of one cache, as its write-behind queue keeps it in Redis (per
 * partition, a hash of the keys' framed values), for the cache's reads and loads: see
 * {@link PendingWrites}. Made by the instance whose queue it is, and by any instance that learns from
 * Redis that the cache has a queue, so that every instance lays the cache's entries out alike and none
 * stores a load over a queued write. Thread-safe.
 */
public final class PendingValues implements PendingWrites {

	private final RemoteCommands commands;

	private final byte[][] hashes;

	/**
	 * @param keys the application's key layout
	 * @param cache the cache's name
	 * @param partitions how many partitions the cache's queue has
	 */
	public PendingValues(RemoteCommands commands, RedisKeys keys, String cache, int partitions) {
		this.commands = commands;
		this.hashes = new byte[partitions][];
		for (int p = 0; p < partitions; p++) {
			this.hashes[p] = keys.partition(PartitionPart.PENDING, cache, p);
		}
	}

	@Override
	public byte @Nullable [] find(String renderedKey) {
		EntryKeys.Pending pending = locate(renderedKey);
		return this.commands.call((redis) -> redis.hget(pending.hash(), pending.field()));
	}

	/** The field of the key's value in the pending hash of its partition. */
	@Override
	public EntryKeys.Pending locate(String renderedKey) {
		return new EntryKeys.Pending(this.hashes[partitionOf(renderedKey)], RedisKeys.pendingValueField(renderedKey));
	}

	@Override
	public int partitionOf(String renderedKey) {
		return RedisKeys.partitionOf(renderedKey, this.hashes.length);
	}

	@Override
	public int partitions() {
		return this.hashes.length;
	}

}
