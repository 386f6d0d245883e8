package dev.tiercache.coherence;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.lettuce.core.KeyValue;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.tiercache.internal.concurrent.DaemonThreads;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;

/**
 * Checks in the background whether Redis still holds the bytes an L1 entry was read or written as:
 * for entries a change report may or may not concern. Redis reports an instance's own script writes
 * back to it before Redis 7.2, and writes made on another of its connections (the write-behind
 * queue's) always, and such an echo cannot be told apart from another client's write of the same key
 * in the same moment; a read can also race a report. Keys are read in batches ({@code MGET}) on one
 * daemon thread, each gathering the checks that arrive within {@link #GATHERING} of its first, and each
 * check learns whether Redis still holds its bytes in the cache's current namespace.
 *
 * <p>Bounded: at most {@value #CAPACITY} checks wait; {@link #submit} refuses more, and a Redis
 * failure answers a whole batch with "no" (so entries leave L1 rather than stay unchecked).
 * Thread-safe.
 */
final class CopyChecks implements AutoCloseable {

	static final int CAPACITY = 10_000;

	private static final int BATCH = 256;

	/**
	 * How long a batch waits for more checks after its first: the checks of many loads share one
	 * {@code MGET}, and an entry another client replaced in the same moment stays in L1 that much longer.
	 */
	static final Duration GATHERING = Duration.ofMillis(5);

	private static final Log logger = LogFactory.getLog(CopyChecks.class);

	private final RemoteCommands commands;

	private final long gatheringNanos;

	private final BlockingQueue<Check> waiting = new ArrayBlockingQueue<>(CAPACITY);

	private final ExecutorService worker = Executors.newSingleThreadExecutor(DaemonThreads.named("tiercache-checks"));

	CopyChecks(RemoteCommands commands) {
		this(commands, GATHERING);
	}

	CopyChecks(RemoteCommands commands, Duration gathering) {
		this.commands = commands;
		this.gatheringNanos = gathering.toNanos();
		this.worker.execute(this::run);
	}

	/**
	 * Queues a check of {@code valueKey}, a key of the cache's {@code namespace}: {@code stillHeld} is
	 * told whether Redis holds bytes whose {@link WriteTokens token} is {@code token} there, and the
	 * namespace is still the cache's.
	 * @return whether it was queued ({@code false} when {@value #CAPACITY} checks wait)
	 */
	boolean submit(LocalCopies cache, byte[] valueKey, long namespace, long token, Consumer<Boolean> stillHeld) {
		return this.waiting.offer(new Check(cache, valueKey, namespace, token, stillHeld));
	}

	/** How many checks wait for a batch to take them. */
	int waiting() {
		return this.waiting.size();
	}

	private void run() {
		List<Check> batch = new ArrayList<>(BATCH);
		try {
			while (!Thread.currentThread().isInterrupted()) {
				batch.add(this.waiting.take());
				gather(batch);
				check(batch);
				batch.clear();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		// closing: the checks gathered and queued are answered "no", so that their entries leave L1 unchecked
		this.waiting.drainTo(batch);
		batch.forEach((check) -> check.stillHeld().accept(false));
	}

	/** Adds to a batch the checks that arrive within the gathering time of its first, up to {@value #BATCH}. */
	private void gather(List<Check> batch) throws InterruptedException {
		long until = System.nanoTime() + this.gatheringNanos;
		while (batch.size() < BATCH) {
			this.waiting.drainTo(batch, BATCH - batch.size());
			long left = until - System.nanoTime();
			if (batch.size() == BATCH || left <= 0) {
				return;
			}
			Check next = this.waiting.poll(left, TimeUnit.NANOSECONDS);
			if (next == null) {
				return;
			}
			batch.add(next);
		}
	}

	private void check(List<Check> batch) {
		byte[][] keys = new byte[batch.size()][];
		for (int i = 0; i < keys.length; i++) {
			keys[i] = batch.get(i).valueKey();
		}
		List<KeyValue<byte[], byte[]>> values;
		try {
			values = this.commands.call((redis) -> redis.mget(keys));
		}
		catch (RemoteCallException ex) {
			logger.debug("Tiercache could not check " + keys.length + " L1 entries against Redis", ex);
			values = null;
		}
		for (int i = 0; i < keys.length; i++) {
			Check check = batch.get(i);
			KeyValue<byte[], byte[]> stored = (values != null && values.size() == keys.length) ? values.get(i) : null;
			boolean held = stored != null && stored.hasValue() && check.cache().namespace() == check.namespace()
					&& WriteTokens.of(stored.getValue()) == check.token();
			check.stillHeld().accept(held);
		}
	}

	@Override
	public void close() {
		DaemonThreads.stop(this.worker, Duration.ofSeconds(5));
	}

	private record Check(LocalCopies cache, byte[] valueKey, long namespace, long token, Consumer<Boolean> stillHeld) {
	}

}
