package dev.tiercache.writebehind;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.lettuce.core.Consumer;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.models.stream.ClaimedMessages;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.writebehind.KeyRuns.Call;
import dev.tiercache.writebehind.KeyRuns.KeyWork;

/**
 * Flushes one partition of a queue while this instance owns it: reads a batch, coalesces it, applies
 * the calls in per-key order (through the batch method where one is declared), retries failures with
 * exponential backoff and jitter, moves calls that keep failing to the dead-letter stream, and only
 * then acknowledges the entries. At most one thread runs it at a time.
 *
 * <p>On taking the partition over, it first claims ({@code XAUTOCLAIM}) every entry the previous owner
 * read but did not acknowledge, and applies those before any new one, so per-key order holds across a
 * crash. An entry stays unacknowledged until it was applied or dead-lettered: a crash or a Redis
 * failure at any point means it is applied again (at least once).
 */
final class PartitionFlusher {

	private static final Log logger = LogFactory.getLog(PartitionFlusher.class);

	private static final String OWN_PENDING = "0";

	private final WriteBehindQueue queue;

	private final int partition;

	private final byte[] stream;

	private final AtomicBoolean running = new AtomicBoolean();

	private final AtomicBoolean scheduled = new AtomicBoolean();

	private volatile boolean owned;

	private long renewedAt;

	/** How many times this instance took the partition over (guarded by this). */
	private long takeovers;

	/** The takeover whose abandoned entries were claimed last (flush thread only). */
	private long claimedTakeover;

	private boolean ownPendingLeft = true;

	PartitionFlusher(WriteBehindQueue queue, int partition) {
		this.queue = queue;
		this.partition = partition;
		this.stream = queue.keys().stream(partition);
	}

	boolean owned() {
		return this.owned;
	}

	boolean running() {
		return this.running.get();
	}

	/** Marks the flusher as submitted; {@code false} if it already is. */
	boolean schedule() {
		return this.scheduled.compareAndSet(false, true);
	}

	/**
	 * Applies entries until the partition is empty, this instance does not own it, or the queue
	 * stops. Returns at once if another thread is flushing it.
	 */
	void flush() {
		this.scheduled.set(false);
		if (!this.running.compareAndSet(false, true)) {
			return;
		}
		try {
			while (!this.queue.halted() && holdOwnership()) {
				long takeover = takeovers();
				if (takeover != this.claimedTakeover) {
					claimAbandoned();
					this.claimedTakeover = takeover;
					this.ownPendingLeft = true;
				}
				List<QueueEntry> batch = read(this.ownPendingLeft ? OWN_PENDING : ">");
				if (batch.isEmpty()) {
					if (!this.ownPendingLeft) {
						return;
					}
					this.ownPendingLeft = false;
					continue;
				}
				if (!apply(batch)) {
					this.ownPendingLeft = true;
					return;
				}
			}
		}
		catch (RemoteCallException ex) {
			this.ownPendingLeft = true;
			this.queue.redisFailed("flush partition " + this.partition, ex);
		}
		finally {
			this.running.set(false);
		}
	}

	/** Gives the partition up (at shutdown, or to balance partitions between instances). */
	void release() {
		if (!this.owned) {
			return;
		}
		this.owned = false;
		try {
			this.queue.commands().eval(QueueScripts.DISOWN, ScriptOutputType.INTEGER,
					new byte[][] { this.queue.keys().owner(this.partition) }, this.queue.instanceId());
		}
		catch (RemoteCallException ex) {
			logger.debug("Tiercache could not release write-behind partition " + this.partition
					+ "; it lapses after claim-idle", ex);
		}
	}

	/**
	 * Keeps the partition while a flush runs long (a slow method, retries): called by the scheduler, so
	 * that ownership does not lapse under a flush and let another instance apply the same entries.
	 */
	void renewWhileRunning() {
		if (this.owned && this.running.get()) {
			holdOwnership();
		}
	}

	private synchronized boolean holdOwnership() {
		long claimIdle = this.queue.settings().claimIdle().toMillis();
		if (this.owned && System.nanoTime() - this.renewedAt < TimeUnit.MILLISECONDS.toNanos(claimIdle / 3)) {
			return true;
		}
		Long outcome = this.queue.commands().eval(QueueScripts.OWN, ScriptOutputType.INTEGER,
				new byte[][] { this.queue.keys().owner(this.partition) }, this.queue.instanceId(),
				QueueKeys.ascii(claimIdle));
		boolean taken = outcome != null && outcome == 2;
		this.owned = outcome != null && outcome > 0;
		this.renewedAt = System.nanoTime();
		if (taken) {
			this.takeovers++;
		}
		return this.owned;
	}

	/**
	 * How many times the partition was taken over; the flush claims abandoned entries when this moved
	 * since its last successful claim (a claim that failed is tried again).
	 */
	private synchronized long takeovers() {
		return this.takeovers;
	}

	/**
	 * Claims every entry read but not acknowledged by earlier owners: their ownership lapsed (they
	 * were silent for {@code claim-idle}) or they gave the partition up.
	 */
	private void claimAbandoned() {
		this.queue.createGroup(this.stream);
		String cursor = "0-0";
		int claimed = 0;
		Consumer<byte[]> me = this.queue.consumer();
		do {
			String start = cursor;
			ClaimedMessages<byte[], byte[]> page = this.queue.commands()
				.call((redis) -> redis.xautoclaim(this.stream,
						XAutoClaimArgs.Builder.justid(me, 0, start).count(this.queue.settings().batchSize())));
			if (page == null) {
				return;
			}
			claimed += page.getMessages().size();
			cursor = page.getId();
		}
		while (!"0-0".equals(cursor));
		if (claimed > 0) {
			logger.info("Tiercache claimed " + claimed + " write-behind entries of cache '" + this.queue.cacheName()
					+ "' (partition " + this.partition + ") that an earlier owner read but did not apply");
		}
	}

	private List<QueueEntry> read(String from) {
		List<StreamMessage<byte[], byte[]>> messages = this.queue.readGroup(this.stream,
				XReadArgs.Builder.count(this.queue.settings().batchSize()), from);
		List<QueueEntry> entries = new ArrayList<>(messages.size());
		for (StreamMessage<byte[], byte[]> message : messages) {
			entries.add(QueueEntry.of(message));
		}
		return entries;
	}

	/**
	 * Applies one batch and acknowledges what was applied or dead-lettered.
	 * @return whether every entry was; {@code false} if the queue halted first
	 */
	private boolean apply(List<QueueEntry> batch) {
		List<KeyWork> works = KeyRuns.of(batch);
		applyBatchMethods(works);
		int round = 0;
		List<KeyWork> failing = works;
		while (true) {
			failing = applyEach(failing);
			if (failing.isEmpty() || !backOff(++round) || !holdOwnership()) {
				break;
			}
		}
		acknowledge(works);
		return failing.isEmpty();
	}

	/** Applies, with one batch-method call per method, the keys whose whole work is one call of such a method. */
	private void applyBatchMethods(List<KeyWork> works) {
		Map<String, List<KeyWork>> byMethod = new LinkedHashMap<>();
		for (KeyWork work : works) {
			if (work.calls().size() == 1) {
				WriteBehindMethod method = this.queue.method(work.calls().get(0).entry().method());
				if (method != null && method.hasBatchMethod()) {
					byMethod.computeIfAbsent(method.id(), (id) -> new ArrayList<>()).add(work);
				}
			}
		}
		byMethod.forEach((id, group) -> {
			WriteBehindMethod method = this.queue.method(id);
			if (method == null || group.size() < 2) {
				return;
			}
			List<@Nullable Object[]> calls = new ArrayList<>(group.size());
			try {
				for (KeyWork work : group) {
					calls.add(this.queue.decode(method, work.calls().get(0).entry()));
				}
				method.applyBatch(calls);
			}
			catch (Throwable ex) {
				rethrowIfFatal(ex);
				logger.debug("Tiercache write-behind batch call of " + id + " failed; applying its "
						+ group.size() + " entries one by one", ex);
				return;
			}
			this.queue.counters().batchCalls.increment();
			for (KeyWork work : group) {
				succeeded(work);
			}
		});
	}

	/**
	 * Makes each key's remaining calls in order, stopping a key at its first failure.
	 * @return the keys with calls left
	 */
	private List<KeyWork> applyEach(List<KeyWork> works) {
		List<KeyWork> failing = new ArrayList<>();
		for (KeyWork work : works) {
			while (!work.done() && !this.queue.halted()) {
				if (!applyNext(work)) {
					failing.add(work);
					break;
				}
			}
			if (!work.done() && this.queue.halted() && !failing.contains(work)) {
				failing.add(work);
			}
		}
		return failing;
	}

	/**
	 * Makes a key's next call.
	 * @return {@code false} if it failed and is to be tried again; {@code true} if it was applied, became
	 * a dead letter, or was split into the calls it coalesced
	 */
	private boolean applyNext(KeyWork work) {
		Call call = work.next();
		QueueEntry entry = call.entry();
		int maxAttempts = this.queue.settings().maxAttempts();
		String spent = call.error();
		if (call.failures() >= maxAttempts && spent != null) {
			// the last write of a call split when its attempts were spent
			deadLetter(work, spent, call.failures());
			return true;
		}
		WriteBehindMethod method = this.queue.method(entry.method());
		if (method == null) {
			giveUp(work, "no @WriteBehind method " + entry.method() + " is registered on this instance", 1);
			return true;
		}
		@Nullable Object[] arguments;
		try {
			arguments = this.queue.decode(method, entry);
		}
		catch (RuntimeException ex) {
			giveUp(work, "cannot decode the arguments: " + ex.getMessage(), 1);
			return true;
		}
		if (call.failures() > 0) {
			this.queue.counters().retries.increment();
		}
		try {
			method.apply(arguments);
		}
		catch (Throwable ex) {
			rethrowIfFatal(ex);
			String error = ex.getClass().getName() + ": " + ex.getMessage();
			int attempts = work.failed(error);
			if (attempts >= maxAttempts) {
				giveUp(work, error, attempts);
				return true;
			}
			logger.debug("Tiercache write-behind call of " + entry.method() + " failed (attempt " + attempts + ")", ex);
			return false;
		}
		succeeded(work);
		return true;
	}

	/**
	 * Makes the next call a dead letter; or, if it coalesced earlier writes of its key, splits it so that
	 * those are applied first, each on its own: a dead letter never takes a write it covered with it.
	 */
	private void giveUp(KeyWork work, String error, int attempts) {
		if (work.uncoalesce()) {
			logger.debug("Tiercache write-behind of cache '" + this.queue.cacheName() + "' applies the writes a "
					+ "failed call of key " + work.key() + " coalesced one by one: " + error);
			return;
		}
		deadLetter(work, error, attempts);
	}

	private void succeeded(KeyWork work) {
		Call call = work.next();
		this.queue.counters().applied.add(call.entries());
		this.queue.counters().methodCalls.increment();
		if (call.entry().uncached()) {
			this.queue.uncachedApplied(call.entry());
		}
		work.advance();
	}

	private void deadLetter(KeyWork work, String error, int attempts) {
		this.queue.deadLetter(this.partition, work.next().entry(), error, attempts);
		work.advance();
	}

	/**
	 * Waits before the next retry round: the backoff doubled per round, capped, with jitter (between
	 * half and all of it). @return {@code false} if the queue halted meanwhile
	 */
	private boolean backOff(int round) {
		WriteBehindSettings settings = this.queue.settings();
		long base = settings.backoff().toMillis() << Math.min(round - 1, 30);
		long capped = Math.min(Math.max(base, 1), settings.maxBackoff().toMillis());
		long delay = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
		return this.queue.pause(delay);
	}

	/** Acknowledges the settled entries; forgets the pending values of keys whose every entry settled. */
	private void acknowledge(List<KeyWork> works) {
		List<byte[]> arguments = new ArrayList<>();
		arguments.add(QueueKeys.GROUP);
		arguments.add(null);
		int ids = 0;
		for (KeyWork work : works) {
			for (String id : work.finishedIds()) {
				arguments.add(QueueKeys.ascii(id));
				ids++;
			}
		}
		arguments.set(1, QueueKeys.ascii(ids));
		for (KeyWork work : works) {
			if (work.done()) {
				arguments.add(work.key().getBytes(StandardCharsets.UTF_8));
				arguments.add(QueueKeys.ascii(work.lastId()));
			}
		}
		this.queue.commands().eval(QueueScripts.ACKNOWLEDGE, ScriptOutputType.INTEGER,
				new byte[][] { this.stream, this.queue.keys().pending(this.partition) },
				arguments.toArray(new byte[0][]));
	}

	private static void rethrowIfFatal(Throwable ex) {
		if (ex instanceof VirtualMachineError error) {
			throw error;
		}
	}

}
