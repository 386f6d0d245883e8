package dev.tiercache.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import org.springframework.stereotype.Service;

import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

/**
 * A short built-in load for the dashboard: reads of a skewed mix of products (a few are hot), some
 * price changes and views, and a burst of callers at once on one cold product, which the database
 * sees once. Runs one load at a time.
 */
@Service
public class DemoLoad {

	private static final int READS = 2000;

	private static final int WRITES = 50;

	private static final int BURST = 50;

	private final CatalogueService catalogue;

	private final ViewCounter views;

	private final TieredCache products;

	public DemoLoad(CatalogueService catalogue, ViewCounter views, TieredCacheManager caches) {
		this.catalogue = catalogue;
		this.views = views;
		this.products = caches.getTieredCache("products");
	}

	/** What one run did. */
	public record Summary(int reads, int writes, int burstCallers, long burstLoads) {
	}

	public synchronized Summary run() throws Exception {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		for (int i = 0; i < READS; i++) {
			// a skewed mix: most reads go to the first 20 products
			long id = (random.nextInt(10) < 8) ? 1 + random.nextInt(20) : 1 + random.nextInt(500);
			this.catalogue.find(id);
		}
		int writes = 0;
		for (int i = 0; i < WRITES; i++) {
			long id = 1 + random.nextInt(20);
			this.catalogue.changePrice(id, 1000 + random.nextInt(90_000));
			writes += this.views.count(id).counted() ? 2 : 1;
		}
		return new Summary(READS, writes, BURST, burst(400 + random.nextInt(100)));
	}

	/** Many callers at once on one product that is not cached: how many of them read the database. */
	private long burst(long id) throws Exception {
		this.products.evict(id);
		long loads = this.products.stats().loads();
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService callers = Executors.newFixedThreadPool(BURST);
		try {
			List<Future<?>> calls = new ArrayList<>();
			for (int i = 0; i < BURST; i++) {
				calls.add(callers.submit(() -> {
					start.await();
					return this.catalogue.find(id);
				}));
			}
			start.countDown();
			for (Future<?> call : calls) {
				call.get();
			}
		}
		finally {
			callers.shutdown();
		}
		return this.products.stats().loads() - loads;
	}

}
