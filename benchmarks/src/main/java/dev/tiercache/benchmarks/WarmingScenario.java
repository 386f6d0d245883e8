package dev.tiercache.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.springframework.context.ConfigurableApplicationContext;

import dev.tiercache.autoconfigure.warming.CacheWarming;
import dev.tiercache.autoconfigure.warming.WarmerProgress;
import dev.tiercache.stats.CacheStats;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

/**
 * A load scenario, not a JMH benchmark: a cold start. A running instance has read each of
 * {@code products} products once (so every one is in Redis), then {@code 5 × products} more reads
 * skewed as shoppers are (Zipf, exponent {@value #ZIPF_EXPONENT}: a few products take most reads), and
 * has reported its hottest keys (every 10 s). Then a new instance starts, and from the moment it is
 * ready {@value #THREADS} threads read it with the same skew for {@code window × windows}; its L1 hit
 * rate is taken in each window from its stats. Once with hot-key warming off (the default), once with
 * {@code tiercache.warming.hot-keys} = {@code hotKeys} (as the running instance has, which makes it
 * report); the running instance stays up throughout.
 */
final class WarmingScenario {

	static final double ZIPF_EXPONENT = 1.1;

	static final int THREADS = 2;

	/**
	 * One new instance's first seconds.
	 * @param localHitRates L1 hits per read in each window, from the start
	 * @param reads reads in all
	 * @param loads loads in all (zero: every product is in Redis)
	 * @param warmedKeys keys the hot-key warming warmed (zero without it)
	 * @param warmingMillis how long that warming took
	 */
	record Start(List<Double> localHitRates, long reads, long loads, long warmedKeys, long warmingMillis) {
	}

	/**
	 * What the scenario measured.
	 * @param products products in Redis
	 * @param hotKeys keys the warmed instance warmed at most
	 * @param windowMillis the length of each window
	 * @param cold the instance without warming
	 * @param warmed the instance with it
	 */
	record Outcome(int products, int hotKeys, long windowMillis, Start cold, Start warmed) {
	}

	private WarmingScenario() {
	}

	static Outcome run(int products, int hotKeys, Duration window, int windows) throws Exception {
		try (Subjects subjects = new Subjects()) {
			String prefix = "bench-warming-" + System.nanoTime();
			// an instance reports its hot keys when it warms from them
			ConfigurableApplicationContext running = subjects.tieredInstance(prefix,
					"tiercache.warming.hot-keys=" + hotKeys);
			Subjects.TieredCatalog catalog = running.getBean(Subjects.TieredCatalog.class);
			long[] skewed = skewedIds(products, 5 * products, 7);
			for (long id = 1; id <= products; id++) {
				catalog.hot(id);
			}
			for (long id : skewed) {
				catalog.hot(id);
			}
			TieredCache hot = running.getBean(TieredCacheManager.class).getTieredCache("hot");
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
			while (hot.reportedHotKeys(1, Long.class).isEmpty()) {
				if (System.nanoTime() - deadline >= 0) {
					throw new IllegalStateException("The running instance reported no hot keys in 60 s");
				}
				Thread.sleep(100);
			}
			Start cold = start(subjects, prefix, products, window, windows, "tiercache.warming.hot-keys=0");
			Start warmed = start(subjects, prefix, products, window, windows,
					"tiercache.warming.hot-keys=" + hotKeys);
			return new Outcome(products, hotKeys, window.toMillis(), cold, warmed);
		}
	}

	/** Starts an instance and reads it from the moment it is ready, taking its L1 hit rate per window. */
	private static Start start(Subjects subjects, String prefix, int products, Duration window, int windows,
			String warming) throws Exception {
		ConfigurableApplicationContext context = subjects.tieredInstance(prefix, warming);
		try {
			Subjects.TieredCatalog catalog = context.getBean(Subjects.TieredCatalog.class);
			TieredCache hot = context.getBean(TieredCacheManager.class).getTieredCache("hot");
			AtomicBoolean reading = new AtomicBoolean(true);
			ExecutorService readers = Executors.newFixedThreadPool(THREADS);
			try {
				List<Future<?>> running = new ArrayList<>();
				CacheStats previous = hot.stats();
				for (int t = 0; t < THREADS; t++) {
					long[] ids = skewedIds(products, 1_000_000, 100 + t);
					running.add(readers.submit(() -> {
						for (int i = 0; reading.get(); i = (i + 1) % ids.length) {
							catalog.hot(ids[i]);
						}
					}));
				}
				List<Double> rates = new ArrayList<>();
				long windowStart = System.nanoTime();
				for (int w = 1; w <= windows; w++) {
					long end = windowStart + w * window.toNanos();
					TimeUnit.NANOSECONDS.sleep(Math.max(0, end - System.nanoTime()));
					CacheStats now = hot.stats();
					CacheStats inWindow = now.since(previous);
					long local = inWindow.localHits() + inWindow.localNullHits();
					long reads = local + inWindow.localMisses();
					rates.add((reads > 0) ? (double) local / reads : 0);
					previous = now;
				}
				reading.set(false);
				for (Future<?> each : running) {
					each.get(10, TimeUnit.SECONDS);
				}
				CacheStats all = hot.stats();
				WarmerProgress warmed = context.getBean(CacheWarming.class).progress().stream()
					.filter((progress) -> progress.cache().equals("hot"))
					.findFirst()
					.orElse(new WarmerProgress("hot", "none", "DONE", 0, 0, 0, 0, null));
				return new Start(rates, all.localHits() + all.localNullHits() + all.localMisses(), all.loads(),
						warmed.warmed(), warmed.millis());
			}
			finally {
				readers.shutdownNow();
			}
		}
		finally {
			context.close();
		}
	}

	/**
	 * {@code count} ids of 1 to {@code products}, drawn with a Zipf distribution of exponent
	 * {@value #ZIPF_EXPONENT} (id 1 the most often), from a fixed seed.
	 */
	static long[] skewedIds(int products, int count, long seed) {
		double[] cumulative = new double[products];
		double sum = 0;
		for (int rank = 1; rank <= products; rank++) {
			sum += 1 / Math.pow(rank, ZIPF_EXPONENT);
			cumulative[rank - 1] = sum;
		}
		SplittableRandom random = new SplittableRandom(seed);
		long[] ids = new long[count];
		for (int i = 0; i < count; i++) {
			int found = Arrays.binarySearch(cumulative, random.nextDouble() * sum);
			ids[i] = ((found >= 0) ? found : -found - 1) + 1;
		}
		return ids;
	}

}
