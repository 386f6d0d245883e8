package dev.tiercache.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * An L1 hit through a cached method: 1,000 hot keys, every read a hit. Compares {@code @CacheAside}
 * on the tiered manager, Spring's {@code @Cacheable(sync = true)} on the tiered manager (its fast path)
 * and on {@code CaffeineCacheManager}, a direct Caffeine {@code get(key, fn)}, the proxy floor (a bare
 * CGLIB proxy whose interceptor only calls {@code getIfPresent(arguments[0])}), and that floor with the
 * bookkeeping an L1 entry needs (a deadline, a type and an exact hit count:
 * {@link Subjects#bookkeepingFloor()}). Keys are pre-boxed {@code Long}s, so any allocation measured is
 * the cache's or the proxy's. Each subject has its own state, so a JMH fork builds and warms only the
 * subject it measures (shared Spring AOP call sites stay as they would in an application using one kind
 * of cache).
 *
 * <p>Run with the others by {@code benchmarks/run} (1 and 2 threads, with {@code -prof gc}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LocalHitBenchmark {

	static final int KEYS = 1_000;

	/** The hot keys, shared by every thread. */
	@State(Scope.Benchmark)
	public static class Keys {

		final Long[] keys = new Long[KEYS];

		public Keys() {
			for (int i = 0; i < KEYS; i++) {
				this.keys[i] = 1_000_000L + i;
			}
		}

		/** Calls {@code read} on every key twice and fails if the second pass loaded anything. */
		void warm(Subjects subjects, UnaryOperator<Long> read) {
			for (Long key : this.keys) {
				read.apply(key);
			}
			int loads = subjects.loads.get();
			for (Long key : this.keys) {
				read.apply(key);
			}
			if (subjects.loads.get() != loads) {
				throw new IllegalStateException("Warm keys were loaded again; the benchmark would not measure hits");
			}
		}

	}

	/** Each thread walks the keys from its own starting point. */
	@State(Scope.Thread)
	public static class Cursor {

		private int next = (int) (Thread.currentThread().getId() * 7919 % KEYS);

		Long key(Keys keys) {
			int index = this.next;
			this.next = (index + 1 == KEYS) ? 0 : index + 1;
			return keys.keys[index];
		}

	}

	@State(Scope.Benchmark)
	public static class Tiered extends SubjectsState {

		Subjects.TieredCatalog catalog;

		@Setup(Level.Trial)
		public void start(Keys keys) {
			this.catalog = this.subjects.tiered("bench-l1-" + ProcessHandle.current().pid());
			keys.warm(this.subjects, (key) -> {
				this.catalog.hot(key);
				return key;
			});
		}

	}

	@State(Scope.Benchmark)
	public static class TieredSpring extends SubjectsState {

		Subjects.SpringCatalog catalog;

		@Setup(Level.Trial)
		public void start(Keys keys) {
			this.catalog = this.subjects.springOnTiercache("bench-l1-spring-" + ProcessHandle.current().pid());
			keys.warm(this.subjects, (key) -> {
				this.catalog.hot(key);
				return key;
			});
		}

	}

	@State(Scope.Benchmark)
	public static class Spring extends SubjectsState {

		Subjects.SpringCatalog catalog;

		@Setup(Level.Trial)
		public void start(Keys keys) {
			this.catalog = this.subjects.springOnCaffeine();
			keys.warm(this.subjects, (key) -> {
				this.catalog.hot(key);
				return key;
			});
		}

	}

	/** A bare proxy over the catalogue, built and warmed by a subclass's interceptor. */
	abstract static class ProxyState extends SubjectsState {

		Subjects.PlainCatalog catalog;

		abstract Subjects.PlainCatalog proxy(Subjects subjects);

		@Setup(Level.Trial)
		public void start(Keys keys) {
			this.catalog = proxy(this.subjects);
			keys.warm(this.subjects, (key) -> {
				this.catalog.find(key);
				return key;
			});
		}

	}

	@State(Scope.Benchmark)
	public static class Floor extends ProxyState {

		@Override
		Subjects.PlainCatalog proxy(Subjects subjects) {
			return subjects.proxyFloor();
		}

	}

	@State(Scope.Benchmark)
	public static class BookkeepingFloor extends ProxyState {

		@Override
		Subjects.PlainCatalog proxy(Subjects subjects) {
			return subjects.bookkeepingFloor();
		}

	}

	@State(Scope.Benchmark)
	public static class Raw {

		final Cache<Long, Book> cache = Caffeine.newBuilder().maximumSize(10_000).build();

		final Function<Long, Book> loader = Book::of;

		@Setup(Level.Trial)
		public void start(Keys keys) {
			for (Long key : keys.keys) {
				this.cache.get(key, this.loader);
			}
		}

	}

	@Benchmark
	public Book tieredCacheAside(Tiered tiered, Keys keys, Cursor cursor) {
		return tiered.catalog.hot(cursor.key(keys));
	}

	@Benchmark
	public Book tieredSpringCacheable(TieredSpring spring, Keys keys, Cursor cursor) {
		return spring.catalog.hot(cursor.key(keys));
	}

	@Benchmark
	public Book springCacheableSync(Spring spring, Keys keys, Cursor cursor) {
		return spring.catalog.hot(cursor.key(keys));
	}

	@Benchmark
	public Book caffeineGet(Raw raw, Keys keys, Cursor cursor) {
		return raw.cache.get(cursor.key(keys), raw.loader);
	}

	@Benchmark
	public Book proxyFloor(Floor floor, Keys keys, Cursor cursor) {
		return floor.catalog.find(cursor.key(keys));
	}

	@Benchmark
	public Book bookkeepingFloor(BookkeepingFloor floor, Keys keys, Cursor cursor) {
		return floor.catalog.find(cursor.key(keys));
	}

}
