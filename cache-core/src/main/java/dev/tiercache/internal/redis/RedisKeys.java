package dev.tiercache.internal.redis;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.redis.RedisKey.CachePart;
import dev.tiercache.internal.redis.RedisKey.EntryPart;
import dev.tiercache.internal.redis.RedisKey.PartitionPart;

/**
 * The layout of every Redis key and channel of one application: the only code that builds a key or
 * takes one apart. A key is {@code <prefix>:<infix>{<tag>}}, where the infix names the kind of key
 * ({@link RedisKey.EntryPart}, {@link RedisKey.PartitionPart}, {@link RedisKey.CachePart}) and the
 * hash tag names what it belongs to:
 * <ul>
 * <li>an entry, {@code {<cache>:<namespace>:<key>}}: the value at {@code <prefix>:{…}}, its lease at
 * {@code <prefix>:lock:{…}}, its waiters flag at {@code <prefix>:wait:{…}} and its writes in flight at
 * {@code <prefix>:intents:{…}}. An entry of a cache that queues writes has its write-behind
 * partition's tag instead, followed by the rest: {@code {<cache>:<partition>}<namespace>:<key>}, so
 * that its keys and its partition's are in one cluster slot, which the scripts that queue a write, or
 * load past a queued one, need; such a cache is spread over as many slots as it has partitions;</li>
 * <li>a partition of a cache's write-behind queue, {@code {<cache>:<partition>}}: its stream at
 * {@code <prefix>:wb:{…}}, its pending writes at {@code <prefix>:wb:pending:{…}} (fields
 * {@link #pendingValueField} and {@link #pendingIdField} of each key), its owner's lease at
 * {@code <prefix>:wb:owner:{…}} and its dead letters at {@code <prefix>:wb:dead:{…}};</li>
 * <li>a cache, {@code {<cache>}}: its namespace version at {@code <prefix>:ns:{…}}, the number of
 * partitions of its write-behind queue at {@code <prefix>:wb:partitions:{…}}, its live flushers at
 * {@code <prefix>:wb:flushers:{…}} and the keys its instances report hottest at
 * {@code <prefix>:hot:{…}}; with a penetration guard, its Bloom filter at {@code <prefix>:guard:{…}}, the
 * filter being rebuilt at {@code <prefix>:guard:next:{…}}, their shape at {@code <prefix>:guard:shape:{…}}
 * and the rebuild's lock at {@code <prefix>:guard:build:{…}}; its tag clock at {@code <prefix>:tags:{…}}.</li>
 * <li>a tag of a cache, <code>{&lt;cache&gt;}&lt;tag&gt;</code> after the infix {@code tag:}: in the cache's
 * slot, so that one script reads or moves the clock and the tag together.</li>
 * </ul>
 * Channels, which are not keys: wake-ups of waiting callers on {@code <prefix>:tiercache:loads},
 * published invalidations on {@code <prefix>:tiercache:invalidations}. The write-behind scripts
 * ({@code QueueScripts}) build the pending hash's fields in Lua as {@link #pendingValueField} and
 * {@link #pendingIdField} do, from the key they are given.
 *
 * <p>Guarantees, checked by {@code RedisKeysPropertyTests}: {@link #parse} inverts {@link #build} for
 * every key; keys of different prefixes, caches, namespaces, entries or partitions differ; every key of
 * one entry (and of one partition, and of an entry with that partition) hashes to one cluster slot,
 * since the prefix and the infixes hold no <code>{</code>, so a key's hash tag is always its own. This
 * takes a prefix that follows {@link #prefixProblem}, cache names that follow {@link #cacheNameProblem}
 * and rendered keys that are well-formed UTF-16 (lone surrogates would not survive UTF-8). Immutable
 * and thread-safe.
 */
public final class RedisKeys {

	/** The most partitions a cache's write-behind queue may have ({@code write-behind.partitions}). */
	public static final int MAX_PARTITIONS = 1024;

	private static final Map<String, Enum<?>> PARTS_BY_INFIX = partsByInfix();

	/** The infix of the key of a cache's tag ({@link RedisKey.Tag}). */
	private static final String TAG_INFIX = "tag:";

	private final String prefix;

	private final int prefixBytes;

	private final byte[][] entryInfixes;

	private final byte[] loadsChannel;

	private final String invalidationsChannel;

	/**
	 * @param prefix the prefix of every key, as {@code tiercache.key-prefix} sets it
	 * @throws IllegalArgumentException if the prefix breaks the rule of {@link #prefixProblem}
	 */
	public RedisKeys(String prefix) {
		String problem = prefixProblem(prefix);
		if (problem != null) {
			throw new IllegalArgumentException("Key prefix '" + prefix + "' " + problem);
		}
		this.prefix = prefix + ":";
		this.prefixBytes = utf8(this.prefix).length;
		this.entryInfixes = new byte[EntryPart.values().length][];
		for (EntryPart part : EntryPart.values()) {
			this.entryInfixes[part.ordinal()] = utf8(part.infix());
		}
		this.loadsChannel = utf8(this.prefix + "tiercache:loads");
		this.invalidationsChannel = this.prefix + "tiercache:invalidations";
	}

	/**
	 * What is wrong with a key prefix, naming where it is set, or {@code null} if it is non-blank and
	 * free of {@code :}, which separates the parts of a key (with it, the prefixes {@code app} and
	 * {@code app:lock} would share keys), of <code>{</code> and <code>}</code>, which mark hash tags, and
	 * of lone surrogates, which UTF-8 turns into {@code ?}.
	 */
	public static @Nullable String prefixProblem(String prefix) {
		if (prefix.isBlank() || prefix.indexOf(':') >= 0 || prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0
				|| !isWellFormed(prefix)) {
			return "must be non-blank and free of ':' (it separates the parts of Redis keys: the prefixes 'app' and"
					+ " 'app:lock' would share keys), '{' and '}' (they mark hash tags) and lone surrogates; set it"
					+ " with 'tiercache.key-prefix' or TieredCacheManager.Builder.keyPrefix";
		}
		return null;
	}

	/**
	 * What is wrong with a cache name, or {@code null} if it is non-blank and free of whitespace and of
	 * the characters that delimit keys ({@code :}, <code>{</code>, <code>}</code>): with them, cache
	 * {@code a} with key {@code b:c} and cache {@code a:b} with key {@code c} would share an entry; and
	 * of lone surrogates, which UTF-8 turns into {@code ?}.
	 */
	public static @Nullable String cacheNameProblem(String name) {
		if (name.isBlank()) {
			return "must not be blank";
		}
		for (int i = 0; i < name.length(); i++) {
			char c = name.charAt(i);
			if (c == ':' || c == '{' || c == '}' || Character.isWhitespace(c)) {
				return "must not contain ':', '{', '}' or whitespace (they delimit Redis keys)";
			}
		}
		return isWellFormed(name) ? null : "must not contain a lone surrogate (UTF-8 turns it into '?')";
	}

	/**
	 * Whether the text holds no lone surrogate: only such text survives UTF-8, which key names are
	 * written in (a lone surrogate becomes {@code ?}, so {@code "\\uD800"} and {@code "?"} would share a
	 * key).
	 */
	public static boolean isWellFormed(CharSequence text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
				i++;
			}
			else if (Character.isSurrogate(c)) {
				return false;
			}
		}
		return true;
	}

	/** The prefix of every key, as it was given (without the separator). */
	public String prefix() {
		return this.prefix.substring(0, this.prefix.length() - 1);
	}

	/** Builds a key from its parts. */
	public byte[] build(RedisKey key) {
		if (key instanceof RedisKey.Entry entry) {
			return utf8(this.prefix + entry.part().infix()
					+ entryName(entry.cache(), entry.partition(), entry.namespace(), entry.key()));
		}
		if (key instanceof RedisKey.Partition partition) {
			return partition(partition.part(), partition.cache(), partition.partition());
		}
		if (key instanceof RedisKey.Tag tag) {
			return tag(tag.cache(), tag.tag());
		}
		RedisKey.Cache cache = (RedisKey.Cache) key;
		return cache(cache.part(), cache.cache());
	}

	/**
	 * Where an entry's framed value lives.
	 * @param key the cache key, rendered
	 */
	public byte[] value(String cache, long namespace, String key) {
		return value(cache, RedisKey.Entry.UNPARTITIONED, namespace, key);
	}

	/**
	 * Where the framed value of an entry of a cache that queues writes lives: in the cluster slot of
	 * its write-behind partition ({@link #partitionOf}).
	 * @param partition the entry's partition, or {@link RedisKey.Entry#UNPARTITIONED}
	 * @param key the cache key, rendered
	 */
	public byte[] value(String cache, int partition, long namespace, String key) {
		return utf8(this.prefix + entryName(cache, partition, namespace, key));
	}

	/**
	 * The write-behind partition of a rendered key, out of {@code partitions}: the same on every
	 * instance (String's hash is specified).
	 */
	public static int partitionOf(String renderedKey, int partitions) {
		int hash = renderedKey.hashCode() * 0x9E3779B9;
		return Math.floorMod(hash ^ (hash >>> 16), partitions);
	}

	/**
	 * Every key of the entry whose value lives at {@code value}, derived from its bytes, so that the
	 * entry's key is not rendered again.
	 * @param value an entry's value key, as {@link #value} built it
	 * @param pending where a queued write of the entry is kept, if its cache queues writes
	 */
	public EntryKeys entry(byte[] value, EntryKeys.@Nullable Pending pending) {
		return new EntryKeys(value, withInfix(value, EntryPart.LOCK), withInfix(value, EntryPart.WAITERS),
				withInfix(value, EntryPart.INTENTS), pending);
	}

	/** A key of one partition of a cache's write-behind queue. */
	public byte[] partition(PartitionPart part, String cache, int partition) {
		return utf8(this.prefix + part.infix() + partitionTag(cache, partition));
	}

	/** A key of a whole cache. */
	public byte[] cache(CachePart part, String cache) {
		return utf8(this.prefix + part.infix() + "{" + cache + "}");
	}

	/** Where a cache's namespace version lives. */
	public byte[] namespace(String cache) {
		return cache(CachePart.NAMESPACE, cache);
	}

	/** Where the cache's clock of tag invalidations lives. */
	public byte[] tagClock(String cache) {
		return cache(CachePart.TAG_CLOCK, cache);
	}

	/** Where the clock value of the last invalidation of one tag of a cache lives. */
	public byte[] tag(String cache, String tag) {
		return utf8(this.prefix + TAG_INFIX + "{" + cache + "}" + tag);
	}

	/** Where the number of partitions of a cache's write-behind queue lives, if it has one. */
	public byte[] writeBehindPartitions(String cache) {
		return cache(CachePart.WRITE_BEHIND_PARTITIONS, cache);
	}

	/** The field of a partition's pending hash that holds the framed value of a key's latest queued write. */
	public static byte[] pendingValueField(String key) {
		return utf8("v:" + key);
	}

	/** The field of a partition's pending hash that holds the stream entry id of a key's latest queued write. */
	public static byte[] pendingIdField(String key) {
		return utf8("i:" + key);
	}

	/** The channel on which a released lease wakes the callers that wait for it. */
	public byte[] loadsChannel() {
		return this.loadsChannel.clone();
	}

	/** The channel on which instances publish the keys they change, where Redis does not report changes. */
	public String invalidationsChannel() {
		return this.invalidationsChannel;
	}

	/**
	 * The beginnings of the keys whose changes a local tier follows: entry values, namespace versions and
	 * tags (and none of the other keys, whose changes no local copy depends on).
	 */
	public List<String> trackedPrefixes() {
		return List.of(this.prefix + EntryPart.VALUE.infix() + "{", this.prefix + CachePart.NAMESPACE.infix() + "{",
				this.prefix + TAG_INFIX + "{");
	}

	/**
	 * Takes a key apart.
	 * @return its parts, or {@code null} if it is not a key of this layout and prefix
	 */
	public @Nullable RedisKey parse(byte[] key) {
		String name = new String(key, StandardCharsets.UTF_8);
		int open = name.indexOf('{', this.prefix.length());
		if (!name.startsWith(this.prefix) || open < 0) {
			return null;
		}
		String infix = name.substring(this.prefix.length(), open);
		if (infix.equals(TAG_INFIX)) {
			return parseTag(name, open);
		}
		Enum<?> part = PARTS_BY_INFIX.get(infix);
		if (part instanceof EntryPart entryPart) {
			RedisKey.Entry partitioned = parsePartitionedEntry(entryPart, name, open);
			if (partitioned != null) {
				return partitioned;
			}
		}
		if (!name.endsWith("}") || open == name.length() - 1) {
			return null;
		}
		String tag = name.substring(open + 1, name.length() - 1);
		if (part instanceof EntryPart entryPart) {
			return parseEntry(entryPart, tag);
		}
		if (part instanceof PartitionPart partitionPart) {
			int colon = tag.indexOf(':');
			Long partition = (colon > 0) ? canonicalNumber(tag.substring(colon + 1)) : null;
			return (partition != null && partition == partition.intValue() && isCacheName(tag.substring(0, colon)))
					? new RedisKey.Partition(partitionPart, tag.substring(0, colon), partition.intValue()) : null;
		}
		if (part instanceof CachePart cachePart) {
			return isCacheName(tag) ? new RedisKey.Cache(cachePart, tag) : null;
		}
		return null;
	}

	/** Parses <code>{cache}tag</code> from the hash tag on, or answers {@code null}. */
	private static RedisKey.@Nullable Tag parseTag(String name, int open) {
		int close = name.indexOf('}', open + 1);
		if (close < 0 || close == name.length() - 1) {
			return null;
		}
		String cache = name.substring(open + 1, close);
		return isCacheName(cache) ? new RedisKey.Tag(cache, name.substring(close + 1)) : null;
	}

	private static @Nullable RedisKey parseEntry(EntryPart part, String tag) {
		int cacheEnd = tag.indexOf(':');
		int namespaceEnd = (cacheEnd > 0) ? tag.indexOf(':', cacheEnd + 1) : -1;
		if (namespaceEnd < 0 || !isCacheName(tag.substring(0, cacheEnd))) {
			return null;
		}
		Long namespace = canonicalNumber(tag.substring(cacheEnd + 1, namespaceEnd));
		return (namespace != null)
				? new RedisKey.Entry(part, tag.substring(0, cacheEnd), namespace, tag.substring(namespaceEnd + 1)) : null;
	}

	/**
	 * An entry's key from its tag on: <code>{cache:namespace:key}</code>, or, in its write-behind
	 * partition's slot, <code>{cache:partition}namespace:key</code>, whose tag is the partition keys'. The
	 * two never meet: a tag of the first kind holds a second colon, after the namespace.
	 */
	private static String entryName(String cache, int partition, long namespace, String key) {
		if (partition == RedisKey.Entry.UNPARTITIONED) {
			return "{" + cache + ":" + namespace + ":" + key + "}";
		}
		return partitionTag(cache, partition) + namespace + ":" + key;
	}

	private static String partitionTag(String cache, int partition) {
		return "{" + cache + ":" + partition + "}";
	}

	/** Parses <code>{cache:partition}namespace:key</code> from the tag on, or answers {@code null}. */
	private static RedisKey.@Nullable Entry parsePartitionedEntry(EntryPart part, String name, int open) {
		int close = name.indexOf('}', open + 1);
		int colon = name.indexOf(':', open + 1);
		int namespaceEnd = name.indexOf(':', colon + 1);
		if (close < 0 || colon < 0 || colon > close || namespaceEnd < close) {
			return null;
		}
		String cache = name.substring(open + 1, colon);
		Long partition = canonicalNumber(name.substring(colon + 1, close));
		Long namespace = canonicalNumber(name.substring(close + 1, namespaceEnd));
		if (!isCacheName(cache) || partition == null || partition < 0 || partition != partition.intValue()
				|| namespace == null) {
			return null;
		}
		return new RedisKey.Entry(part, cache, partition.intValue(), namespace, name.substring(namespaceEnd + 1));
	}

	/** The value key with an entry part's infix after the prefix: the same entry's key of that part. */
	private byte[] withInfix(byte[] value, EntryPart part) {
		byte[] infix = this.entryInfixes[part.ordinal()];
		byte[] key = new byte[value.length + infix.length];
		System.arraycopy(value, 0, key, 0, this.prefixBytes);
		System.arraycopy(infix, 0, key, this.prefixBytes, infix.length);
		System.arraycopy(value, this.prefixBytes, key, this.prefixBytes + infix.length, value.length - this.prefixBytes);
		return key;
	}

	private static boolean isCacheName(String name) {
		return cacheNameProblem(name) == null;
	}

	/** The number a text holds if the text is exactly how {@link Long#toString} writes it, else {@code null}. */
	private static @Nullable Long canonicalNumber(String text) {
		try {
			long number = Long.parseLong(text);
			return Long.toString(number).equals(text) ? number : null;
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	private static Map<String, Enum<?>> partsByInfix() {
		Map<String, Enum<?>> parts = new HashMap<>();
		List.of(EntryPart.values()).forEach((part) -> parts.put(part.infix(), part));
		List.of(PartitionPart.values()).forEach((part) -> parts.put(part.infix(), part));
		List.of(CachePart.values()).forEach((part) -> parts.put(part.infix(), part));
		return Map.copyOf(parts);
	}

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
