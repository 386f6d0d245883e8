package dev.tiercache.benchmarks;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import org.springframework.context.ConfigurableApplicationContext;

import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

/**
 * A load scenario, not a JMH benchmark: a tag over {@code entries} entries. Instance A writes the
 * entries, each tagged with one tag they all share and one of its own; instance B reads them all into
 * its L1. Then:
 * <ul>
 * <li>the cost of an invalidation: A invalidates a tag {@code invalidations} times (the call's time, and
 * the Redis commands it sent), against what hand-written Redis code does with a set of keys per tag
 * ({@code SMEMBERS}, then {@code DEL} of the keys in batches of 1,000);</li>
 * <li>how soon B drops its L1 copies once A invalidated the shared tag, and that every one of them is
 * reloaded (the loader's calls on B's next read of every entry);</li>
 * <li>what tags cost a read: L1 hits and Redis hits of tagged entries against untagged ones (average
 * over every entry, read in turn {@code passes} times for L1 and a tenth as often for Redis, warm).</li>
 * </ul>
 */
final class TagScenario {

	private static final String SHARED = "publisher:ace";

	private static final int DELETE_BATCH = 1_000;

	/**
	 * What the scenario measured.
	 * @param entries how many entries carry the shared tag
	 * @param invalidateP50Micros median time of one invalidation
	 * @param invalidateP99Micros 99th percentile
	 * @param commandsPerInvalidation the Redis commands instance A sent per invalidation (background reads
	 * included)
	 * @param handWrittenMillis the set-of-keys invalidation of as many entries
	 * @param handWrittenCommands its Redis commands
	 * @param propagationMillis from A's invalidation returning to B's first read that misses
	 * @param reloads B's loader calls on reading every entry again
	 * @param localHitNanos L1 hit, untagged then tagged
	 * @param remoteHitMicros Redis hit (a cache without L1), untagged then tagged
	 */
	record Outcome(int entries, double invalidateP50Micros, double invalidateP99Micros,
			double commandsPerInvalidation, double handWrittenMillis, int handWrittenCommands, double propagationMillis,
			int reloads, double[] localHitNanos, double[] remoteHitMicros) {
	}

	private TagScenario() {
	}

	static Outcome run(int entries, int invalidations, int passes) {
		CommandCounter counter = new CommandCounter();
		String prefix = "bench-tags-" + System.nanoTime();
		try (Subjects counted = new Subjects(counter.clientResources()); Subjects subjects = new Subjects()) {
			String[] remoteCaches = { "tiercache.caches.remote-untagged.mode=remote",
					"tiercache.caches.remote-tagged.mode=remote" };
			TieredCacheManager writer = counted.tieredInstance(prefix, remoteCaches).getBean(TieredCacheManager.class);
			ConfigurableApplicationContext readerContext = subjects.tieredInstance(prefix, remoteCaches);
			TieredCacheManager reader = readerContext.getBean(TieredCacheManager.class);
			for (String name : new String[] { "untagged", "tagged", "remote-untagged", "remote-tagged" }) {
				fill(writer.getTieredCache(name), entries, name.endsWith("-tagged") || name.equals("tagged"));
			}
			double[] localHits = readNanos(reader.getTieredCache("untagged"), reader.getTieredCache("tagged"), entries,
					passes);
			double[] remoteHits = readNanos(reader.getTieredCache("remote-untagged"),
					reader.getTieredCache("remote-tagged"), entries, Math.max(1, passes / 10));
			remoteHits[0] /= 1000;
			remoteHits[1] /= 1000;
			TieredCache written = writer.getTieredCache("tagged");
			long[] times = new long[invalidations];
			Map<String, Long> before = counter.snapshot();
			for (int i = 0; i < invalidations; i++) {
				long started = System.nanoTime();
				written.invalidateTag("unshared:" + i);
				times[i] = System.nanoTime() - started;
			}
			long commands = CommandCounter.total(CommandCounter.difference(before, counter.snapshot()));
			Arrays.sort(times);
			TieredCache read = reader.getTieredCache("tagged");
			written.invalidateTag(SHARED);
			long invalidated = System.nanoTime();
			while (read.get(0) != null) {
				LockSupport.parkNanos(10_000);
			}
			double propagationMillis = (System.nanoTime() - invalidated) / 1e6;
			AtomicInteger reloads = new AtomicInteger();
			for (int i = 0; i < entries; i++) {
				int id = i;
				read.get(id, String.class, () -> {
					reloads.incrementAndGet();
					return "Book " + id;
				});
			}
			long[] handWritten = handWrittenInvalidation(prefix, entries);
			return new Outcome(entries, StampedeScenario.percentile(times, 50) / 1e3,
					StampedeScenario.percentile(times, 99) / 1e3, (double) commands / invalidations,
					handWritten[0] / 1e6, (int) handWritten[1], propagationMillis, reloads.get(), localHits,
					remoteHits);
		}
	}

	private static void fill(TieredCache cache, int entries, boolean tagged) {
		for (int i = 0; i < entries; i++) {
			if (tagged) {
				cache.put(i, "Book " + i, SHARED, "book:" + i);
			}
			else {
				cache.put(i, "Book " + i);
			}
		}
	}

	/**
	 * The average time of a hit over every entry of each cache, in nanoseconds: the caches are read in
	 * turn, {@code passes} times each, after one pass each to warm up, so that neither gains from the JIT
	 * warming up on the other.
	 */
	private static double[] readNanos(TieredCache untagged, TieredCache tagged, int entries, int passes) {
		TieredCache[] caches = { untagged, tagged };
		long[] nanos = new long[caches.length];
		for (int pass = -1; pass < passes; pass++) {
			for (int c = 0; c < caches.length; c++) {
				long started = System.nanoTime();
				for (int i = 0; i < entries; i++) {
					requireHit(caches[c], i);
				}
				nanos[c] += (pass >= 0) ? System.nanoTime() - started : 0;
			}
		}
		return new double[] { (double) nanos[0] / ((long) passes * entries),
				(double) nanos[1] / ((long) passes * entries) };
	}

	private static void requireHit(TieredCache cache, int key) {
		if (cache.get(key, String.class) == null) {
			throw new IllegalStateException("Entry " + key + " of cache '" + cache.getName() + "' missed");
		}
	}

	/**
	 * What hand-written Redis code does to drop the entries of a tag: the tag's set of keys, kept beside
	 * the entries, is read, then the keys deleted in batches, then the set.
	 * @return the time in nanoseconds, and the commands sent
	 */
	private static long[] handWrittenInvalidation(String prefix, int entries) {
		RedisClient client = RedisClient.create(RedisURI.create(BenchRedis.uri()));
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			RedisCommands<String, String> redis = connection.sync();
			String set = prefix + ":hand:tag:" + SHARED;
			for (int i = 0; i < entries; i++) {
				String key = prefix + ":hand:" + i;
				redis.set(key, "Book " + i);
				redis.sadd(set, key);
			}
			long started = System.nanoTime();
			String[] keys = redis.smembers(set).toArray(String[]::new);
			int commands = 1;
			for (int from = 0; from < keys.length; from += DELETE_BATCH) {
				redis.del(Arrays.copyOfRange(keys, from, Math.min(keys.length, from + DELETE_BATCH)));
				commands++;
			}
			redis.del(set);
			return new long[] { System.nanoTime() - started, commands + 1 };
		}
		finally {
			client.shutdown();
		}
	}

}
