package dev.tiercache.sample;

import java.time.Duration;
import java.time.Year;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Repository;

/**
 * Stands in for a slow database: every look-up takes {@code sample.catalogue-latency} (default
 * 200 ms) and is counted, so the effect of the cache can be seen.
 */
@Repository
public class BookCatalogue {

	private static final Map<Long, Book> BOOKS = Map.of(
			1L, new Book(1, "Dune", "Frank Herbert", Year.of(1965)),
			2L, new Book(2, "Neuromancer", "William Gibson", Year.of(1984)),
			3L, new Book(3, "The Left Hand of Darkness", "Ursula K. Le Guin", Year.of(1969)));

	private final Duration latency;

	private final AtomicLong lookups = new AtomicLong();

	public BookCatalogue(@Value("${sample.catalogue-latency:200ms}")
			Duration latency) {
		this.latency = latency;
	}

	public @Nullable Book find(long id) throws InterruptedException {
		this.lookups.incrementAndGet();
		Thread.sleep(this.latency.toMillis());
		return BOOKS.get(id);
	}

	/** How many look-ups reached the "database". */
	public long lookups() {
		return this.lookups.get();
	}

}
