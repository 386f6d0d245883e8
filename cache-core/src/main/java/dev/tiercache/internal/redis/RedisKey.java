package dev.tiercache.internal.redis;

/**
 * A Redis key of Tiercache's, as its parts: what {@link RedisKeys} builds one from and parses one
 * into. Four kinds, by what the key belongs to: one entry of a cache ({@link Entry}), one partition
 * of a cache's write-behind queue ({@link Partition}), a whole cache ({@link Cache}) or one tag of a
 * cache ({@link Tag}). Immutable.
 */
public sealed interface RedisKey {

	/** The cache the key belongs to. */
	String cache();

	/**
	 * A key of one cache entry: the four keys of an entry share its hash tag, so one cluster slot. An
	 * entry of a cache whose writes are queued has its queue partition's hash tag instead, so that the
	 * scripts that queue a write or load past one reach its keys and the partition's in one slot.
	 *
	 * @param part which of the entry's keys
	 * @param cache the cache's name
	 * @param partition the write-behind partition whose slot the entry shares, from 0, or
	 * {@link #UNPARTITIONED} when its cache queues no writes
	 * @param namespace the cache's namespace version the key is of
	 * @param key the cache key, rendered
	 */
	record Entry(EntryPart part, String cache, int partition, long namespace, String key) implements RedisKey {

		/** The partition of an entry whose cache queues no writes: the entry's hash tag is its own. */
		public static final int UNPARTITIONED = -1;

		public Entry {
			if (partition < UNPARTITIONED) {
				throw new IllegalArgumentException("No partition " + partition);
			}
		}

		/** A key of an entry whose cache queues no writes. */
		public Entry(EntryPart part, String cache, long namespace, String key) {
			this(part, cache, UNPARTITIONED, namespace, key);
		}

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

	/**
	 * The key of one tag of a cache, which holds the cache's tag clock when the tag was last invalidated:
	 * in the cache's slot, with the cache's {@link CachePart#TAG_CLOCK}.
	 *
	 * @param cache the cache's name
	 * @param tag the tag
	 */
	record Tag(String cache, String tag) implements RedisKey {
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
		OWNER("wb:owner:"),

		/**
		 * The stream of the partition's calls that failed every attempt: in the partition's slot, so that
		 * a call moves there, and back, in one step.
		 */
		DEAD_LETTERS("wb:dead:");

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

		/**
		 * How many partitions the cache's write-behind queue has, kept by its flushers: every instance
		 * reads it with the namespace version, and lays the cache's entries out in their partitions' slots
		 * once it is there, whether or not the instance queues writes itself.
		 */
		WRITE_BEHIND_PARTITIONS("wb:partitions:"),

		/** The instances that apply the cache's write-behind calls now. */
		FLUSHERS("wb:flushers:"),

		/** The keys the instances report as read most often lately, scored, for warming new instances. */
		HOT_KEYS("hot:"),

		/** The bitmap of the cache's penetration guard: a Bloom filter of the keys that exist. */
		GUARD("guard:"),

		/** The bitmap of the cache's penetration guard while it is rebuilt, renamed to {@link #GUARD} when done. */
		GUARD_NEXT("guard:next:"),

		/** The shape of the filter in {@link #GUARD} (bits, hashes) and when it was built, a hash. */
		GUARD_SHAPE("guard:shape:"),

		/** Held by the instance that rebuilds the cache's penetration guard. */
		GUARD_BUILD("guard:build:"),

		/** The cache's tag clock: counts the invalidations of its tags ({@link Tag}). */
		TAG_CLOCK("tags:");

		private final String infix;

		CachePart(String infix) {
			this.infix = infix;
		}

		String infix() {
			return this.infix;
		}

	}

}
