package dev.tiercache.coherence;

import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.concurrent.DaemonThreads;
import dev.tiercache.internal.concurrent.Periodic;

/**
 * The sharded subscription of the {@link CoherenceMode#PUBSUB} fallback on a Redis Cluster whose servers
 * have sharded pub/sub (Redis 7+): {@code SSUBSCRIBE} to the channel, whose messages ({@code SPUBLISH})
 * only the primary and replicas of its slot carry, where a plain {@code PUBLISH} goes to every node.
 *
 * <p>Such a subscription stays with a node: Redis ends it when the node stops serving the slot (a
 * failover, a resharding), and a killed primary takes it along. So every
 * {@link ClusterTracking#TOPOLOGY_CHECK} the slot's primary, as Lettuce sees the topology, is compared with
 * the one subscribed on, and on a change, or when Redis ends the subscription, it is made again (Lettuce
 * routes it by slot); a subscription that fails is made again at the next check. Every confirmation of
 * the subscription (the first, one made again here, or one Lettuce makes again after its node connection
 * reconnected) runs {@code missed}, since messages may have been lost before it. Thread-safe.
 */
final class ShardedSubscription implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(Coherence.class);

	private final StatefulRedisClusterPubSubConnection<byte[], byte[]> connection;

	private final byte[] channel;

	private final int slot;

	private final Runnable missed;

	private final Events events = new Events();

	private final ScheduledExecutorService checks = Executors
		.newSingleThreadScheduledExecutor(DaemonThreads.named("tiercache-shard-subscription"));

	private final AtomicBoolean subscribing = new AtomicBoolean();

	/** Moves each time Redis ends the subscription, so that a subscription made before it is not taken as current. */
	private final AtomicLong endings = new AtomicLong();

	/** The id of the primary the channel is subscribed on; {@code null} while it is not. */
	private volatile @Nullable String subscribedOn;

	private volatile boolean closed;

	private ShardedSubscription(StatefulRedisClusterPubSubConnection<byte[], byte[]> connection, byte[] channel,
			Runnable missed) {
		this.connection = connection;
		this.channel = channel;
		this.slot = SlotHash.getSlot(channel);
		this.missed = missed;
	}

	/**
	 * Subscribes to the shard channel now, and follows its slot's primary from then on.
	 * @param missed runs after each confirmation of the subscription
	 * @return the subscription, or {@code null} if the servers refuse sharded pub/sub (they have none, or
	 * an ACL rule refuses {@code SSUBSCRIBE}): invalidations then go by plain pub/sub
	 * @throws RuntimeException if Redis cannot be reached
	 */
	static @Nullable ShardedSubscription subscribe(StatefulRedisClusterPubSubConnection<byte[], byte[]> connection,
			byte[] channel, Runnable missed) {
		ShardedSubscription subscription = new ShardedSubscription(connection, channel, missed);
		connection.addListener(subscription.events);
		String owner = subscription.owner();
		long ended = subscription.endings.get();
		try {
			connection.sync().ssubscribe(channel);
		}
		catch (RedisCommandExecutionException ex) {
			subscription.close();
			String reason = String.valueOf(ex.getMessage());
			if (!reason.contains("unknown command")) {
				logger.warn("Tiercache publishes invalidations with PUBLISH: the Redis Cluster refused SSUBSCRIBE ("
						+ reason + "); allow '+ssubscribe +spublish' to its ACL user for sharded pub/sub");
			}
			return null;
		}
		catch (RuntimeException | Error ex) {
			subscription.close();
			throw ex;
		}
		if (subscription.endings.get() == ended) {
			subscription.subscribedOn = owner;
		}
		long period = ClusterTracking.TOPOLOGY_CHECK.toMillis();
		Runnable check = Periodic.surviving(subscription::check, logger,
				"follow the primary of the invalidations' shard channel");
		subscription.checks.scheduleWithFixedDelay(check, period, period, TimeUnit.MILLISECONDS);
		return subscription;
	}

	private void check() {
		String owner = owner();
		if (this.closed || owner == null || owner.equals(this.subscribedOn)
				|| !this.subscribing.compareAndSet(false, true)) {
			return;
		}
		long ended = this.endings.get();
		this.subscribedOn = null;
		this.connection.async().ssubscribe(this.channel).whenComplete((reply, failure) -> {
			this.subscribing.set(false);
			if (failure != null) {
				logger.debug("Tiercache could not subscribe to its invalidations' shard channel; retrying", failure);
			}
			else if (this.endings.get() == ended) {
				this.subscribedOn = owner;
			}
		});
	}

	/** The id of the primary of the channel's slot, as Lettuce sees the topology now; {@code null} if none. */
	private @Nullable String owner() {
		RedisClusterNode primary = this.connection.getPartitions().getMasterBySlot(this.slot);
		return (primary != null) ? primary.getNodeId() : null;
	}

	/** Stops following the slot's primary; the subscription ends with its connection. */
	@Override
	public void close() {
		this.closed = true;
		this.connection.removeListener(this.events);
		this.checks.shutdownNow();
	}

	/** The confirmations and endings of the subscription, on the connection's I/O threads. */
	private final class Events extends RedisPubSubAdapter<byte[], byte[]> {

		@Override
		public void ssubscribed(byte[] shardChannel, long count) {
			if (Arrays.equals(shardChannel, ShardedSubscription.this.channel)) {
				ShardedSubscription.this.missed.run();
			}
		}

		@Override
		public void sunsubscribed(byte[] shardChannel, long count) {
			if (!Arrays.equals(shardChannel, ShardedSubscription.this.channel) || ShardedSubscription.this.closed) {
				return;
			}
			ShardedSubscription.this.endings.incrementAndGet();
			ShardedSubscription.this.subscribedOn = null;
			try {
				ShardedSubscription.this.checks.execute(ShardedSubscription.this::check);
			}
			catch (RejectedExecutionException ex) {
				// closed meanwhile
			}
		}

	}

}
