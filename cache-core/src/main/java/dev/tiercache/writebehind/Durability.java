package dev.tiercache.writebehind;

/**
 * What a {@code @WriteBehind} call waits for before it returns. Every level means the queue entry is
 * in Redis; the stronger ones also survive the loss of the Redis primary's memory.
 */
public enum Durability {

	/**
	 * The entry is in the primary's memory. A crash of the primary before it replicated or persisted the
	 * entry loses it (with {@code appendfsync everysec}, up to about a second of writes).
	 */
	MEMORY,

	/**
	 * The entry also reached {@code durability-replicas} replicas ({@code WAIT}). A failover to one of
	 * them keeps it; losing the primary and those replicas together still loses it.
	 */
	REPLICA,

	/**
	 * The entry was also written to the primary's append-only file ({@code WAITAOF}, Redis 7.2 or
	 * later), so a restart of the primary keeps it (fsynced as {@code appendfsync} says).
	 */
	AOF

}
