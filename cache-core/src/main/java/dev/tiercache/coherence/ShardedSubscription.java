package dev.tiercache.coherence;

import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
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
 * routes it by slot) and {@code missed} runs, since messages may have been lost meanwhile. A subscription
 * that fails is made again at the next check. Thread-safe.
 */
final class ShardedSubscription implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(Coherence.class);

	private final StatefulRedisClusterPubSubConnection<byte[], byte[]> connection;

	private final byte[] channel;

	private final int slot;

	private final Runnable missed;

	private final ScheduledExecutorService checks = Executors
		.newSingleThreadScheduledExecutor(DaemonThreads.named("tiercache-shard-subscription"));

	private final AtomicBoolean subscribing = new AtomicBoolean();

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
	 * @param missed runs after each subscription, the first included (instances that published before it
	 * may have published on the plain channel meanwhile)
	 * @return the subscription, or {@code null} if the servers have no sharded pub/sub
	 * @throws RuntimeException if Redis cannot be reached or refuses the subscription otherwise
	 */
	static @Nullable ShardedSubscription subscribe(StatefulRedisClusterPubSubConnection<byte[], byte[]> connection,
			byte[] channel, Runnable missed) {
		ShardedSubscription subscription = new ShardedSubscription(connection, channel, missed);
		String owner = subscription.owner();
		try {
			connection.sync().ssubscribe(channel);
		}
		catch (RedisCommandExecutionException ex) {
			String message = String.valueOf(ex.getMessage());
			if (message.contains("unknown command") || message.contains("unknown subcommand")) {
				subscription.close();
				return null;
			}
			subscription.close();
			throw ex;
		}
		catch (RuntimeException | Error ex) {
			subscription.close();
			throw ex;
		}
		subscription.subscribedOn = owner;
		missed.run();
		long period = ClusterTracking.TOPOLOGY_CHECK.toMillis();
		subscription.checks.scheduleWithFixedDelay(
				Periodic.surviving(subscription::check, logger, "follow the primary of the invalidations' shard channel"),
				period, period, TimeUnit.MILLISECONDS);
		return subscription;
	}

	/** Redis ended a subscription of the connection: if it was this one, it is made again. */
	void ended(byte[] endedChannel) {
		if (Arrays.equals(endedChannel, this.channel)) {
			this.subscribedOn = null;
			this.checks.execute(this::check);
		}
	}

	private void check() {
		String owner = owner();
		if (this.closed || owner == null || owner.equals(this.subscribedOn)
				|| !this.subscribing.compareAndSet(false, true)) {
			return;
		}
		this.subscribedOn = null;
		this.connection.async().ssubscribe(this.channel).whenComplete((reply, failure) -> {
			this.subscribing.set(false);
			if (failure != null) {
				logger.debug("Tiercache could not subscribe to its invalidations' shard channel; retrying", failure);
				return;
			}
			this.subscribedOn = owner;
			this.missed.run();
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
		this.checks.shutdownNow();
	}

}
