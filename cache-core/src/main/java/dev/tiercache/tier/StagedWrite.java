package dev.tiercache.tier;

import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

import dev.tiercache.codec.EncodedValue;
import dev.tiercache.internal.redis.EntryKeys;
import dev.tiercache.internal.stampede.LeaseLocks;

/**
 * A cache write framed for Redis but not applied, for a script that applies it together with other
 * commands in one atomic step (the write-behind queue appends its entry in the same script). Obtained
 * from {@link TieredCache#stage}; after the script ran, {@link TieredCache#applied} updates L1.
 *
 * <p>A write is a put of the value, or, when the cache cannot hold the value (it cannot be encoded,
 * is over {@code max-value-size}, or is a {@code null} with {@code null-ttl} 0), a delete of the key:
 * {@link #cached()} tells which. The script must apply it with {@link #APPLY}, which expects the
 * {@link #keys()} as {@code KEYS[1..3]} and {@link #channel()}, {@link #framed()} and
 * {@link #ttlArgument()} as {@code ARGV[1..3]}. Immutable.
 */
public final class StagedWrite {

	/**
	 * Lua that stores the framed value (deletes the key when ARGV[3], the TTL, is {@code 0}) and
	 * revokes the key's load lease, waking callers that wait for it: after this, no load that began
	 * before can store its value.
	 */
	public static final String APPLY = """
			if ARGV[3] == '0' then
			  redis.call('DEL', KEYS[1])
			else
			  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
			end
			redis.call('DEL', KEYS[2])
			""" + LeaseLocks.WAKE_WAITERS;

	private final RemoteKey remoteKey;

	private final @Nullable Object value;

	private final Type type;

	private final @Nullable EncodedValue encoded;

	private final EntryKeys keys;

	private final byte[] channel;

	private final byte[] framed;

	private final long ttlMillis;

	private final long redisTtlMillis;

	private final long stamp;

	StagedWrite(RemoteKey remoteKey, @Nullable Object value, Type type, @Nullable EncodedValue encoded,
			byte[] channel, byte[] framed, long ttlMillis, long redisTtlMillis, long stamp) {
		this.remoteKey = remoteKey;
		this.value = value;
		this.type = type;
		this.encoded = encoded;
		this.keys = remoteKey.entry();
		this.channel = channel;
		this.framed = framed;
		this.ttlMillis = ttlMillis;
		this.redisTtlMillis = redisTtlMillis;
		this.stamp = stamp;
	}

	/**
	 * A write of a value the cache cannot hold: it deletes the key, and pending reads find
	 * {@link PendingWrites#UNCACHED}.
	 */
	static StagedWrite delete(RemoteKey remoteKey, @Nullable Object value, Type type, byte[] channel,
			long stamp) {
		return new StagedWrite(remoteKey, value, type, null, channel, PendingWrites.UNCACHED, 0, 0, stamp);
	}

	/**
	 * Whether the write puts the value in the cache; {@code false} when it deletes the key because the
	 * cache cannot hold the value.
	 */
	public boolean cached() {
		return this.redisTtlMillis > 0;
	}

	/** The key as the cache was given it. */
	public Object key() {
		return this.remoteKey.original();
	}

	RemoteKey remoteKey() {
		return this.remoteKey;
	}

	@Nullable Object value() {
		return this.value;
	}

	/** The key's L1 {@linkplain LocalTier#stamp stamp} when the write was staged, before Redis applied it. */
	long stamp() {
		return this.stamp;
	}

	/**
	 * The codec's encoding of this write's value, if {@code candidate} is that value (the same
	 * instance) declared as the same type; otherwise {@code null}. Lets a caller that must also encode
	 * the value elsewhere (a queued call's argument) encode it once.
	 */
	public @Nullable EncodedValue encodingOf(@Nullable Object candidate, Type declaredAs) {
		return (candidate != null && candidate == this.value && declaredAs.equals(this.type)) ? this.encoded : null;
	}

	/**
	 * The key rendered as the cache renders it in Redis, without the namespace: equal for equal keys,
	 * on every instance.
	 */
	public String renderedKey() {
		return this.remoteKey.rendered();
	}

	/** {@code KEYS[1..3]} for {@link #APPLY}: the value, its lease and its waiters flag. */
	public byte[][] keys() {
		return new byte[][] { this.keys.value(), this.keys.lock(), this.keys.waiters() };
	}

	/** {@code ARGV[1]} for {@link #APPLY}: the wake-up channel. */
	public byte[] channel() {
		return this.channel;
	}

	/**
	 * {@code ARGV[2]} for {@link #APPLY}: the framed value, which readers decode; for a write that is
	 * not {@link #cached()}, {@link PendingWrites#UNCACHED}.
	 */
	public byte[] framed() {
		return this.framed;
	}

	/** The entry's time to live before it counts as expired. */
	public long ttlMillis() {
		return this.ttlMillis;
	}

	/**
	 * {@code ARGV[3]} for {@link #APPLY}: how long Redis keeps the entry, longer than {@link #ttlMillis()}
	 * by the cache's stale window or fail-safe; {@code 0} for a write that is not {@link #cached()}.
	 */
	public byte[] ttlArgument() {
		return Long.toString(this.redisTtlMillis).getBytes(StandardCharsets.US_ASCII);
	}

}
