package dev.tiercache.internal.write;

import java.lang.reflect.Type;

import org.jspecify.annotations.Nullable;

import dev.tiercache.codec.EncodedValue;
import dev.tiercache.internal.stampede.LeaseLocks;

/**
 * A cache write framed for Redis but not applied, for a script that applies it together with other
 * commands in one atomic step (the write-behind queue appends its entry in the same script). Obtained
 * from {@link CoordinatedWrites#stage}; after the script ran, {@link CoordinatedWrites#applied} updates
 * L1. Only the cache that staged a write may apply it.
 *
 * <p>A write is a put of the value, or, when the cache cannot hold the value (it cannot be encoded,
 * is over {@code max-value-size}, or is a {@code null} with {@code null-ttl} 0), a delete of the key:
 * {@link #cached()} tells which. The script must apply it with {@link #APPLY}, which expects the
 * {@link #keys()} as {@code KEYS[1..3]} and {@link #channel()}, {@link #framed()} and
 * {@link #ttlArgument()} as {@code ARGV[1..3]}. Immutable.
 */
public interface StagedWrite {

	/**
	 * Lua that stores the framed value (deletes the key when ARGV[3], the TTL, is {@code 0}) and
	 * revokes the key's load lease, waking callers that wait for it: after this, no load that began
	 * before can store its value.
	 */
	String APPLY = """
			if ARGV[3] == '0' then
			  redis.call('DEL', KEYS[1])
			else
			  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
			end
			redis.call('DEL', KEYS[2])
			""" + LeaseLocks.WAKE_WAITERS;

	/**
	 * Whether the write puts the value in the cache; {@code false} when it deletes the key because the
	 * cache cannot hold the value.
	 */
	boolean cached();

	/** The key as the cache was given it. */
	Object key();

	/**
	 * The codec's encoding of this write's value, if {@code candidate} is that value (the same
	 * instance) declared as the same type; otherwise {@code null}. Lets a caller that must also encode
	 * the value elsewhere (a queued call's argument) encode it once.
	 */
	@Nullable EncodedValue encodingOf(@Nullable Object candidate, Type declaredAs);

	/**
	 * The key rendered as the cache renders it in Redis, without the namespace: equal for equal keys,
	 * on every instance.
	 */
	String renderedKey();

	/** {@code KEYS[1..3]} for {@link #APPLY}: the value, its lease and its waiters flag. */
	byte[][] keys();

	/** {@code ARGV[1]} for {@link #APPLY}: the wake-up channel. */
	byte[] channel();

	/**
	 * {@code ARGV[2]} for {@link #APPLY}: the framed value, which readers decode; for a write that is
	 * not {@link #cached()}, {@link PendingWrites#UNCACHED}.
	 */
	byte[] framed();

	/**
	 * {@code ARGV[3]} for {@link #APPLY}: how long Redis keeps the entry, longer than the entry's time to
	 * live by the cache's stale window or fail-safe; {@code 0} for a write that is not {@link #cached()}.
	 */
	byte[] ttlArgument();

}
