package dev.tiercache.writebehind;

import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.internal.concurrent.DaemonThreads;
import dev.tiercache.internal.redis.RedisInfo;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;

/**
 * Keeps {@code @WriteBehind} calls from being queued where Redis may evict them: reads Redis's
 * {@code maxmemory-policy} and {@code maxmemory} ({@code INFO memory}) at start-up, after every
 * connection the Redis client (re)opens, and every 30 seconds. Under a policy that evicts keys without
 * a TTL ({@code allkeys-*}, or any other but {@code noeviction} and {@code volatile-*}) with a
 * {@code maxmemory} set, queueing is refused: at start-up with an {@link UnsafeEvictionPolicyException},
 * later by every call (logged once at ERROR), until a check finds a safe policy again. Entries already
 * queued are still applied. Where {@code INFO} is refused (ACLs, managed Redis), a warning is
 * logged once and calls are queued. Thread-safe.
 */
final class EvictionPolicyGuard implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(EvictionPolicyGuard.class);

	/** How long the start-up check waits for a first connection. */
	private static final Duration STARTUP_WAIT = Duration.ofSeconds(2);

	private static final Duration PERIOD = Duration.ofSeconds(30);

	private final RemoteCommands commands;

	private final RedisConnectionFactory connectionFactory;

	private final Supplier<Collection<String>> caches;

	private final ScheduledExecutorService checker = Executors
		.newSingleThreadScheduledExecutor(DaemonThreads.named("tiercache-writebehind-eviction-policy"));

	private final AtomicBoolean checkRequested = new AtomicBoolean();

	/** The policy found unsafe, or {@code null} while queueing is allowed. */
	private volatile @Nullable Policy unsafe;

	/** Whether Redis refused {@code INFO}: not asked again. */
	private volatile boolean unreadable;

	private @Nullable Disposable connections;

	private boolean watching;

	/**
	 * @param commands calls to the Redis the queues are in
	 * @param connectionFactory the factory whose client's connections are watched
	 * @param caches the names of the caches with a queue, for messages
	 */
	EvictionPolicyGuard(RemoteCommands commands, RedisConnectionFactory connectionFactory,
			Supplier<Collection<String>> caches) {
		this.commands = commands;
		this.connectionFactory = connectionFactory;
		this.caches = caches;
	}

	/**
	 * Reads the policy now, waiting a little for a first connection; a Redis that does not answer yet is
	 * checked once it does.
	 * @throws UnsafeEvictionPolicyException if the policy may evict queue entries
	 */
	void checkAtStartup() {
		this.commands.connect(STARTUP_WAIT);
		Policy policy = read();
		if (policy == null) {
			if (!this.unreadable) {
				logger.warn("Tiercache could not read Redis's 'maxmemory-policy' at start-up (Redis did not answer); "
						+ "it is read once Redis answers, and @WriteBehind calls are refused if it may evict queue entries");
			}
			return;
		}
		if (!policy.safe()) {
			this.unsafe = policy;
			throw policy.refusal(this.caches.get());
		}
	}

	/** Checks again after each connection the Redis client opens, and every 30 seconds. */
	synchronized void watch() {
		if (this.watching) {
			return;
		}
		this.watching = true;
		try {
			this.connections = ((LettuceConnectionFactory) this.connectionFactory).getNativeClient()
				.getResources()
				.eventBus()
				.get()
				.filter(ConnectionActivatedEvent.class::isInstance)
				.subscribe((event) -> requestCheck());
		}
		catch (RuntimeException ex) {
			logger.debug("Tiercache cannot watch Redis reconnections; 'maxmemory-policy' is read every "
					+ PERIOD.toSeconds() + " s only", ex);
		}
		try {
			this.checker.scheduleWithFixedDelay(this::check, PERIOD.toMillis(), PERIOD.toMillis(),
					TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// closed
		}
	}

	/**
	 * Refuses a call while Redis may evict queue entries.
	 * @throws UnsafeEvictionPolicyException if the last check found such a policy
	 */
	void requireQueueing() {
		Policy policy = this.unsafe;
		if (policy != null) {
			throw policy.refusal(this.caches.get());
		}
	}

	private void requestCheck() {
		if (this.checkRequested.compareAndSet(false, true)) {
			try {
				this.checker.execute(this::check);
			}
			catch (RejectedExecutionException ex) {
				// closed
			}
		}
	}

	private void check() {
		this.checkRequested.set(false);
		Policy policy = read();
		if (policy == null) {
			return;
		}
		Policy previous = this.unsafe;
		if (policy.safe()) {
			this.unsafe = null;
			if (previous != null) {
				logger.info("Tiercache queues @WriteBehind calls again: Redis's 'maxmemory-policy' is now '"
						+ policy.name() + "' (maxmemory " + policy.maxmemory() + " bytes)");
			}
		}
		else {
			this.unsafe = policy;
			if (previous == null) {
				logger.error("Tiercache stopped queueing @WriteBehind calls (they fail until this is fixed; entries "
						+ "already queued are still applied): " + policy.refusal(this.caches.get()).getMessage());
			}
		}
	}

	/** The policy, or {@code null} if Redis did not answer or refuses {@code INFO}. */
	private @Nullable Policy read() {
		if (this.unreadable) {
			return null;
		}
		String memory;
		try {
			memory = this.commands.call((redis) -> redis.info("memory"));
		}
		catch (RemoteCallException ex) {
			if (ex.getCause() instanceof RedisCommandExecutionException refused && isRefusal(refused)) {
				this.unreadable = true;
				logger.warn("Tiercache cannot read Redis's 'maxmemory-policy' (INFO memory was refused: "
						+ refused.getMessage() + "). Make sure it is 'noeviction' or a 'volatile-*' policy: under an "
						+ "'allkeys-*' policy Redis may evict @WriteBehind queue entries, acknowledged writes that are "
						+ "then lost");
			}
			else {
				logger.debug("Tiercache could not read Redis's 'maxmemory-policy'", ex);
			}
			return null;
		}
		String name = (memory != null) ? RedisInfo.text(memory, "maxmemory_policy") : null;
		if (name == null) {
			return null;
		}
		return new Policy(name.toLowerCase(Locale.ROOT), RedisInfo.number(memory, "maxmemory"));
	}

	/** Whether Redis will never answer {@code INFO} (ACLs, a renamed command), unlike a busy script. */
	private static boolean isRefusal(RedisCommandExecutionException reply) {
		String message = String.valueOf(reply.getMessage());
		return message.startsWith("NOPERM") || message.startsWith("ERR unknown command");
	}

	@Override
	public synchronized void close() {
		Disposable subscription = this.connections;
		if (subscription != null) {
			subscription.dispose();
		}
		DaemonThreads.stop(this.checker, Duration.ofSeconds(1));
	}

	/**
	 * An eviction policy as Redis reports it.
	 * @param name the {@code maxmemory-policy}
	 * @param maxmemory the {@code maxmemory}: 0 for no limit (nothing is evicted), -1 if unknown
	 */
	private record Policy(String name, long maxmemory) {

		/**
		 * Whether no queue key can be evicted: nothing is evicted without a limit; {@code noeviction} evicts
		 * nothing; {@code volatile-*} only keys with a TTL, and only the live flushers' set has one.
		 */
		boolean safe() {
			return this.maxmemory == 0 || this.name.equals("noeviction") || this.name.startsWith("volatile-");
		}

		UnsafeEvictionPolicyException refusal(Collection<String> caches) {
			return new UnsafeEvictionPolicyException(this.name, this.maxmemory, caches);
		}

	}

}
