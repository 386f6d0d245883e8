package dev.tiercache.coherence;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.StatefulRedisConnectionImpl;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.push.PushListener;
import io.lettuce.core.api.push.PushMessage;
import io.lettuce.core.protocol.ProtocolVersion;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;

/**
 * Keeps L1 coherent with Redis's server-assisted client-side caching, set up on Tiercache's own
 * connection each time it opens: {@code CLIENT TRACKING ON BCAST PREFIX … NOLOOP}. Redis then pushes
 * (RESP3) an invalidation for every change to a key under the prefixes, made by any other client, and
 * for every expiry and eviction; the instance's own writes, made on this connection, are not echoed, so
 * the entry it just wrote stays in L1 and no round trip is added.
 *
 * <p><b>Echoes.</b> Before Redis 7.2, {@code NOLOOP} does not cover writes made by scripts
 * (redis/redis#11052), and a write made on another connection is always echoed. An echo cannot be told
 * apart from another client's write of the same key in the same event-loop turn (Redis merges them), so
 * it is delivered like any change.
 *
 * <p><b>Ordering.</b> Pushes and replies share the connection, so an invalidation Redis sent before a
 * reply is delivered to the {@link InvalidationTarget} before the caller waiting for that reply wakes:
 * a value this instance writes or reads after another client's change is never dropped by that
 * change's invalidation, and a read that began before it cannot fill L1 afterwards (the target stops
 * reads in flight).
 *
 * <p><b>Lost messages.</b> When the connection comes back after a loss, tracking is switched on again
 * and then the target is told to {@link InvalidationTarget#resynchronize}; so it is when Redis flushes
 * its data.
 *
 * <p>If the connection does not speak RESP3, or the server or a proxy refuses {@code CLIENT TRACKING},
 * the mode is {@link CoherenceMode#NONE} and it says so in the log, once. Thread-safe.
 */
public final class ServerAssistedInvalidation implements RemoteCommands.ConnectionSetup {

	private static final Log logger = LogFactory.getLog(ServerAssistedInvalidation.class);

	private static final String INVALIDATE = "invalidate";

	private final String[] prefixes;

	private volatile @Nullable InvalidationTarget target;

	private volatile @Nullable CoherenceMode mode;


	/**
	 * @param prefixes the key prefixes to track; none may be a prefix of another
	 */
	public ServerAssistedInvalidation(List<String> prefixes) {
		this.prefixes = prefixes.toArray(String[]::new);
	}

	/** Where invalidations go; set before the first connection opens. */
	public void deliverTo(InvalidationTarget target) {
		this.target = target;
	}

	/** The mode in force, or {@code null} until a connection was set up. */
	public @Nullable CoherenceMode mode() {
		return this.mode;
	}

	@Override
	public void prepare(StatefulRedisConnection<byte[], byte[]> connection, Duration timeout) {
		InvalidationTarget delivery = this.target;
		if (delivery == null) {
			throw new IllegalStateException("No InvalidationTarget: call deliverTo before connecting");
		}
		if (!(connection instanceof StatefulRedisConnectionImpl<?, ?> lettuce)
				|| lettuce.getConnectionState().getNegotiatedProtocolVersion() != ProtocolVersion.RESP3) {
			use(CoherenceMode.NONE, "the Redis connection speaks RESP2, and invalidation pushes need RESP3 "
					+ "(Redis 6+, and no 'protocol-version' forcing RESP2 on the Lettuce client)");
			return;
		}
		connection.addListener(new Invalidations(delivery));
		connection.addListener(new Reconnections(connection, delivery));
		try {
			connection.async().clientTracking(arguments()).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
			use(CoherenceMode.TRACKING, null);
		}
		catch (ExecutionException ex) {
			use(CoherenceMode.NONE, "Redis refused CLIENT TRACKING: " + ex.getCause().getMessage());
		}
		catch (TimeoutException ex) {
			throw new RemoteCallException("Redis did not answer CLIENT TRACKING within " + timeout.toMillis() + " ms",
					ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new RemoteCallException("Interrupted while switching on CLIENT TRACKING", ex);
		}
	}

	private TrackingArgs arguments() {
		return TrackingArgs.Builder.enabled().bcast().prefixes(this.prefixes).noloop();
	}

	private void use(CoherenceMode next, @Nullable String reason) {
		CoherenceMode previous = this.mode;
		this.mode = next;
		if (next == previous) {
			return;
		}
		if (next == CoherenceMode.TRACKING) {
			logger.info("Tiercache keeps L1 coherent across instances with Redis server-assisted invalidation "
					+ "(CLIENT TRACKING BCAST on " + String.join(", ", this.prefixes) + ")");
		}
		else {
			logger.warn("Tiercache cannot keep L1 coherent across instances (" + reason + "): an instance sees "
					+ "another's writes when its L1 entry expires ('local.ttl')");
		}
	}

	/** Hands each pushed invalidation to the target, on the I/O thread, in order. */
	private static final class Invalidations implements PushListener {

		private final InvalidationTarget target;

		Invalidations(InvalidationTarget target) {
			this.target = target;
		}

		@Override
		public void onPushMessage(PushMessage message) {
			if (!INVALIDATE.equals(message.getType())) {
				return;
			}
			List<Object> content = message.getContent();
			Object keys = (content.size() > 1) ? content.get(1) : null;
			if (!(keys instanceof List<?> changed)) {
				// a null key list: the server flushed its data
				this.target.resynchronize();
				return;
			}
			for (Object key : changed) {
				byte[] bytes = bytes(key);
				if (bytes != null) {
					this.target.changed(bytes);
				}
			}
		}

		private static byte @Nullable [] bytes(@Nullable Object key) {
			if (key instanceof byte[] bytes) {
				return bytes;
			}
			if (key instanceof ByteBuffer buffer) {
				byte[] bytes = new byte[buffer.remaining()];
				buffer.duplicate().get(bytes);
				return bytes;
			}
			return null;
		}

	}

	/** After a reconnect: tracking on again, then the target resynchronizes. */
	private final class Reconnections implements RedisConnectionStateListener {

		private final StatefulRedisConnection<byte[], byte[]> connection;

		private final InvalidationTarget target;

		Reconnections(StatefulRedisConnection<byte[], byte[]> connection, InvalidationTarget target) {
			this.connection = connection;
			this.target = target;
		}

		@Override
		public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
			this.connection.async().clientTracking(arguments()).whenComplete((reply, failure) -> {
				if (failure != null) {
					use(CoherenceMode.NONE, "Redis refused CLIENT TRACKING after a reconnect: " + failure.getMessage());
				}
				else {
					use(CoherenceMode.TRACKING, null);
				}
				this.target.resynchronize();
			});
		}

	}

}
