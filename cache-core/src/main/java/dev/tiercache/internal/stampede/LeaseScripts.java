package dev.tiercache.internal.stampede;

import java.util.Arrays;

import dev.tiercache.internal.redis.EntryKeys;
import dev.tiercache.internal.redis.LuaScript;

/**
 * The Lua scripts of the lease protocol ({@link LeaseLocks}), their replies, and how their keys and
 * arguments are laid out. Each script is one atomic step in Redis, so that a lease is checked and
 * used (stored under, renewed, released) in the same step, by the holder of its token only.
 *
 * <p><b>Keys.</b> KEYS[1] is the entry's value, KEYS[2] its lease, KEYS[3] the flag of callers waiting
 * for the lease, KEYS[4] its write intents ({@link WriteIntents}) and, when the entry's cache queues
 * writes for its backing store, KEYS[5] the hash of pending writes ({@link #guarded}), whose field for
 * the entry is then the last argument ({@link #withPendingField}). All of them are keys of one entry,
 * in one cluster slot ({@link EntryKeys}); only {@link #RENEW} takes the lease alone, as its KEYS[1].
 * Every script that writes a value wakes the waiters ({@link LeaseLocks#WAKE_WAITERS}), and every one
 * that puts or deletes it counts as a finished write for the writers in flight
 * ({@link WriteIntents#OVERLAP}).
 */
final class LeaseScripts {

	/**
	 * Returns {1, value} if a value is stored (unless its first bytes equal ARGV[3], a value the caller
	 * cannot read and will replace); else {5, value} if a write of the key is pending (field ARGV[4] of
	 * the hash KEYS[5], when given); {2} if the caller took the lease; {4} if the key is open (the last
	 * load stored nothing); otherwise flags a waiter and returns {3, remaining lease}.
	 */
	static final LuaScript READ_OR_ACQUIRE = LuaScript.of("""
			local value = redis.call('GET', KEYS[1])
			if value and (ARGV[3] == '' or string.sub(value, 1, #ARGV[3]) ~= ARGV[3]) then return {1, value} end
			if KEYS[5] then
			  local pending = redis.call('HGET', KEYS[5], ARGV[4])
			  if pending then return {5, pending} end
			end
			local lock = redis.call('GET', KEYS[2])
			if not lock then
			  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
			  return {2}
			end
			if lock == 'open' then return {4} end
			redis.call('SET', KEYS[3], '1', 'PX', tostring(tonumber(ARGV[2]) + 1000))
			return {3, redis.call('PTTL', KEYS[2])}
			""");

	/**
	 * Takes the lease if nobody holds it, whatever the value, and no write of the key is pending (field
	 * ARGV[3] of the hash KEYS[5], when given): 1 if taken, 0 if not.
	 */
	static final LuaScript ACQUIRE_IF_FREE = LuaScript.of("""
			if KEYS[5] and redis.call('HEXISTS', KEYS[5], ARGV[3]) == 1 then return 0 end
			if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
			return 0
			""");

	/**
	 * If the caller (token ARGV[2]) holds the lease: stores the value ARGV[3] for ARGV[4] ms, unless a
	 * write of the key is pending (field ARGV[5] of the hash KEYS[5], when given), and releases the lease.
	 * Returns 1 if stored, 2 if a write is pending, 0 if the lease is not held.
	 */
	static final LuaScript STORE_IF_HELD = LuaScript.of("""
			if redis.call('GET', KEYS[2]) ~= ARGV[2] then return 0 end
			local outcome = 2
			if not (KEYS[5] and redis.call('HEXISTS', KEYS[5], ARGV[5]) == 1) then
			  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
			  outcome = 1
			end
			redis.call('DEL', KEYS[2])
			""" + LeaseLocks.WAKE_WAITERS + """
			return outcome
			""");

	static final LuaScript RELEASE = LuaScript.of("""
			if redis.call('GET', KEYS[2]) ~= ARGV[2] then return 0 end
			redis.call('DEL', KEYS[2])
			""" + LeaseLocks.WAKE_WAITERS + """
			return 1
			""");

	/** Releases a lease whose load stored nothing; if callers wait, opens the key so they load at once. */
	static final LuaScript RELEASE_OPEN = LuaScript.of("""
			if redis.call('GET', KEYS[2]) ~= ARGV[2] then return 0 end
			if redis.call('DEL', KEYS[3]) == 1 then
			  redis.call('SET', KEYS[2], 'open', 'PX', ARGV[3])
			  redis.call('PUBLISH', ARGV[1], KEYS[1])
			else
			  redis.call('DEL', KEYS[2])
			end
			return 1
			""");

	static final LuaScript RENEW = LuaScript.of("""
			if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
			return redis.call('PEXPIRE', KEYS[1], ARGV[2])
			""");

	/**
	 * Puts ARGV[2] for ARGV[3] ms, or deletes the value when ARGV[2] is empty; a put of a key with a
	 * queued write (field ARGV[4] of the hash KEYS[5], when given) deletes instead, as the queued write
	 * is the key's latest. Revokes any lease. Returns, for a put, 1 if it stored; for a delete, whether
	 * a value existed.
	 */
	static final LuaScript WRITE = LuaScript.of("""
			local outcome
			if ARGV[2] ~= '' and not (KEYS[5] and redis.call('HEXISTS', KEYS[5], ARGV[4]) == 1) then
			  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
			  outcome = 1
			else
			  outcome = redis.call('DEL', KEYS[1])
			  if ARGV[2] ~= '' then outcome = 0 end
			end
			redis.call('DEL', KEYS[2])
			""" + LeaseLocks.WAKE_WAITERS + WriteIntents.OVERLAP + """
			return outcome
			""");

	static final LuaScript REVOKE = LuaScript.of("""
			redis.call('DEL', KEYS[2])
			""" + LeaseLocks.WAKE_WAITERS + """
			return 1
			""");

	static final LuaScript WRITE_IF_ABSENT = LuaScript.of("""
			local value = redis.call('GET', KEYS[1])
			if value then return value end
			redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
			redis.call('DEL', KEYS[2])
			""" + LeaseLocks.WAKE_WAITERS + WriteIntents.OVERLAP + """
			return false
			""");

	/** Replies of {@link #READ_OR_ACQUIRE}; 3 is a lease held by another caller. */
	static final long FOUND = 1;

	static final long ACQUIRED = 2;

	static final long OPEN = 4;

	static final long PENDING = 5;

	/** Replies of {@link #STORE_IF_HELD}; 0 is a lease no longer held. */
	static final long STORE_WRITTEN = 1;

	static final long STORE_PENDING = 2;

	private LeaseScripts() {
	}

	/** The entry's keys: value, lease, waiters, intents. */
	static byte[][] all(EntryKeys keys) {
		return new byte[][] { keys.value(), keys.lock(), keys.waiters(), keys.intents() };
	}

	/** The entry's keys, and the hash of its pending write when its cache queues writes. */
	static byte[][] guarded(EntryKeys keys) {
		EntryKeys.Pending pending = keys.pending();
		return (pending != null)
				? new byte[][] { keys.value(), keys.lock(), keys.waiters(), keys.intents(), pending.hash() } : all(keys);
	}

	/** The arguments, then the field of the entry's pending write when its cache queues writes. */
	static byte[][] withPendingField(EntryKeys keys, byte[]... arguments) {
		EntryKeys.Pending pending = keys.pending();
		if (pending == null) {
			return arguments;
		}
		byte[][] all = Arrays.copyOf(arguments, arguments.length + 1);
		all[arguments.length] = pending.field();
		return all;
	}

}
