package dev.tiercache.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;

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
import org.openjdk.jmh.annotations.TearDown;

/**
 * An L1 hit through a cached method: 1,000 hot keys, every read a hit. Compares {@code @CacheAside}
 * on the tiered manager, Spring's {@code @Cacheable(sync = true)} on {@code CaffeineCacheManager}, a
 * direct Caffeine {@code get(key, fn)}, and the proxy floor (a bare CGLIB proxy whose interceptor
 * only calls {@code getIfPresent(arguments[0])}). Keys are pre-boxed {@code Long}s, so any
 * allocation measured is the cache's or the proxy's.
 *
 * <p>Run with the others by {@code benchmarks/run} (1 and 2 threads, with {@code -prof gc}), or
 * alone: {@code java -cp … org.openjdk.jmh.Main LocalHitBenchmark -t 2 -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LocalHitBenchmark {

	static final int KEYS = 1_000;

	private final Long[] keys = new Long[KEYS];

	private final Function<Long, Book> loader = Book::of;

	private Subjects subjects;

	private Subjects.TieredCatalog tiered;

	private Subjects.SpringCatalog spring;

	private Subjects.PlainCatalog floor;

	private Cache<Long, Book> caffeine;

	@Setup(Level.Trial)
	public void start() {
		for (int i = 0; i < KEYS; i++) {
			this.keys[i] = 1_000_000L + i;
		}
		this.subjects = new Subjects();
		this.tiered = this.subjects.tiered("bench-l1-" + ProcessHandle.current().pid());
		this.spring = this.subjects.springOnCaffeine();
		this.floor = this.subjects.proxyFloor();
		this.caffeine = Caffeine.newBuilder().maximumSize(10_000).build();
		for (Long key : this.keys) {
			this.tiered.hot(key);
			this.spring.hot(key);
			this.floor.find(key);
			this.caffeine.get(key, this.loader);
		}
		int loadsAfterWarmUp = this.subjects.loads.get();
		for (Long key : this.keys) {
			this.tiered.hot(key);
			this.spring.hot(key);
			this.floor.find(key);
		}
		if (this.subjects.loads.get() != loadsAfterWarmUp) {
			throw new IllegalStateException("Warm keys were loaded again; the benchmark would not measure hits");
		}
	}

	@TearDown(Level.Trial)
	public void stop() {
		this.subjects.close();
	}

	/** Each thread walks the keys in its own order. */
	@State(Scope.Thread)
	public static class Cursor {

		private int next = (int) (Thread.currentThread().getId() * 7919 % KEYS);

		Long key(Long[] keys) {
			int index = this.next;
			this.next = (index + 1 == KEYS) ? 0 : index + 1;
			return keys[index];
		}

	}

	@Benchmark
	public Book tieredCacheAside(Cursor cursor) {
		return this.tiered.hot(cursor.key(this.keys));
	}

	@Benchmark
	public Book springCacheableSync(Cursor cursor) {
		return this.spring.hot(cursor.key(this.keys));
	}

	@Benchmark
	public Book caffeineGet(Cursor cursor) {
		return this.caffeine.get(cursor.key(this.keys), this.loader);
	}

	@Benchmark
	public Book proxyFloor(Cursor cursor) {
		return this.floor.find(cursor.key(this.keys));
	}

}
