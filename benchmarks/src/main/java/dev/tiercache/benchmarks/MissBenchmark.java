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
import org.openjdk.jmh.annotations.TearDown;

/**
 * A miss that loads (the loader returns a constant at once): every call uses a key never seen
 * before. {@code @CacheAside} pays for its lease (read-or-acquire, then store-and-release) on top of
 * the first read; Spring's {@code @Cacheable} on {@code RedisCacheManager} pays a {@code GET} and a
 * {@code SET} and takes no lock. Entries expire after 20 s. One thread; latency sampled.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MissBenchmark {

	private long next = System.nanoTime();

	private Subjects subjects;

	private Subjects.TieredCatalog tiered;

	private Subjects.SpringCatalog spring;

	@Setup(Level.Trial)
	public void start() {
		String prefix = "bench-miss-" + ProcessHandle.current().pid();
		this.subjects = new Subjects();
		this.tiered = this.subjects.tiered(prefix);
		this.spring = this.subjects.springOnRedis(prefix + "-spring");
	}

	@TearDown(Level.Trial)
	public void stop() {
		this.subjects.close();
	}

	@Benchmark
	public Book tieredCacheAsideMiss() {
		return this.tiered.miss(++this.next);
	}

	@Benchmark
	public Book springCacheableRedisMiss() {
		return this.spring.miss(++this.next);
	}

}
