package dev.tiercache.coherence;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.tiercache.internal.concurrent.Periodic;
import dev.tiercache.internal.concurrent.RateLimit;
import dev.tiercache.internal.redis.LuaScript;
import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;

/**
 * The tags of one manager's caches in Redis: per cache, a clock that counts the invalidations of its
 * tags, and per tag the clock value of its last invalidation, all in the cache's cluster slot, so that an
 * invalidation is one script and a check of an entry's tags one {@code MGET}, however many entries carry
 * them. Each registered cache's {@link TagVersions} learns of invalidations made elsewhere when Redis
 * reports the change of a tag ({@link TagReports}, through {@link L1Coherence}). Every
 * {@link #READ_INTERVAL} it reads the clock again (to move it back up if it was lost); and, unless Redis
 * tracks the tags for this instance ({@link CoherenceMode#TRACKING}, where a report is lost only with
 * the connection, after which every version is forgotten), what it knows too, so that a published
 * invalidation that was lost is made up for. Tag keys have no TTL: one small key per tag ever
 * invalidated. Thread-safe.
 */
public final class Tags implements TagReports {

	/** How often each cache's known tag versions are read from Redis again. */
	public static final Duration READ_INTERVAL = Duration.ofSeconds(1);

	/**
	 * The largest clock the scripts handle: Lua's numbers are doubles, exact up to 2<sup>53</sup>. A tag
	 * or clock value beyond it is taken for one that cannot be read; a clock gets there only if something
	 * else than Tiercache set it.
	 */
	static final long MAX_CLOCK = (1L << 53) - 2;

	/** How many tags one {@code MGET} reads at most. */
	static final int READ_BATCH = 512;

	/**
	 * Invalidates a tag (KEYS[2]): moves the cache's clock (KEYS[1]) on, past the instance's (ARGV[1]) if
	 * the clock key went below it, and sets the tag to it; returns the clock.
	 */
	private static final LuaScript INVALIDATE = LuaScript.of("""
			local clock = redis.call('INCR', KEYS[1])
			if clock <= tonumber(ARGV[1]) then
			  clock = tonumber(ARGV[1]) + 1
			  redis.call('SET', KEYS[1], clock)
			end
			redis.call('SET', KEYS[2], clock)
			return clock
			""");

	/** Moves the cache's clock (KEYS[1]) up to the instance's (ARGV[1]) unless it is there already; returns it. */
	private static final LuaScript FORWARD = LuaScript.of("""
			local clock = tonumber(redis.call('GET', KEYS[1])) or 0
			if clock < tonumber(ARGV[1]) then
			  clock = tonumber(ARGV[1])
			  redis.call('SET', KEYS[1], clock)
			end
			return clock
			""");

	private static final Log logger = LogFactory.getLog(Tags.class);

	private final RemoteCommands commands;

	private final RedisKeys keys;

	private final Coherence coherence;

	private final Map<String, TagVersions> caches = new ConcurrentHashMap<>();

	private final RateLimit unreadable = new RateLimit(Duration.ofSeconds(30));

	/** Starts reading the registered caches' tag versions every {@link #READ_INTERVAL} on {@code scheduler}. */
	public Tags(RemoteCommands commands, RedisKeys keys, Coherence coherence, ScheduledExecutorService scheduler) {
		this.commands = commands;
		this.keys = keys;
		this.coherence = coherence;
		long interval = READ_INTERVAL.toMillis();
		scheduler.scheduleWithFixedDelay(Periodic.surviving(this::readAll, logger, "read the caches' tag versions"),
				interval, interval, TimeUnit.MILLISECONDS);
	}

	/** The tag versions of a cache, kept up to date from now on. */
	public TagVersions register(String cacheName) {
		return this.caches.computeIfAbsent(cacheName, (name) -> new TagVersions(name, this));
	}

	@Override
	public void tagChanged(String cacheName, String tag) {
		TagVersions versions = this.caches.get(cacheName);
		if (versions != null) {
			versions.reported(tag);
		}
	}

	@Override
	public void forgetTags() {
		this.caches.values().forEach(TagVersions::forgetAll);
	}

	/**
	 * Makes every registered cache's invalidations that Redis did not take, reads its clock again and, unless
	 * Redis tracks the tags, what it knows; a cache whose Redis fails is retried at the next read.
	 */
	void readAll() {
		boolean tracked = this.coherence.mode() == CoherenceMode.TRACKING;
		for (TagVersions versions : this.caches.values()) {
			try {
				versions.refresh(!tracked);
			}
			catch (RemoteCallException ex) {
				// the next cache's slot may be on another node that answers
				logger.debug("Tiercache could not read the tags of cache '" + versions.cacheName() + "'", ex);
			}
			catch (RuntimeException ex) {
				// not Redis failing (a clock that holds no number, say): the other caches' tags are read all the same
				if (this.unreadable.allow()) {
					logger.warn("Tiercache cannot read the tags of cache '" + versions.cacheName() + "' (further "
							+ "failures within 30 s are logged at debug level): " + ex.getMessage());
				}
				else {
					logger.debug("Tiercache cannot read the tags of cache '" + versions.cacheName() + "'", ex);
				}
			}
		}
	}

	/**
	 * Reads a cache's clock and the versions of some of its tags in one call.
	 * @return the clock, then each tag's version in order (0 for a tag never invalidated)
	 * @throws RemoteCallException if Redis fails
	 */
	long[] read(String cacheName, List<String> tags) {
		byte[][] names = new byte[tags.size() + 1][];
		names[0] = this.keys.tagClock(cacheName);
		for (int i = 0; i < tags.size(); i++) {
			names[i + 1] = this.keys.tag(cacheName, tags.get(i));
		}
		List<KeyValue<byte[], byte[]>> reply = this.commands.call((redis) -> redis.mget(names));
		if (reply == null || reply.size() != names.length) {
			throw new RemoteCallException("MGET of " + names.length + " tag keys of cache '" + cacheName
					+ "' returned " + ((reply != null) ? reply.size() : "no") + " values",
					new IllegalStateException("unexpected reply"));
		}
		long[] versions = new long[names.length];
		for (int i = 0; i < names.length; i++) {
			versions[i] = version(names[i], reply.get(i));
		}
		return versions;
	}

	/**
	 * A version as Redis holds it: 0 if absent; one that is not a number counts as invalidated after every
	 * entry (logged), so that no entry is served on a guess.
	 */
	private long version(byte[] key, KeyValue<byte[], byte[]> value) {
		if (!value.hasValue()) {
			return 0;
		}
		try {
			long version = Long.parseLong(new String(value.getValue(), StandardCharsets.US_ASCII));
			if (version >= 0 && version <= MAX_CLOCK) {
				return version;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		if (this.unreadable.allow()) {
			logger.warn("Tiercache found no number from 0 to " + MAX_CLOCK + " at " + new String(key,
					StandardCharsets.UTF_8) + "; it counts as newer than every entry until it is set again (further "
					+ "reports within 30 s are dropped)");
		}
		return Long.MAX_VALUE;
	}

	/**
	 * Invalidates a tag of a cache past {@code floor}, this instance's clock, and tells the other
	 * instances where Redis does not.
	 * @return the clock value the tag was invalidated at
	 * @throws RemoteCallException if Redis fails
	 */
	long invalidate(String cacheName, String tag, long floor) {
		byte[] tagKey = this.keys.tag(cacheName, tag);
		long version = run(INVALIDATE, new byte[][] { this.keys.tagClock(cacheName), tagKey }, floor);
		this.coherence.publish(tagKey);
		return version;
	}

	/**
	 * Moves a cache's clock up to {@code floor} if it went below.
	 * @return the clock as it is now
	 * @throws RemoteCallException if Redis fails
	 */
	long forwardClock(String cacheName, long floor) {
		return run(FORWARD, new byte[][] { this.keys.tagClock(cacheName) }, floor);
	}

	private long run(LuaScript script, byte[][] keys, long floor) {
		Long clock = this.commands.eval(script, ScriptOutputType.INTEGER, keys, LuaScript.number(floor));
		if (clock == null || clock < 0 || clock > MAX_CLOCK) {
			throw new IllegalStateException("The tag clock at " + new String(keys[0], StandardCharsets.UTF_8)
					+ " is " + clock + ", not a number from 0 to " + MAX_CLOCK + "; delete the key (the instances "
					+ "move it back up to the newest clock they know)");
		}
		return clock;
	}

}
