package dev.tiercache.writebehind;

import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.redis.EntryKeys;
import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.internal.write.PendingWrites;

/**
 * The latest queued write of each key of one cache, as its queue keeps it in Redis (per partition, a
 * hash of the keys' framed values), for the cache's reads and loads: see {@link PendingWrites}.
 * Thread-safe.
 */
final class PendingValues implements PendingWrites {

	private final RemoteCommands commands;

	private final QueueKeys keys;

	PendingValues(RemoteCommands commands, QueueKeys keys) {
		this.commands = commands;
		this.keys = keys;
	}

	@Override
	public byte @Nullable [] find(String renderedKey) {
		EntryKeys.Pending pending = locate(renderedKey);
		return this.commands.call((redis) -> redis.hget(pending.hash(), pending.field()));
	}

	/** The field of the key's value in the pending hash of its partition. */
	@Override
	public EntryKeys.Pending locate(String renderedKey) {
		return new EntryKeys.Pending(this.keys.pending(this.keys.partitionOf(renderedKey)),
				RedisKeys.pendingValueField(renderedKey));
	}

	@Override
	public int partitionOf(String renderedKey) {
		return this.keys.partitionOf(renderedKey);
	}

}
