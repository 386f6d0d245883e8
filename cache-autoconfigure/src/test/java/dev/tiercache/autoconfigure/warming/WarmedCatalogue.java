package dev.tiercache.autoconfigure.warming;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

import dev.tiercache.annotation.CacheAside;

/**
 * A catalogue whose best sellers (ids 1 to {@link Probe#hot}) warm the {@code products} cache, and whose
 * loads a {@link Probe} counts, fails or holds.
 */
public class WarmedCatalogue {

	private final Probe probe;

	public WarmedCatalogue(Probe probe) {
		this.probe = probe;
	}

	@CacheAside(cache = "products", key = "#id")
	public String find(long id) throws InterruptedException {
		return this.probe.load(id);
	}

	@CacheWarmer(cache = "products")
	public Stream<Long> bestSellers() {
		if (this.probe.warmerFails) {
			throw new IllegalStateException("the best-seller query failed");
		}
		return LongStream.rangeClosed(1, this.probe.hot).boxed();
	}

	/** Counts loads and the most that ran at once; fails some ids; holds every load while asked to. */
	public static final class Probe {

		public final AtomicInteger loads = new AtomicInteger();

		public final AtomicInteger mostAtOnce = new AtomicInteger();

		public final Set<Long> failing = ConcurrentHashMap.newKeySet();

		public final CountDownLatch held = new CountDownLatch(1);

		public final AtomicInteger interrupted = new AtomicInteger();

		private final AtomicInteger running = new AtomicInteger();

		public volatile int hot = 40;

		public volatile boolean holding;

		public volatile boolean warmerFails;

		String load(long id) throws InterruptedException {
			int now = this.running.incrementAndGet();
			this.mostAtOnce.accumulateAndGet(now, Math::max);
			try {
				this.loads.incrementAndGet();
				if (this.holding) {
					this.held.countDown();
					try {
						new CountDownLatch(1).await();
					}
					catch (InterruptedException ex) {
						this.interrupted.incrementAndGet();
						throw ex;
					}
				}
				if (this.failing.contains(id)) {
					throw new IllegalStateException("no product " + id);
				}
				// long enough for the pool's calls to overlap
				Thread.sleep(2);
				return "product " + id;
			}
			finally {
				this.running.decrementAndGet();
			}
		}

	}

	/** The application: the catalogue, on Tiercache. */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	public static class Application {

		@Bean
		WarmedCatalogue catalogue(Probe probe) {
			return new WarmedCatalogue(probe);
		}

	}

	/** What a generic finder of products does: its implementation's method has a bridge. */
	public interface Finder<K> {

		String find(K id) throws InterruptedException;

	}

	/**
	 * A finder of products by {@code Long} id, through a generic interface (so its {@code find} has a
	 * compiler bridge, annotated alike), warmed by a primitive array.
	 */
	public static class GenericFinder implements Finder<Long> {

		private final Probe probe;

		public GenericFinder(Probe probe) {
			this.probe = probe;
		}

		@Override
		@CacheAside(cache = "products", key = "#id")
		public String find(Long id) throws InterruptedException {
			return this.probe.load(id);
		}

		@CacheWarmer(cache = "products")
		public long[] bestSellers() {
			return LongStream.rangeClosed(1, this.probe.hot).toArray();
		}

	}

	/** A warmer that takes a parameter, which start-up refuses. */
	public static class WarmerWithAParameter {

		@CacheAside(cache = "products", key = "#id")
		public String find(long id) {
			return "product " + id;
		}

		@CacheWarmer(cache = "products")
		public List<Long> bestSellers(int limit) {
			return List.of();
		}

	}

	/** A warmer of a cache none of its class's methods caches into, which start-up refuses. */
	public static class WarmerOfAnotherCache {

		@CacheAside(cache = "products", key = "#id")
		public String find(long id) {
			return "product " + id;
		}

		@CacheWarmer(cache = "prices")
		public List<Long> bestSellers() {
			return List.of();
		}

	}

}
