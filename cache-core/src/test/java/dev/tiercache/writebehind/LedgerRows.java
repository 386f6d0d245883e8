package dev.tiercache.writebehind;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

import static org.awaitility.Awaitility.await;

/**
 * The "database" of the write-behind tests, shared by the instances of one test: rows by id, and a log
 * of the writes in the order they reached it (the version written, {@link #DELETED} for a delete, and
 * the thread). Writes made by flusher threads can be held until released, so that older writes stay
 * queued while a test makes newer ones; or only the next one, or the next one of a given row (each such
 * hold released on its own), as a slow database call that outlives what its instance does meanwhile.
 * Thread-safe.
 */
final class LedgerRows {

	/** The version the log records for a delete. */
	static final long DELETED = -1;

	private static final String FLUSHER_THREADS = "tiercache-writebehind-ledger-";

	private final Map<Long, Ledger.Row> rows = new ConcurrentHashMap<>();

	private final List<Applied> log = new CopyOnWriteArrayList<>();

	private final AtomicInteger loads = new AtomicInteger();

	private final AtomicInteger heldWrites = new AtomicInteger();

	/** The rows whose writes throw ({@link #refuseWritesOf}). */
	private final Set<Long> refused = ConcurrentHashMap.newKeySet();

	private volatile CountDownLatch hold = new CountDownLatch(0);

	private final AtomicBoolean holdNext = new AtomicBoolean();

	private volatile CountDownLatch nextHold = new CountDownLatch(0);

	private volatile @Nullable Error nextThrows;

	/** The holds of single writes not reached yet. */
	private final List<HeldWrite> heldRows = new CopyOnWriteArrayList<>();

	/** Every hold of a single write, for {@link #release()}. */
	private final List<HeldWrite> rowHolds = new CopyOnWriteArrayList<>();

	/** A write as it reached the database. */
	record Applied(long id, long version, String thread) {
	}

	/** Puts a row in directly, as it was before the test's calls. */
	void put(Ledger.Row row) {
		this.rows.put(row.id(), row);
	}

	Ledger.@Nullable Row get(long id) {
		return this.rows.get(id);
	}

	void save(Ledger.Row row) {
		awaitReleaseOnFlusher(row.id());
		if (this.refused.contains(row.id())) {
			throw new IllegalStateException("the database refuses writes of row " + row.id());
		}
		this.rows.put(row.id(), row);
		this.log.add(new Applied(row.id(), row.version(), Thread.currentThread().getName()));
	}

	void delete(long id) {
		awaitReleaseOnFlusher(id);
		this.rows.remove(id);
		this.log.add(new Applied(id, DELETED, Thread.currentThread().getName()));
	}

	Ledger.@Nullable Row load(long id) {
		this.loads.incrementAndGet();
		return this.rows.get(id);
	}

	/** How many times a row was read. */
	int loads() {
		return this.loads.get();
	}

	/** Every write, in the order it reached the database. */
	List<Applied> log() {
		return List.copyOf(this.log);
	}

	/** The writes of a row, in the order they reached the database. */
	List<Applied> log(long id) {
		return this.log.stream().filter((applied) -> applied.id() == id).toList();
	}

	/** The versions written to a row, in the order they reached the database. */
	List<Long> versions(long id) {
		return log(id).stream().map(Applied::version).toList();
	}

	/** From now on, writes of row {@code id} throw, until {@link #acceptWritesOf}: its calls become dead letters. */
	void refuseWritesOf(long id) {
		this.refused.add(id);
	}

	void acceptWritesOf(long id) {
		this.refused.remove(id);
	}

	/** From now on, flusher threads hold each write until {@link #release()}. */
	void holdFlushes() {
		this.hold = new CountDownLatch(1);
	}

	/** How many writes flusher threads made were held so far (released or not). */
	int heldFlushes() {
		return this.heldWrites.get();
	}

	/** Waits until a flusher thread holds a write. */
	void awaitHeldFlush() {
		await().atMost(Duration.ofSeconds(20)).until(() -> this.heldWrites.get() > 0);
	}

	/**
	 * The next write a flusher thread makes is held until {@link #release()}, as a database call that
	 * does not react to interrupts (the thread's flag is kept); once released it writes, or throws
	 * {@code thrown} without writing if that is not {@code null}. Later writes are not held.
	 */
	void holdNextFlush(@Nullable Error thrown) {
		this.nextThrows = thrown;
		this.nextHold = new CountDownLatch(1);
		this.holdNext.set(true);
	}

	/** Releases every write held, including those held one by one ({@link #holdWriteOf}). */
	void release() {
		this.hold.countDown();
		this.nextHold.countDown();
		this.rowHolds.forEach(HeldWrite::release);
	}

	/**
	 * The next write of row {@code id} a flusher thread makes is held until the returned hold is
	 * {@linkplain HeldWrite#release() released}, as a database call that does not react to interrupts
	 * (the thread's flag is kept); then it writes. Independent of the other holds.
	 */
	HeldWrite holdWriteOf(long id) {
		return hold(new HeldWrite(id, false));
	}

	/**
	 * The next write of row {@code id} a flusher thread makes waits until its thread is interrupted (or
	 * the hold is released), then writes and returns normally with the thread's flag set again: a
	 * database call that ends early when interrupted, as a well-behaved one does.
	 */
	HeldWrite holdWriteOfUntilInterrupted(long id) {
		return hold(new HeldWrite(id, true));
	}

	private HeldWrite hold(HeldWrite write) {
		this.rowHolds.add(write);
		this.heldRows.add(write);
		return write;
	}

	private void awaitReleaseOnFlusher(long id) {
		if (!Thread.currentThread().getName().startsWith(FLUSHER_THREADS)) {
			return;
		}
		for (HeldWrite write : this.heldRows) {
			if (write.id == id && this.heldRows.remove(write)) {
				write.hold();
				break;
			}
		}
		if (this.holdNext.compareAndSet(true, false)) {
			awaitNextRelease();
		}
		CountDownLatch current = this.hold;
		if (current.getCount() == 0) {
			return;
		}
		this.heldWrites.incrementAndGet();
		try {
			if (!current.await(60, TimeUnit.SECONDS)) {
				throw new IllegalStateException("held for 60 s");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while held", ex);
		}
	}

	private void awaitNextRelease() {
		this.heldWrites.incrementAndGet();
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		boolean interrupted = false;
		try {
			while (this.nextHold.getCount() > 0) {
				try {
					if (!this.nextHold.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
						throw new IllegalStateException("held for 60 s");
					}
				}
				catch (InterruptedException ex) {
					interrupted = true;
				}
			}
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
		Error thrown = this.nextThrows;
		if (thrown != null) {
			throw thrown;
		}
	}

	/** One write held on its flusher thread until released (or interrupted, if it ends so). */
	static final class HeldWrite {

		private final long id;

		private final boolean endsOnInterrupt;

		private final CountDownLatch reached = new CountDownLatch(1);

		private final CountDownLatch released = new CountDownLatch(1);

		private volatile long reachedAt;

		private volatile long holderId = -1;

		private HeldWrite(long id, boolean endsOnInterrupt) {
			this.id = id;
			this.endsOnInterrupt = endsOnInterrupt;
		}

		/** Waits until a flusher thread holds the write. */
		void awaitHeld() {
			await().atMost(Duration.ofSeconds(20)).until(() -> this.reached.getCount() == 0);
		}

		/** How long a flusher thread has held the write; zero before it reached it. */
		Duration heldFor() {
			return (this.reached.getCount() > 0) ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - this.reachedAt);
		}

		/** The id of the flusher thread that holds the write; -1 before one reached it. */
		long holderId() {
			return this.holderId;
		}

		/** Lets the write go on. */
		void release() {
			this.released.countDown();
		}

		private void hold() {
			this.reachedAt = System.nanoTime();
			this.holderId = Thread.currentThread().getId();
			this.reached.countDown();
			boolean interrupted = false;
			try {
				while (true) {
					try {
						if (!this.released.await(60, TimeUnit.SECONDS)) {
							throw new IllegalStateException("held for 60 s");
						}
						return;
					}
					catch (InterruptedException ex) {
						interrupted = true;
						if (this.endsOnInterrupt) {
							return;
						}
					}
				}
			}
			finally {
				if (interrupted) {
					Thread.currentThread().interrupt();
				}
			}
		}

	}

}
