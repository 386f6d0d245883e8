package dev.tiercache.internal.redis;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.lettuce.core.ReadFrom;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.resilience.RedisConnectionRejectedException;

/**
 * Redis calls with a bounded wait, over a Lettuce connection of their own, opened with the client of the
 * application's {@link LettuceConnectionFactory} (so with its endpoints, credentials and TLS).
 *
 * <p><b>Bounded.</b> Every call, including connecting and a script re-sent after {@code NOSCRIPT},
 * waits at most the configured timeout in total. A call that fails, times out,
 * is cancelled or finds Redis unreachable throws {@link RemoteCallException}; no other client failure
 * reaches the caller.
 *
 * <p><b>Guarded.</b> Every call is recorded in the {@link RedisCircuitBreaker} of the connection
 * factory, and while the breaker does not admit calls, they fail at once without reaching Redis; how
 * each outcome counts is {@code BreakerGate}'s to say.
 *
 * <p><b>Connecting.</b> The connection is opened on a background thread, never on a caller's: a call
 * made while it opens waits for it at most the timeout, and {@link #connect(Duration)} lets start-up wait
 * for it a little longer. A failed attempt fails the calls waiting for it (and counts against Redis in
 * the breaker). A connection found closed is opened again, so Redis comes back without a restart
 * ({@code Connector} opens, keeps and drops it).
 *
 * <p>Thread-safe: all calls share one multiplexed connection.
 */
public final class RemoteCommands implements AutoCloseable {

	/** A call is cut short when its operation's deadline takes more than this fraction off its own timeout. */
	private static final long CUT_SHORT_FRACTION = 10;

	/** What a call made after the deadline it was given throws: shared, without a stack trace. */
	private static final RemoteCallException TIME_SPENT = new RemoteCallException(
			"This cache operation has already waited for Redis as long as 'tiercache.redis.timeout' allows");

	private static final Log logger = LogFactory.getLog(RemoteCommands.class);

	private final RedisCircuitBreaker breaker;

	/** Whether a call may go, and how its outcome counts in the breaker. */
	private final BreakerGate gate;

	/** Opens, keeps and drops the connection. */
	private final Connector connector;

	private final RedisCircuitBreaker.Probe probe = this::ping;

	private final ClusterProbe clusterProbe;

	private final Duration timeout;

	private final long timeoutNanos;

	/**
	 * Calls on a connection of their own to the primary, whatever the factory's own connections read
	 * from ({@code spring.data.redis.lettuce.read-from}).
	 * @throws IllegalStateException if the factory is not a {@link LettuceConnectionFactory}
	 */
	public static RemoteCommands dedicated(RedisConnectionFactory connectionFactory, Duration timeout,
			RedisCircuitBreaker breaker) {
		return new RemoteCommands(connectionFactory, timeout, breaker, true, null, null);
	}

	/**
	 * Calls on a connection of their own, which {@code setup} prepares each time one is opened, before
	 * any call uses it (a standalone or Sentinel Redis only: with a cluster client it is not called).
	 * @throws IllegalStateException if the factory is not a {@link LettuceConnectionFactory}
	 */
	public static RemoteCommands dedicated(RedisConnectionFactory connectionFactory, Duration timeout,
			RedisCircuitBreaker breaker, ConnectionSetup setup) {
		return new RemoteCommands(connectionFactory, timeout, breaker, true, setup, null);
	}

	/**
	 * Calls on a connection of their own whose read commands ({@code GET}, say) go where {@code readFrom}
	 * says, replicas among them, and whose other commands go to the primary: on a Redis Cluster, per slot;
	 * under Sentinel, following its failovers; on one Redis, to the replicas it lists when connected.
	 * @throws IllegalStateException if the factory is not a {@link LettuceConnectionFactory}
	 */
	static RemoteCommands readingFrom(RedisConnectionFactory connectionFactory, Duration timeout,
			RedisCircuitBreaker breaker, ReadFrom readFrom) {
		return new RemoteCommands(connectionFactory, timeout, breaker, true, null, readFrom);
	}

	/**
	 * Calls on a connection of their own, for commands that block the connection they run on by design
	 * ({@code WAIT}, {@code WAITAOF}): their failures count in the breaker, their duration does not.
	 * @throws IllegalStateException if the factory is not a {@link LettuceConnectionFactory}
	 */
	public static RemoteCommands blocking(RedisConnectionFactory connectionFactory, Duration timeout,
			RedisCircuitBreaker breaker) {
		return new RemoteCommands(connectionFactory, timeout, breaker, false, null, null);
	}

	private RemoteCommands(RedisConnectionFactory connectionFactory, Duration timeout, RedisCircuitBreaker breaker,
			boolean timed, @Nullable ConnectionSetup setup, @Nullable ReadFrom readFrom) {
		if (!(connectionFactory instanceof LettuceConnectionFactory lettuce)) {
			throw new IllegalStateException("Tiercache needs Lettuce, but the RedisConnectionFactory is a "
					+ connectionFactory.getClass().getName()
					+ "; use spring-boot-starter-data-redis with its default Lettuce client");
		}
		if (timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException("Redis timeout must be positive, but was " + timeout);
		}
		this.breaker = breaker;
		this.gate = new BreakerGate(breaker, timed);
		this.connector = new Connector(connectionFactory, setup, readFrom, timeout);
		this.clusterProbe = new ClusterProbe(lettuce, breaker::probeNow);
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
	 * @throws RedisConnectionRejectedException if, in that time, Redis refused the credentials or the client
	 * the TLS certificate: a connection that can never open
	 */
	public boolean connect(Duration wait) {
		try {
			this.connector.connection(System.nanoTime() + wait.toNanos());
			return true;
		}
		catch (RemoteCallException ex) {
			RedisConnectionRejectedException rejected = RedisConnectionRejectedException.causing(ex);
			if (rejected != null) {
				throw rejected;
			}
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

	/**
	 * Whether calls from this thread go to Redis now; {@code false} while the breaker keeps callers from
	 * it (they fail at once). One volatile read while the breaker is closed.
	 */
	public boolean admits() {
		return this.breaker.admits();
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
	 * {@link #deadline()}) when that comes before the timeout. A call that the deadline cuts short by more
	 * than a tenth of the timeout is not held against Redis; one made after it fails at once.
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
		this.gate.admit();
		long started = System.nanoTime();
		long deadline = started + this.timeoutNanos;
		// a call left less than its own timeout by the calls before it in the operation: its timeout is
		// not held against Redis (the first call of an operation, left all but a trace of it, is)
		boolean cutShort = bounded && operationDeadline - deadline < -this.timeoutNanos / CUT_SHORT_FRACTION;
		if (bounded && operationDeadline - deadline < 0) {
			if (operationDeadline - started <= 0) {
				throw TIME_SPENT;
			}
			deadline = operationDeadline;
		}
		try {
			T reply = await(send(command, deadline), deadline);
			this.gate.succeeded(started);
			return reply;
		}
		catch (RemoteCallException ex) {
			if (!cutShort || !(ex.getCause() instanceof TimeoutException)) {
				this.gate.failed(ex, started);
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
			this.gate.admit();
			send(command, System.nanoTime() + this.timeoutNanos);
			return true;
		}
		catch (RemoteCallException ex) {
			logger.debug("Tiercache could not send a notification to Redis", ex);
			return false;
		}
	}

	/**
	 * {@code PING}, whether the breaker admits calls or not, and unrecorded: the breaker's probe. On a
	 * Redis Cluster, every primary that serves slots must answer, once the topology is refreshed
	 * ({@code ClusterProbe}).
	 * @throws RemoteCallException if Redis does not answer within the timeout
	 */
	public void ping() {
		long deadline = System.nanoTime() + this.timeoutNanos;
		await(send((redis) -> (redis instanceof RedisAdvancedClusterAsyncCommands<byte[], byte[]> cluster)
				? this.clusterProbe.ping(cluster.getStatefulConnection(), deadline) : redis.ping(), deadline), deadline);
	}

	/**
	 * Issues a command. Lettuce throws at once, before any future exists, when the connection or its
	 * factory is closed; that drops the connection and becomes a {@link RemoteCallException}. A command
	 * Lettuce refuses for its arguments (an {@link IllegalArgumentException}: a {@code null} id, say) is
	 * the caller's error and leaves the connection alone, since other callers share it.
	 * @throws IllegalArgumentException if Lettuce refuses the command's arguments
	 */
	private <T> Future<T> send(Function<RedisClusterAsyncCommands<byte[], byte[]>, ? extends Future<T>> command,
			long deadline) {
		Connector.Connection connection = this.connector.connection(deadline);
		try {
			return command.apply(connection.commands());
		}
		catch (IllegalArgumentException ex) {
			throw ex;
		}
		catch (RuntimeException ex) {
			this.connector.dropUnsendable(connection);
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
			this.connector.dropIfClosed();
			throw timedOut(ex);
		}
		catch (InterruptedException ex) {
			future.cancel(false);
			Thread.currentThread().interrupt();
			throw new RemoteCallException("Interrupted while waiting for Redis", ex);
		}
		catch (ExecutionException ex) {
			this.connector.dropIfClosed();
			throw ex;
		}
		catch (RuntimeException ex) {
			// CancellationException when the connection is reset under a command, or anything else the client throws
			this.connector.dropIfClosed();
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

	/** Stops probing Redis for the breaker, closes the connection and opens none again. */
	@Override
	public void close() {
		this.breaker.removeProbe(this.probe);
		this.clusterProbe.close();
		this.connector.close();
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

		/**
		 * Prepares a dedicated connection to a Redis Cluster, whose node connections carry the commands
		 * for their slots; by default, nothing. Same thread and contract as for one Redis.
		 */
		default void prepare(StatefulRedisClusterConnection<byte[], byte[]> connection, Duration timeout) {
		}

	}

}
