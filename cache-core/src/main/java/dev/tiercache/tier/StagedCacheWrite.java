package dev.tiercache.tier;

import java.lang.reflect.Type;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;

import dev.tiercache.codec.EncodedValue;
import dev.tiercache.internal.redis.EntryKeys;
import dev.tiercache.internal.redis.LuaScript;
import dev.tiercache.internal.write.PendingWrites;
import dev.tiercache.internal.write.StagedWrite;

/**
 * A {@link StagedWrite} of one cache: besides what the script applies, the key, value and L1 stamp
 * that {@link CacheWrites#applied} needs to update L1 once the script ran, and the cache's Redis tier
 * that staged it, the only one that may apply it. Settled once: a second {@code applied} would put back
 * in L1 a value a later write replaced, and drop the repair of a later write Redis did not take.
 * Immutable but for that flag; thread-safe.
 */
final class StagedCacheWrite implements StagedWrite {

	private final RemoteCache stagedBy;

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

	private final AtomicBoolean settled = new AtomicBoolean();

	StagedCacheWrite(RemoteCache stagedBy, RemoteKey remoteKey, @Nullable Object value, Type type,
			@Nullable EncodedValue encoded, byte[] channel, byte[] framed, long ttlMillis, long redisTtlMillis,
			long stamp) {
		this.stagedBy = stagedBy;
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
	static StagedCacheWrite delete(RemoteCache stagedBy, RemoteKey remoteKey, @Nullable Object value, Type type,
			byte[] channel, long stamp) {
		return new StagedCacheWrite(stagedBy, remoteKey, value, type, null, channel, PendingWrites.UNCACHED, 0, 0,
				stamp);
	}

	@Override
	public boolean cached() {
		return this.redisTtlMillis > 0;
	}

	@Override
	public Object key() {
		return this.remoteKey.original();
	}

	/** The Redis tier of the cache that staged this write. */
	RemoteCache stagedBy() {
		return this.stagedBy;
	}

	/** Marks the write applied or unconfirmed. @return {@code false} if it already was */
	boolean settle() {
		return this.settled.compareAndSet(false, true);
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

	@Override
	public @Nullable EncodedValue encodingOf(@Nullable Object candidate, Type declaredAs) {
		return (candidate != null && candidate == this.value && declaredAs.equals(this.type)) ? this.encoded : null;
	}

	@Override
	public String renderedKey() {
		return this.remoteKey.rendered();
	}

	@Override
	public byte[][] keys() {
		return new byte[][] { this.keys.value(), this.keys.lock(), this.keys.waiters() };
	}

	@Override
	public byte[] channel() {
		return this.channel;
	}

	@Override
	public byte[] framed() {
		return this.framed;
	}

	/** The entry's time to live before it counts as expired. */
	long ttlMillis() {
		return this.ttlMillis;
	}

	@Override
	public byte[] ttlArgument() {
		return LuaScript.number(this.redisTtlMillis);
	}

}
