package dev.tiercache.internal.stampede;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.core.task.SyncTaskExecutor;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

import dev.tiercache.internal.concurrent.DaemonThreads;

/**
 * The pub/sub subscription that feeds {@link LoadNotifications}. Starting it never fails or blocks:
 * it subscribes on a background thread, retried every {@link #RETRY_INTERVAL} until it succeeds or is
 * closed, and waiters meanwhile rely on their own bounded polling. Once subscribed, Spring's listener
 * container re-subscribes by itself after a connection loss. Messages are handed to
 * {@link LoadNotifications} on the thread that receives them (the listener only signals latches),
 * not on a new thread per message as the container's default executor would. Thread-safe.
 */
public final class LoadSubscription implements AutoCloseable {

	/** How often a failed subscription is retried. */
	public static final Duration RETRY_INTERVAL = Duration.ofSeconds(2);

	private static final Log logger = LogFactory.getLog(LoadSubscription.class);

	private final RedisMessageListenerContainer container = new RedisMessageListenerContainer();

	private final ScheduledExecutorService subscriber = Executors
		.newSingleThreadScheduledExecutor(DaemonThreads.named("tiercache-subscription"));

	private volatile boolean closed;

	private boolean failedBefore;

	public LoadSubscription(RedisConnectionFactory connectionFactory, String channel, LoadNotifications notifications) {
		this.container.setConnectionFactory(connectionFactory);
		this.container.setTaskExecutor(new SyncTaskExecutor());
		this.container.addMessageListener(notifications, new ChannelTopic(channel));
		this.container.afterPropertiesSet();
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
		if (this.closed) {
			return;
		}
		try {
			this.container.start();
			if (this.failedBefore) {
				logger.info("Tiercache subscribed to load notifications");
			}
		}
		catch (RuntimeException ex) {
			this.container.stop();
			if (!this.failedBefore) {
				this.failedBefore = true;
				logger.warn("Tiercache cannot subscribe to load notifications yet (callers waiting for another instance"
						+ " poll instead); retrying every " + RETRY_INTERVAL.toSeconds() + " s: " + ex.getMessage());
			}
			else {
				logger.debug("Tiercache still cannot subscribe to load notifications", ex);
			}
			if (!this.closed) {
				schedule(RETRY_INTERVAL.toMillis());
			}
		}
	}

	/** Stops subscribing (interrupting an attempt in progress) and unsubscribes. */
	@Override
	public void close() throws Exception {
		this.closed = true;
		this.subscriber.shutdownNow();
		try {
			this.subscriber.awaitTermination(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			// shutting down on an interrupted thread: stop waiting, still close the subscription
			Thread.currentThread().interrupt();
		}
		finally {
			this.container.destroy();
		}
	}

}
