package dev.tiercache.writebehind;

import dev.tiercache.internal.redis.LuaScript;
import dev.tiercache.tier.StagedWrite;

/** The queue's Lua scripts; each is one atomic step in Redis. */
final class QueueScripts {

	private QueueScripts() {
	}

	/**
	 * The call: applies the staged cache write ({@link StagedWrite#APPLY}: KEYS[1..3], ARGV[1..3]),
	 * appends the entry to the partition's stream (KEYS[4], creating it with the consumer group ARGV[4]
	 * if it is new) and records the value as the key's pending write (KEYS[5]). ARGV[5..7] are the
	 * entry's key, method and arguments. A write that deletes the key (ARGV[3] is {@code 0}: the cache
	 * cannot hold its value) marks the entry {@code u}, so that the key is evicted once it is applied.
	 * Returns the entry id.
	 */
	static final LuaScript ENQUEUE = LuaScript.of(StagedWrite.APPLY + """
			local fresh = redis.call('EXISTS', KEYS[4]) == 0
			local id
			if ARGV[3] == '0' then
			  id = redis.call('XADD', KEYS[4], '*', 'k', ARGV[5], 'm', ARGV[6], 'a', ARGV[7], 'u', '1')
			else
			  id = redis.call('XADD', KEYS[4], '*', 'k', ARGV[5], 'm', ARGV[6], 'a', ARGV[7])
			end
			if fresh then redis.call('XGROUP', 'CREATE', KEYS[4], ARGV[4], '0') end
			redis.call('HSET', KEYS[5], 'v:' .. ARGV[5], ARGV[2], 'i:' .. ARGV[5], id)
			return id
			""");

	/**
	 * Acknowledges and deletes applied entries of the stream KEYS[1] (ARGV[1] the group, ARGV[2] their
	 * count, then their ids), then, for each (key, id) pair that follows, forgets the key's pending
	 * value in KEYS[2] if that id is still its latest write.
	 */
	static final LuaScript ACKNOWLEDGE = LuaScript.of("""
			local n = tonumber(ARGV[2])
			if n > 0 then
			  local ids = {}
			  for i = 1, n do ids[i] = ARGV[2 + i] end
			  redis.call('XACK', KEYS[1], ARGV[1], unpack(ids))
			  redis.call('XDEL', KEYS[1], unpack(ids))
			end
			for i = 3 + n, #ARGV, 2 do
			  if redis.call('HGET', KEYS[2], 'i:' .. ARGV[i]) == ARGV[i + 1] then
			    redis.call('HDEL', KEYS[2], 'i:' .. ARGV[i], 'v:' .. ARGV[i])
			  end
			end
			return 1
			""");

	/**
	 * Moves entry ARGV[2] of stream KEYS[1] (group ARGV[1]) to the dead-letter stream KEYS[3] with its
	 * fields (ARGV[3..5]: key, method, arguments), the error ARGV[6], the attempts ARGV[7] and the
	 * partition ARGV[8], and forgets the key's pending value in KEYS[2] if this was its latest write.
	 */
	static final LuaScript DEAD_LETTER = LuaScript.of("""
			redis.call('XADD', KEYS[3], '*', 'k', ARGV[3], 'm', ARGV[4], 'a', ARGV[5], 'e', ARGV[6], 'n', ARGV[7],
			  'p', ARGV[8], 'o', ARGV[2])
			redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
			redis.call('XDEL', KEYS[1], ARGV[2])
			if redis.call('HGET', KEYS[2], 'i:' .. ARGV[3]) == ARGV[2] then
			  redis.call('HDEL', KEYS[2], 'i:' .. ARGV[3], 'v:' .. ARGV[3])
			end
			return 1
			""");

	/**
	 * Moves dead letter ARGV[1] of KEYS[1] back to the stream KEYS[2] (group ARGV[2]) with its fields
	 * ARGV[3..5], marked as requeued, unless it is gone already. Returns the new entry id, or false.
	 */
	static final LuaScript REQUEUE = LuaScript.of("""
			if redis.call('XDEL', KEYS[1], ARGV[1]) == 0 then return false end
			local fresh = redis.call('EXISTS', KEYS[2]) == 0
			local id = redis.call('XADD', KEYS[2], '*', 'k', ARGV[3], 'm', ARGV[4], 'a', ARGV[5], 'r', '1')
			if fresh then redis.call('XGROUP', 'CREATE', KEYS[2], ARGV[2], '0') end
			return id
			""");

	/**
	 * Takes or keeps partition ownership KEYS[1] for instance ARGV[1] for ARGV[2] ms: 1 if it was
	 * ours (renewed), 2 if it was free (taken), 0 if another instance holds it.
	 */
	static final LuaScript OWN = LuaScript.of("""
			local owner = redis.call('GET', KEYS[1])
			if owner == ARGV[1] then
			  redis.call('PEXPIRE', KEYS[1], ARGV[2])
			  return 1
			end
			if not owner then
			  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
			  return 2
			end
			return 0
			""");

	/** Gives up partition ownership KEYS[1] if instance ARGV[1] holds it. */
	static final LuaScript DISOWN = LuaScript.of("""
			if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
			return 0
			""");

	/**
	 * Records instance ARGV[1] as a live flusher in the sorted set KEYS[1], forgets those silent for
	 * ARGV[2] ms, and returns how many are live (by Redis's clock, so instances need not agree on time).
	 */
	static final LuaScript HEARTBEAT = LuaScript.of("""
			local time = redis.call('TIME')
			local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
			redis.call('ZADD', KEYS[1], now, ARGV[1])
			redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
			redis.call('PEXPIRE', KEYS[1], ARGV[2])
			return redis.call('ZCARD', KEYS[1])
			""");

	/** Removes instance ARGV[1] from the live flushers KEYS[1]. */
	static final LuaScript LEAVE = LuaScript.of("return redis.call('ZREM', KEYS[1], ARGV[1])");

}
