package dev.tiercache.benchmarks;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A miss that loads (the loader returns a constant at once): every call uses a key never seen
 * before. {@code @CacheAside} pays for its lease (read-or-acquire, then store-and-release) after the
 * first read; Spring's {@code @Cacheable} on {@code RedisCacheManager} pays a {@code GET} and a
 * {@code SET} and takes no lock. Entries expire after 20 s. One thread; latency sampled. Each
 * subject has its own state.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MissBenchmark {

	/** Hands out keys never used before. */
	@State(Scope.Thread)
	public static class Fresh {

		private long next = System.nanoTime();

		Long key() {
			return ++this.next;
		}

	}

	@State(Scope.Benchmark)
	public static class Tiered extends SubjectsState {

		Subjects.TieredCatalog catalog;

		@Setup(Level.Trial)
		public void start() {
			this.catalog = this.subjects.tiered("bench-miss-" + ProcessHandle.current().pid());
		}

	}

	@State(Scope.Benchmark)
	public static class TieredSpring extends SubjectsState {

		Subjects.SpringCatalog catalog;

		@Setup(Level.Trial)
		public void start() {
			this.catalog = this.subjects.springOnTiercache("bench-miss-tiered-spring-" + ProcessHandle.current().pid());
		}

	}

	@State(Scope.Benchmark)
	public static class Spring extends SubjectsState {

		Subjects.SpringCatalog catalog;

		@Setup(Level.Trial)
		public void start() {
			this.catalog = this.subjects.springOnRedis("bench-miss-spring-" + ProcessHandle.current().pid());
		}

	}

	@Benchmark
	public Book tieredCacheAsideMiss(Tiered tiered, Fresh fresh) {
		return tiered.catalog.miss(fresh.key());
	}

	@Benchmark
	public Book tieredSpringCacheableMiss(TieredSpring spring, Fresh fresh) {
		return spring.catalog.miss(fresh.key());
	}

	@Benchmark
	public Book springCacheableRedisMiss(Spring spring, Fresh fresh) {
		return spring.catalog.miss(fresh.key());
	}

}
