package dev.tiercache.writebehind;

import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.redis.LuaScript;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.write.StagedWrite;

/**
 * The queue's Lua scripts; each is one atomic step in Redis.
 *
 * <p><b>Fencing.</b> The scripts a partition's flusher runs ({@link #READ}, {@link #CLAIM},
 * {@link #ACKNOWLEDGE}, {@link #DEAD_LETTER}) take the partition's lease hash and the fencing token the
 * flusher holds, and change nothing unless that token is still the lease's: they answer the error
 * {@value #FENCED} instead, so that an owner that lost the partition (its lease ran out while it paused
 * or was cut off, and another instance took over) can neither read new entries, nor claim, acknowledge
 * or dead-letter any. The lease hash ({@link OwnerLease}) holds {@code epoch}, {@code token} and
 * {@code until} (milliseconds, by Redis's clock); it has no TTL.
 */
final class QueueScripts {

	/** The error a fenced script answers when the token it was given is not the lease's any more. */
	static final String FENCED = "FENCED";

	/** Lua: {@code now}, Redis's time in milliseconds. */
	private static final String NOW = """
			local time = redis.call('TIME')
			local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
			""";

	/**
	 * Lua: the server's replication id ({@code master_replid}), which names the history of its dataset, or
	 * an empty string where Redis refuses {@code INFO} (an ACL, a managed service). A primary keeps it while
	 * it serves writes; it changes when a failover promotes another server, and when a server restarts or
	 * becomes a primary again, so that a change tells that the dataset may lack what an earlier primary
	 * held.
	 */
	private static final String LINEAGE = "(function() local info = redis.pcall('INFO', 'replication') "
			+ "return type(info) == 'string' and string.match(info, 'master_replid:(%w+)') or '' end)()";

	/** Lua: answers {@link #FENCED} unless the lease KEYS[%d] holds the token ARGV[%d]. */
	private static final String FENCE = """
			if redis.call('HGET', KEYS[%d], 'token') ~= ARGV[%d] then
			  return redis.error_reply('%s: this instance no longer owns the partition')
			end
			""";

	private QueueScripts() {
	}

	private static String fence(int leaseKey, int tokenArgument) {
		return FENCE.formatted(leaseKey, tokenArgument, FENCED);
	}

	/** Whether Redis refused a fenced script because the token it was given is not the lease's any more. */
	static boolean fenced(RemoteCallException ex) {
		@Nullable String message = ex.getMessage();
		return message != null && message.contains(FENCED + ":");
	}

	/**
	 * The call: applies the staged cache write ({@link StagedWrite#APPLY}: KEYS[1..3], ARGV[1..3]),
	 * appends the entry to the partition's stream (KEYS[4], creating it with the consumer group ARGV[4]
	 * if it is new) and records the value as the key's pending write (KEYS[5]). ARGV[5..7] are the
	 * entry's key, method and arguments. A write that deletes the key (ARGV[3] is {@code 0}: the cache
	 * cannot hold its value) marks the entry {@code u}, so that the key is evicted once it is applied.
	 * Returns the entry id; when ARGV[8] is {@code 1}, followed by a space and the
	 * {@linkplain #LINEAGE lineage} of the dataset that took it, read before any write.
	 */
	static final LuaScript ENQUEUE = LuaScript.of("local lineage = ARGV[8] == '1' and %s or ''\n".formatted(LINEAGE)
			+ StagedWrite.APPLY + """
			local fresh = redis.call('EXISTS', KEYS[4]) == 0
			local id
			if ARGV[3] == '0' then
			  id = redis.call('XADD', KEYS[4], '*', 'k', ARGV[5], 'm', ARGV[6], 'a', ARGV[7], 'u', '1')
			else
			  id = redis.call('XADD', KEYS[4], '*', 'k', ARGV[5], 'm', ARGV[6], 'a', ARGV[7])
			end
			if fresh then redis.call('XGROUP', 'CREATE', KEYS[4], ARGV[4], '0') end
			redis.call('HSET', KEYS[5], 'v:' .. ARGV[5], ARGV[2], 'i:' .. ARGV[5], id)
			if ARGV[8] == '1' then return id .. ' ' .. lineage end
			return id
			""");

	/**
	 * Whether entry ARGV[1] is still in the stream KEYS[1], and the {@linkplain #LINEAGE lineage} of the
	 * dataset that says so, read together: {@code 1 <lineage>} or {@code 0 <lineage>}.
	 */
	static final LuaScript QUEUED_IN = LuaScript.of("""
			return #redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1]) .. ' ' .. %s
			""".formatted(LINEAGE));

	/**
	 * Reads, for consumer ARGV[3] of group ARGV[2], at most ARGV[4] entries of the stream KEYS[1] from
	 * ARGV[5] ({@code 0}: its own pending entries, {@code >}: new ones), fenced by the lease KEYS[2] and
	 * the token ARGV[1]. Returns the {@linkplain #LINEAGE lineage} of the dataset read, then the list of
	 * entries as {@code [id, [field, value, ...]]} pairs. A read of new
	 * entries while the consumer has entries it read and did not acknowledge returns those instead: a read
	 * whose reply was lost (its connection was killed, and replaced) may reach Redis after the read of the
	 * pending entries that followed it, and the newer entries of their keys must not be applied before
	 * them ({@code PartitionStreamTests}).
	 */
	static final LuaScript READ = LuaScript.of(fence(2, 1) + """
			local from = ARGV[5]
			if from == '>' and #redis.call('XPENDING', KEYS[1], ARGV[2], '-', '+', 1, ARGV[3]) > 0 then
			  from = '0'
			end
			local read = redis.call('XREADGROUP', 'GROUP', ARGV[2], ARGV[3], 'COUNT', ARGV[4], 'STREAMS', KEYS[1], from)
			return { %s, read and read[1][2] or {} }
			""".formatted(LINEAGE));

	/**
	 * Claims for consumer ARGV[3] of group ARGV[2] at most ARGV[5] entries of the stream KEYS[1] that any
	 * consumer read but did not acknowledge, from the cursor ARGV[4], however long they were idle
	 * ({@code XAUTOCLAIM ... JUSTID}), fenced by the lease KEYS[2] and the token ARGV[1]. Returns the next
	 * cursor ({@code 0-0} when done) and how many were claimed.
	 */
	static final LuaScript CLAIM = LuaScript.of(fence(2, 1) + """
			local claimed = redis.call('XAUTOCLAIM', KEYS[1], ARGV[2], ARGV[3], 0, ARGV[4], 'COUNT', ARGV[5], 'JUSTID')
			return { claimed[1], #claimed[2] }
			""");

	/**
	 * Acknowledges and deletes applied entries of the stream KEYS[1] (ARGV[2] the group, ARGV[3] their
	 * count, then their ids), then, for each (key, id) pair that follows, forgets the key's pending
	 * value in KEYS[2] if that id is still its latest write; fenced by the lease KEYS[3] and the token
	 * ARGV[1]. Idempotent, so that it can be sent again when its reply was lost.
	 */
	static final LuaScript ACKNOWLEDGE = LuaScript.of(fence(3, 1) + """
			local n = tonumber(ARGV[3])
			if n > 0 then
			  local ids = {}
			  for i = 1, n do ids[i] = ARGV[3 + i] end
			  redis.call('XACK', KEYS[1], ARGV[2], unpack(ids))
			  redis.call('XDEL', KEYS[1], unpack(ids))
			end
			for i = 4 + n, #ARGV, 2 do
			  if redis.call('HGET', KEYS[2], 'i:' .. ARGV[i]) == ARGV[i + 1] then
			    redis.call('HDEL', KEYS[2], 'i:' .. ARGV[i], 'v:' .. ARGV[i])
			  end
			end
			return 1
			""");

	/**
	 * Moves entry ARGV[2] of stream KEYS[1] (group ARGV[1]) to the dead-letter stream KEYS[3] with its
	 * fields (ARGV[3..5]: key, method, arguments), the error ARGV[6], the attempts ARGV[7] and the
	 * partition ARGV[8], and forgets the key's pending value in KEYS[2] if this was its latest write;
	 * fenced by the lease KEYS[4] and the token ARGV[9].
	 */
	static final LuaScript DEAD_LETTER = LuaScript.of(fence(4, 9) + """
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
	 * ARGV[3..5], marked as requeued, unless it is gone already, and records it as its key's latest
	 * pending write in KEYS[3], without a value (the cache does not hold it: reads load and store
	 * nothing until it is applied, and a call of the key that cannot be queued sees it). Returns the new
	 * entry id, or false.
	 */
	static final LuaScript REQUEUE = LuaScript.of("""
			if redis.call('XDEL', KEYS[1], ARGV[1]) == 0 then return false end
			local fresh = redis.call('EXISTS', KEYS[2]) == 0
			local id = redis.call('XADD', KEYS[2], '*', 'k', ARGV[3], 'm', ARGV[4], 'a', ARGV[5], 'r', '1')
			if fresh then redis.call('XGROUP', 'CREATE', KEYS[2], ARGV[2], '0') end
			redis.call('HSET', KEYS[3], 'v:' .. ARGV[3], '', 'i:' .. ARGV[3], id)
			return id
			""");

	/**
	 * Takes the lease KEYS[1] for instance ARGV[1] for ARGV[2] ms if it has no owner or its owner's lease
	 * ran out: increments its epoch and returns the new token ({@code <instance>:<epoch>:<s>.<µs>}, Redis's
	 * time in seconds and six digits of microseconds, which keeps it unique when the hash was lost and its
	 * epoch started again); returns false if another owner's lease still runs.
	 */
	static final LuaScript TAKE = LuaScript.of(NOW + """
			local lease = redis.call('HMGET', KEYS[1], 'token', 'until')
			if lease[1] and tonumber(lease[2] or '0') > now then return false end
			local token = ARGV[1] .. ':' .. redis.call('HINCRBY', KEYS[1], 'epoch', 1) .. ':' .. time[1] .. '.'
			  .. string.format('%06d', tonumber(time[2]))
			redis.call('HSET', KEYS[1], 'token', token, 'until', string.format('%.0f', now + tonumber(ARGV[2])))
			return token
			""");

	/**
	 * Renews, for ARGV[1] ms, each lease KEYS[i] that still holds the token ARGV[i + 1] (also one that
	 * ran out, as long as no other instance took it since: its epoch did not move). Returns, per lease,
	 * 1 if renewed and 0 if lost.
	 */
	static final LuaScript RENEW = LuaScript.of(NOW + """
			local renewed = {}
			local expires = string.format('%.0f', now + tonumber(ARGV[1]))
			for i = 1, #KEYS do
			  if redis.call('HGET', KEYS[i], 'token') == ARGV[i + 1] then
			    redis.call('HSET', KEYS[i], 'until', expires)
			    renewed[i] = 1
			  else
			    renewed[i] = 0
			  end
			end
			return renewed
			""");

	/** Gives up the lease KEYS[1] if it still holds the token ARGV[1]; its epoch stays. */
	static final LuaScript RELEASE = LuaScript.of("""
			if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 0 end
			redis.call('HDEL', KEYS[1], 'token', 'until')
			return 1
			""");

	/**
	 * Records instance ARGV[1] as a live flusher in the sorted set KEYS[1], forgets those silent for
	 * ARGV[2] ms, records the queue's number of partitions ARGV[3] at KEYS[2] (unless one is there and
	 * other flushers are live: a number the instances disagree on stays until those of the old one are
	 * gone), and returns how many flushers are live (by Redis's clock, so instances need not agree on
	 * time). The set is the only queue key with a TTL: its loss only makes instances count each other
	 * again.
	 */
	static final LuaScript LIVE = LuaScript.of(NOW + """
			redis.call('ZADD', KEYS[1], now, ARGV[1])
			redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
			redis.call('PEXPIRE', KEYS[1], ARGV[2])
			local live = redis.call('ZCARD', KEYS[1])
			if live == 1 then
			  redis.call('SET', KEYS[2], ARGV[3])
			else
			  redis.call('SETNX', KEYS[2], ARGV[3])
			end
			return live
			""");

	/** Removes instance ARGV[1] from the live flushers KEYS[1]. */
	static final LuaScript LEAVE = LuaScript.of("return redis.call('ZREM', KEYS[1], ARGV[1])");

}
