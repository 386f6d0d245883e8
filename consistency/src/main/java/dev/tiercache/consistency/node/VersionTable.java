package dev.tiercache.consistency.node;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The {@code versions} table: one row per key, holding the version last written. A trigger in the
 * schema appends every change to {@code applied}, so the order in which versions reached each row is
 * recorded by the database itself. Reads can be made slow or failing (the nemesis's loader faults),
 * and the writes of write-behind calls stalled or failing (its writer faults); other writes are never
 * stalled and never fail. Thread-safe.
 */
@Component
public class VersionTable {

	private final JdbcTemplate jdbc;

	private volatile long readDelayMillis;

	private volatile boolean readsFail;

	private volatile boolean queuedWritesFail;

	private final Object stall = new Object();

	private boolean queuedWritesStalled;

	public VersionTable(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * The row as a cache loader reads it.
	 * @throws IllegalStateException while reads are made to fail
	 */
	public Versioned read(long id) {
		long delay = this.readDelayMillis;
		if (delay > 0) {
			sleep(delay);
		}
		if (this.readsFail) {
			throw new IllegalStateException("loader fault: reading row " + id + " fails");
		}
		List<Long> found = this.jdbc.queryForList("SELECT version FROM versions WHERE id = ?", Long.class, id);
		if (found.isEmpty()) {
			throw new IllegalStateException("no row " + id + " in the versions table");
		}
		return new Versioned(id, found.get(0));
	}

	/** Writes a version to a row, as the application's write methods do. */
	public void write(long id, long version) {
		int updated = this.jdbc.update("UPDATE versions SET version = ? WHERE id = ?", version, id);
		if (updated != 1) {
			throw new IllegalStateException("no row " + id + " in the versions table");
		}
	}

	/**
	 * Writes a version as a write-behind call applies it.
	 * @throws IllegalStateException while queued writes are made to fail
	 */
	public void writeQueued(long id, long version) {
		awaitQueuedWritesResumed();
		if (this.queuedWritesFail) {
			throw new IllegalStateException("writer fault: writing row " + id + " fails");
		}
		write(id, version);
	}

	/** Makes queued writes fail, or work again. */
	public void queuedWritesFail(boolean fail) {
		this.queuedWritesFail = fail;
	}

	/** Makes queued writes block until {@code stalled} is {@code false} again. */
	public void stallQueuedWrites(boolean stalled) {
		synchronized (this.stall) {
			this.queuedWritesStalled = stalled;
			this.stall.notifyAll();
		}
	}

	private void awaitQueuedWritesResumed() {
		synchronized (this.stall) {
			while (this.queuedWritesStalled) {
				try {
					this.stall.wait();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new IllegalStateException("interrupted while a stalled write waited", ex);
				}
			}
		}
	}

	/** Makes loader reads slow by this much (0: not slow). */
	public void readDelay(long millis) {
		this.readDelayMillis = millis;
	}

	/** Makes loader reads fail, or work again. */
	public void readsFail(boolean fail) {
		this.readsFail = fail;
	}

	private static void sleep(long millis) {
		try {
			TimeUnit.MILLISECONDS.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while a slow read waited", ex);
		}
	}

}
