package dev.tiercache.internal.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.lettuce.core.AbstractRedisAsyncCommands;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.internal.concurrent.DaemonThreads;
import dev.tiercache.resilience.RedisCircuitBreaker;

/**
 * Redis calls with a bounded wait, over the Lettuce connection of the application's
 * {@link LettuceConnectionFactory}.
 *
 * <p><b>Bounded.</b> Every call, including connecting and a script re-sent after {@code NOSCRIPT},
 * waits at most the configured timeout in total. A call that fails, times out,
 * is cancelled or finds Redis unreachable throws {@link RemoteCallException}; no other client failure
 * reaches the caller.
 *
 * <p><b>Guarded.</b> Every call is recorded in the {@link RedisCircuitBreaker} of the connection
 * factory: its duration when Redis answered (an error reply is an answer, unless it says Redis cannot
 * serve, such as {@code LOADING} or {@code READONLY}), a failure when it did not. While the breaker
 * does not admit calls, they fail at once without reaching Redis. A caller's interrupt is not held
 * against Redis.
 *
 * <p><b>Connecting.</b> The connection is opened on a background thread, never on a caller's: a call
 * made while it opens waits for it at most the timeout. {@link #connect(Duration)} lets start-up wait
 * for it a little longer. A failed attempt fails the calls waiting for it (and counts against Redis in
 * the breaker); the next call starts a new one. If the connection is found closed (the factory was
 * stopped, reset or destroyed), it is dropped and opened again, so Redis comes back without a restart.
 *
 * <p>Thread-safe: all calls share one multiplexed connection.
 */
public final class RemoteCommands implements AutoCloseable {

	/** What a call made while the breaker does not admit calls throws: shared, without a stack trace. */
	private static final RemoteCallException NOT_ADMITTED = new RemoteCallException(
			"Tiercache is not calling Redis for now: it failed or was slow too often, and is probed in the background"
					+ " (settings: 'tiercache.redis.breaker.*')");

	/** What a call made after the deadline it was given throws: shared, without a stack trace. */
	private static final RemoteCallException TIME_SPENT = new RemoteCallException(
			"This cache operation has already waited for Redis as long as 'tiercache.redis.timeout' allows");

	/** Error replies that mean Redis cannot serve now, rather than that the command was wrong. */
	private static final List<String> OUTAGE_REPLIES = List.of("LOADING", "BUSY ", "MASTERDOWN", "CLUSTERDOWN",
			"TRYAGAIN", "READONLY", "NOREPLICAS");

	private static final Log logger = LogFactory.getLog(RemoteCommands.class);

	private final RedisConnectionFactory connectionFactory;

	private final boolean dedicated;

	private final @Nullable ConnectionSetup setup;

	private final RedisCircuitBreaker breaker;

	/** Whether a call's duration is held against Redis (not for commands that block by design). */
	private final boolean timed;

	private final RedisCircuitBreaker.Probe probe = this::ping;

	private final Duration timeout;

	private final long timeoutNanos;

	private final ExecutorService connector = Executors
		.newSingleThreadExecutor(DaemonThreads.named("tiercache-redis-connect"));

	private volatile @Nullable Connection connected;

	private @Nullable CompletableFuture<Connection> connecting;

	private boolean closed;

	/**
	 * Calls on the factory's shared connection.
	 * @param connectionFactory the application's factory; it must be Lettuce's
	 * @param timeout how long one call may wait for Redis
	 * @param breaker the breaker of this factory's Redis
	 * @throws IllegalStateException if the factory is not a {@link LettuceConnectionFactory}
	 */
	public RemoteCommands(RedisConnectionFactory connectionFactory, Duration timeout, RedisCircuitBreaker breaker) {
		this(connectionFactory, timeout, breaker, false, true, null);
	}

	/**
	 * Calls on a connection of their own, which {@code setup} prepares each time one is opened, before
	 * any call uses it (a standalone or Sentinel Redis only: with a cluster client it is not called).
	 * @throws IllegalStateException if the factory is not a {@link LettuceConnectionFactory}
	 */
	public static RemoteCommands dedicated(RedisConnectionFactory connectionFactory, Duration timeout,
			RedisCircuitBreaker breaker, ConnectionSetup setup) {
		return new RemoteCommands(connectionFactory, timeout, breaker, true, true, setup);
	}

	/**
	 * Calls on a connection of their own, for commands that block the connection they run on by design
	 * ({@code WAIT}, {@code WAITAOF}): their failures count in the breaker, their duration does not.
	 * @throws IllegalStateException if the factory is not a {@link LettuceConnectionFactory}
	 */
	public static RemoteCommands blocking(RedisConnectionFactory connectionFactory, Duration timeout,
			RedisCircuitBreaker breaker) {
		return new RemoteCommands(connectionFactory, timeout, breaker, true, false, null);
	}

	private RemoteCommands(RedisConnectionFactory connectionFactory, Duration timeout, RedisCircuitBreaker breaker,
			boolean dedicated, boolean timed, @Nullable ConnectionSetup setup) {
		if (!(connectionFactory instanceof LettuceConnectionFactory)) {
			throw new IllegalStateException("Tiercache needs Lettuce, but the RedisConnectionFactory is a "
					+ connectionFactory.getClass().getName()
					+ "; use spring-boot-starter-data-redis with its default Lettuce client");
		}
		if (timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException("Redis timeout must be positive, but was " + timeout);
		}
		this.connectionFactory = connectionFactory;
		this.dedicated = dedicated;
		this.setup = setup;
		this.breaker = breaker;
		this.timed = timed;
		this.timeout = timeout;
		this.timeoutNanos = timeout.toNanos();
		if (timed) {
			breaker.probeWith(this.probe);
		}
	}

	/**
	 * Starts opening the connection in the background, if it is not open, and waits for it at most
	 * {@code wait}; a connection still opening after that goes on opening in the background.
	 * @return whether the connection is open
	 */
	public boolean connect(Duration wait) {
		try {
			connection(System.nanoTime() + wait.toNanos());
			return true;
		}
		catch (RemoteCallException ex) {
			logger.debug("Tiercache is not connected to Redis yet", ex);
			return false;
		}
	}

	/**
	 * A deadline for calls that together may wait for Redis at most one timeout: the timeout from now.
	 * Pass it to {@link #call(Function, long)} and {@link #eval(long, LuaScript, ScriptOutputType, byte[][], byte[]...)},
	 * moving it on by the time spent on anything else between calls.
	 */
	public long deadline() {
		return System.nanoTime() + this.timeoutNanos;
	}

	/** {@code GET key}; {@code null} when the key does not exist. */
	public byte @Nullable [] get(byte[] key) {
		return call((redis) -> redis.get(key));
	}

	/**
	 * Sends any command through Lettuce's asynchronous API, with the same bounded wait and failure
	 * handling as the others.
	 * @param command issues the command on the connection's commands
	 * @return the command's reply
	 */
	public <T> @Nullable T call(Function<RedisClusterAsyncCommands<byte[], byte[]>, ? extends Future<T>> command) {
		return invoke(command, 0, false);
	}

	/**
	 * Sends any command as {@link #call(Function)} does, waiting at most until {@code deadline} (a
	 * {@link #deadline()}) when that comes before the timeout. A call cut short by the deadline is not
	 * held against Redis; one made after it fails at once.
	 */
	public <T> @Nullable T call(Function<RedisClusterAsyncCommands<byte[], byte[]>, ? extends Future<T>> command,
			long deadline) {
		return invoke(command, deadline, true);
	}

	/**
	 * Runs a script by digest, loading it on a {@code NOSCRIPT} reply, within one timeout in total.
	 * @return the script's reply, converted as {@code outputType} says
	 */
	public <T> @Nullable T eval(LuaScript script, ScriptOutputType outputType, byte[][] keys, byte[]... args) {
		return invoke(script(script, outputType, keys, args), 0, false);
	}

	/** Runs a script as {@link #eval(LuaScript, ScriptOutputType, byte[][], byte[]...)} does, by {@code deadline} at the latest. */
	public <T> @Nullable T eval(long deadline, LuaScript script, ScriptOutputType outputType, byte[][] keys,
			byte[]... args) {
		return invoke(script(script, outputType, keys, args), deadline, true);
	}

	/**
	 * Runs a script by digest, then by source on {@code NOSCRIPT}. Cancelling the returned future (a
	 * timeout does) cancels Lettuce's command too: a command it still holds, unsent or waiting for a
	 * reconnect, is then never sent, rather than run long after its caller gave up on it.
	 */
	private static <T> Function<RedisClusterAsyncCommands<byte[], byte[]>, Future<T>> script(LuaScript script,
			ScriptOutputType outputType, byte[][] keys, byte[][] args) {
		return (redis) -> {
			CompletableFuture<T> sent = redis.<T>evalsha(script.sha1(), outputType, keys, args).toCompletableFuture();
			CompletableFuture<T> reply = sent.exceptionallyCompose(
					(failure) -> (failure instanceof RedisNoScriptException) ? redis.<T>eval(script.source(), outputType, keys, args)
							: CompletableFuture.failedFuture(failure));
			reply.whenComplete((value, failure) -> {
				if (reply.isCancelled()) {
					sent.cancel(false);
				}
			});
			return reply;
		};
	}

	private <T> @Nullable T invoke(Function<RedisClusterAsyncCommands<byte[], byte[]>, ? extends Future<T>> command,
			long operationDeadline, boolean bounded) {
		if (!this.breaker.admits()) {
			throw NOT_ADMITTED;
		}
		long started = System.nanoTime();
		long deadline = started + this.timeoutNanos;
		boolean cutShort = bounded && operationDeadline - deadline < 0;
		if (cutShort) {
			if (operationDeadline - started <= 0) {
				throw TIME_SPENT;
			}
			deadline = operationDeadline;
		}
		try {
			T reply = await(send(command, deadline), deadline);
			this.breaker.succeeded(elapsedSince(started));
			return reply;
		}
		catch (RemoteCallException ex) {
			if (!cutShort || !(ex.getCause() instanceof TimeoutException)) {
				record(ex, started);
			}
			throw ex;
		}
	}

	/**
	 * Sends a command without waiting for its reply, for fire-and-forget notifications; it is not sent
	 * while the breaker does not admit calls, and a failure to send is logged at debug level. Waits at
	 * most the timeout for the connection to open.
	 * @return whether the command was sent
	 */
	public <T> boolean sendAndForget(Function<RedisClusterAsyncCommands<byte[], byte[]>, ? extends Future<T>> command) {
		try {
			if (!this.breaker.admits()) {
				throw NOT_ADMITTED;
			}
			send(command, System.nanoTime() + this.timeoutNanos);
			return true;
		}
		catch (RemoteCallException ex) {
			logger.debug("Tiercache could not send a notification to Redis", ex);
			return false;
		}
	}

	/**
	 * {@code PING}, whether the breaker admits calls or not, and unrecorded: the breaker's probe.
	 * @throws RemoteCallException if Redis does not answer within the timeout
	 */
	public void ping() {
		long deadline = System.nanoTime() + this.timeoutNanos;
		await(send(RedisClusterAsyncCommands::ping, deadline), deadline);
	}

	private long elapsedSince(long started) {
		return this.timed ? System.nanoTime() - started : 0;
	}

	/**
	 * Records a failed call in the breaker: an error reply as an answer (unless it says Redis cannot
	 * serve), an interrupt of the caller not at all, anything else as a failure.
	 */
	private void record(RemoteCallException failure, long started) {
		Throwable cause = failure.getCause();
		if (cause instanceof InterruptedException) {
			return;
		}
		if (cause instanceof RedisCommandExecutionException reply && !signalsOutage(reply.getMessage())) {
			this.breaker.succeeded(elapsedSince(started));
		}
		else {
			this.breaker.failed(elapsedSince(started), failure);
		}
	}

	private static boolean signalsOutage(@Nullable String reply) {
		if (reply != null) {
			for (String prefix : OUTAGE_REPLIES) {
				if (reply.startsWith(prefix)) {
					return true;
				}
			}
		}
		return false;
	}

	/**
	 * Issues a command. Lettuce throws at once, before any future exists, when the connection or its
	 * factory is closed; that drops the connection and becomes a {@link RemoteCallException}.
	 */
	private <T> Future<T> send(Function<RedisClusterAsyncCommands<byte[], byte[]>, ? extends Future<T>> command,
			long deadline) {
		Connection connection = connection(deadline);
		try {
			return command.apply(connection.commands());
		}
		catch (RuntimeException ex) {
			dropIfClosed(connection, true);
			throw RemoteCallException.notSent("Cannot send a command to Redis: " + ex.getMessage(), ex);
		}
	}

	private <T> @Nullable T await(Future<T> future, long deadline) {
		try {
			return waitFor(future, deadline);
		}
		catch (ExecutionException ex) {
			Throwable cause = (ex.getCause() instanceof CompletionException wrapped && wrapped.getCause() != null)
					? wrapped.getCause() : ex.getCause();
			throw failed((cause != null) ? cause : ex);
		}
	}

	private <T> @Nullable T waitFor(Future<T> future, long deadline) throws ExecutionException {
		try {
			return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			future.cancel(false);
			// a connection that lost its socket waits for the client's own reconnect, whose back-off grows
			// to many seconds; a new one is opened at the next call instead
			dropIfClosed(this.connected, false);
			throw timedOut(ex);
		}
		catch (InterruptedException ex) {
			future.cancel(false);
			Thread.currentThread().interrupt();
			throw new RemoteCallException("Interrupted while waiting for Redis", ex);
		}
		catch (ExecutionException ex) {
			dropIfClosed(this.connected, false);
			throw ex;
		}
		catch (RuntimeException ex) {
			// CancellationException when the connection is reset under a command, or anything else the client throws
			dropIfClosed(this.connected, false);
			throw new RemoteCallException("Redis call did not complete: " + ex, ex);
		}
	}

	private RemoteCallException timedOut(Exception cause) {
		return new RemoteCallException("Redis did not answer in time ('tiercache.redis.timeout' = "
				+ this.timeout.toMillis() + " ms per cache operation; raise it if Redis is slow but healthy)", cause);
	}

	private static RemoteCallException failed(Throwable cause) {
		return new RemoteCallException("Redis call failed: " + cause.getMessage(), cause);
	}

	private Connection connection(long deadline) {
		Connection current = this.connected;
		if (current != null) {
			return current;
		}
		CompletableFuture<Connection> attempt = startConnecting();
		try {
			return attempt.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			throw RemoteCallException.notSent("Not connected to Redis yet (connecting in the background)", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw RemoteCallException.notSent("Interrupted while waiting for the Redis connection", ex);
		}
		catch (ExecutionException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			throw RemoteCallException.notSent("Cannot connect to Redis: " + cause.getMessage(), cause);
		}
	}

	private synchronized CompletableFuture<Connection> startConnecting() {
		Connection current = this.connected;
		if (current != null) {
			return CompletableFuture.completedFuture(current);
		}
		if (this.closed) {
			throw RemoteCallException.notSent("Redis connection is closed", new IllegalStateException("closed"));
		}
		CompletableFuture<Connection> attempt = this.connecting;
		if (attempt != null) {
			return attempt;
		}
		CompletableFuture<Connection> started = CompletableFuture.supplyAsync(this::open, this.connector);
		this.connecting = started;
		started.whenComplete((connection, failure) -> connected(connection, failure));
		return started;
	}

	private Connection open() {
		if (this.dedicated) {
			return openDedicated();
		}
		RedisConnection opened = this.connectionFactory.getConnection();
		try {
			return new Connection(opened::close, ((LettuceConnection) opened).getNativeConnection());
		}
		catch (RuntimeException ex) {
			opened.close();
			throw ex;
		}
	}

	private Connection openDedicated() {
		AbstractRedisClient client = ((LettuceConnectionFactory) this.connectionFactory).getNativeClient();
		if (client instanceof RedisClient standalone) {
			StatefulRedisConnection<byte[], byte[]> connection = standalone.connect(ByteArrayCodec.INSTANCE);
			try {
				if (this.setup != null) {
					this.setup.prepare(connection, this.timeout);
				}
			}
			catch (RuntimeException | Error ex) {
				connection.close();
				throw ex;
			}
			return new Connection(connection::close, connection.async());
		}
		if (client instanceof RedisClusterClient cluster) {
			StatefulRedisClusterConnection<byte[], byte[]> connection = cluster.connect(ByteArrayCodec.INSTANCE);
			return new Connection(connection::close, connection.async());
		}
		throw new IllegalStateException("Unsupported Lettuce client " + client);
	}

	private synchronized void connected(@Nullable Connection connection, @Nullable Throwable failure) {
		this.connecting = null;
		if (connection == null) {
			logger.debug("Tiercache could not connect to Redis", failure);
			return;
		}
		if (this.closed) {
			connection.close();
			return;
		}
		this.connected = connection;
	}

	/**
	 * Drops the connection if it is closed, or whenever a command could not even be sent on it, so that
	 * the next call opens a new one.
	 */
	private void dropIfClosed(@Nullable Connection connection, boolean sendFailed) {
		if (connection == null || (!sendFailed && connection.isOpen())) {
			return;
		}
		synchronized (this) {
			if (this.connected == connection) {
				this.connected = null;
			}
		}
		connection.close();
	}

	@Override
	public void close() {
		Connection current;
		synchronized (this) {
			this.closed = true;
			this.breaker.removeProbe(this.probe);
			current = this.connected;
			this.connected = null;
		}
		this.connector.shutdownNow();
		if (current != null) {
			current.close();
		}
	}

	/**
	 * Prepares a dedicated connection once it is open, before any call uses it: for per-connection
	 * state such as client tracking.
	 */
	@FunctionalInterface
	public interface ConnectionSetup {

		/**
		 * Runs on the thread that opens connections; may block for up to {@code timeout}.
		 * @throws RuntimeException to fail this attempt to connect (it is retried as a failed connect is)
		 */
		void prepare(StatefulRedisConnection<byte[], byte[]> connection, Duration timeout);

	}

	/** An open connection: how to close it (Spring's handle gives it back) and Lettuce's commands. */
	private record Connection(Runnable closer, RedisClusterAsyncCommands<byte[], byte[]> commands) {

		boolean isOpen() {
			return !(this.commands instanceof AbstractRedisAsyncCommands<?, ?> lettuce)
					|| lettuce.getConnection().isOpen();
		}

		void close() {
			try {
				this.closer.run();
			}
			catch (RuntimeException ex) {
				logger.debug("Could not close a Tiercache Redis connection", ex);
			}
		}

	}

}
