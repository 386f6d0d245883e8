package dev.tiercache.coherence;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.push.PushListener;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.push.RedisClusterPushListener;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.concurrent.DaemonThreads;

/**
 * {@code CLIENT TRACKING} on a Redis Cluster, where each primary reports only the changes made on it:
 * switched on for this instance's connection to every primary, the one that carries its commands for
 * that primary's slots (so that {@code NOLOOP}, and the order of pushes before the replies Redis sent
 * after them, hold per node as on one Redis), and kept so as the topology changes.
 *
 * <p><b>Following the topology.</b> The cluster connection's view of the topology (as Lettuce refreshes
 * it: {@code spring.data.redis.lettuce.cluster.refresh.*}) is compared with the tracked primaries every
 * {@link #TOPOLOGY_CHECK}. A primary not tracked yet (promoted in a failover, added, or reached on a new
 * connection) is tracked, and then the target {@linkplain InvalidationTarget#resynchronize
 * resynchronizes}, since changes made on it before were not reported; a node that is no longer a
 * primary stops being tracked. A tracked connection that comes back after a loss is tracked again and
 * the target resynchronizes, as on one Redis. A primary that refuses tracking (or a connection that does
 * not speak RESP3) is handed to {@code refused}, which falls back to published invalidations, and is
 * not asked again. Once the cluster connection is closed (the connector dropped it), the checks stop.
 * Thread-safe: the topology is checked on one thread of its own.
 */
final class ClusterTracking implements AutoCloseable {

	/** How often the topology is compared with the tracked primaries. */
	static final Duration TOPOLOGY_CHECK = Duration.ofMillis(250);

	private static final Log logger = LogFactory.getLog(Coherence.class);

	private final StatefulRedisClusterConnection<byte[], byte[]> cluster;

	private final TrackingArgs arguments;

	private final InvalidationTarget target;

	private final Consumer<String> refused;

	/**
	 * For each primary, by {@code host:port}: the attempt to track it, which gives the tracked connection
	 * once done. A failed attempt is made again at the next check.
	 */
	private final Map<String, CompletableFuture<StatefulRedisConnection<byte[], byte[]>>> tracked =
			new ConcurrentHashMap<>();

	/** The listener that follows the reconnections of each connection tracked so far. */
	private final Map<StatefulRedisConnection<byte[], byte[]>, Reconnections> followed = new ConcurrentHashMap<>();

	/** The primaries that refused tracking: not asked again. */
	private final Set<String> refusing = ConcurrentHashMap.newKeySet();

	private final RedisClusterPushListener pushListener;

	/** Whether the topology is followed: a primary tracked from then on resynchronizes the target itself. */
	private volatile boolean following;

	/** Whether this was closed: attempts that complete later change nothing. */
	private volatile boolean closed;

	private final ScheduledExecutorService checks = Executors
		.newSingleThreadScheduledExecutor(DaemonThreads.named("tiercache-cluster-tracking"));

	/**
	 * @param cluster the connection whose node connections carry this instance's commands
	 * @param arguments how tracking is switched on
	 * @param target told of the changes and when to resynchronize
	 * @param pushes hands the pushed invalidations of every node to the target
	 * @param refused told why tracking cannot be used, when a primary refuses it
	 */
	ClusterTracking(StatefulRedisClusterConnection<byte[], byte[]> cluster, TrackingArgs arguments,
			InvalidationTarget target, PushListener pushes, Consumer<String> refused) {
		this.cluster = cluster;
		this.arguments = arguments;
		this.target = target;
		this.refused = refused;
		this.pushListener = (node, message) -> pushes.onPushMessage(message);
		cluster.addListener(this.pushListener);
	}

	/**
	 * Switches tracking on for every primary the cluster connection knows.
	 * @return completes once each primary tracks or failed to: a primary that could not be reached is
	 * tried again once {@linkplain #followTopology() following the topology}; one that refused was handed
	 * to {@code refused}
	 */
	CompletableFuture<Void> trackPrimaries() {
		List<CompletableFuture<?>> attempts = new ArrayList<>();
		for (RedisURI primary : primaries()) {
			attempts.add(track(primary).handle((connection, failure) -> null));
		}
		return CompletableFuture.allOf(attempts.toArray(CompletableFuture[]::new));
	}

	/** Whether a primary refused tracking, so that {@code refused} was told. */
	boolean refusedByAny() {
		return !this.refusing.isEmpty();
	}

	/**
	 * From now on, follows the topology: a primary it gains is tracked, then L1 resynchronized, and so is
	 * one of those {@link #trackPrimaries()} was still waiting for.
	 */
	void followTopology() {
		this.following = true;
		long period = TOPOLOGY_CHECK.toMillis();
		try {
			this.checks.scheduleWithFixedDelay(this::checkTopology, period, period, TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// closed
		}
	}

	/**
	 * Stops following the topology and hearing pushes; the connections are the cluster connection's,
	 * closed with it.
	 */
	@Override
	public void close() {
		this.closed = true;
		this.checks.shutdownNow();
		this.cluster.removeListener(this.pushListener);
		this.followed.forEach((connection, listener) -> connection.removeListener(listener));
		this.followed.clear();
	}

	private void checkTopology() {
		if (this.cluster instanceof RedisChannelHandler<?, ?> handler && handler.isClosed()) {
			// the connection was dropped: its replacement has a tracking of its own
			close();
			return;
		}
		try {
			List<RedisURI> primaries = primaries();
			Set<String> current = primaries.stream().map(ClusterTracking::address).collect(Collectors.toSet());
			this.tracked.entrySet().removeIf((node) -> {
				boolean lost = !current.contains(node.getKey());
				if (lost) {
					untrack(node.getValue());
				}
				return lost;
			});
			this.followed.keySet().removeIf(ClusterTracking::isClosed);
			for (RedisURI primary : primaries) {
				if (!this.refusing.contains(address(primary)) && needsTracking(this.tracked.get(address(primary)))) {
					track(primary);
				}
			}
		}
		catch (RuntimeException ex) {
			logger.debug("Tiercache could not compare the cluster topology with the tracked primaries", ex);
		}
	}

	/** Whether a primary has no tracked connection: never tried, failed, or closed (replaced by Lettuce). */
	private static boolean needsTracking(@Nullable CompletableFuture<StatefulRedisConnection<byte[], byte[]>> attempt) {
		if (attempt == null || attempt.isCompletedExceptionally()) {
			return true;
		}
		StatefulRedisConnection<byte[], byte[]> connection = attempt.getNow(null);
		return connection != null && isClosed(connection);
	}

	private static boolean isClosed(StatefulRedisConnection<byte[], byte[]> connection) {
		return connection instanceof RedisChannelHandler<?, ?> handler && handler.isClosed();
	}

	/**
	 * Switches tracking on for the connection to {@code primary}, which is from then on the one tracked
	 * for it, and again each time it reconnects.
	 */
	private CompletableFuture<StatefulRedisConnection<byte[], byte[]>> track(RedisURI primary) {
		String address = address(primary);
		CompletableFuture<StatefulRedisConnection<byte[], byte[]>> attempt = this.cluster
			.getConnectionAsync(primary.getHost(), primary.getPort())
			.thenCompose((connection) -> switchOn(connection, address).thenApply((done) -> connection));
		this.tracked.put(address, attempt);
		return attempt.whenComplete((connection, failure) -> {
			if (this.closed) {
				return;
			}
			if (failure == null) {
				this.followed.computeIfAbsent(connection, (tracked) -> {
					Reconnections reconnections = new Reconnections(tracked, address);
					tracked.addListener(reconnections);
					return reconnections;
				});
				if (this.following) {
					// its changes before now were not reported
					this.target.resynchronize();
				}
			}
			else if (isRefusal(failure)) {
				this.refusing.add(address);
				this.refused.accept("CLIENT TRACKING could not be switched on for the Redis Cluster node " + address
						+ ": " + causeOf(failure).getMessage());
			}
			else {
				logger.debug("Tiercache could not track the Redis Cluster node " + address + " yet", failure);
			}
		});
	}

	private CompletableFuture<?> switchOn(StatefulRedisConnection<byte[], byte[]> connection, String address) {
		if (!Coherence.speaksResp3(connection)) {
			return CompletableFuture.failedFuture(new TrackingRefused(
					"the connection to " + address + " speaks RESP2, and tracking pushes need RESP3"));
		}
		return connection.async().clientTracking(this.arguments).toCompletableFuture();
	}

	private static boolean isRefusal(Throwable failure) {
		Throwable cause = causeOf(failure);
		return cause instanceof TrackingRefused || cause instanceof RedisCommandExecutionException;
	}

	private static Throwable causeOf(Throwable failure) {
		return (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause() : failure;
	}

	/** Stops tracking a node that is no longer a primary. */
	private static void untrack(CompletableFuture<StatefulRedisConnection<byte[], byte[]>> attempt) {
		StatefulRedisConnection<byte[], byte[]> connection = attempt.getNow(null);
		if (connection != null && connection.isOpen()) {
			connection.async().clientTracking(TrackingArgs.Builder.enabled(false));
		}
	}

	/** The primaries that serve slots, as the cluster connection sees the topology now. */
	private List<RedisURI> primaries() {
		List<RedisURI> primaries = new ArrayList<>();
		for (RedisClusterNode node : this.cluster.getPartitions()) {
			if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.getSlots().isEmpty()) {
				primaries.add(node.getUri());
			}
		}
		return primaries;
	}

	private static String address(RedisURI node) {
		return node.getHost() + ":" + node.getPort();
	}

	/** After a tracked connection reconnects: tracking on again, then the target resynchronizes. */
	private final class Reconnections implements RedisConnectionStateListener {

		private final StatefulRedisConnection<byte[], byte[]> connection;

		private final String address;

		Reconnections(StatefulRedisConnection<byte[], byte[]> connection, String address) {
			this.connection = connection;
			this.address = address;
		}

		@Override
		public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress socket) {
			CompletableFuture<StatefulRedisConnection<byte[], byte[]>> attempt = ClusterTracking.this.tracked
				.get(this.address);
			if (ClusterTracking.this.closed || attempt == null || attempt.getNow(null) != this.connection) {
				return;
			}
			switchOn(this.connection, this.address).whenComplete((done, failure) -> {
				if (ClusterTracking.this.closed) {
					return;
				}
				if (failure == null) {
					ClusterTracking.this.target.resynchronize();
				}
				else if (isRefusal(failure)) {
					ClusterTracking.this.refusing.add(this.address);
					ClusterTracking.this.refused.accept("Redis refused CLIENT TRACKING after a reconnect to the Redis "
							+ "Cluster node " + this.address + ": " + causeOf(failure).getMessage());
				}
				else {
					// not tracking: the next topology check tracks it again, then resynchronizes
					ClusterTracking.this.tracked.replace(this.address, attempt,
							CompletableFuture.failedFuture(failure));
				}
			});
		}

	}

	/** Tracking cannot work on a connection, whatever the node would answer. */
	private static final class TrackingRefused extends RuntimeException {

		TrackingRefused(String message) {
			super(message);
		}

	}

}
