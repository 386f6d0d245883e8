package dev.tiercache.writebehind;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.ArrayOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.redis.LuaScript;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;

/**
 * Queue writes that return once Redis confirmed them as durable, or the confirmation timed out (they
 * say which): each script is followed, on the same dedicated connection, by {@code WAIT} (replicas) or
 * {@code WAITAOF} (the primary's AOF); on a Redis Cluster, both on the connection to the primary of
 * the script's slot. A dedicated connection, because these commands block the connection they run on,
 * and because they wait for the writes made on that connection. Thread-safe.
 */
final class DurableWrites implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(DurableWrites.class);

	private static final ProtocolKeyword WAITAOF = new ProtocolKeyword() {

		private final byte[] name = "WAITAOF".getBytes(StandardCharsets.US_ASCII);

		@Override
		public byte[] getBytes() {
			return this.name;
		}

		@Override
		public String toString() {
			return "WAITAOF";
		}

	};

	private final RemoteCommands commands;

	private final Durability durability;

	private final int replicas;

	private final long timeoutMillis;

	/** Whether the server answers WAITAOF; {@code null} until asked (once, before the first AOF write). */
	private volatile @Nullable Boolean aofSupported;

	/**
	 * @param commands calls on a connection of their own
	 * @param durability {@link Durability#REPLICA} or {@link Durability#AOF}
	 */
	DurableWrites(RemoteCommands commands, Durability durability, int replicas, long timeoutMillis) {
		this.commands = commands;
		this.durability = durability;
		this.replicas = replicas;
		this.timeoutMillis = timeoutMillis;
	}

	/** Opens the connection, waiting for it at most {@code wait} (it goes on opening in the background). */
	void connect(Duration wait) {
		this.commands.connect(wait);
	}

	/**
	 * Whether this Redis can confirm writes as durable as configured: not with {@link Durability#AOF} on
	 * a Redis without {@code WAITAOF} (logged once).
	 * @throws RemoteCallException if Redis does not answer (asked again next time)
	 */
	boolean confirmable() {
		return this.durability != Durability.AOF || aofSupported();
	}

	/**
	 * Runs the script, then waits for its effect to be durable; call only when {@link #confirmable()}.
	 * @return the script's reply, and whether Redis confirmed it in time (if not, the script's effect is
	 * in the primary's memory only)
	 * @throws RemoteCallException if Redis failed: the script may or may not have run
	 */
	Written eval(LuaScript script, byte[][] keys, byte[][] arguments) {
		if (this.durability == Durability.REPLICA) {
			return writeThenWait(script, keys, arguments,
					(redis) -> redis.waitForReplication(this.replicas, this.timeoutMillis),
					(acknowledged) -> acknowledged != null && acknowledged >= this.replicas);
		}
		return writeThenWait(script, keys, arguments, (redis) -> waitAof(redis, 1, this.timeoutMillis),
				(reply) -> reply != null && !reply.isEmpty() && reply.get(0) instanceof Long local && local >= 1);
	}

	/** What {@link #eval} waits for, for messages: "1 replica(s) within 300 ms". */
	String confirmation() {
		return ((this.durability == Durability.REPLICA) ? this.replicas + " replica(s)" : "the AOF") + " within "
				+ this.timeoutMillis + " ms ('write-behind.durability-timeout')";
	}

	/**
	 * Sends the script and the wait on the same connection, one after the other, and returns, once both
	 * completed, the script's reply and whether the wait's reply confirms it.
	 */
	private <R> Written writeThenWait(LuaScript script, byte[][] keys, byte[][] arguments,
			Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<R>> wait,
			Predicate<@Nullable R> confirms) {
		Written written = this.commands.call((redis) -> {
			CompletableFuture<Written> outcome = new CompletableFuture<>();
			// once the caller gave up (the outcome cancelled), nothing is sent: neither by a node connection
			// that opens after that, nor by one that holds the commands until it reconnects; the write would
			// otherwise land after the caller was told it failed, maybe after a newer one. Once the outcome is
			// settled, whatever of the call Lettuce still holds (a WAIT after the script failed) is cancelled.
			Function<RedisClusterAsyncCommands<byte[], byte[]>, CompletionStage<Written>> onNode = (node) -> {
				if (outcome.isDone()) {
					return CompletableFuture.failedStage(new CancellationException("the caller gave up"));
				}
				RedisFuture<byte[]> reply = node.eval(script.source(), ScriptOutputType.VALUE, keys, arguments);
				RedisFuture<R> waited;
				try {
					waited = wait.apply(node);
				}
				catch (RuntimeException ex) {
					reply.cancel(false);
					throw ex;
				}
				outcome.whenComplete((given, failure) -> {
					reply.cancel(false);
					waited.cancel(false);
				});
				return reply.toCompletableFuture()
					.thenCombine(waited,
							(scriptReply, waitReply) -> new Written(scriptReply, confirms.test(waitReply)));
			};
			nodeOf(redis, keys[0]).thenCompose(onNode).exceptionallyCompose((failure) -> {
				CompletionStage<RedisClusterAsyncCommands<byte[], byte[]>> owner = movedTo(redis, failure);
				return (owner != null) ? owner.thenCompose(onNode) : CompletableFuture.failedStage(failure);
			}).whenComplete((reply, failure) -> {
				if (failure != null) {
					outcome.completeExceptionally(failure);
				}
				else {
					outcome.complete(reply);
				}
			});
			return outcome;
		});
		return Objects.requireNonNull(written, "no reply");
	}

	/**
	 * The node a Redis Cluster redirected the script to ({@code MOVED <slot> <host>:<port>}: the node the
	 * client took for the slot's primary no longer is, after a failover its view of the topology has not
	 * caught up with yet); the script did not run. {@code null} for any other failure.
	 */
	private static @Nullable CompletionStage<RedisClusterAsyncCommands<byte[], byte[]>> movedTo(
			RedisClusterAsyncCommands<byte[], byte[]> redis, Throwable failure) {
		Throwable cause = (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause()
				: failure;
		String message = cause.getMessage();
		if (!(redis instanceof RedisAdvancedClusterAsyncCommands<byte[], byte[]> cluster)
				|| !(cause instanceof RedisCommandExecutionException) || message == null
				|| !message.startsWith("MOVED ")) {
			return null;
		}
		String address = message.substring(message.lastIndexOf(' ') + 1);
		int colon = address.lastIndexOf(':');
		if (colon <= 0) {
			return null;
		}
		return cluster.getStatefulConnection()
			.getConnectionAsync(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)))
			.thenApply(StatefulRedisConnection::async);
	}

	/**
	 * The commands of the connection to the node that holds {@code key}: on a Redis Cluster, the
	 * connection to its slot's primary, since {@code WAIT} and {@code WAITAOF} (which have no key) would
	 * otherwise go to the cluster connection's default node, which wrote nothing and answers at once;
	 * otherwise the connection itself.
	 */
	private static CompletionStage<RedisClusterAsyncCommands<byte[], byte[]>> nodeOf(
			RedisClusterAsyncCommands<byte[], byte[]> redis, byte[] key) {
		if (!(redis instanceof RedisAdvancedClusterAsyncCommands<byte[], byte[]> cluster)) {
			return CompletableFuture.completedFuture(redis);
		}
		StatefulRedisClusterConnection<byte[], byte[]> connection = cluster.getStatefulConnection();
		RedisClusterNode primary = connection.getPartitions().getMasterBySlot(SlotHash.getSlot(key));
		if (primary == null) {
			return CompletableFuture.failedFuture(new IllegalStateException(
					"No primary of the Redis Cluster serves slot " + SlotHash.getSlot(key) + " now"));
		}
		return connection.getConnectionAsync(primary.getUri().getHost(), primary.getUri().getPort())
			.thenApply(StatefulRedisConnection::async);
	}

	/**
	 * What a durable write did.
	 * @param reply the script's reply
	 * @param confirmed whether Redis confirmed it as durable in time
	 */
	record Written(byte @Nullable [] reply, boolean confirmed) {
	}

	/** {@code WAITAOF numlocal 0 timeout}: Lettuce has no method for it. */
	private static RedisFuture<List<Object>> waitAof(RedisClusterAsyncCommands<byte[], byte[]> redis, int local,
			long timeoutMillis) {
		return redis.dispatch(WAITAOF, new ArrayOutput<>(ByteArrayCodec.INSTANCE),
				new CommandArgs<>(ByteArrayCodec.INSTANCE).add(local).add(0).add(timeoutMillis));
	}

	/**
	 * Asks the server once whether it has WAITAOF ({@code WAITAOF 0 0 0} answers at once), so that an
	 * entry is never queued where it cannot be confirmed.
	 * @throws RemoteCallException if Redis does not answer (asked again next time)
	 */
	private boolean aofSupported() {
		Boolean supported = this.aofSupported;
		if (supported != null) {
			return supported;
		}
		try {
			this.commands.call((redis) -> waitAof(redis, 0, 0));
			supported = true;
		}
		catch (RemoteCallException ex) {
			if (!String.valueOf(ex.getMessage()).toLowerCase(Locale.ROOT).contains("unknown command")) {
				throw ex;
			}
			supported = false;
			logger.warn("Tiercache write-behind durability 'aof' needs Redis 7.2 or later (WAITAOF); this Redis "
					+ "does not have it, so no @WriteBehind call is queued: each runs synchronously while no write of "
					+ "its key is queued, and is refused otherwise. Use durability 'replica' or 'memory', or upgrade "
					+ "Redis");
		}
		this.aofSupported = supported;
		return supported;
	}

	@Override
	public void close() {
		this.commands.close();
	}

}
