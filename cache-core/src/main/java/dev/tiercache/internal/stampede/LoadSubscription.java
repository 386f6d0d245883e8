package dev.tiercache.internal.stampede;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.core.task.SyncTaskExecutor;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * The pub/sub subscription that feeds {@link LoadNotifications}. Starting it never fails: if Redis
 * cannot be reached, it is retried in the background every {@link #RETRY_INTERVAL} until it succeeds
 * or is closed, and waiters meanwhile rely on their own bounded polling. Once subscribed, Spring's
 * listener container re-subscribes by itself after a connection loss. Messages are handed to
 * {@link LoadNotifications} on the thread that receives them (the listener only signals latches),
 * not on a new thread per message as the container's default executor would. Thread-safe.
 */
public final class LoadSubscription implements AutoCloseable {

	/** How often a failed subscription is retried. */
	public static final Duration RETRY_INTERVAL = Duration.ofSeconds(2);

	private static final Log logger = LogFactory.getLog(LoadSubscription.class);

	private final RedisMessageListenerContainer container = new RedisMessageListenerContainer();

	private @Nullable ScheduledExecutorService retries;

	private boolean subscribed;

	private boolean closed;

	public LoadSubscription(RedisConnectionFactory connectionFactory, String channel, LoadNotifications notifications) {
		this.container.setConnectionFactory(connectionFactory);
		this.container.setTaskExecutor(new SyncTaskExecutor());
		this.container.addMessageListener(notifications, new ChannelTopic(channel));
		this.container.afterPropertiesSet();
	}

	/** Subscribes now if Redis answers, otherwise keeps trying in the background. */
	public synchronized void start() {
		if (!trySubscribe()) {
			ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor((task) -> {
				Thread thread = new Thread(task, "tiercache-subscription-retry");
				thread.setDaemon(true);
				return thread;
			});
			this.retries = scheduler;
			long period = RETRY_INTERVAL.toMillis();
			scheduler.scheduleWithFixedDelay(this::retry, period, period, TimeUnit.MILLISECONDS);
		}
	}

	private synchronized void retry() {
		if (!this.closed && !this.subscribed && trySubscribe()) {
			logger.info("Tiercache subscribed to load notifications");
			ScheduledExecutorService scheduler = this.retries;
			if (scheduler != null) {
				scheduler.shutdown();
			}
		}
	}

	private boolean trySubscribe() {
		try {
			this.container.start();
			this.subscribed = true;
			return true;
		}
		catch (RuntimeException ex) {
			this.container.stop();
			logger.warn("Tiercache cannot subscribe to load notifications yet (callers waiting for another instance"
					+ " poll instead); retrying every " + RETRY_INTERVAL.toSeconds() + " s: " + ex.getMessage());
			return false;
		}
	}

	@Override
	public synchronized void close() throws Exception {
		this.closed = true;
		ScheduledExecutorService scheduler = this.retries;
		if (scheduler != null) {
			scheduler.shutdownNow();
		}
		this.container.destroy();
	}

}
