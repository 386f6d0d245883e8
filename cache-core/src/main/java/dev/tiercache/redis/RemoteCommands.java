package dev.tiercache.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Redis calls with a bounded wait, over the Lettuce connection of the application's
 * {@link LettuceConnectionFactory}.
 *
 * <p>Every call waits at most the configured timeout; a call that fails, times out or finds Redis
 * unreachable throws {@link RemoteCallException} and never blocks the caller longer. The native
 * connection is opened on first use, not at construction, so an application starts while Redis is
 * down; after a failed attempt to connect, calls fail at once for {@link #RECONNECT_BACKOFF} instead of
 * each waiting for a connect timeout. Thread-safe: all calls share one multiplexed connection.
 */
public final class RemoteCommands implements AutoCloseable {

	/** How long calls fail fast after an attempt to open the connection failed. */
	public static final Duration RECONNECT_BACKOFF = Duration.ofSeconds(1);

	private static final int SCAN_BATCH = 500;

	private final RedisConnectionFactory connectionFactory;

	private final Duration timeout;

	private final long timeoutNanos;

	private volatile @Nullable RedisClusterAsyncCommands<byte[], byte[]> commands;

	private @Nullable RedisConnection connection;

	private long connectRetryAt;

	private boolean connectFailed;

	private boolean closed;

	/**
	 * @param connectionFactory the application's factory; it must be Lettuce's
	 * @param timeout how long one call may wait for Redis
	 * @throws IllegalStateException if the factory is not a {@link LettuceConnectionFactory}
	 */
	public RemoteCommands(RedisConnectionFactory connectionFactory, Duration timeout) {
		if (!(connectionFactory instanceof LettuceConnectionFactory)) {
			throw new IllegalStateException("Tiercache needs Lettuce, but the RedisConnectionFactory is a "
					+ connectionFactory.getClass().getName()
					+ "; use spring-boot-starter-data-redis with its default Lettuce client");
		}
		if (timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException("Redis timeout must be positive, but was " + timeout);
		}
		this.connectionFactory = connectionFactory;
		this.timeout = timeout;
		this.timeoutNanos = timeout.toNanos();
	}

	/** {@code GET key}; {@code null} when the key does not exist. */
	public byte @Nullable [] get(byte[] key) {
		return await(send((redis) -> redis.get(key)));
	}

	/** {@code UNLINK keys}; returns how many existed. */
	public long unlink(byte[]... keys) {
		Long removed = await(send((redis) -> redis.unlink(keys)));
		return removed != null ? removed : 0;
	}

	/** {@code PUBLISH channel message}. */
	public void publish(byte[] channel, byte[] message) {
		await(send((redis) -> redis.publish(channel, message)));
	}

	/**
	 * Runs a script by digest, loading it on a {@code NOSCRIPT} reply.
	 * @return the script's reply, converted as {@code outputType} says
	 */
	public <T> @Nullable T eval(LuaScript script, ScriptOutputType outputType, byte[][] keys, byte[]... args) {
		try {
			return waitFor(send((redis) -> redis.<T>evalsha(script.sha1(), outputType, keys, args)));
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RedisNoScriptException) {
				return await(send((redis) -> redis.<T>eval(script.source(), outputType, keys, args)));
			}
			throw failed(ex);
		}
	}

	/**
	 * Unlinks every key matching a glob pattern, scanning in batches (on a cluster, every master).
	 * Keys written while the scan runs may survive.
	 * @return how many keys were removed
	 */
	public long unlinkMatching(byte[] pattern) {
		ScanArgs args = ScanArgs.Builder.matches(pattern).limit(SCAN_BATCH);
		long removed = 0;
		ScanCursor cursor = ScanCursor.INITIAL;
		do {
			ScanCursor from = cursor;
			KeyScanCursor<byte[]> batch = await(send((redis) -> redis.scan(from, args)));
			if (batch == null) {
				break;
			}
			List<byte[]> keys = batch.getKeys();
			if (!keys.isEmpty()) {
				removed += unlink(keys.toArray(byte[][]::new));
			}
			cursor = batch;
		}
		while (!cursor.isFinished());
		return removed;
	}

	/**
	 * Issues a command. Lettuce throws at once, before any future exists, when the connection or its
	 * factory is closed; that too becomes a {@link RemoteCallException}.
	 */
	private <T> RedisFuture<T> send(Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
		RedisClusterAsyncCommands<byte[], byte[]> redis = commands();
		try {
			return command.apply(redis);
		}
		catch (RuntimeException ex) {
			throw new RemoteCallException("Cannot send a command to Redis: " + ex.getMessage(), ex);
		}
	}

	private <T> @Nullable T await(RedisFuture<T> future) {
		try {
			return waitFor(future);
		}
		catch (ExecutionException ex) {
			throw failed(ex);
		}
	}

	private <T> @Nullable T waitFor(RedisFuture<T> future) throws ExecutionException {
		try {
			return future.get(this.timeoutNanos, TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			future.cancel(false);
			throw new RemoteCallException("Redis did not answer within " + this.timeout.toMillis()
					+ " ms (raise 'tiercache.redis.timeout' if Redis is slow but healthy)", ex);
		}
		catch (InterruptedException ex) {
			future.cancel(false);
			Thread.currentThread().interrupt();
			throw new RemoteCallException("Interrupted while waiting for Redis", ex);
		}
	}

	private static RemoteCallException failed(ExecutionException ex) {
		Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
		return new RemoteCallException("Redis call failed: " + cause.getMessage(), cause);
	}

	private RedisClusterAsyncCommands<byte[], byte[]> commands() {
		RedisClusterAsyncCommands<byte[], byte[]> current = this.commands;
		return (current != null) ? current : connect();
	}

	private synchronized RedisClusterAsyncCommands<byte[], byte[]> connect() {
		RedisClusterAsyncCommands<byte[], byte[]> current = this.commands;
		if (current != null) {
			return current;
		}
		if (this.closed) {
			throw new RemoteCallException("Redis connection is closed", new IllegalStateException("closed"));
		}
		long now = System.nanoTime();
		if (this.connectFailed && now - this.connectRetryAt < 0) {
			throw new RemoteCallException("Redis is unreachable; retrying the connection shortly",
					new IllegalStateException("connection attempt failed recently"));
		}
		try {
			RedisConnection opened = this.connectionFactory.getConnection();
			this.connection = opened;
			current = ((LettuceConnection) opened).getNativeConnection();
			this.commands = current;
			this.connectFailed = false;
			return current;
		}
		catch (RuntimeException ex) {
			this.connectFailed = true;
			this.connectRetryAt = now + RECONNECT_BACKOFF.toNanos();
			throw new RemoteCallException("Cannot connect to Redis: " + ex.getMessage(), ex);
		}
	}

	@Override
	public synchronized void close() {
		this.closed = true;
		this.commands = null;
		RedisConnection opened = this.connection;
		this.connection = null;
		if (opened != null) {
			opened.close();
		}
	}

}
