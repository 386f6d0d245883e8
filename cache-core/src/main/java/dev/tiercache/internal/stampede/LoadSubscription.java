package dev.tiercache.internal.stampede;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnectionFactory;

import dev.tiercache.internal.concurrent.DaemonThreads;
import dev.tiercache.internal.redis.PubSubConnections;

/**
 * The pub/sub subscription that feeds {@link LoadNotifications}, on a Lettuce pub/sub connection of its
 * own ({@link PubSubConnections}). Starting it never fails or blocks: it subscribes on a background thread,
 * retried every {@link #RETRY_INTERVAL} until it succeeds or is closed, and waiters meanwhile rely on their
 * own bounded polling. Once subscribed, Lettuce subscribes again by itself after a reconnect. Messages are
 * handed to {@link LoadNotifications} on the thread that receives them (it only signals latches).
 *
 * <p>Nothing is logged once {@link #close()} has begun: an attempt still under way then may meet the
 * connection factory stopping, as when an application context closes right after it started.
 * Thread-safe.
 */
public final class LoadSubscription implements AutoCloseable {

	/** How often a failed subscription is retried. */
	public static final Duration RETRY_INTERVAL = Duration.ofSeconds(2);

	private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

	private static final Log logger = LogFactory.getLog(LoadSubscription.class);

	private final RedisConnectionFactory connectionFactory;

	private final byte[] channel;

	private final LoadNotifications notifications;

	private final ScheduledThreadPoolExecutor subscriber = new ScheduledThreadPoolExecutor(1,
			DaemonThreads.named("tiercache-subscription"));

	/** The subscribed connection; guarded by {@code this}. */
	private @Nullable StatefulRedisPubSubConnection<byte[], byte[]> connection;

	/** Guarded by {@code this}. */
	private boolean closed;

	/** Guarded by {@code this}. */
	private boolean failedBefore;

	public LoadSubscription(RedisConnectionFactory connectionFactory, String channel, LoadNotifications notifications) {
		this.connectionFactory = connectionFactory;
		this.channel = channel.getBytes(StandardCharsets.UTF_8);
		this.notifications = notifications;
		this.subscriber.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
	}

	/** Starts subscribing in the background; returns at once. */
	public void start() {
		schedule(0);
	}

	private void schedule(long delayMillis) {
		try {
			this.subscriber.schedule(this::subscribe, delayMillis, TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// closed meanwhile
		}
	}

	/** Runs on the subscriber thread only. */
	private void subscribe() {
		if (isClosed()) {
			return;
		}
		StatefulRedisPubSubConnection<byte[], byte[]> opened;
		try {
			opened = subscribedConnection();
		}
		catch (RuntimeException ex) {
			retryAfter(ex);
			return;
		}
		if (!keep(opened)) {
			opened.close();
			return;
		}
		synchronized (this) {
			if (this.failedBefore && !this.closed) {
				logger.info("Tiercache subscribed to load notifications");
			}
		}
	}

	private StatefulRedisPubSubConnection<byte[], byte[]> subscribedConnection() {
		StatefulRedisPubSubConnection<byte[], byte[]> opened = PubSubConnections.open(this.connectionFactory);
		try {
			opened.addListener(new RedisPubSubAdapter<>() {

				@Override
				public void message(byte[] channel, byte[] valueKey) {
					LoadSubscription.this.notifications.wake(valueKey);
				}

			});
			opened.sync().subscribe(this.channel);
			return opened;
		}
		catch (RuntimeException | Error ex) {
			opened.close();
			throw ex;
		}
	}

	/** Keeps the connection unless closed meanwhile. */
	private synchronized boolean keep(StatefulRedisPubSubConnection<byte[], byte[]> opened) {
		if (this.closed) {
			return false;
		}
		this.connection = opened;
		return true;
	}

	/** Logs while holding the lock {@link #close()} takes first, so that nothing is logged once it began. */
	private void retryAfter(RuntimeException ex) {
		synchronized (this) {
			if (this.closed) {
				return;
			}
			if (!this.failedBefore) {
				this.failedBefore = true;
				logger.warn("Tiercache cannot subscribe to load notifications yet (callers waiting for another "
						+ "instance poll instead); retrying every " + RETRY_INTERVAL.toSeconds() + " s: " + ex);
			}
			else {
				logger.debug("Tiercache still cannot subscribe to load notifications", ex);
			}
		}
		schedule(RETRY_INTERVAL.toMillis());
	}

	private synchronized boolean isClosed() {
		return this.closed;
	}

	/**
	 * Stops subscribing and closes the subscribed connection. An attempt under way is given 5 s to end by
	 * itself, even on an interrupted thread, before it is interrupted: interrupted while connecting, Lettuce
	 * would go on opening the connection behind it, to be found open when the connection factory stops
	 * (which can still happen when Redis takes longer than that to answer a connect).
	 */
	@Override
	public void close() {
		StatefulRedisPubSubConnection<byte[], byte[]> subscribed;
		synchronized (this) {
			this.closed = true;
			subscribed = this.connection;
			this.connection = null;
		}
		try {
			DaemonThreads.finish(this.subscriber, CLOSE_WAIT);
		}
		finally {
			if (subscribed != null) {
				subscribed.close();
			}
		}
	}

}
