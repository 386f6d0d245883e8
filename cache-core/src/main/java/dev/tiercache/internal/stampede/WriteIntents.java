package dev.tiercache.internal.stampede;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import io.lettuce.core.ScriptOutputType;
import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.redis.EntryKeys;
import dev.tiercache.internal.redis.LuaScript;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;

/**
 * Orders the cache writes of writers that change an entry's backing data concurrently, on any
 * instance.
 *
 * <p>A write-through writes the database, then the cache. Two writers of one key whose database
 * writes land in one order may land their cache writes in the other, leaving the older value cached
 * until its TTL. So a writer {@linkplain #begin registers} before it changes the backing data, in a
 * hash next to the entry ({@link EntryKeys#intents()}: a generation, how many writers began and are
 * active, how many finished), and {@linkplain #complete completes} with its value in one script that
 * stores the value only if no other writer's interval overlapped its own: nobody began after it,
 * nobody is still active, and nobody finished (no other put or delete of the entry, see
 * {@link #OVERLAP}) since it began. Otherwise the entry is deleted, so that the next read loads
 * whatever the database holds. A writer whose method failed {@linkplain #abandon abandons}: the
 * others then delete as well, and so does it if anyone overlapped. The hash is deleted when its last
 * active writer completes, and expires after the longest write (a crashed writer's registration must
 * not turn every later write into a delete for long); a writer that outlives it, or finds another
 * generation, deletes.
 *
 * <p>A writer that could not register (Redis did not answer), or whose key is known only after the
 * write, completes {@linkplain Intent#UNREGISTERED unregistered}: its order against the others is
 * unknown (one may have begun and finished after its database write), so it deletes, and makes any
 * writer in flight delete too. The hash expires {@code longestWrite} after its first writer began,
 * however often the key is written, so that a registration lost with a crash or a failed call blocks
 * storing for that long at most. Thread-safe.
 */
public final class WriteIntents {

	/**
	 * Lua for every other script that puts or deletes an entry (KEYS[4] the intents hash): counts as a
	 * finished write for the writers in flight, so that they delete rather than store.
	 */
	static final String OVERLAP = """
			if redis.call('EXISTS', KEYS[4]) == 1 then redis.call('HINCRBY', KEYS[4], 'f', 1) end
			""";

	/** Registers a writer: returns {generation, began, finished}. */
	private static final LuaScript BEGIN = LuaScript.of("""
			if redis.call('HSETNX', KEYS[4], 'g', ARGV[2]) == 1 then redis.call('PEXPIRE', KEYS[4], ARGV[1]) end
			local began = redis.call('HINCRBY', KEYS[4], 's', 1)
			redis.call('HINCRBY', KEYS[4], 'a', 1)
			return {redis.call('HGET', KEYS[4], 'g'), began, tonumber(redis.call('HGET', KEYS[4], 'f') or '0')}
			""");

	/**
	 * Completes a writer (ARGV[4..6]: generation, began, finished as {@link #BEGIN} returned them, or
	 * empty when unregistered): stores ARGV[2] (empty: deletes) for ARGV[3] ms if it wrote alone and no
	 * write of the key is queued for the backing store (field ARGV[7] of the hash KEYS[5], when given),
	 * otherwise deletes; revokes any lease. Returns 1 if it stored.
	 */
	private static final LuaScript COMPLETE = LuaScript.of("""
			local alone = false
			if redis.call('EXISTS', KEYS[4]) == 0 then
			  -- unregistered, or registered longer ago than the longest write: order unknown
			elseif ARGV[4] ~= '' and redis.call('HGET', KEYS[4], 'g') == ARGV[4] then
			  local active = redis.call('HINCRBY', KEYS[4], 'a', -1)
			  local finished = redis.call('HINCRBY', KEYS[4], 'f', 1)
			  alone = active <= 0 and redis.call('HGET', KEYS[4], 's') == ARGV[5]
			    and finished == tonumber(ARGV[6]) + 1
			  if active <= 0 then redis.call('DEL', KEYS[4]) end
			else
			  redis.call('HINCRBY', KEYS[4], 'f', 1)
			end
			local stored = 0
			if alone and ARGV[2] ~= '' and not (KEYS[5] and redis.call('HEXISTS', KEYS[5], ARGV[7]) == 1) then
			  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
			  stored = 1
			else
			  redis.call('DEL', KEYS[1])
			end
			redis.call('DEL', KEYS[2])
			""" + LeaseLocks.WAKE_WAITERS + """
			return stored
			""");

	/**
	 * Abandons a registered writer (ARGV[2..4] as for {@link #COMPLETE}): the writers still in flight
	 * will delete; if any overlapped it, the entry is deleted now. Returns 1 if it deleted.
	 */
	private static final LuaScript ABANDON = LuaScript.of("""
			if redis.call('HGET', KEYS[4], 'g') ~= ARGV[2] then return 0 end
			local active = redis.call('HINCRBY', KEYS[4], 'a', -1)
			local finished = redis.call('HINCRBY', KEYS[4], 'f', 1)
			local overlapped = active > 0 or redis.call('HGET', KEYS[4], 's') ~= ARGV[3]
			  or finished ~= tonumber(ARGV[4]) + 1
			if active <= 0 then redis.call('DEL', KEYS[4]) end
			if not overlapped then return 0 end
			redis.call('DEL', KEYS[1])
			redis.call('DEL', KEYS[2])
			""" + LeaseLocks.WAKE_WAITERS + """
			return 1
			""");

	private static final byte[] NONE = new byte[0];

	private final RemoteCommands redis;

	private final byte[] channel;

	private final byte[] expiry;

	private final String instanceId;

	/**
	 * @param redis the Redis access
	 * @param channel the pub/sub channel that lease wake-ups are published on
	 * @param longestWrite how long a registration is kept at most: writes that take longer delete
	 * rather than store
	 */
	public WriteIntents(RemoteCommands redis, byte[] channel, Duration longestWrite) {
		this.redis = redis;
		this.channel = channel.clone();
		this.expiry = LuaScript.number(longestWrite.toMillis());
		byte[] random = new byte[8];
		new SecureRandom().nextBytes(random);
		this.instanceId = HexFormat.of().formatHex(random);
	}

	/**
	 * Registers a writer of the entry before it changes the backing data.
	 * @return the registration, to pass to {@link #complete} or {@link #abandon}
	 * @throws RemoteCallException if Redis fails or does not answer in time (complete
	 * {@linkplain Intent#UNREGISTERED unregistered} then)
	 */
	public Intent begin(EntryKeys entry) {
		byte[] candidate = (this.instanceId + ':' + System.nanoTime()).getBytes(StandardCharsets.US_ASCII);
		List<Object> reply = this.redis.eval(BEGIN, ScriptOutputType.MULTI, LeaseScripts.all(entry), this.expiry,
				candidate);
		if (reply == null || reply.size() != 3) {
			throw new IllegalStateException("The write-intent script returned " + reply);
		}
		return new Intent((byte[]) reply.get(0), (Long) reply.get(1), (Long) reply.get(2));
	}

	/**
	 * Completes a writer: stores its value if no other writer of the entry overlapped it and no write
	 * of the entry is queued for the backing store, otherwise deletes the entry; either way revokes any
	 * load lease.
	 * @param framedValue the value to store, or {@code null} to delete
	 * @return whether the value was stored
	 * @throws RemoteCallException if Redis fails or does not answer in time
	 */
	public boolean complete(EntryKeys entry, Intent intent, byte @Nullable [] framedValue, long ttlMillis) {
		Long stored = this.redis.eval(COMPLETE, ScriptOutputType.INTEGER, LeaseScripts.guarded(entry),
				LeaseScripts.withPendingField(entry, this.channel, (framedValue != null) ? framedValue : NONE,
						LuaScript.number(ttlMillis), intent.generation(), LuaScript.number(intent.began()),
						LuaScript.number(intent.finished())));
		return stored != null && stored == 1;
	}

	/**
	 * Abandons a registered writer whose change of the backing data failed, deleting the entry if
	 * another writer overlapped it.
	 * @return whether the entry was deleted
	 * @throws RemoteCallException if Redis fails or does not answer in time
	 */
	public boolean abandon(EntryKeys entry, Intent intent) {
		if (intent == Intent.UNREGISTERED) {
			return false;
		}
		Long deleted = this.redis.eval(ABANDON, ScriptOutputType.INTEGER, LeaseScripts.all(entry), this.channel,
				intent.generation(), LuaScript.number(intent.began()), LuaScript.number(intent.finished()));
		return deleted != null && deleted == 1;
	}

	/**
	 * A writer's registration: the generation of the intents hash it registered in, and the counts of
	 * writers that had begun (itself included) and finished then.
	 */
	public record Intent(byte[] generation, long began, long finished) {

		/** No registration: the writer deletes the entry, and makes any writer in flight delete. */
		public static final Intent UNREGISTERED = new Intent(NONE, 0, 0);

	}

}
