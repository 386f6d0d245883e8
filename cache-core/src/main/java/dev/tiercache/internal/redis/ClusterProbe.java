package dev.tiercache.internal.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The breaker's probe on a Redis Cluster, where any one node answering says little: Redis counts as
 * answering again once <em>every</em> primary that serves slots answers a {@code PING}, as the client
 * sees the topology after refreshing it.
 *
 * <p><b>Refreshing.</b> While the breaker is open, no command of Tiercache's reaches the cluster to show
 * Lettuce that a failed primary's slots moved (its adaptive refresh waits for redirects and reconnect
 * attempts, its periodic one for the next period), so the probe refreshes the topology first. The
 * refresh is given at most half the probe's time, and one that finished within
 * {@link #REFRESH_REUSE_NANOS} (or is still running) is used again, so that the probes of one half-open
 * round cost one refresh; if it does not finish, the primaries known before it are probed. A primary
 * whose connection lost its socket fails at once, where Lettuce would hold the {@code PING} until it
 * reconnects. While a primary is down and not replaced, the probe fails, as Redis itself refuses the
 * whole cluster ({@code CLUSTERDOWN}) by default then.
 *
 * <p><b>Watching.</b> After a probe failed, the topology is refreshed on the client's event executors,
 * every {@link #WATCH_INTERVAL_MILLIS} for the first {@link #QUICK_WATCH_REFRESHES} times (a promotion
 * takes a few seconds where nodes time out after one or two), then every {@link #SLOW_WATCH_INTERVAL_MILLIS}
 * (each refresh connects to every node, and Lettuce logs the node it cannot reach), for at most
 * {@link #WATCH_REFRESHES} times; {@code changed} is run as soon as the primaries that serve slots are no
 * longer those that failed (a replica took over): the breaker then probes at once rather than at the end
 * of its wait. Once {@linkplain #close() closed}, nothing is refreshed, probed or told. Thread-safe.
 */
final class ClusterProbe {

	/** How recent a finished refresh of the topology may be to be used again rather than made again. */
	static final long REFRESH_REUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	/** How often the topology is refreshed at first while watching for a replica to take a failed primary's place. */
	static final long WATCH_INTERVAL_MILLIS = 100;

	/** How many refreshes of a watch are {@link #WATCH_INTERVAL_MILLIS} apart: the first 5 s. */
	static final int QUICK_WATCH_REFRESHES = 50;

	/** How often the topology is refreshed after the first refreshes of a watch. */
	static final long SLOW_WATCH_INTERVAL_MILLIS = 1000;

	/** How many refreshes one watch makes at most: the next failed probe starts another. */
	static final int WATCH_REFRESHES = 110;

	private final LettuceConnectionFactory connectionFactory;

	private final Runnable changed;

	/** The last refresh of the topology, running or done, joined by the probes made meanwhile. Guarded by this. */
	private @Nullable CompletableFuture<Void> refreshing;

	/** When {@link #refreshing} completed ({@link System#nanoTime()}). Guarded by this. */
	private long refreshedAt;

	/** Whether the topology is being watched. Guarded by this. */
	private boolean watching;

	/** Whether this was closed: nothing is refreshed, watched or told any more. */
	private volatile boolean closed;

	/**
	 * @param connectionFactory the factory whose cluster client refreshes the topology
	 * @param changed told when a watched topology changed
	 */
	ClusterProbe(LettuceConnectionFactory connectionFactory, Runnable changed) {
		this.connectionFactory = connectionFactory;
		this.changed = changed;
	}

	/**
	 * Refreshes the topology, then pings every primary that serves slots; if that fails, watches the
	 * topology.
	 * @param connection the cluster connection whose node connections carry the pings
	 * @param deadline ({@link System#nanoTime()}) after which the refresh is not waited for
	 * @return completes with {@code PONG} once every primary answered; fails if one did not or none
	 * serves slots
	 */
	CompletableFuture<String> ping(StatefulRedisClusterConnection<byte[], byte[]> connection, long deadline) {
		long refreshWait = Math.max(0, (deadline - System.nanoTime()) / 2);
		List<CompletableFuture<String>> pings = new CopyOnWriteArrayList<>();
		CompletableFuture<String> pinged = refresh().completeOnTimeout(null, refreshWait, TimeUnit.NANOSECONDS)
			.thenCompose((refreshed) -> pingPrimaries(connection, pings));
		pinged.whenComplete((pong, failure) -> {
			if (pinged.isCancelled()) {
				// the caller gave up: a PING still held by the client (a primary that went silent) is dropped
				pings.forEach((ping) -> ping.cancel(false));
			}
			if (failure != null) {
				watch(connection);
			}
		});
		return pinged;
	}

	/** Stops refreshing, watching and telling {@code changed}; a refresh under way ends by itself. */
	void close() {
		this.closed = true;
	}

	/** A refresh of the topology, a recent or running one if any; completes normally even if it fails. */
	private synchronized CompletableFuture<Void> refresh() {
		CompletableFuture<Void> last = this.refreshing;
		if (this.closed) {
			return CompletableFuture.completedFuture(null);
		}
		if (last == null || (last.isDone() && System.nanoTime() - this.refreshedAt > REFRESH_REUSE_NANOS)) {
			AbstractRedisClient client = this.connectionFactory.getNativeClient();
			CompletableFuture<Void> started = (client instanceof RedisClusterClient cluster)
					? cluster.refreshPartitionsAsync().toCompletableFuture().handle((done, failure) -> refreshed())
					: CompletableFuture.completedFuture(null);
			this.refreshing = started;
			last = started;
		}
		// a copy, so that the caller's bound on its wait does not complete the shared refresh
		return last.copy();
	}

	private synchronized @Nullable Void refreshed() {
		this.refreshedAt = System.nanoTime();
		return null;
	}

	/** Refreshes the topology until the primaries that serve slots change, then tells {@code changed}. */
	private void watch(StatefulRedisClusterConnection<byte[], byte[]> connection) {
		synchronized (this) {
			if (this.watching || this.closed) {
				return;
			}
			this.watching = true;
		}
		try {
			watchAgain(connection, primaries(connection), 0);
		}
		catch (RuntimeException ex) {
			// no topology to compare with: the next failed probe starts another watch
			stopWatching();
		}
	}

	/** Schedules the next refresh of a watch; the watch stops, and may start again, on any failure. */
	private void watchAgain(StatefulRedisClusterConnection<byte[], byte[]> connection, Set<String> failed,
			int refreshesMade) {
		if (this.closed || refreshesMade == WATCH_REFRESHES) {
			stopWatching();
			return;
		}
		long interval = (refreshesMade < QUICK_WATCH_REFRESHES) ? WATCH_INTERVAL_MILLIS : SLOW_WATCH_INTERVAL_MILLIS;
		try {
			this.connectionFactory.getNativeClient().getResources().eventExecutorGroup()
				.schedule(() -> refreshThenCompare(connection, failed, refreshesMade), interval, TimeUnit.MILLISECONDS);
		}
		catch (RuntimeException ex) {
			// the factory or the client is shutting down
			stopWatching();
		}
	}

	private void refreshThenCompare(StatefulRedisClusterConnection<byte[], byte[]> connection, Set<String> failed,
			int refreshesMade) {
		try {
			refresh().whenComplete((done, failure) -> compare(connection, failed, refreshesMade));
		}
		catch (RuntimeException ex) {
			// the factory stopped meanwhile
			stopWatching();
		}
	}

	private void compare(StatefulRedisClusterConnection<byte[], byte[]> connection, Set<String> failed,
			int refreshesMade) {
		boolean changedNow;
		try {
			changedNow = !primaries(connection).equals(failed);
		}
		catch (RuntimeException ex) {
			stopWatching();
			return;
		}
		if (!changedNow) {
			watchAgain(connection, failed, refreshesMade + 1);
			return;
		}
		stopWatching();
		if (!this.closed) {
			this.changed.run();
		}
	}

	private synchronized void stopWatching() {
		this.watching = false;
	}

	/** The primaries that serve slots, by {@code host:port}, as the connection sees the topology now. */
	private static Set<String> primaries(StatefulRedisClusterConnection<byte[], byte[]> connection) {
		return primaryNodes(connection).stream()
			.map((node) -> node.getUri().getHost() + ":" + node.getUri().getPort())
			.collect(Collectors.toSet());
	}

	private static List<RedisClusterNode> primaryNodes(StatefulRedisClusterConnection<byte[], byte[]> connection) {
		List<RedisClusterNode> primaries = new ArrayList<>();
		for (RedisClusterNode node : connection.getPartitions()) {
			if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.getSlots().isEmpty()) {
				primaries.add(node);
			}
		}
		return primaries;
	}

	/** Pings every primary, adding each {@code PING} to {@code pings} as it is sent (to cancel it). */
	private static CompletableFuture<String> pingPrimaries(StatefulRedisClusterConnection<byte[], byte[]> connection,
			List<CompletableFuture<String>> pings) {
		List<CompletableFuture<String>> replies = new ArrayList<>();
		for (RedisClusterNode node : primaryNodes(connection)) {
			replies.add(connection.getConnectionAsync(node.getUri().getHost(), node.getUri().getPort())
				.thenCompose((primary) -> {
					CompletableFuture<String> ping = ping(primary).toCompletableFuture();
					pings.add(ping);
					return ping;
				})
				.toCompletableFuture());
		}
		if (replies.isEmpty()) {
			return CompletableFuture.failedFuture(new RedisException("No Redis Cluster primary serves slots"));
		}
		return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).thenApply((all) -> "PONG");
	}

	/**
	 * A {@code PING} to one primary; failed at once if its connection lost its socket, where the client
	 * would hold the command until it reconnects (to a primary that died, never).
	 */
	private static CompletionStage<String> ping(StatefulRedisConnection<byte[], byte[]> primary) {
		if (!primary.isOpen()) {
			return CompletableFuture.failedFuture(new RedisConnectionException("Not connected to the primary"));
		}
		return primary.async().ping();
	}

}
