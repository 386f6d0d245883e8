package dev.tiercache.tier;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.concurrent.EventDispatcher;
import dev.tiercache.tier.TiercacheEvent.CacheCreated;

/**
 * The caches of one {@link TieredCacheManager} by name: the declared ones, made when the manager is
 * built, and, when dynamic creation is on, one for any other valid name, made with the default
 * settings on first use.
 *
 * <p>A name has one cache for the manager's life: one made on first use is made once however many
 * callers ask for it at the same time, then handed to every {@linkplain #forEachCache listener} and
 * published as a {@link CacheCreated}, once it is in the registry. The declared caches are published
 * once, by the first {@link #publishDeclared()}. Thread-safe.
 */
final class CacheRegistry {

	private final Map<String, TieredCache> caches = new ConcurrentHashMap<>();

	private final List<Consumer<TieredCache>> cacheListeners = new CopyOnWriteArrayList<>();

	private final CacheSettings defaults;

	private final boolean dynamic;

	private final BiFunction<String, CacheSettings, TieredCache> factory;

	private final EventDispatcher events;

	/** The caches declared to the builder, in order. */
	private final List<String> declared;

	/** Whether the declared caches were published. */
	private final AtomicBoolean declaredPublished = new AtomicBoolean();

	/**
	 * Makes the declared caches, in order.
	 * @param declared the declared caches' settings by name, in order
	 * @param defaults the settings of caches made on first use
	 * @param dynamic whether a name not declared gets a cache on first use
	 * @param factory makes a cache of a name with its settings
	 * @param events where {@link CacheCreated} events go
	 */
	CacheRegistry(Map<String, CacheSettings> declared, CacheSettings defaults, boolean dynamic,
			BiFunction<String, CacheSettings, TieredCache> factory, EventDispatcher events) {
		this.defaults = defaults;
		this.dynamic = dynamic;
		this.factory = factory;
		this.events = events;
		declared.forEach((name, settings) -> this.caches.put(name, factory.apply(name, settings)));
		this.declared = List.copyOf(declared.keySet());
	}

	/**
	 * Returns the named cache, making it with the default settings if it is not declared and dynamic
	 * creation is on; {@code null} otherwise.
	 * @throws IllegalArgumentException if the name is not a valid cache name
	 */
	@Nullable TieredCache get(String name) {
		TieredCache cache = this.caches.get(name);
		if (cache != null || !this.dynamic) {
			return cache;
		}
		CacheNames.check(name);
		TieredCache[] created = new TieredCache[1];
		cache = this.caches.computeIfAbsent(name, (absent) -> created[0] = this.factory.apply(absent, this.defaults));
		if (created[0] != null) {
			this.cacheListeners.forEach((listener) -> listener.accept(created[0]));
			this.events.publish(new CacheCreated(name, this.defaults));
		}
		return cache;
	}

	/** The names of the caches there are now: a live, unmodifiable view. */
	Collection<String> names() {
		return Collections.unmodifiableSet(this.caches.keySet());
	}

	/**
	 * Calls {@code listener} with every cache: those that exist now, at once, and each one made later on
	 * first use, once it is in the registry.
	 */
	void forEachCache(Consumer<TieredCache> listener) {
		this.cacheListeners.add(listener);
		this.caches.values().forEach(listener);
	}

	/**
	 * Publishes a {@link CacheCreated} for each declared cache, the first time it is called: when the
	 * manager first starts, once {@code @EventListener} methods are registered (they are not while beans
	 * are initialized).
	 */
	void publishDeclared() {
		if (this.declaredPublished.compareAndSet(false, true)) {
			for (String name : this.declared) {
				this.events.publish(new CacheCreated(name, this.caches.get(name).settings()));
			}
		}
	}

}
