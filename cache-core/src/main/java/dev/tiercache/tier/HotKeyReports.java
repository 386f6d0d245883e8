package dev.tiercache.tier;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ScriptOutputType;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.tiercache.internal.concurrent.Periodic;
import dev.tiercache.internal.redis.LuaScript;
import dev.tiercache.internal.redis.RedisKey.CachePart;
import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;

/**
 * Reports, when asked to, for every cache of a manager that has an L1 and uses Redis, the keys this
 * instance read most often lately (Caffeine's frequency sketch, {@link LocalTier#hottest}) to a small
 * sorted set per cache in Redis, every {@link #INTERVAL}, so that a new instance can warm its L1 with what
 * the running ones read ({@link #reported}). Each report first halves the scores there, then adds to each
 * reported key its rank from the bottom (the hottest the most), keeps the {@value #KEPT} highest and sets
 * the set to expire a day after the last report: the set leans to the latest reports, the more so the
 * more instances report (each halves the others' scores). One script per cache and report, all within
 * one Redis timeout per round; a report that fails is dropped (the next one comes). Thread-safe.
 */
final class HotKeyReports {

	private static final Log logger = LogFactory.getLog(HotKeyReports.class);

	/** How often each cache is reported. */
	static final Duration INTERVAL = Duration.ofSeconds(10);

	/** Keys reported per cache and report. */
	static final int REPORTED = 100;

	/** Keys kept per cache in Redis. */
	static final int KEPT = 1000;

	private static final Duration KEPT_FOR = Duration.ofDays(1);

	/** KEYS[1] the cache's hot keys; ARGV[1] the TTL (ms), ARGV[2] how many to keep, ARGV[3..] names, hottest first. */
	static final LuaScript REPORT = LuaScript.of("""
			if redis.call('EXISTS', KEYS[1]) == 1 then
			  redis.call('ZUNIONSTORE', KEYS[1], 1, KEYS[1], 'WEIGHTS', 0.5)
			end
			local reported = #ARGV - 2
			for i = 3, #ARGV do
			  redis.call('ZINCRBY', KEYS[1], reported - (i - 3), ARGV[i])
			end
			redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[2]) + 1))
			redis.call('PEXPIRE', KEYS[1], ARGV[1])
			return reported
			""");

	private final RemoteCommands commands;

	private final RedisKeys keys;

	private final List<CacheContext> caches = new CopyOnWriteArrayList<>();

	/** @param report whether to report; the hot keys others reported are read either way */
	HotKeyReports(RemoteCommands commands, RedisKeys keys, ScheduledExecutorService scheduler, boolean report) {
		this.commands = commands;
		this.keys = keys;
		if (report) {
			long interval = INTERVAL.toMillis();
			scheduler.scheduleWithFixedDelay(Periodic.surviving(this::reportAll, logger, "report the hot keys"),
					interval, interval, TimeUnit.MILLISECONDS);
		}
	}

	/** Reports a cache's hot keys from now on; one without L1 has none. */
	void follow(CacheContext cache) {
		if (cache.local() != null) {
			this.caches.add(cache);
		}
	}

	void reportAll() {
		long deadline = this.commands.deadline();
		for (CacheContext cache : this.caches) {
			if (!this.commands.admits() || System.nanoTime() - deadline >= 0) {
				return;
			}
			report(cache, deadline);
		}
	}

	private void report(CacheContext cache, long deadline) {
		LocalTier local = cache.local();
		List<String> hottest = (local != null) ? local.hottest(REPORTED) : List.of();
		if (hottest.isEmpty()) {
			return;
		}
		byte[][] arguments = new byte[hottest.size() + 2][];
		arguments[0] = LuaScript.number(KEPT_FOR.toMillis());
		arguments[1] = LuaScript.number(KEPT);
		for (int i = 0; i < hottest.size(); i++) {
			arguments[i + 2] = hottest.get(i).getBytes(StandardCharsets.UTF_8);
		}
		try {
			this.commands.eval(deadline, REPORT, ScriptOutputType.INTEGER, new byte[][] { key(cache.name()) },
					arguments);
		}
		catch (RuntimeException ex) {
			logger.debug("Tiercache could not report the hot keys of cache '" + cache.name() + "'", ex);
		}
	}

	/**
	 * The names of a cache's keys the instances reported hottest, hottest first.
	 * @param limit how many at most, at least 1
	 * @throws RemoteCallException if Redis fails
	 */
	List<String> reported(String cache, int limit) {
		List<byte[]> names = this.commands.call((redis) -> redis.zrevrange(key(cache), 0, limit - 1));
		return (names != null) ? names.stream().map((name) -> new String(name, StandardCharsets.UTF_8)).toList()
				: List.of();
	}

	private byte[] key(String cache) {
		return this.keys.cache(CachePart.HOT_KEYS, cache);
	}

}
