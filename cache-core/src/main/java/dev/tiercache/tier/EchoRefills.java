package dev.tiercache.tier;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.KeyValue;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.tiercache.internal.concurrent.DaemonThreads;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;

/**
 * Puts back L1 entries this instance wrote when the invalidation that removed them was the echo of
 * its own write: Redis reports an instance's own script writes before Redis 7.2, and writes made on
 * another of its connections (the write-behind queue's) always, and an echo cannot be told apart from
 * another client's write of the same key. So the entry leaves L1 like any invalidated one, and this
 * reads the key back in the background, in batches ({@code MGET}), and puts the entry back only if
 * Redis still holds exactly the bytes it wrote and nothing touched the key in L1 since.
 *
 * <p>Bounded: when {@value #CAPACITY} checks wait, further ones are dropped (those keys are read from
 * Redis on their next use). A Redis failure drops the batch the same way. Thread-safe.
 */
final class EchoRefills implements AutoCloseable {

	static final int CAPACITY = 10_000;

	private static final int BATCH = 256;

	private static final Log logger = LogFactory.getLog(EchoRefills.class);

	private final RemoteCommands commands;

	private final BlockingQueue<Check> waiting = new ArrayBlockingQueue<>(CAPACITY);

	private final ExecutorService worker = Executors.newSingleThreadExecutor(DaemonThreads.named("tiercache-refills"));

	EchoRefills(RemoteCommands commands) {
		this.commands = commands;
		this.worker.execute(this::run);
	}

	/**
	 * Checks in the background whether Redis still holds what {@code refill}'s entry was read or written
	 * as at {@code valueKey}, of the cache's {@code namespace}; if so, and the namespace is still the
	 * cache's, puts the entry back.
	 */
	void check(CacheContext cache, byte[] valueKey, long namespace, LocalTier.Refill refill) {
		this.waiting.offer(new Check(cache, valueKey, namespace, refill));
	}

	private void run() {
		List<Check> batch = new ArrayList<>(BATCH);
		try {
			while (!Thread.currentThread().isInterrupted()) {
				batch.add(this.waiting.take());
				this.waiting.drainTo(batch, BATCH - 1);
				refill(batch);
				batch.clear();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private void refill(List<Check> batch) {
		byte[][] keys = new byte[batch.size()][];
		for (int i = 0; i < keys.length; i++) {
			keys[i] = batch.get(i).valueKey();
		}
		List<KeyValue<byte[], byte[]>> values;
		try {
			values = this.commands.call((redis) -> redis.mget(keys));
		}
		catch (RemoteCallException ex) {
			logger.debug("Tiercache could not check " + keys.length + " echoed L1 entries against Redis", ex);
			return;
		}
		if (values == null || values.size() != keys.length) {
			return;
		}
		for (int i = 0; i < keys.length; i++) {
			KeyValue<byte[], byte[]> stored = values.get(i);
			Check check = batch.get(i);
			LocalTier local = check.cache().local();
			if (local != null && stored.hasValue() && check.cache().namespace() == check.namespace()
					&& LocalTier.writeToken(stored.getValue()) == check.refill().token()) {
				local.refill(check.refill());
			}
		}
	}

	@Override
	public void close() {
		this.worker.shutdownNow();
		try {
			this.worker.awaitTermination(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private record Check(CacheContext cache, byte[] valueKey, long namespace, LocalTier.Refill refill) {
	}

}
