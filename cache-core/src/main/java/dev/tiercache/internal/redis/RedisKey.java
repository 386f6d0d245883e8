package dev.tiercache.internal.redis;

/**
 * A Redis key of Tiercache's, as its parts: what {@link RedisKeys} builds one from and parses one
 * into. Three kinds, by what the key belongs to: one entry of a cache ({@link Entry}), one partition
 * of a cache's write-behind queue ({@link Partition}) or a whole cache ({@link Cache}). Immutable.
 */
public sealed interface RedisKey {

	/** The cache the key belongs to. */
	String cache();

	/**
	 * A key of one cache entry: the four keys of an entry share its hash tag, so one cluster slot.
	 *
	 * @param part which of the entry's keys
	 * @param cache the cache's name
	 * @param namespace the cache's namespace version the key is of
	 * @param key the cache key, rendered
	 */
	record Entry(EntryPart part, String cache, long namespace, String key) implements RedisKey {
	}

	/**
	 * A key of one partition of a cache's write-behind queue: the keys of a partition share its hash
	 * tag.
	 *
	 * @param part which of the partition's keys
	 * @param cache the cache's name
	 * @param partition the partition's number, from 0
	 */
	record Partition(PartitionPart part, String cache, int partition) implements RedisKey {
	}

	/**
	 * A key of a whole cache.
	 *
	 * @param part which of the cache's keys
	 * @param cache the cache's name
	 */
	record Cache(CachePart part, String cache) implements RedisKey {
	}

	/** The keys of one cache entry. */
	enum EntryPart {

		/** The framed value. */
		VALUE(""),

		/** The load lease. */
		LOCK("lock:"),

		/** The flag that callers waiting for the lease set, so that its release wakes them. */
		WAITERS("wait:"),

		/** The writes of the entry's backing data in flight. */
		INTENTS("intents:");

		private final String infix;

		EntryPart(String infix) {
			this.infix = infix;
		}

		String infix() {
			return this.infix;
		}

	}

	/** The keys of one partition of a cache's write-behind queue. */
	enum PartitionPart {

		/** The stream of queued calls. */
		STREAM("wb:"),

		/** The hash of the latest pending write of each key queued in the partition. */
		PENDING("wb:pending:"),

		/** The lease of the instance that applies the partition's calls. */
		OWNER("wb:owner:");

		private final String infix;

		PartitionPart(String infix) {
			this.infix = infix;
		}

		String infix() {
			return this.infix;
		}

	}

	/** The keys of a whole cache. */
	enum CachePart {

		/** The namespace version, part of every entry key: bumping it clears the cache. */
		NAMESPACE("ns:"),

		/** The stream of write-behind calls that failed every attempt. */
		DEAD_LETTERS("wb:dead:"),

		/** The instances that apply the cache's write-behind calls now. */
		FLUSHERS("wb:flushers:");

		private final String infix;

		CachePart(String infix) {
			this.infix = infix;
		}

		String infix() {
			return this.infix;
		}

	}

}
