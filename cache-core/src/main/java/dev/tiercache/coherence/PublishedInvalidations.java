package dev.tiercache.coherence;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnectionFactory;

import dev.tiercache.internal.concurrent.DaemonThreads;
import dev.tiercache.internal.redis.PubSubConnections;

/**
 * The subscription of the {@link CoherenceMode#PUBSUB} fallback: a pub/sub connection of its own,
 * opened on a thread of its own (never an I/O thread) and retried every {@link #RETRY_MILLIS} ms until
 * it is subscribed. Lettuce re-subscribes after a reconnect; then the given callback runs, since
 * messages may have been missed meanwhile.
 *
 * <p>On a Redis Cluster whose servers have sharded pub/sub, the channel is also subscribed as a shard
 * channel ({@link ShardedSubscription}), and invalidations are {@linkplain #publication published} there
 * ({@code SPUBLISH}): only the channel's shard carries them, where a {@code PUBLISH} reaches every node.
 * The plain channel stays subscribed, for instances that publish there. Thread-safe.
 */
final class PublishedInvalidations implements AutoCloseable {

	static final long RETRY_MILLIS = 2_000;

	private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

	private static final Log logger = LogFactory.getLog(PublishedInvalidations.class);

	private final RedisConnectionFactory connectionFactory;

	private final byte[] channel;

	private final Consumer<byte[]> listener;

	private final ExecutorService subscriber = Executors
		.newSingleThreadExecutor(DaemonThreads.named("tiercache-invalidations"));

	private @Nullable StatefulRedisPubSubConnection<byte[], byte[]> connection;

	/** The shard channel's subscription, on a cluster that has sharded pub/sub. */
	private volatile @Nullable ShardedSubscription sharded;

	private boolean wanted;

	/** Completes when every connection {@link #stop()} closed has closed; guarded by {@code this}. */
	private CompletableFuture<Void> closing = CompletableFuture.completedFuture(null);

	PublishedInvalidations(RedisConnectionFactory connectionFactory, byte[] channel, Consumer<byte[]> listener) {
		this.connectionFactory = connectionFactory;
		this.channel = channel;
		this.listener = listener;
	}

	/** Subscribes in the background unless subscribed; {@code reconnected} runs after each reconnect. */
	synchronized void start(Runnable reconnected) {
		if (this.wanted) {
			return;
		}
		this.wanted = true;
		submit(() -> subscribe(reconnected));
	}

	/**
	 * Unsubscribes, if subscribed; {@link #start} subscribes again. Does not wait for the connection to
	 * close (it may run on one of Lettuce's I/O threads); {@link #close()} waits for every close begun.
	 */
	synchronized void stop() {
		this.wanted = false;
		notifyAll();
		StatefulRedisPubSubConnection<byte[], byte[]> current = this.connection;
		this.connection = null;
		ShardedSubscription shard = this.sharded;
		this.sharded = null;
		if (shard != null) {
			shard.close();
		}
		if (current != null) {
			this.closing = CompletableFuture.allOf(this.closing, current.closeAsync());
		}
	}

	/**
	 * How to publish an invalidation: to the shard channel ({@code SPUBLISH}) while it is subscribed, to
	 * the channel otherwise.
	 */
	Function<RedisClusterAsyncCommands<byte[], byte[]>, Future<Long>> publication(byte[] message) {
		return (this.sharded != null) ? (redis) -> redis.spublish(this.channel, message)
				: (redis) -> redis.publish(this.channel, message);
	}

	private void submit(Runnable task) {
		try {
			this.subscriber.execute(task);
		}
		catch (RejectedExecutionException ex) {
			// closed
		}
	}

	/** Runs on the subscriber thread only. */
	private void subscribe(Runnable reconnected) {
		while (true) {
			synchronized (this) {
				if (!this.wanted || this.connection != null) {
					return;
				}
			}
			try {
				StatefulRedisPubSubConnection<byte[], byte[]> opened = open(reconnected);
				ShardedSubscription shard = subscribeSharded(opened, reconnected);
				if (!keep(opened, shard)) {
					// closed here, not under the lock, which Lettuce's I/O threads take to start or stop
					if (shard != null) {
						shard.close();
					}
					opened.close();
				}
				return;
			}
			catch (RuntimeException ex) {
				logger.debug("Tiercache cannot subscribe to invalidations yet; retrying", ex);
				if (!awaitRetry()) {
					return;
				}
			}
		}
	}

	/** Keeps a subscribed connection unless the subscription is no longer wanted. */
	private synchronized boolean keep(StatefulRedisPubSubConnection<byte[], byte[]> opened,
			@Nullable ShardedSubscription shard) {
		if (!this.wanted) {
			return false;
		}
		this.connection = opened;
		this.sharded = shard;
		return true;
	}

	/**
	 * Waits {@link #RETRY_MILLIS} before the next attempt, or less if {@link #stop()} is called.
	 * @return whether the subscription is still wanted
	 */
	private synchronized boolean awaitRetry() {
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RETRY_MILLIS);
		long remaining;
		while (this.wanted && (remaining = deadline - System.nanoTime()) > 0) {
			try {
				TimeUnit.NANOSECONDS.timedWait(this, remaining);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		}
		return this.wanted;
	}

	private StatefulRedisPubSubConnection<byte[], byte[]> open(Runnable reconnected) {
		StatefulRedisPubSubConnection<byte[], byte[]> opened = PubSubConnections.open(this.connectionFactory);
		try {
			opened.addListener(new RedisPubSubAdapter<>() {

				@Override
				public void message(byte[] channel, byte[] message) {
					PublishedInvalidations.this.listener.accept(message);
				}

				@Override
				public void smessage(byte[] shardChannel, byte[] message) {
					PublishedInvalidations.this.listener.accept(message);
				}

			});
			opened.addListener(new RedisConnectionStateListener() {

				@Override
				public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
					reconnected.run();
				}

			});
			opened.sync().subscribe(this.channel);
			return opened;
		}
		catch (RuntimeException ex) {
			opened.close();
			throw ex;
		}
	}

	/**
	 * On a Redis Cluster, subscribes to the shard channel too, unless the servers refuse sharded pub/sub;
	 * closes the connection if that fails otherwise.
	 */
	private @Nullable ShardedSubscription subscribeSharded(StatefulRedisPubSubConnection<byte[], byte[]> opened,
			Runnable reconnected) {
		if (!(opened instanceof StatefulRedisClusterPubSubConnection<byte[], byte[]> cluster)) {
			return null;
		}
		try {
			ShardedSubscription shard = ShardedSubscription.subscribe(cluster, this.channel, reconnected);
			if (shard == null) {
				logger.debug("Tiercache publishes invalidations with PUBLISH: the cluster takes no SSUBSCRIBE");
			}
			return shard;
		}
		catch (RuntimeException | Error ex) {
			cluster.close();
			throw ex;
		}
	}

	/**
	 * Unsubscribes and stops subscribing, letting an attempt under way end by itself first
	 * ({@link DaemonThreads#finish}), and waits up to 5 s for every connection it closed to close.
	 */
	@Override
	public void close() {
		stop();
		DaemonThreads.finish(this.subscriber, CLOSE_WAIT);
		CompletableFuture<Void> closed;
		synchronized (this) {
			closed = this.closing;
		}
		try {
			closed.get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException ex) {
			logger.debug("Tiercache's invalidation subscription did not close cleanly", ex);
		}
	}

}
