package dev.tiercache.writebehind;

import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ScriptOutputType;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.internal.write.StagedWrite;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tracing.CacheTracer;
import dev.tiercache.tracing.CacheTracer.Work;

/**
 * The calls' side of one cache's write-behind queue: a call's cache write and queue entry, made
 * together by one script, and what becomes of a call that cannot be queued so. Thread-safe.
 *
 * <p><b>A key with queued entries is never written around them.</b> A value the cache cannot hold
 * (not encodable, over {@code max-value-size}, a {@code null} with {@code null-ttl} 0) is queued all
 * the same, with a delete of its key ({@link StagedWrite#cached()} is {@code false}); the flusher
 * evicts the key again once it applied the entry. A call that cannot be queued at all (the codec
 * cannot encode its arguments, or durability {@code aof} on a Redis without {@code WAITAOF}) runs
 * synchronously only after Redis confirmed that no write of its key is queued. Any other call Redis
 * does not take (unreachable, too slow, its breaker open) is refused with a
 * {@link WriteBehindUnavailableException} and never run; one that Redis took without confirming it as
 * durable as configured waits a bounded time for a flusher to apply it, and is refused otherwise.
 * {@code QueuedKeyOrderTests} checks each of these against real Redis.
 */
final class QueueCalls {

	private static final Log logger = LogFactory.getLog(QueueCalls.class);

	/** ENQUEUE's last argument when the call may wait for its entry: return the lineage with the id. */
	private static final byte[] WITH_LINEAGE = { '1' };

	private static final byte[] WITHOUT_LINEAGE = { '0' };

	private final TieredCache cache;

	private final WriteBehindSettings settings;

	private final RemoteCommands commands;

	private final QueueKeys keys;

	private final QueueMethods methods;

	private final @Nullable DurableWrites durable;

	private final ArgumentCodec arguments;

	private final QueueFailures failures;

	private final QueueCounters counters;

	private final Set<String> unencodableMethods = ConcurrentHashMap.newKeySet();

	QueueCalls(TieredCache cache, WriteBehindSettings settings, RemoteCommands commands, QueueKeys keys,
			QueueMethods methods, @Nullable DurableWrites durable, ArgumentCodec arguments, QueueFailures failures,
			QueueCounters counters) {
		this.cache = cache;
		this.settings = settings;
		this.commands = commands;
		this.keys = keys;
		this.methods = methods;
		this.durable = durable;
		this.arguments = arguments;
		this.failures = failures;
		this.counters = counters;
	}

	/**
	 * Writes the value to the cache and queues the call, atomically. When the cache cannot hold the
	 * value, the call is queued all the same, with a delete of the key, so that the queue keeps the
	 * key's writes in order; the key is evicted again once the call is applied.
	 * @return {@code true} if queued; {@code false} if the call cannot be queued (the codec cannot
	 * encode its arguments, or durability {@code aof} on a Redis without {@code WAITAOF}) and Redis
	 * confirmed that no write of its key is queued: the caller runs the method now
	 * @throws WriteBehindUnavailableException if Redis could not take the entry, or did not confirm it
	 * as durable as configured and no flusher applied it meanwhile, or the call cannot be queued while a
	 * write of its key is: the method must not run now
	 */
	boolean enqueue(WriteBehindMethod method, @Nullable Object value, Type valueType, @Nullable Object[] arguments,
			Object key) {
		StagedWrite staged;
		try {
			staged = this.cache.coordinatedWrites().stage(key, value, valueType);
		}
		catch (RemoteCallException ex) {
			throw refused(method, key, "Redis did not answer: " + ex.getMessage(), ex);
		}
		byte[] encoded = encodeArguments(method, arguments, staged);
		if (encoded == null) {
			return synchronouslyUnlessQueued(method, key, staged,
					"the codec cannot encode its arguments (logged once as a warning)");
		}
		DurableWrites durableWrites = this.durable;
		if (durableWrites != null && !confirmable(durableWrites, method, key)) {
			return synchronouslyUnlessQueued(method, key, staged,
					"durability 'aof' needs WAITAOF (Redis 7.2+), which this Redis does not have");
		}
		int partition = this.keys.partitionOf(staged.renderedKey());
		byte[][] scriptKeys = concat(staged.keys(), this.keys.stream(partition), this.keys.pending(partition));
		byte[][] scriptArguments = { staged.channel(), staged.framed(), staged.ttlArgument(), QueueKeys.GROUP,
				staged.renderedKey().getBytes(StandardCharsets.UTF_8), this.methods.idOf(method), encoded,
				(durableWrites != null) ? WITH_LINEAGE : WITHOUT_LINEAGE };
		DurableWrites.Written written;
		try {
			written = traced(Work.REDIS_ENQUEUE, () -> (durableWrites != null)
					? durableWrites.eval(QueueScripts.ENQUEUE, scriptKeys, scriptArguments)
					: new DurableWrites.Written(this.commands.eval(QueueScripts.ENQUEUE, ScriptOutputType.VALUE,
							scriptKeys, scriptArguments), true));
		}
		catch (RemoteCallException ex) {
			this.failures.redisFailed("queue a write", ex);
			if (ex.maybeRan()) {
				this.cache.coordinatedWrites().unconfirmed(staged);
			}
			String taken = ex.maybeRan() ? "Redis may or may not have taken it: " : "Redis did not take it: ";
			throw refused(method, key, ex.maybeRan(), taken + ex.getMessage(), ex);
		}
		this.cache.coordinatedWrites().applied(staged);
		this.counters.enqueued.increment();
		if (durableWrites != null && !written.confirmed()) {
			awaitApplied(method, key, partition, written.reply(), durableWrites);
		}
		return true;
	}

	/**
	 * A call that cannot be queued runs synchronously only if Redis confirms that no write of its key is
	 * queued: run now, it would otherwise be overtaken by an older write applied after it.
	 * @return {@code false}, counted, for the caller to run the method now
	 * @throws WriteBehindUnavailableException if a write of the key is queued, or Redis does not say
	 */
	private boolean synchronouslyUnlessQueued(WriteBehindMethod method, Object key, StagedWrite staged,
			String why) {
		byte[] pending = this.keys.pending(this.keys.partitionOf(staged.renderedKey()));
		byte[] field = RedisKeys.pendingIdField(staged.renderedKey());
		Boolean queued;
		try {
			queued = traced(Work.REDIS_READ, () -> this.commands.call((redis) -> redis.hexists(pending, field)));
		}
		catch (RemoteCallException ex) {
			throw refused(method, key, "it cannot be queued (" + why + ") and Redis did not answer whether an older "
					+ "write of its key is queued: " + ex.getMessage(), ex);
		}
		if (!Boolean.FALSE.equals(queued)) {
			throw refused(method, key, "it cannot be queued (" + why + ") and an older write of its key is queued, "
					+ "which would be applied after it; it runs synchronously once the key's queued writes are "
					+ "applied", null);
		}
		this.counters.synchronousWrites.increment();
		return false;
	}

	/** Whether Redis can confirm writes as durable as configured. */
	private boolean confirmable(DurableWrites durableWrites, WriteBehindMethod method, Object key) {
		try {
			return durableWrites.confirmable();
		}
		catch (RemoteCallException ex) {
			throw refused(method, key, "Redis did not answer: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Waits, for at most {@code durability-timeout}, for a flusher to take a queued entry that Redis did
	 * not confirm as durable out of its stream (applied, or a dead letter): the database holds it then,
	 * whatever happens to Redis.
	 *
	 * <p>The entry is looked for in the dataset whose lineage ({@link QueueScripts#QUEUED_IN}) took it. A
	 * failover can hand the key to a primary that never got the entry: there, an entry gone from the
	 * stream may have been lost with the old primary rather than applied, so the call is refused as
	 * possibly queued. A primary that still holds the entry continues its lineage. Where Redis refuses
	 * {@code INFO}, the lineage is unknown (empty) and an entry gone from the stream counts as applied.
	 * @param written the enqueue script's reply: the entry id, a space and the lineage
	 * @throws WriteBehindUnavailableException if it is still queued then, or Redis does not say, or the
	 * entry left a dataset other than the one that took it
	 */
	private void awaitApplied(WriteBehindMethod method, Object key, int partition, byte @Nullable [] written,
			DurableWrites durableWrites) {
		String unconfirmed = "it was queued, but Redis did not confirm it on " + durableWrites.confirmation();
		String reply = (written != null) ? new String(written, StandardCharsets.US_ASCII) : "";
		int space = reply.indexOf(' ');
		if (space <= 0) {
			throw refused(method, key, true, unconfirmed + ", and returned no entry id", null);
		}
		byte[] id = reply.substring(0, space).getBytes(StandardCharsets.US_ASCII);
		String lineage = reply.substring(space + 1);
		byte[][] stream = { this.keys.stream(partition) };
		long deadline = System.nanoTime() + this.settings.durabilityTimeout().toNanos();
		long pollNanos = TimeUnit.MILLISECONDS.toNanos(Math.min(this.settings.flushInterval().toMillis(), 50));
		@Nullable RemoteCallException unanswered = null;
		try {
			while (true) {
				try {
					Sighting sighting = Sighting.of(traced(Work.REDIS_READ,
							() -> this.commands.eval(QueueScripts.QUEUED_IN, ScriptOutputType.VALUE, stream, id)));
					unanswered = null;
					if (!sighting.lineage().equals(lineage)) {
						if (!sighting.queued()) {
							throw refused(method, key, true, unconfirmed + ", and the Redis primary changed since (a "
									+ "failover) to one whose stream does not hold it: it was applied before, or lost "
									+ "with the old primary", null);
						}
						lineage = sighting.lineage();
					}
					else if (!sighting.queued()) {
						return;
					}
				}
				catch (RemoteCallException ex) {
					if (ex.refusedByRedis()) {
						// an ACL or a script error: asking again would get the same answer
						throw refused(method, key, true, unconfirmed + ", and Redis refused to say whether it was "
								+ "applied since: " + ex.getMessage(), ex);
					}
					// asked again until the deadline: a failover ends, and the new primary answers
					unanswered = ex;
				}
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					break;
				}
				TimeUnit.NANOSECONDS.sleep(Math.min(pollNanos, remaining));
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw refused(method, key, true, unconfirmed + ", and the caller was interrupted while waiting for it to "
					+ "be applied", ex);
		}
		if (unanswered != null) {
			throw refused(method, key, true, unconfirmed + ", and Redis did not answer whether it was applied since: "
					+ unanswered.getMessage(), unanswered);
		}
		throw refused(method, key, true, unconfirmed + ", nor was it applied within another "
				+ this.settings.durabilityTimeout().toMillis()
				+ " ms; it is applied in order unless the primary fails first", null);
	}

	/**
	 * What {@link QueueScripts#QUEUED_IN} saw: whether the entry is still queued, and the lineage of the
	 * dataset it looked in.
	 */
	private record Sighting(boolean queued, String lineage) {

		/** @throws RemoteCallException if the reply is not one (asked again) */
		static Sighting of(byte @Nullable [] reply) {
			String text = (reply != null) ? new String(reply, StandardCharsets.US_ASCII) : "";
			int space = text.indexOf(' ');
			if (space != 1) {
				throw new RemoteCallException("Redis answered '" + text + "' when asked whether an entry is queued");
			}
			return new Sighting(text.charAt(0) != '0', text.substring(space + 1));
		}

	}

	/**
	 * Makes a call to Redis for a call of the cache's, traced as {@code work} by the cache's tracer.
	 * @throws RemoteCallException if Redis fails or does not answer in time
	 */
	private <T extends @Nullable Object> T traced(Work work, CacheTracer.Step<T, RuntimeException> call) {
		return this.cache.tracer().trace(work, this.cache.getName(), call);
	}

	private WriteBehindUnavailableException refused(WriteBehindMethod method, Object key, String why,
			@Nullable Throwable cause) {
		return refused(method, key, false, why, cause);
	}

	/**
	 * The exception for a refused call, counted. Its message says what happened and what the caller
	 * may do.
	 */
	private WriteBehindUnavailableException refused(WriteBehindMethod method, Object key, boolean mayHaveBeenQueued,
			String why, @Nullable Throwable cause) {
		this.counters.refused.increment();
		String cache = this.cache.getName();
		String message = (mayHaveBeenQueued ? "Tiercache cannot confirm that it queued" : "Tiercache did not queue")
				+ " the @WriteBehind call of " + method.id() + " for key '" + key + "' of cache '" + cache + "': "
				+ why + ". The method was not run either, so that it never writes around older queued writes of the "
				+ "key. " + (mayHaveBeenQueued
						? "The call may still be applied, in order; retry it if it must be (the method is idempotent)"
						: "Retry the call later, or give the write up");
		return new WriteBehindUnavailableException(message, cache, key, mayHaveBeenQueued, cause);
	}

	private byte @Nullable [] encodeArguments(WriteBehindMethod method, @Nullable Object[] arguments,
			StagedWrite staged) {
		try {
			return this.arguments.encode(arguments, method.parameterTypes(), staged);
		}
		catch (RuntimeException ex) {
			if (this.unencodableMethods.add(method.id())) {
				logger.warn("Tiercache cannot queue calls of " + method.id() + ": the codec cannot encode its "
						+ "arguments (" + ex.getMessage() + "). Each call runs synchronously while no write of its "
						+ "key is queued, and is refused with a WriteBehindUnavailableException otherwise");
			}
			return null;
		}
	}

	private static byte[][] concat(byte[][] first, byte[]... more) {
		byte[][] all = new byte[first.length + more.length][];
		System.arraycopy(first, 0, all, 0, first.length);
		System.arraycopy(more, 0, all, first.length, more.length);
		return all;
	}

}
