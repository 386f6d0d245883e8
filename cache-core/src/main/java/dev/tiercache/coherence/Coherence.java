package dev.tiercache.coherence;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.StatefulRedisConnectionImpl;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.push.PushListener;
import io.lettuce.core.api.push.PushMessage;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.protocol.ProtocolVersion;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnectionFactory;

import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;

/**
 * Keeps every instance's L1 coherent with Redis, set up on Tiercache's own connection each time it
 * opens ({@link RemoteCommands.ConnectionSetup}).
 *
 * <p><b>{@link CoherenceMode#TRACKING}</b> (Redis 6+, RESP3): {@code CLIENT TRACKING ON BCAST PREFIX …
 * NOLOOP}. Redis pushes an invalidation for every change to a key under the prefixes, made by any other
 * client, and for every expiry and eviction. Pushes and replies share the connection, so an
 * invalidation Redis sent before a reply reaches the {@link InvalidationTarget} before the caller
 * waiting for that reply wakes. Before Redis 7.2, {@code NOLOOP} does not cover writes made by scripts
 * (redis/redis#11052), and a write made on another connection is always reported: such an echo cannot
 * be told apart from another client's write of the same key in the same event-loop turn (Redis merges
 * them), so it is delivered like any change, and the target settles it. On a Redis Cluster, where each
 * primary reports the changes made on it, tracking is on for the connection to every primary, and
 * follows failovers and new primaries ({@link ClusterTracking}).
 *
 * <p><b>{@link CoherenceMode#PUBSUB}</b>, when the connection speaks RESP2 or the server (or a proxy)
 * refuses tracking: every instance {@link #publish publishes} the keys it changes on
 * {@code <prefix>:tiercache:invalidations}, tagged with its id, and hears the others' on a pub/sub
 * connection of its own (on a Redis Cluster, through Lettuce's cluster pub/sub, as a shard channel
 * where the servers have sharded pub/sub: {@link PublishedInvalidations}). Changes made outside
 * Tiercache, expiry and eviction are not reported.
 *
 * <p><b>Lost messages.</b> When a connection that carries invalidations is opened, or comes back after
 * a loss, the target is told to {@link InvalidationTarget#resynchronize} (after tracking is on); so it
 * is when Redis flushes its data. Which mode is in force is logged when it is chosen or changes. Thread-safe.
 */
public final class Coherence implements RemoteCommands.ConnectionSetup, AutoCloseable {

	private static final Log logger = LogFactory.getLog(Coherence.class);

	private static final String INVALIDATE = "invalidate";

	private static final int ID_LENGTH = 16;

	private final String[] prefixes;

	private final byte[] channel;

	private final byte[] instanceId;

	private final PublishedInvalidations published;

	private volatile @Nullable InvalidationTarget target;

	private volatile @Nullable RemoteCommands publisher;

	private volatile @Nullable CoherenceMode mode;

	/** Guarded by this, as {@link #closed} is. */
	private @Nullable ClusterTracking clusterTracking;

	private boolean closed;

	private final LongAdder received = new LongAdder();

	private final LongAdder sent = new LongAdder();

	/**
	 * @param connectionFactory the application's factory, for the pub/sub connection of the fallback
	 * @param prefixes the key prefixes to follow; none may be a prefix of another
	 * @param channel the pub/sub channel of the fallback
	 */
	public Coherence(RedisConnectionFactory connectionFactory, List<String> prefixes, String channel) {
		this.prefixes = prefixes.toArray(String[]::new);
		this.channel = channel.getBytes(StandardCharsets.UTF_8);
		byte[] random = new byte[ID_LENGTH / 2];
		new SecureRandom().nextBytes(random);
		this.instanceId = HexFormat.of().formatHex(random).getBytes(StandardCharsets.US_ASCII);
		this.published = new PublishedInvalidations(connectionFactory, this.channel, this::heard);
	}

	/**
	 * Where invalidations go, and the commands that publish this instance's in the fallback; set before
	 * the first connection opens.
	 */
	public void deliverTo(InvalidationTarget target, RemoteCommands publisher) {
		this.target = target;
		this.publisher = publisher;
	}

	/** How many changed keys this instance was told of (by Redis or by other instances). */
	public long invalidationsReceived() {
		return this.received.sum();
	}

	/** How many changed keys this instance published to the others ({@link CoherenceMode#PUBSUB} only). */
	public long invalidationsSent() {
		return this.sent.sum();
	}

	/** The mode in force, or {@code null} until a connection was set up. */
	public @Nullable CoherenceMode mode() {
		return this.mode;
	}

	/**
	 * Tells the other instances that this one changed {@code key}, after the change was applied: in the
	 * {@link CoherenceMode#PUBSUB} fallback, a {@code PUBLISH} sent without waiting for its reply;
	 * otherwise nothing (Redis reports changes itself).
	 */
	public void publish(byte[] key) {
		RemoteCommands commands = this.publisher;
		if (this.mode != CoherenceMode.PUBSUB || commands == null) {
			return;
		}
		byte[] message = Arrays.copyOf(this.instanceId, ID_LENGTH + key.length);
		System.arraycopy(key, 0, message, ID_LENGTH, key.length);
		if (commands.sendAndForget(this.published.publication(message))) {
			this.sent.increment();
		}
	}

	@Override
	public void prepare(StatefulRedisConnection<byte[], byte[]> connection, Duration timeout) {
		InvalidationTarget delivery = target();
		if (!speaksResp3(connection)) {
			fallBack("the Redis connection speaks RESP2, and tracking pushes need RESP3");
			return;
		}
		connection.addListener(new Pushes(delivery, this.received));
		connection.addListener(new Reconnections(connection, delivery));
		Throwable refusal = await(connection.async().clientTracking(arguments()).toCompletableFuture(), timeout);
		if (refusal != null) {
			fallBack("Redis refused CLIENT TRACKING: " + refusal.getMessage());
			return;
		}
		use(CoherenceMode.TRACKING);
		// a connection opened in place of a lost one: what changed meanwhile was not reported
		delivery.resynchronize();
	}

	/**
	 * On a Redis Cluster, tracking is switched on for the connection to each primary, and follows the
	 * topology from then on ({@link ClusterTracking}). A primary that is slow to answer does not hold
	 * the connection up: it is waited for at most {@code timeout}, and tracked (then L1 resynchronized)
	 * once it answers.
	 */
	@Override
	public void prepare(StatefulRedisClusterConnection<byte[], byte[]> connection, Duration timeout) {
		InvalidationTarget delivery = target();
		ClusterTracking tracking = new ClusterTracking(connection, arguments(), delivery,
				new Pushes(delivery, this.received), this::fallBack);
		ClusterTracking previous;
		synchronized (this) {
			if (this.closed) {
				tracking.close();
				throw new IllegalStateException("Coherence is closed");
			}
			previous = this.clusterTracking;
			this.clusterTracking = tracking;
		}
		if (previous != null) {
			previous.close();
		}
		CompletableFuture<Void> primaries = tracking.trackPrimaries();
		try {
			await(primaries, timeout);
		}
		catch (RemoteCallException ex) {
			if (Thread.currentThread().isInterrupted()) {
				throw ex;
			}
			logger.debug("Tiercache goes on switching CLIENT TRACKING on for slow Redis Cluster primaries", ex);
		}
		if (!tracking.refusedByAny()) {
			use(CoherenceMode.TRACKING);
		}
		// primaries tracked from now on resynchronize by themselves; those tracked before, here
		tracking.followTopology();
		delivery.resynchronize();
	}

	/** Whether the connection speaks RESP3, which tracking pushes need. */
	static boolean speaksResp3(StatefulRedisConnection<?, ?> connection) {
		return connection instanceof StatefulRedisConnectionImpl<?, ?> lettuce
				&& lettuce.getConnectionState().getNegotiatedProtocolVersion() == ProtocolVersion.RESP3;
	}

	private InvalidationTarget target() {
		InvalidationTarget delivery = this.target;
		if (delivery == null) {
			throw new IllegalStateException("No InvalidationTarget: call deliverTo before connecting");
		}
		return delivery;
	}

	/**
	 * Waits for tracking to be switched on, at most {@code timeout}.
	 * @return why Redis refused it, or {@code null} once it is on
	 */
	private static @Nullable Throwable await(CompletableFuture<?> switchedOn, Duration timeout) {
		try {
			switchedOn.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
			return null;
		}
		catch (ExecutionException ex) {
			return (ex.getCause() != null) ? ex.getCause() : ex;
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

	@Override
	public void close() {
		ClusterTracking tracking;
		synchronized (this) {
			this.closed = true;
			tracking = this.clusterTracking;
			this.clusterTracking = null;
		}
		if (tracking != null) {
			tracking.close();
		}
		this.published.close();
	}

	private TrackingArgs arguments() {
		return TrackingArgs.Builder.enabled().bcast().prefixes(this.prefixes).noloop();
	}

	private void fallBack(String reason) {
		InvalidationTarget delivery = this.target;
		if (delivery != null) {
			this.published.start(delivery::resynchronize);
		}
		if (use(CoherenceMode.PUBSUB)) {
			logger.warn("Tiercache keeps L1 coherent across instances with published invalidations on "
					+ new String(this.channel, StandardCharsets.UTF_8) + " (" + reason + "): changes made outside "
					+ "Tiercache, expiry and eviction reach other instances' L1 only when it expires ('local.ttl')");
		}
	}

	/** @return whether the mode changed */
	private boolean use(CoherenceMode next) {
		CoherenceMode previous = this.mode;
		this.mode = next;
		if (next == previous) {
			return false;
		}
		if (next == CoherenceMode.TRACKING) {
			this.published.stop();
			logger.info("Tiercache keeps L1 coherent across instances with Redis server-assisted invalidation "
					+ "(CLIENT TRACKING BCAST on " + String.join(", ", this.prefixes) + ")");
		}
		return true;
	}

	/** A published invalidation: another instance's is handed to the target, this one's ignored. */
	private void heard(byte[] message) {
		InvalidationTarget delivery = this.target;
		if (delivery == null || message.length <= ID_LENGTH
				|| Arrays.equals(message, 0, ID_LENGTH, this.instanceId, 0, ID_LENGTH)) {
			return;
		}
		this.received.increment();
		delivery.changed(Arrays.copyOfRange(message, ID_LENGTH, message.length));
	}

	/** Hands each pushed invalidation to the target, on the I/O thread, in order. */
	private static final class Pushes implements PushListener {

		private final InvalidationTarget target;

		private final LongAdder received;

		Pushes(InvalidationTarget target, LongAdder received) {
			this.target = target;
			this.received = received;
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
					this.received.increment();
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
					fallBack("Redis refused CLIENT TRACKING after a reconnect: " + failure.getMessage());
				}
				else {
					use(CoherenceMode.TRACKING);
				}
				this.target.resynchronize();
			});
		}

	}

}
