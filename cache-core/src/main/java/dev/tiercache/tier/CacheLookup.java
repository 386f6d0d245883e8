package dev.tiercache.tier;

import java.lang.reflect.Type;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache.ValueWrapper;
import org.springframework.cache.support.SimpleValueWrapper;

import dev.tiercache.tier.RemoteRead.Hit;
import dev.tiercache.tier.RemoteRead.Unreadable;

/**
 * The reads of one cache that never load: Spring's {@code get(key)} and {@code get(key, type)}, and the
 * look a conditional write takes first. L1, then Redis; an entry past its stale window is a miss,
 * unless a write of the key still queued for the backing store is found. What Redis returns fills L1
 * as a read-through's hit would. Thread-safe.
 */
final class CacheLookup {

	private final CacheContext cache;

	private final @Nullable LocalTier local;

	private final @Nullable RemoteCache remote;

	private final LocalFills fills;

	private final StatsRecorder stats;

	CacheLookup(CacheContext cache, @Nullable RemoteCache remote, LocalFills fills) {
		this.cache = cache;
		this.local = cache.local();
		this.remote = remote;
		this.fills = fills;
		this.stats = cache.stats();
	}

	/**
	 * Looks a key up in L1 then Redis without loading.
	 * @param strict whether a value cached with another type is an error ({@code get(key, Class)}) or a
	 * miss (a typed view's {@code get(key)}, after which Spring's interceptor loads and puts)
	 * @throws IllegalStateException if strict and a value is cached that cannot be read as {@code type}
	 */
	@Nullable ValueWrapper lookup(Object key, Type type, boolean strict) {
		LocalTier tier = this.local;
		RemoteCache l2 = this.remote;
		String redisName = (l2 != null) ? l2.render(key) : null;
		long stamp = (tier != null) ? tier.stamp(redisName, key) : 0;
		Class<?> rawType = Types.rawClass(type);
		LocalEntry entry = (tier != null) ? tier.get(key) : null;
		if (entry != null) {
			Object value = entry.value();
			if (entry.readableAs(type, rawType)) {
				this.stats.localHit(value == null);
				return new SimpleValueWrapper(value);
			}
			if (strict && l2 == null) {
				throw wrongType(key, type, value.getClass().getName());
			}
		}
		if (tier != null) {
			this.stats.localMiss();
		}
		if (l2 == null || redisName == null) {
			return null;
		}
		RemoteKey remoteKey = l2.keyOf(key, redisName);
		RemoteRead read = l2.read(remoteKey, type);
		Freshness freshness = this.cache.settings().freshness();
		if (read instanceof Hit expired && Age.of(expired, freshness) == Age.EXPIRED) {
			// kept for fail-safe; a write of the key still queued for the backing store is newer than a load
			read = l2.readPending(remoteKey, type);
		}
		if (read instanceof Hit hit && Age.of(hit, freshness) != Age.EXPIRED) {
			this.fills.fromRemote(remoteKey, type, hit, stamp, this.cache.settings());
			return new SimpleValueWrapper(hit.value());
		}
		if (strict && read instanceof Unreadable unreadable) {
			throw wrongType(key, type, unreadable.reason());
		}
		return null;
	}

	/** The error of a strict read that finds a value of another type: it names the key, the cache and both types. */
	IllegalStateException wrongType(Object key, Type required, String found) {
		return new IllegalStateException("Cached value for key '" + key + "' in cache '" + this.cache.name()
				+ "' is not a " + required.getTypeName() + " (found: " + found + "); the entry was left in place");
	}

}
