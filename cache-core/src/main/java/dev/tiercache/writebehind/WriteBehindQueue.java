package dev.tiercache.writebehind;

import java.lang.reflect.Type;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.internal.write.PendingValues;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TiercacheEvent.WriteDeadLettered;

/**
 * One cache's write-behind queue on this instance, put together from its parts, each with one job:
 * the registered methods ({@link QueueMethods}), the calls ({@link QueueCalls}), the pending values
 * that reads consult ({@link PendingValues}), one flusher per partition ({@link PartitionFlusher} over
 * its {@link PartitionStream}, handing each batch to a {@link BatchApplier} that checks each call with a
 * {@link PartitionFence} and waits between retries with a {@link RetryBackoff}), the balancing of partitions between instances and the drain at
 * shutdown ({@link PartitionBalancer}, {@link FlushGate}), the partition leases and their heartbeat
 * ({@link OwnerLeases}), and what operators see ({@link QueueInspector}). Thread-safe.
 */
final class WriteBehindQueue {

	private static final Log logger = LogFactory.getLog(WriteBehindQueue.class);

	private final TieredCache cache;

	private final String cacheName;

	private final QueueMethods methods;

	private final QueueCalls calls;

	private final QueueCounters counters = new QueueCounters();

	private final PartitionBalancer balancer;

	private final QueueInspector inspector;

	/**
	 * @param deadLetters told of each call moved to the dead letters
	 */
	WriteBehindQueue(TieredCache cache, WriteBehindSettings settings, RedisKeys redisKeys, RemoteCommands commands,
			@Nullable DurableWrites durable, ArgumentCodec arguments, Consumer<WriteDeadLettered> deadLetters) {
		this.cache = cache;
		this.cacheName = cache.getName();
		QueueKeys keys = new QueueKeys(redisKeys, this.cacheName, settings.partitions());
		byte[] consumer = newConsumerId();
		FlushGate gate = new FlushGate();
		QueueFailures failures = new QueueFailures(this.cacheName, gate, deadLetters);
		this.methods = new QueueMethods(this.cacheName, arguments);
		this.calls = new QueueCalls(cache, settings, commands, keys, this.methods, durable, arguments, failures,
				this.counters);
		OwnerLeases leases = new OwnerLeases(this.cacheName, commands, keys, consumer, settings.claimIdle());
		RetryBackoff backoff = new RetryBackoff(settings.backoff(), settings.maxBackoff(), gate);
		List<PartitionFlusher> flushers = new ArrayList<>();
		for (int p = 0; p < settings.partitions(); p++) {
			OwnerLease lease = leases.of(p);
			PartitionStream stream = new PartitionStream(commands, keys, p, consumer, settings.batchSize());
			PartitionFence fence = new PartitionFence(this.cacheName, p, lease, gate, failures);
			BatchApplier batches = new BatchApplier(p, fence, stream, this.methods, backoff, failures, this.counters,
					settings.maxAttempts(), cache);
			flushers.add(new PartitionFlusher(this.cacheName, p, settings, lease, stream, fence, batches, gate,
					failures, cache.tracer()));
		}
		this.balancer = new PartitionBalancer(this.cacheName, commands, keys, consumer, settings, flushers, leases, gate,
				backoff, failures);
		this.inspector = new QueueInspector(this.cacheName, commands, keys, this.counters);
		cache.coordinatedWrites()
			.pendingWrites(new PendingValues(commands, redisKeys, this.cacheName, settings.partitions()));
	}

	/** This instance's consumer name in the queue's streams, and its name among the live flushers. */
	private static byte[] newConsumerId() {
		byte[] random = new byte[8];
		new SecureRandom().nextBytes(random);
		return QueueKeys.ascii(HexFormat.of().formatHex(random));
	}

	/**
	 * Registers a method, so that its calls can be queued and its entries applied here.
	 * @throws IllegalStateException if another method has its id, or it writes to another cache of the
	 * same name (another manager's), whose L1 this queue's writes would never reach
	 */
	void register(WriteBehindMethod method) {
		if (method.cache() != this.cache) {
			throw new IllegalStateException("@WriteBehind " + method.id() + " writes to a cache '" + this.cacheName
					+ "' that is not the one its queue writes to (another cache manager's); one WriteBehindQueues "
					+ "serves the caches of one manager");
		}
		this.methods.register(method);
	}

	/**
	 * Writes the value to the cache (or deletes the key, for a value the cache cannot hold) and queues
	 * the call, atomically; see {@link QueueCalls#enqueue}.
	 */
	boolean enqueue(WriteBehindMethod method, @Nullable Object value, Type valueType, @Nullable Object[] arguments,
			Object key) {
		return this.calls.enqueue(method, value, valueType, arguments, key);
	}

	/** How many flushes of this queue's partitions wait for a flusher thread now. */
	int flushesWaiting() {
		return this.balancer.flushesWaiting();
	}

	/** Starts flushing: the lease heartbeat, and the balancing of partitions every flush interval. */
	void start() {
		this.balancer.start();
	}

	/**
	 * Drains the queue ({@link PartitionBalancer#drain}) and leaves the live flushers.
	 * @return how many entries were still queued in Redis when it returned, across all instances
	 */
	long drain() {
		this.balancer.drain();
		long left = 0;
		try {
			this.balancer.leave();
			left = this.inspector.depth();
		}
		catch (RemoteCallException ex) {
			logger.debug("Tiercache could not read the write-behind queue of cache '" + this.cacheName + "' at shutdown",
					ex);
		}
		if (left > 0) {
			logger.info("Tiercache left " + left + " write-behind entries of cache '" + this.cacheName
					+ "' in Redis for another instance");
		}
		return left;
	}

	String cacheName() {
		return this.cacheName;
	}

	/** How many calls this instance refused since it started. */
	long refused() {
		return this.counters.refused.sum();
	}

	/** @throws RemoteCallException if Redis fails */
	WriteBehindStats stats() {
		return this.inspector.stats();
	}

	/** @throws RemoteCallException if Redis fails */
	List<DeadLetter> deadLetters(int max) {
		return this.inspector.deadLetters(max);
	}

	/** @throws RemoteCallException if Redis fails */
	boolean requeue(String id) {
		return this.inspector.requeue(id);
	}

	/** @throws RemoteCallException if Redis fails */
	boolean drop(String id) {
		return this.inspector.drop(id);
	}

}
