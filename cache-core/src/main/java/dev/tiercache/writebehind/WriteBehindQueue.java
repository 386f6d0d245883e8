package dev.tiercache.writebehind;

import java.lang.reflect.Type;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.concurrent.DaemonThreads;
import dev.tiercache.internal.concurrent.Periodic;
import dev.tiercache.internal.concurrent.RateLimit;
import dev.tiercache.internal.redis.EntryKeys;
import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.tier.PendingWrites;
import dev.tiercache.tier.TieredCache;

/**
 * One cache's write-behind queue on this instance: the registered methods, the calls (made by
 * {@link QueueCalls}), the pending values reads consult, the flusher pool, the scheduler that balances
 * partitions between instances, the partition leases and their heartbeat ({@link OwnerLeases}), the
 * drain at shutdown, and the dead letters. Thread-safe.
 */
final class WriteBehindQueue implements PendingWrites {

	private static final Log logger = LogFactory.getLog(WriteBehindQueue.class);

	private final TieredCache cache;

	private final WriteBehindSettings settings;

	private final RemoteCommands commands;

	private final ArgumentCodec arguments;

	private final QueueKeys keys;

	private final Map<String, WriteBehindMethod> methods = new ConcurrentHashMap<>();

	/** Each registered method's id as stored in entries. */
	private final Map<WriteBehindMethod, byte[]> methodIds = new ConcurrentHashMap<>();

	private final QueueCounters counters = new QueueCounters();

	private final QueueCalls calls;

	private final byte[] instanceId;

	private final OwnerLeases leases;

	private final List<PartitionFlusher> flushers = new ArrayList<>();

	private final ThreadPoolExecutor pool;

	private final ScheduledExecutorService scheduler;

	private final ReentrantLock haltLock = new ReentrantLock();

	private final Condition haltSignal = this.haltLock.newCondition();

	private volatile boolean halted;

	private volatile boolean stopping;

	private final RateLimit redisFailureLog = new RateLimit(Duration.ofSeconds(30));

	WriteBehindQueue(TieredCache cache, WriteBehindSettings settings, RedisKeys redisKeys, RemoteCommands commands,
			@Nullable DurableWrites durable, ArgumentCodec arguments) {
		this.cache = cache;
		this.settings = settings;
		this.commands = commands;
		this.arguments = arguments;
		this.keys = new QueueKeys(redisKeys, cache.getName(), settings.partitions());
		this.calls = new QueueCalls(this, durable, arguments);
		byte[] random = new byte[8];
		new SecureRandom().nextBytes(random);
		this.instanceId = QueueKeys.ascii(HexFormat.of().formatHex(random));
		this.leases = new OwnerLeases(cache.getName(), commands, this.keys, this.instanceId, settings.claimIdle());
		for (int p = 0; p < settings.partitions(); p++) {
			this.flushers.add(new PartitionFlusher(this, p, this.leases.of(p)));
		}
		this.pool = new ThreadPoolExecutor(settings.concurrency(), settings.concurrency(), 60, TimeUnit.SECONDS,
				new LinkedBlockingQueue<>(), DaemonThreads.numbered("tiercache-writebehind-" + cache.getName() + "-"));
		this.scheduler = Executors
			.newSingleThreadScheduledExecutor(DaemonThreads.named("tiercache-writebehind-" + cache.getName()));
		cache.pendingWrites(this);
	}

	// ---- the call

	void register(WriteBehindMethod method) {
		WriteBehindMethod previous = this.methods.putIfAbsent(method.id(), method);
		this.methodIds.putIfAbsent(method, QueueKeys.utf8(method.id()));
		if (previous != null && previous != method) {
			throw new IllegalStateException("Two @WriteBehind methods of cache '" + cacheName() + "' have the id "
					+ method.id() + "; write-behind needs one bean per class with @WriteBehind methods");
		}
	}

	/**
	 * Writes the value to the cache (or deletes the key, for a value the cache cannot hold) and queues
	 * the call, atomically; see {@link QueueCalls#enqueue}.
	 */
	boolean enqueue(WriteBehindMethod method, @Nullable Object value, Type valueType, @Nullable Object[] arguments,
			Object key) {
		return this.calls.enqueue(method, value, valueType, arguments, key);
	}

	/**
	 * The id a registered method's entries carry.
	 * @throws IllegalStateException if the method was not registered
	 */
	byte[] methodId(WriteBehindMethod method) {
		byte[] id = this.methodIds.get(method);
		if (id == null) {
			throw new IllegalStateException(method.id() + " was not registered with the write-behind queue of cache '"
					+ cacheName() + "'");
		}
		return id;
	}

	/** The latest pending value of a key, for reads that find nothing in Redis. */
	@Override
	public byte @Nullable [] find(String renderedKey) {
		EntryKeys.Pending pending = locate(renderedKey);
		return this.commands.call((redis) -> redis.hget(pending.hash(), pending.field()));
	}

	/** The field {@code v:<key>} of the pending hash of the key's partition. */
	@Override
	public EntryKeys.Pending locate(String renderedKey) {
		return new EntryKeys.Pending(this.keys.pending(this.keys.partitionOf(renderedKey)),
				RedisKeys.pendingValueField(renderedKey));
	}

	// ---- flushing

	/** Starts the lease heartbeat and polling: every flush interval each partition is looked at. */
	void start() {
		this.leases.start();
		long interval = this.settings.flushInterval().toMillis();
		this.scheduler.scheduleWithFixedDelay(
				Periodic.surviving(this::tick, logger, "balance the write-behind partitions of cache '" + cacheName() + "'"),
				0, interval, TimeUnit.MILLISECONDS);
	}

	/**
	 * Records this instance as a live flusher, works out its fair share of partitions (rounded up), gives
	 * up owned partitions beyond it that are idle, and schedules a flush of owned partitions and, while
	 * under its share, of the others (a flush takes a partition only if it is free or its owner's lease
	 * ran out).
	 */
	private void tick() {
		try {
			Long live = this.commands.eval(QueueScripts.LIVE, ScriptOutputType.INTEGER,
					new byte[][] { this.keys.flushers() }, this.instanceId,
					QueueKeys.ascii(this.settings.claimIdle().toMillis()));
			int partitions = this.flushers.size();
			int share = (int) Math.ceil((double) partitions / Math.max(1, (live != null) ? live : 1));
			int owned = (int) this.flushers.stream().filter(PartitionFlusher::owned).count();
			for (PartitionFlusher flusher : this.flushers) {
				if (flusher.owned() && owned > share && !flusher.running()) {
					flusher.releaseIfIdle();
					owned--;
				}
				else if (flusher.owned() || owned < share) {
					submit(flusher);
				}
			}
		}
		catch (RemoteCallException ex) {
			redisFailed("poll the queue", ex);
		}
		catch (RuntimeException ex) {
			logger.warn("Tiercache write-behind scheduler of cache '" + cacheName() + "' failed", ex);
		}
	}

	private void submit(PartitionFlusher flusher) {
		if (flusher.schedule()) {
			try {
				this.pool.execute(flusher::flush);
			}
			catch (RejectedExecutionException ex) {
				// stopping
			}
		}
	}

	/**
	 * Stops polling, flushes the owned partitions until they are empty or {@code drain-timeout} passed
	 * (their leases renewed meanwhile), then halts what still runs (its entries stay unacknowledged, for
	 * the next owner), gives the partitions up so another instance takes over at once, stops the
	 * heartbeat, and leaves the live flushers.
	 * @return how many entries were still queued in Redis when it returned, across all instances
	 */
	long drain() {
		this.stopping = true;
		this.scheduler.shutdownNow();
		long deadline = System.nanoTime() + this.settings.drainTimeout().toNanos();
		try {
			for (PartitionFlusher flusher : this.flushers) {
				if (flusher.owned()) {
					submit(flusher);
				}
			}
			this.pool.shutdown();
			this.pool.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		halt();
		DaemonThreads.stop(this.pool, Duration.ofSeconds(1));
		this.flushers.forEach(PartitionFlusher::release);
		this.leases.close();
		long left = 0;
		try {
			this.commands.eval(QueueScripts.LEAVE, ScriptOutputType.INTEGER, new byte[][] { this.keys.flushers() },
					this.instanceId);
			left = depth();
		}
		catch (RemoteCallException ex) {
			logger.debug("Tiercache could not read the write-behind queue of cache '" + cacheName() + "' at shutdown", ex);
		}
		if (left > 0) {
			logger.info("Tiercache left " + left + " write-behind entries of cache '" + cacheName()
					+ "' in Redis for another instance");
		}
		return left;
	}

	private void halt() {
		this.haltLock.lock();
		try {
			this.halted = true;
			this.haltSignal.signalAll();
		}
		finally {
			this.haltLock.unlock();
		}
	}

	boolean halted() {
		return this.halted;
	}

	/** Whether the queue is draining or drained: no partition is taken any more. */
	boolean stopping() {
		return this.stopping;
	}

	/** Waits between retries. @return {@code false} if the queue halted meanwhile */
	boolean pause(long millis) {
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
		this.haltLock.lock();
		try {
			long remaining;
			while (!this.halted && (remaining = deadline - System.nanoTime()) > 0) {
				this.haltSignal.awaitNanos(remaining);
			}
			return !this.halted;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		finally {
			this.haltLock.unlock();
		}
	}

	/**
	 * Reads entries of a partition for this instance's consumer, fenced by the lease {@code lease} and
	 * {@code token} ({@link QueueScripts#READ}), creating the group if Redis lost it.
	 * @param from {@code 0} for this consumer's pending entries, {@code >} for new ones
	 * @return the entries as the script returns them
	 */
	List<Object> readGroup(int partition, byte[] lease, byte[] token, String from) {
		try {
			return read(partition, lease, token, from);
		}
		catch (RemoteCallException ex) {
			if (ex.getMessage() == null || !ex.getMessage().contains("NOGROUP")) {
				throw ex;
			}
			createGroup(this.keys.stream(partition));
			return read(partition, lease, token, from);
		}
	}

	private List<Object> read(int partition, byte[] lease, byte[] token, String from) {
		List<Object> entries = this.commands.eval(QueueScripts.READ, ScriptOutputType.MULTI,
				new byte[][] { this.keys.stream(partition), lease }, token, QueueKeys.GROUP, this.instanceId,
				QueueKeys.ascii(this.settings.batchSize()), QueueKeys.ascii(from));
		return (entries != null) ? entries : List.of();
	}

	/** Creates the consumer group (and the stream) unless they exist. */
	void createGroup(byte[] stream) {
		try {
			this.commands.call((redis) -> redis.xgroupCreate(XReadArgs.StreamOffset.from(stream, "0"), QueueKeys.GROUP,
					XGroupCreateArgs.Builder.mkstream()));
		}
		catch (RemoteCallException ex) {
			if (!(ex.getCause() instanceof RedisBusyException) && !String.valueOf(ex.getMessage()).contains("BUSYGROUP")) {
				throw ex;
			}
		}
	}

	@Nullable Object[] decode(WriteBehindMethod method, QueueEntry entry) {
		return this.arguments.decode(entry.arguments(), method.parameterTypes());
	}

	/**
	 * Moves an entry that cannot be applied to the dead-letter stream and evicts its key from the
	 * cache, which must not keep a value the database never got (a later pending write of the key
	 * still shows). The key is evicted by the name the entry gives it, so this holds also when no
	 * method of this instance can read the entry (its method unknown here, its arguments unreadable).
	 * Fenced by the partition's lease {@code lease} and {@code token}.
	 */
	void deadLetter(int partition, byte[] lease, byte[] token, QueueEntry entry, String error, int attempts) {
		try {
			this.commands.eval(QueueScripts.DEAD_LETTER, ScriptOutputType.INTEGER,
					new byte[][] { this.keys.stream(partition), this.keys.pending(partition), this.keys.dead(), lease },
					QueueKeys.GROUP, QueueKeys.ascii(entry.id()), QueueKeys.utf8(entry.key()),
					QueueKeys.utf8(entry.method()), entry.arguments(), QueueKeys.utf8(error), QueueKeys.ascii(attempts),
					QueueKeys.ascii(partition), token);
		}
		catch (RemoteCallException ex) {
			if (!QueueScripts.fenced(ex)) {
				// the script may have run (its reply lost): the value the database never got must not stay
				this.cache.evictNamed(entry.key());
			}
			throw ex;
		}
		this.counters.deadLettered.increment();
		logger.warn("Tiercache moved a write-behind entry of cache '" + cacheName() + "' (key " + entry.key()
				+ ", " + entry.method() + ") to the dead letters after " + attempts + " attempt(s): " + error);
		this.cache.evictNamed(entry.key());
	}

	/**
	 * An entry whose value the cache does not hold was applied (a dead letter put back in the queue, or
	 * a value the cache could not hold): its key is evicted, since the cache may hold what reads loaded
	 * before it was applied (a later pending write of the key still shows).
	 */
	void uncachedApplied(QueueEntry entry) {
		this.cache.evictNamed(entry.key());
	}

	void redisFailed(String action, RemoteCallException ex) {
		if (!this.stopping && this.redisFailureLog.allow()) {
			logger.warn("Tiercache write-behind of cache '" + cacheName() + "' could not " + action + ": "
					+ ex.getMessage());
		}
		else {
			logger.debug("Tiercache write-behind of cache '" + cacheName() + "' could not " + action, ex);
		}
	}

	// ---- lag and dead letters

	long depth() {
		long depth = 0;
		for (int p = 0; p < this.keys.partitions(); p++) {
			byte[] stream = this.keys.stream(p);
			Long length = this.commands.call((redis) -> redis.xlen(stream));
			depth += (length != null) ? length : 0;
		}
		return depth;
	}

	WriteBehindStats stats() {
		long oldest = Long.MAX_VALUE;
		for (int p = 0; p < this.keys.partitions(); p++) {
			byte[] stream = this.keys.stream(p);
			List<StreamMessage<byte[], byte[]>> first = this.commands
				.call((redis) -> redis.xrange(stream, Range.create("-", "+"), Limit.from(1)));
			if (first != null && !first.isEmpty()) {
				oldest = Math.min(oldest, QueueEntry.timeOf(first.get(0).getId()));
			}
		}
		Long dead = this.commands.call((redis) -> redis.xlen(this.keys.dead()));
		long age = (oldest == Long.MAX_VALUE) ? 0 : Math.max(0, System.currentTimeMillis() - oldest);
		QueueCounters c = this.counters;
		return new WriteBehindStats(cacheName(), depth(), age, (dead != null) ? dead : 0, c.enqueued.sum(),
				c.synchronousWrites.sum(), c.refused.sum(), c.applied.sum(), c.methodCalls.sum(), c.batchCalls.sum(),
				c.retries.sum(), c.deadLettered.sum());
	}

	List<DeadLetter> deadLetters(int max) {
		List<StreamMessage<byte[], byte[]>> messages = this.commands
			.call((redis) -> redis.xrange(this.keys.dead(), Range.create("-", "+"), Limit.from(max)));
		List<DeadLetter> letters = new ArrayList<>();
		if (messages != null) {
			for (StreamMessage<byte[], byte[]> message : messages) {
				letters.add(DeadLetters.of(cacheName(), message));
			}
		}
		return letters;
	}

	/** Puts a dead letter back in its partition's stream. @return whether it existed */
	boolean requeue(String id) {
		List<StreamMessage<byte[], byte[]>> found = this.commands
			.call((redis) -> redis.xrange(this.keys.dead(), Range.create(id, id)));
		if (found == null || found.isEmpty()) {
			return false;
		}
		QueueEntry entry = QueueEntry.of(found.get(0));
		int partition = this.keys.partitionOf(entry.key());
		byte[] requeued = this.commands.eval(QueueScripts.REQUEUE, ScriptOutputType.VALUE,
				new byte[][] { this.keys.dead(), this.keys.stream(partition), this.keys.pending(partition) },
				QueueKeys.ascii(id), QueueKeys.GROUP,
				QueueKeys.utf8(entry.key()), QueueKeys.utf8(entry.method()), entry.arguments());
		return requeued != null;
	}

	/** Deletes a dead letter. @return whether it existed */
	boolean drop(String id) {
		Long deleted = this.commands.call((redis) -> redis.xdel(this.keys.dead(), id));
		return deleted != null && deleted > 0;
	}

	// ---- for the calls and the partition flushers

	TieredCache cache() {
		return this.cache;
	}

	String cacheName() {
		return this.cache.getName();
	}

	WriteBehindSettings settings() {
		return this.settings;
	}

	RemoteCommands commands() {
		return this.commands;
	}

	QueueKeys keys() {
		return this.keys;
	}

	QueueCounters counters() {
		return this.counters;
	}

	byte[] instanceId() {
		return this.instanceId;
	}

	@Nullable WriteBehindMethod method(String id) {
		return this.methods.get(id);
	}

}
