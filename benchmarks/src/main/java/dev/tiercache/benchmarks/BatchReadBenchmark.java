package dev.tiercache.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * 100 ids of which 10 % are missing, read with one {@code @CacheAside(batch = true)} call against a loop
 * of 100 single {@code @CacheAside} calls, on a cache in {@code remote} mode (every present id read
 * from Redis): each call asks for the same {@value #PRESENT} ids, stored once at set-up, and
 * {@value #MISSING} ids never asked for before, which load. One thread; latency sampled.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BatchReadBenchmark {

	static final int PRESENT = 90;

	static final int MISSING = 10;

	@State(Scope.Benchmark)
	public static class Catalog extends SubjectsState {

		Subjects.TieredCatalog catalog;

		private long nextMissing = 1_000_000_000L + System.nanoTime() % 1_000_000_000L;

		@Setup(Level.Trial)
		public void start() {
			this.catalog = this.subjects.tiered("bench-batch-" + ProcessHandle.current().pid());
			this.catalog.books(present());
		}

		/** The ids of one call: the present ones, then ids never asked for before. */
		List<Long> ids() {
			List<Long> ids = present();
			for (int i = 0; i < MISSING; i++) {
				ids.add(++this.nextMissing);
			}
			return ids;
		}

		private static List<Long> present() {
			List<Long> ids = new ArrayList<>(PRESENT + MISSING);
			for (long id = 1; id <= PRESENT; id++) {
				ids.add(id);
			}
			return ids;
		}

	}

	@Benchmark
	public Map<Long, Book> batchOf100(Catalog state) {
		return state.catalog.books(state.ids());
	}

	@Benchmark
	public List<Book> loopOf100(Catalog state) {
		List<Long> ids = state.ids();
		List<Book> books = new ArrayList<>(ids.size());
		for (Long id : ids) {
			books.add(state.catalog.book(id));
		}
		return books;
	}

}
