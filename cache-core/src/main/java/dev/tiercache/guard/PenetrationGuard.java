package dev.tiercache.guard;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.lettuce.core.ScriptOutputType;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.concurrent.RateLimit;
import dev.tiercache.internal.read.KeyGuard;
import dev.tiercache.internal.redis.LuaScript;
import dev.tiercache.internal.redis.RedisKey.CachePart;
import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.internal.redis.RemoteCommands;
import dev.tiercache.tier.TieredCache;

/**
 * A cache's penetration guard: a Bloom filter of the keys that exist, so that a read of a key that
 * cannot exist is answered {@code null} without Redis or the loader (a request for random ids never
 * reaches the database), and nothing is stored for it.
 *
 * <p><b>Where the filter lives.</b> In Redis, as a bitmap every instance shares, with its shape beside
 * it; each instance keeps a copy, read again when the filter was rebuilt (checked every
 * {@link GuardSettings#refreshInterval()}). A key whose bits the copy holds passes without a Redis call.
 * A key the copy lacks is looked up in Redis, in one script, before it is refused: a key another
 * instance added since the copy was read passes. So the guard refuses a key only if Redis's filter, of
 * this instance's shape, lacks it, and this instance has no add of it still to send.
 *
 * <p><b>What it knows.</b> {@link #buildIfMissing} and {@link #rebuild} fill it from a source of every
 * key that exists (one instance at a time; the source is read once the build holds its lock). The cache
 * adds every key written to it (put, written through, queued by {@code @WriteBehind} and again when
 * applied, written around, invalidated) before the write, and again once the write's transaction
 * commits; while a rebuild runs, adds go to both filters. An add Redis did not take is sent again at
 * the next refresh. A key created without any of those (by another application, or by SQL) is refused
 * until the next rebuild; one refusal in {@value #AUDIT_EVERY} is read anyway, and a value found adds
 * its key and is logged, so such keys show.
 *
 * <p><b>Failing open.</b> Until a filter of this shape is in Redis (never built, built with other
 * settings, lost with Redis's data), while Redis fails, and for keys the filter holds, reads go on as
 * without a guard. A filter never forgets (deleted keys stay until a rebuild), so its rate of false
 * positives grows with the keys added: {@link GuardStats#estimatedFalsePositiveRate()} tells it. Redis
 * replicates asynchronously: a failover can lose the latest adds, whose keys are then refused until the
 * next rebuild or write of each. Thread-safe.
 */
public final class PenetrationGuard implements KeyGuard {

	private static final Log logger = LogFactory.getLog(PenetrationGuard.class);

	/** How many keys one script of a rebuild adds. */
	static final int REBUILD_BATCH = 1000;

	/** How long a rebuild's lock, and the bitmap it fills, last unless the rebuild goes on. */
	static final long BUILD_LOCK_MILLIS = 60_000;

	/** The most adds kept to send again; beyond it, the filter in Redis is disabled (see {@link #added}). */
	static final int MAX_UNSENT = 100_000;

	/** One refusal in this many is read anyway, to find keys the filter lacks though they exist. */
	static final int AUDIT_EVERY = 1000;

	/** How much of the bitmap one call reads when the copy is read again. */
	static final int READ_CHUNK_BYTES = 1 << 20;

	/** What {@link #CHECK} answers when Redis holds no filter of the shape asked for. */
	private static final long NO_FILTER = 2;

	/** What {@link #START} answers when a filter is there and only a missing one was to be built. */
	private static final long ALREADY_BUILT = 2;

	/** What {@link #buildIfMissing} and {@link #rebuild} return when another instance is building. */
	public static final long BUSY = -1;

	/** What {@link #buildIfMissing} returns when Redis holds a filter (of this shape or another). */
	public static final long PRESENT = -2;

	/**
	 * Whether the filter (KEYS[1], shaped as KEYS[2] says) has every bit ARGV[3..] set, for a filter of
	 * ARGV[1] bits and ARGV[2] hashes: 1 or 0; {@value #NO_FILTER} if no filter of that shape is there.
	 */
	private static final LuaScript CHECK = LuaScript.of("""
			local shape = redis.call('HMGET', KEYS[2], 'bits', 'hashes')
			if shape[1] ~= ARGV[1] or shape[2] ~= ARGV[2] or redis.call('EXISTS', KEYS[1]) == 0 then
			  return 2
			end
			for i = 3, #ARGV do
			  if redis.call('GETBIT', KEYS[1], ARGV[i]) == 0 then
			    return 0
			  end
			end
			return 1
			""");

	/**
	 * Sets bits ARGV[3..] in the filter (KEYS[1]) if it has the shape ARGV[1] bits, ARGV[2] hashes, and in
	 * the filter being rebuilt (KEYS[3]) if it has that shape and its rebuild's lock (KEYS[4]) is held
	 * (KEYS[2] holds both shapes).
	 */
	private static final LuaScript ADD = LuaScript.of("""
			local shape = redis.call('HMGET', KEYS[2], 'bits', 'hashes', 'nextBits', 'nextHashes')
			local current = shape[1] == ARGV[1] and shape[2] == ARGV[2] and redis.call('EXISTS', KEYS[1]) == 1
			local next = shape[3] == ARGV[1] and shape[4] == ARGV[2] and redis.call('EXISTS', KEYS[3]) == 1
			  and redis.call('EXISTS', KEYS[4]) == 1
			for i = 3, #ARGV do
			  if current then redis.call('SETBIT', KEYS[1], ARGV[i], 1) end
			  if next then redis.call('SETBIT', KEYS[3], ARGV[i], 1) end
			end
			return current and 1 or 0
			""");

	/** The filter's shape (KEYS[1]): bits, hashes, keys at its build, generation; false for what is missing. */
	private static final LuaScript SHAPE = LuaScript.of("""
			local shape = redis.call('HMGET', KEYS[1], 'bits', 'hashes', 'keys', 'generation')
			return { shape[1] or false, shape[2] or false, shape[3] or false, shape[4] or false }
			""");

	/**
	 * Starts a build if the lock (KEYS[3]) is free: takes it for ARGV[4] ms with token ARGV[3]; then, if
	 * ARGV[5] is 1 and a filter (KEYS[4], of any shape in KEYS[2]) is there, releases it and returns
	 * {@value #ALREADY_BUILT}; otherwise creates an empty bitmap (KEYS[1]) of ARGV[1] bits, expiring with
	 * the lock, with its shape (ARGV[1] bits, ARGV[2] hashes) in KEYS[2], and returns 1. Returns 0 if
	 * another build holds the lock.
	 */
	private static final LuaScript START = LuaScript.of("""
			if redis.call('SET', KEYS[3], ARGV[3], 'NX', 'PX', ARGV[4]) == false then
			  return 0
			end
			local built = redis.call('HEXISTS', KEYS[2], 'bits') == 1 and redis.call('EXISTS', KEYS[4]) == 1
			if ARGV[5] == '1' and built then
			  redis.call('DEL', KEYS[3])
			  return 2
			end
			redis.call('DEL', KEYS[1])
			redis.call('SETBIT', KEYS[1], tonumber(ARGV[1]) - 1, 0)
			redis.call('PEXPIRE', KEYS[1], ARGV[4])
			redis.call('HSET', KEYS[2], 'nextBits', ARGV[1], 'nextHashes', ARGV[2])
			return 1
			""");

	/**
	 * Sets bits ARGV[3..] in the bitmap being built (KEYS[1]) and extends it and the lock (KEYS[2]) by
	 * ARGV[2] ms, if the lock still holds token ARGV[1]: 1, else 0.
	 */
	private static final LuaScript FILL = LuaScript.of("""
			if redis.call('GET', KEYS[2]) ~= ARGV[1] then
			  return 0
			end
			redis.call('PEXPIRE', KEYS[2], ARGV[2])
			redis.call('PEXPIRE', KEYS[1], ARGV[2])
			for i = 3, #ARGV do
			  redis.call('SETBIT', KEYS[1], ARGV[i], 1)
			end
			return 1
			""");

	/**
	 * Ends a build whose lock (KEYS[4]) holds token ARGV[1]: the bitmap built (KEYS[1]) replaces the
	 * filter (KEYS[2]) for good, whose shape (KEYS[3]) becomes ARGV[2] bits, ARGV[3] hashes, ARGV[4] keys,
	 * in a new generation. Returns 1, or 0 if the lock was lost (nothing changes).
	 */
	private static final LuaScript FINISH = LuaScript.of("""
			if redis.call('GET', KEYS[4]) ~= ARGV[1] then
			  return 0
			end
			redis.call('RENAME', KEYS[1], KEYS[2])
			redis.call('PERSIST', KEYS[2])
			redis.call('HSET', KEYS[3], 'bits', ARGV[2], 'hashes', ARGV[3], 'keys', ARGV[4])
			redis.call('HINCRBY', KEYS[3], 'generation', 1)
			redis.call('HDEL', KEYS[3], 'nextBits', 'nextHashes')
			redis.call('DEL', KEYS[4])
			return 1
			""");

	/** Gives a build up if its lock (KEYS[3]) holds token ARGV[1]: drops the bitmap (KEYS[1]) it was filling. */
	private static final LuaScript ABANDON = LuaScript.of("""
			if redis.call('GET', KEYS[3]) == ARGV[1] then
			  redis.call('DEL', KEYS[1], KEYS[3])
			  redis.call('HDEL', KEYS[2], 'nextBits', 'nextHashes')
			end
			return 0
			""");

	/** Drops the filter's shape (KEYS[1]): every instance stops refusing keys until the next build. */
	private static final LuaScript DISABLE = LuaScript.of("""
			return redis.call('HDEL', KEYS[1], 'bits', 'hashes', 'keys')
			""");

	private final TieredCache cache;

	private final GuardSettings settings;

	private final BloomShape shape;

	private final RemoteCommands commands;

	private final byte[] filterKey;

	private final byte[] nextKey;

	private final byte[] shapeKey;

	private final byte[] buildKey;

	private final byte[] bitsArgument;

	private final byte[] hashesArgument;

	/** The copy of Redis's filter, or {@code null} while Redis holds none of this shape (the guard is open). */
	private volatile @Nullable Copy local;

	/** Adds Redis did not take, to send again. */
	private final Set<String> unsent = ConcurrentHashMap.newKeySet();

	/** Whether adds were dropped, so that the filter in Redis lacks keys and must be disabled. */
	private volatile boolean addsDropped;

	/** Keys refused (audited ones included): also what picks one refusal in {@value #AUDIT_EVERY} to audit. */
	private final AtomicLong refused = new AtomicLong();

	private final LongAdder passedLocally = new LongAdder();

	private final LongAdder passedInRedis = new LongAdder();

	private final LongAdder open = new LongAdder();

	private final LongAdder audited = new LongAdder();

	private final LongAdder foundByAudit = new LongAdder();

	private final LongAdder redisErrors = new LongAdder();

	private final RateLimit foundWarnings = new RateLimit(Duration.ofSeconds(30));

	/**
	 * The copy of a filter and what it was read as.
	 * @param bits the bitmap
	 * @param generation the filter's build, as its shape counts them
	 * @param keysAtBuild how many keys its build added
	 */
	private record Copy(LocalBits bits, long generation, long keysAtBuild) {
	}

	/** What the source of a cache's keys yields when a build reads it. */
	@FunctionalInterface
	public interface KeySource {

		/**
		 * Opens the keys, as the cache is given them; an iterator that is {@link AutoCloseable} is closed
		 * once read.
		 * @throws Throwable what reading the source threw
		 */
		Iterator<?> open() throws Throwable;

	}

	/**
	 * A guard for the cache, not yet attached to it ({@link PenetrationGuards} does that) and open until
	 * {@link #refresh()} finds a filter of its shape in Redis.
	 */
	PenetrationGuard(TieredCache cache, GuardSettings settings, RemoteCommands commands, RedisKeys keys) {
		this.cache = cache;
		this.settings = settings;
		this.shape = settings.shape();
		this.commands = commands;
		String name = cache.getName();
		this.filterKey = keys.cache(CachePart.GUARD, name);
		this.nextKey = keys.cache(CachePart.GUARD_NEXT, name);
		this.shapeKey = keys.cache(CachePart.GUARD_SHAPE, name);
		this.buildKey = keys.cache(CachePart.GUARD_BUILD, name);
		this.bitsArgument = LuaScript.number(this.shape.bits());
		this.hashesArgument = LuaScript.number(this.shape.hashes());
	}

	/** Guards the cache's reads from now on. */
	void attach() {
		this.cache.guardWith(this);
	}

	/** Stops guarding the cache's reads. */
	void detach() {
		this.cache.guardWith(null);
	}

	/** The guarded cache's name. */
	public String cacheName() {
		return this.cache.getName();
	}

	public GuardSettings settings() {
		return this.settings;
	}

	/**
	 * {@link Verdict#REFUSE} (or, for one refusal in {@value #AUDIT_EVERY}, {@link Verdict#AUDIT}) only if
	 * the filter in Redis, of this guard's shape, lacks one of the key's bits and no add of it waits to be
	 * sent: the key was never added. Counted in {@link #stats()}.
	 */
	@Override
	public Verdict check(String renderedKey) {
		Copy copy = this.local;
		if (copy == null) {
			this.open.increment();
			return Verdict.PASS;
		}
		long[] positions = this.shape.positions(renderedKey);
		if (copy.bits().allSet(positions)) {
			this.passedLocally.increment();
			return Verdict.PASS;
		}
		Long answer;
		try {
			answer = this.commands.eval(CHECK, ScriptOutputType.INTEGER,
					new byte[][] { this.filterKey, this.shapeKey }, arguments(positions));
		}
		catch (RuntimeException ex) {
			this.redisErrors.increment();
			logger.debug("Tiercache's penetration guard of cache '" + cacheName()
					+ "' could not look a key up in Redis; the read goes on", ex);
			return Verdict.PASS;
		}
		if (answer == null || answer == NO_FILTER) {
			this.local = null;
			this.open.increment();
			return Verdict.PASS;
		}
		if (answer == 1 || this.unsent.contains(renderedKey)) {
			copy.bits().setAll(positions);
			this.passedInRedis.increment();
			return Verdict.PASS;
		}
		if (this.refused.incrementAndGet() % AUDIT_EVERY == 0) {
			this.audited.increment();
			return Verdict.AUDIT;
		}
		return Verdict.REFUSE;
	}

	/** A refused key, read to audit the refusal, exists: it is added, counted and logged (without the key). */
	@Override
	public void found(String renderedKey) {
		this.foundByAudit.increment();
		added(renderedKey);
		if (this.foundWarnings.allow()) {
			logger.warn("Tiercache's penetration guard of cache '" + cacheName() + "' refused a key that exists ("
					+ this.foundByAudit.sum() + " found so far by reading 1 refusal in " + AUDIT_EVERY + "): it was "
					+ "created without the cache, or the @ExistingKeys source yields keys of another type than the "
					+ "cache's methods compute; the key is added now; rebuild the guard if there are more");
		}
	}

	/**
	 * Adds the key to the filter, here and in Redis (and to the filter being rebuilt, if any). If Redis
	 * does not take it, it is sent again at the next {@link #refresh()}, and this instance lets it through
	 * meanwhile; if more than {@value #MAX_UNSENT} wait, the filter in Redis is disabled at the next
	 * refresh (it lacks keys that exist) until rebuilt.
	 */
	@Override
	public void added(String renderedKey) {
		long[] positions = this.shape.positions(renderedKey);
		Copy copy = this.local;
		if (copy != null) {
			copy.bits().setAll(positions);
		}
		if (!send(positions)) {
			if (this.unsent.size() < MAX_UNSENT) {
				this.unsent.add(renderedKey);
			}
			else {
				this.addsDropped = true;
			}
		}
	}

	private boolean send(long[] positions) {
		try {
			this.commands.eval(ADD, ScriptOutputType.INTEGER,
					new byte[][] { this.filterKey, this.shapeKey, this.nextKey, this.buildKey }, arguments(positions));
			return true;
		}
		catch (RuntimeException ex) {
			this.redisErrors.increment();
			return false;
		}
	}

	/**
	 * Sends the adds Redis did not take, then reads the filter's shape from Redis: the guard is open if
	 * Redis holds no filter of its shape; the copy is read again (in chunks of {@value #READ_CHUNK_BYTES}
	 * bytes) if the filter was rebuilt since it was read. Runs every {@link GuardSettings#refreshInterval()}.
	 */
	public void refresh() {
		if (this.addsDropped) {
			disable();
		}
		for (Iterator<String> pending = this.unsent.iterator(); pending.hasNext();) {
			if (!send(this.shape.positions(pending.next()))) {
				return;
			}
			pending.remove();
		}
		try {
			Shape stored = storedShape();
			if (stored == null) {
				this.local = null;
				return;
			}
			Copy copy = this.local;
			if (copy == null || copy.generation() != stored.generation()) {
				readCopy(stored);
			}
		}
		catch (RuntimeException ex) {
			this.redisErrors.increment();
			logger.debug("Tiercache could not read the penetration guard of cache '" + cacheName() + "'", ex);
		}
	}

	/**
	 * The shape of the filter in Redis if it is this guard's.
	 * @param generation its build
	 * @param keysAtBuild how many keys its build added
	 */
	private record Shape(long generation, long keysAtBuild) {
	}

	private @Nullable Shape storedShape() {
		List<?> reply = this.commands.eval(SHAPE, ScriptOutputType.MULTI, new byte[][] { this.shapeKey });
		if (reply == null || reply.size() < 4 || !matches(reply.get(0), this.shape.bits())
				|| !matches(reply.get(1), this.shape.hashes())) {
			return null;
		}
		return new Shape(number(reply.get(3)), number(reply.get(2)));
	}

	/** Reads the bitmap in chunks; installs it unless the filter was rebuilt meanwhile (read again next time). */
	private void readCopy(Shape stored) {
		long length = (this.shape.bits() + 7) / 8;
		byte[] bitmap = new byte[Math.toIntExact(length)];
		for (long from = 0; from < length; from += READ_CHUNK_BYTES) {
			long start = from;
			long end = Math.min(length, from + READ_CHUNK_BYTES) - 1;
			byte[] chunk = this.commands.call((redis) -> redis.getrange(this.filterKey, start, end));
			if (chunk != null) {
				System.arraycopy(chunk, 0, bitmap, (int) start, Math.min(chunk.length, bitmap.length - (int) start));
			}
		}
		Shape after = storedShape();
		if (after == null || after.generation() != stored.generation()) {
			return;
		}
		LocalBits bits = LocalBits.fromRedis(bitmap, this.shape.bits());
		this.unsent.forEach((key) -> bits.setAll(this.shape.positions(key)));
		this.local = new Copy(bits, stored.generation(), stored.keysAtBuild());
	}

	private void disable() {
		try {
			this.commands.eval(DISABLE, ScriptOutputType.INTEGER, new byte[][] { this.shapeKey });
		}
		catch (RuntimeException ex) {
			this.redisErrors.increment();
			return;
		}
		this.addsDropped = false;
		this.unsent.clear();
		this.local = null;
		logger.warn("Tiercache's penetration guard of cache '" + cacheName() + "' could not add more than "
				+ MAX_UNSENT + " written keys to its filter while Redis failed, so it is disabled on every instance "
				+ "until it is rebuilt");
	}

	/** Whether Redis held a filter of this guard's shape at the last refresh, so that keys can be refused. */
	public boolean built() {
		return this.local != null;
	}

	/**
	 * Builds the filter from the source unless Redis holds one (of this shape or another: a filter of
	 * another shape, from instances with other settings, is left alone, and this instance refuses nothing
	 * until one of its shape is built). The source is read once the build holds its lock.
	 * @return how many keys the source yielded, {@link #PRESENT} if Redis holds a filter, or {@link #BUSY}
	 * if another instance is building one
	 * @throws IllegalStateException if Redis failed or the build lost its lock
	 * @throws RuntimeException what reading the source threw (the build is then given up)
	 */
	public long buildIfMissing(KeySource keys) {
		return build(keys, true);
	}

	/**
	 * Builds the filter anew from every key that exists, while the cache goes on adding the keys written
	 * meanwhile to both the old filter and the new one; the new one then replaces the old one (whatever
	 * its shape) on every instance, atomically in Redis and here at once (elsewhere at their next
	 * refresh). One instance builds at a time; the source is read once the build holds its lock.
	 * @return how many keys were added, or {@link #BUSY} if another instance is building the filter now
	 * @throws IllegalStateException if Redis failed or the rebuild lost its lock (it took more than
	 * {@value #BUILD_LOCK_MILLIS} ms between two batches)
	 * @throws RuntimeException what reading the source threw (the rebuild is then given up)
	 */
	public long rebuild(KeySource keys) {
		return build(keys, false);
	}

	private long build(KeySource source, boolean onlyIfMissing) {
		byte[] token = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
		byte[] lockMillis = LuaScript.number(BUILD_LOCK_MILLIS);
		boolean finished = false;
		try {
			Long started = this.commands.eval(START, ScriptOutputType.INTEGER,
					new byte[][] { this.nextKey, this.shapeKey, this.buildKey, this.filterKey }, this.bitsArgument,
					this.hashesArgument, token, lockMillis, LuaScript.number(onlyIfMissing ? 1 : 0));
			if (started == null || started == 0) {
				finished = true;
				return BUSY;
			}
			if (started == ALREADY_BUILT) {
				finished = true;
				return PRESENT;
			}
			long added = fillFrom(source, token, lockMillis);
			Long done = this.commands.eval(FINISH, ScriptOutputType.INTEGER,
					new byte[][] { this.nextKey, this.filterKey, this.shapeKey, this.buildKey }, token,
					this.bitsArgument, this.hashesArgument, LuaScript.number(added));
			requireLock(done);
			finished = true;
			refresh();
			return added;
		}
		finally {
			if (!finished) {
				abandon(token);
			}
		}
	}

	private long fillFrom(KeySource source, byte[] token, byte[] lockMillis) {
		Iterator<?> keys;
		try {
			keys = source.open();
		}
		catch (RuntimeException | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new IllegalStateException("The source of cache '" + cacheName() + "''s keys failed: " + ex, ex);
		}
		try {
			long added = 0;
			List<long[]> batch = new ArrayList<>(REBUILD_BATCH);
			while (keys.hasNext()) {
				Object key = keys.next();
				if (key == null) {
					continue;
				}
				batch.add(this.shape.positions(this.cache.redisName(key)));
				added++;
				if (batch.size() == REBUILD_BATCH) {
					fill(batch, token, lockMillis);
				}
			}
			fill(batch, token, lockMillis);
			return added;
		}
		finally {
			if (keys instanceof AutoCloseable closeable) {
				close(closeable);
			}
		}
	}

	private void close(AutoCloseable keys) {
		try {
			keys.close();
		}
		catch (Exception ex) {
			logger.warn("Tiercache could not close the source of cache '" + cacheName() + "''s keys: " + ex, ex);
		}
	}

	private void fill(List<long[]> batch, byte[] token, byte[] lockMillis) {
		if (batch.isEmpty()) {
			return;
		}
		int size = batch.stream().mapToInt((positions) -> positions.length).sum();
		byte[][] arguments = new byte[size + 2][];
		arguments[0] = token;
		arguments[1] = lockMillis;
		int i = 2;
		for (long[] positions : batch) {
			for (long position : positions) {
				arguments[i++] = LuaScript.number(position);
			}
		}
		requireLock(this.commands.eval(FILL, ScriptOutputType.INTEGER, new byte[][] { this.nextKey, this.buildKey },
				arguments));
		batch.clear();
	}

	private void requireLock(@Nullable Long answer) {
		if (answer == null || answer == 0) {
			throw new IllegalStateException("The build of the penetration guard of cache '" + cacheName()
					+ "' lost its lock: it went on for more than " + BUILD_LOCK_MILLIS + " ms between two batches of "
					+ REBUILD_BATCH + " keys, and another build may have started");
		}
	}

	private void abandon(byte[] token) {
		try {
			this.commands.eval(ABANDON, ScriptOutputType.INTEGER,
					new byte[][] { this.nextKey, this.shapeKey, this.buildKey }, token);
		}
		catch (RuntimeException ex) {
			logger.debug("Tiercache could not give up the build of the penetration guard of cache '" + cacheName()
					+ "'; its lock and bitmap expire by themselves", ex);
		}
	}

	/** This instance's counters and the filter as last read. */
	public GuardStats stats() {
		Copy copy = this.local;
		long set = (copy != null) ? copy.bits().cardinality() : 0;
		return new GuardStats(copy != null, this.shape.bits(), this.shape.hashes(),
				(copy != null) ? copy.keysAtBuild() : 0, set, (copy != null) ? this.shape.falsePositiveRate(set) : 0,
				this.refused.get(), this.passedLocally.sum(), this.passedInRedis.sum(), this.open.sum(),
				this.audited.sum(), this.foundByAudit.sum(), this.redisErrors.sum(), this.unsent.size());
	}

	/** The filter's shape, then the positions: the arguments of {@link #CHECK} and {@link #ADD}. */
	private byte[][] arguments(long[] positions) {
		byte[][] arguments = new byte[positions.length + 2][];
		arguments[0] = this.bitsArgument;
		arguments[1] = this.hashesArgument;
		for (int i = 0; i < positions.length; i++) {
			arguments[i + 2] = LuaScript.number(positions[i]);
		}
		return arguments;
	}

	private static boolean matches(@Nullable Object reply, long expected) {
		return reply instanceof byte[] bytes && ascii(bytes).equals(Long.toString(expected));
	}

	private static long number(@Nullable Object reply) {
		return (reply instanceof byte[] bytes) ? Long.parseLong(ascii(bytes)) : 0;
	}

	private static String ascii(byte[] bytes) {
		return new String(bytes, StandardCharsets.US_ASCII);
	}

	@Override
	public String toString() {
		return "PenetrationGuard[" + cacheName() + ", " + this.shape.bits() + " bits, " + this.shape.hashes()
				+ " hashes]";
	}

}
