package dev.tiercache.writebehind;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The last reading of one queue's lag, for readers that ask often (health checks, meters): it is read
 * from Redis again only when it is more than {@link #MAX_AGE} old, by one caller at a time, so Redis
 * is read at most once per {@code MAX_AGE} however often it is asked. Callers that come while a read
 * is in progress get the last reading without waiting. A read that fails is not kept: the next caller
 * reads again. Thread-safe.
 */
final class LagSample {

	/** How old a reading may be before it is read again. */
	static final Duration MAX_AGE = Duration.ofSeconds(1);

	private static final Log logger = LogFactory.getLog(LagSample.class);

	private static final long MAX_AGE_NANOS = MAX_AGE.toNanos();

	private final String cache;

	private final Supplier<WriteBehindStats> reader;

	private final ReentrantLock reading = new ReentrantLock();

	private volatile @Nullable Reading last;

	/**
	 * @param cache the queue's cache, for the log
	 * @param reader reads the lag from Redis, throwing when Redis does not answer
	 */
	LagSample(String cache, Supplier<WriteBehindStats> reader) {
		this.cache = cache;
		this.reader = reader;
	}

	/**
	 * The last reading if it is fresh or another caller is reading; otherwise a new one.
	 * @return the lag, or {@code null} when Redis did not answer the last read (or the first read is in
	 * progress)
	 */
	@Nullable WriteBehindStats get() {
		Reading reading = this.last;
		if (fresh(reading) || !this.reading.tryLock()) {
			return (reading != null) ? reading.stats() : null;
		}
		try {
			reading = this.last;
			if (!fresh(reading)) {
				reading = read();
				this.last = reading;
			}
			return (reading != null) ? reading.stats() : null;
		}
		finally {
			this.reading.unlock();
		}
	}

	private @Nullable Reading read() {
		try {
			return new Reading(this.reader.get(), System.nanoTime());
		}
		catch (RuntimeException ex) {
			logger.debug("Tiercache could not read the write-behind lag of cache '" + this.cache + "'", ex);
			return null;
		}
	}

	private static boolean fresh(@Nullable Reading reading) {
		return reading != null && System.nanoTime() - reading.readAt() <= MAX_AGE_NANOS;
	}

	/** The lag as read at {@code readAt} ({@link System#nanoTime()}). */
	private record Reading(WriteBehindStats stats, long readAt) {
	}

}
