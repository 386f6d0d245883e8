package dev.tiercache.internal.redis;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import io.lettuce.core.AbstractRedisAsyncCommands;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.masterreplica.StatefulRedisMasterReplicaConnection;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.DirectFieldAccessor;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.internal.concurrent.DaemonThreads;

/**
 * The one connection of a {@link RemoteCommands}, of its own rather than the factory's shared one: to the
 * primary (prepared by a {@link RemoteCommands.ConnectionSetup} before any call uses it, on a standalone
 * or Sentinel Redis and on a Redis Cluster), or one that sends read commands where a {@link ReadFrom}
 * says (replicas, say) and the others to the primary.
 *
 * <p>The connection is opened on a background thread, never on a caller's: a caller waits for it at
 * most until its deadline, and a connection still opening after that goes on opening in the
 * background. At most one attempt runs at a time. A failed attempt fails the callers waiting for it;
 * the next call starts a new one. A connection found closed (the factory was stopped or destroyed,
 * which shuts its client down), or on which a command could not even be sent, is dropped and closed,
 * so that the next call opens a new one and Redis comes back without a restart. Once
 * {@link #close() closed}, no connection is opened again. Thread-safe.
 */
final class Connector implements AutoCloseable {

	/** Logs as the commands it serves, whose connection it is. */
	private static final Log logger = LogFactory.getLog(RemoteCommands.class);

	private final RedisConnectionFactory connectionFactory;

	private final RemoteCommands.@Nullable ConnectionSetup setup;

	private final @Nullable ReadFrom readFrom;

	private final Duration timeout;

	private final ExecutorService connector = Executors
		.newSingleThreadExecutor(DaemonThreads.named("tiercache-redis-connect"));

	private volatile @Nullable Connection connected;

	private @Nullable CompletableFuture<Connection> connecting;

	private boolean closed;

	/**
	 * @param connectionFactory the application's factory, Lettuce's
	 * @param setup prepares each connection once it is open
	 * @param readFrom where the connection sends its read commands; {@code null} for the primary
	 * @param timeout how long {@code setup} may block
	 */
	Connector(RedisConnectionFactory connectionFactory, RemoteCommands.@Nullable ConnectionSetup setup,
			@Nullable ReadFrom readFrom, Duration timeout) {
		this.connectionFactory = connectionFactory;
		this.setup = setup;
		this.readFrom = readFrom;
		this.timeout = timeout;
	}

	/**
	 * The open connection, starting to open one in the background if there is none, and waiting for it
	 * until {@code deadline} ({@link System#nanoTime()}) at the latest.
	 * @throws RemoteCallException ({@linkplain RemoteCallException#notSent not sent}) if it is not open
	 * by then, the attempt failed, the caller was interrupted, or this is closed
	 */
	Connection connection(long deadline) {
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
		AbstractRedisClient client = ((LettuceConnectionFactory) this.connectionFactory).getNativeClient();
		if (client instanceof RedisClient standalone && this.readFrom != null) {
			StatefulRedisMasterReplicaConnection<byte[], byte[]> connection = MasterReplica.connect(standalone,
					ByteArrayCodec.INSTANCE, uriOf(standalone));
			connection.setReadFrom(this.readFrom);
			prepared(connection, (setup) -> setup.prepare(connection, this.timeout));
			return new Connection(connection::close, connection.async());
		}
		if (client instanceof RedisClient standalone) {
			StatefulRedisConnection<byte[], byte[]> connection = standalone.connect(ByteArrayCodec.INSTANCE);
			prepared(connection, (setup) -> setup.prepare(connection, this.timeout));
			return new Connection(connection::close, connection.async());
		}
		if (client instanceof RedisClusterClient cluster) {
			StatefulRedisClusterConnection<byte[], byte[]> connection = cluster.connect(ByteArrayCodec.INSTANCE);
			if (this.readFrom != null) {
				connection.setReadFrom(this.readFrom);
			}
			prepared(connection, (setup) -> setup.prepare(connection, this.timeout));
			return new Connection(connection::close, connection.async());
		}
		throw new IllegalStateException("Unsupported Lettuce client " + client);
	}

	/**
	 * The URI the factory built its client with (a Sentinel URI, or the one Redis whose replicas are
	 * discovered from it), credentials and TLS included: the client keeps it in a private field, which
	 * Spring Data Redis reads the same way for its own primary-and-replica connections.
	 */
	private static RedisURI uriOf(RedisClient client) {
		if (new DirectFieldAccessor(client).getPropertyValue("redisURI") instanceof RedisURI uri) {
			return uri;
		}
		throw new IllegalStateException("Cannot find the Redis URI of the Lettuce client " + client
				+ " to read from replicas; remove 'tiercache.redis.read-from' or report this Lettuce version");
	}

	/** Runs the setup on a connection just opened, closing it if the setup fails. */
	private void prepared(AutoCloseable connection, Consumer<RemoteCommands.ConnectionSetup> preparation) {
		try {
			if (this.setup != null) {
				preparation.accept(this.setup);
			}
		}
		catch (RuntimeException | Error ex) {
			try {
				connection.close();
			}
			catch (Exception closing) {
				ex.addSuppressed(closing);
			}
			throw ex;
		}
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
	 * Drops the current connection if it is closed, so that the next call opens a new one: after a call
	 * on it timed out or failed (a connection that lost its socket would otherwise wait for the client's
	 * own reconnect, whose back-off grows to many seconds).
	 */
	void dropIfClosed() {
		dropIfClosed(this.connected, false);
	}

	/** Drops a connection on which a command could not even be sent, open or not. */
	void dropUnsendable(Connection connection) {
		dropIfClosed(connection, true);
	}

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

	/** Closes the connection and stops opening any: calls fail from now on. */
	@Override
	public void close() {
		Connection current;
		synchronized (this) {
			this.closed = true;
			current = this.connected;
			this.connected = null;
		}
		this.connector.shutdownNow();
		if (current != null) {
			current.close();
		}
	}

	/** An open connection: how to close it and Lettuce's commands. */
	record Connection(Runnable closer, RedisClusterAsyncCommands<byte[], byte[]> commands) {

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
