package dev.tiercache.coherence;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.redis.RedisKey;
import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.internal.redis.RemoteCommands;

/**
 * Keeps the L1s of one manager's caches coherent with Redis: it receives the changes Redis (or
 * another instance) reports, tells each cache's L1 what to drop, and settles the entries kept on
 * suspicion. Besides a cache's own writes (a clear of the cache included) and a cache moving to a newer
 * namespace version, it is the only code that drops L1 entries.
 *
 * <p><b>Suspects: what this instance wrote stays while it is checked.</b> A report of a key whose L1
 * entry this instance wrote to Redis may be that very write, echoed (Redis reports a connection's
 * script writes back to it before 7.2, and writes made on another of the instance's connections
 * always), or another write that Redis ordered before or after it. The entry then stays as a
 * {@link LocalCopies.Suspect} until a check of Redis in the background ({@link CopyChecks}) settles
 * it: it leaves unless Redis still holds the bytes it was written as ({@link WriteTokens}), in the
 * cache's current namespace; and at once if no check can be queued or the key has no Redis name yet.
 * So a writer's next read is an L1 hit, and a value Redis no longer holds does not outlive the check.
 * Checked by {@code LocalTierInvalidationTests} and {@code LocalTierCoherenceTests}
 * ({@code twoThreadsPuttingOneKeyLeaveNoValueInL1ThatRedisReplaced},
 * {@code aWriteThatReachesL1AfterANewerWritesReportDoesNotStayThere}).
 *
 * <p><b>Missed changes clear L1.</b> When changes may have been missed (the connection was lost, Redis
 * flushed, or Redis answers again after the circuit breaker stopped calls), every L1 is cleared, the
 * tag versions known are forgotten ({@link TagReports}) and the namespace versions are read again
 * ({@link NamespaceReader}): on the background executor after a reconnection or flush
 * ({@link #resynchronize}), on the breaker's thread after an outage ({@link #clearAndReread}), never on
 * Redis's I/O thread. Thread-safe.
 */
public final class L1Coherence implements InvalidationTarget, AutoCloseable {

	private final RedisKeys keys;

	private final CopyChecks checks;

	private final Executor background;

	private final NamespaceReader namespaces;

	private final TagReports tags;

	private final Map<String, LocalCopies> caches = new ConcurrentHashMap<>();

	private final AtomicLong resynchronizations = new AtomicLong();

	/**
	 * @param keys the layout of the keys whose changes are reported
	 * @param commands where suspects are checked
	 * @param background runs namespace reads and clears, away from Redis's I/O thread
	 * @param namespaces reads namespace versions again when they may have moved
	 * @param tags told of reported changes of tags, and of losses of reports
	 */
	public L1Coherence(RedisKeys keys, RemoteCommands commands, Executor background, NamespaceReader namespaces,
			TagReports tags) {
		this.keys = keys;
		this.checks = new CopyChecks(commands);
		this.background = background;
		this.namespaces = namespaces;
		this.tags = tags;
	}

	/** Keeps a cache's L1 coherent from now on. */
	public void follow(LocalCopies cache) {
		this.caches.put(cache.cacheName(), cache);
	}

	/**
	 * A key changed in Redis. For a value key of a followed cache's current namespace, the cache's L1
	 * is told ({@link LocalCopies#reported}) and an entry it keeps is checked; a namespace version is read
	 * again in the background; a tag's version is read again before it is next relied on
	 * ({@link TagReports#tagChanged}). Other keys concern no L1. Runs on the connection's I/O thread: no
	 * Redis call here.
	 */
	@Override
	public void changed(byte[] key) {
		RedisKey parsed = this.keys.parse(key);
		if (parsed instanceof RedisKey.Entry entry && entry.part() == RedisKey.EntryPart.VALUE) {
			valueChanged(key, entry);
		}
		else if (parsed instanceof RedisKey.Cache whole && whole.part() == RedisKey.CachePart.NAMESPACE) {
			inBackground(() -> this.namespaces.read(whole.cache()));
		}
		else if (parsed instanceof RedisKey.Tag tag) {
			this.tags.tagChanged(tag.cache(), tag.tag());
		}
	}

	private void valueChanged(byte[] key, RedisKey.Entry entry) {
		LocalCopies cache = this.caches.get(entry.cache());
		if (cache == null) {
			return;
		}
		long namespace = cache.namespace();
		if (namespace == entry.namespace()) {
			check(cache, key, namespace, cache.reported(entry.key()));
		}
	}

	/** Changes may have been missed: in the background, every L1 is cleared and the namespaces read again. */
	@Override
	public void resynchronize() {
		inBackground(this::clearAndReread);
	}

	/**
	 * Changes were missed while Redis could not be used: every L1 is cleared, the tag versions known are
	 * forgotten and the namespaces read again, now, on the calling thread.
	 */
	public void clearAndReread() {
		this.tags.forgetTags();
		this.caches.values().forEach(LocalCopies::clear);
		this.namespaces.readAll();
		this.resynchronizations.incrementAndGet();
	}

	/**
	 * How many times every L1 was cleared and the namespaces read again ({@link #clearAndReread}): once
	 * when the connection that carries invalidations is first set up, and after each loss of changes.
	 */
	public long resynchronizations() {
		return this.resynchronizations.get();
	}

	/**
	 * Checks in the background an entry this instance wrote to Redis at {@code valueKey} and kept in L1
	 * though a change of its key was reported or made meanwhile: it leaves unless Redis still holds what
	 * it was written as, in the cache's {@code namespace}. It leaves at once if the key has no Redis name
	 * ({@code valueKey} is {@code null}: the namespace is not known) or no check can be queued. Nothing
	 * to do for a {@code null} suspect.
	 */
	public void check(LocalCopies cache, byte @Nullable [] valueKey, long namespace,
			LocalCopies.@Nullable Suspect suspect) {
		if (suspect == null) {
			return;
		}
		Consumer<Boolean> settle = (held) -> {
			if (!held) {
				suspect.evict();
			}
		};
		if (valueKey == null || !this.checks.submit(cache, valueKey, namespace, suspect.writeToken(), settle)) {
			suspect.evict();
		}
	}

	/**
	 * Puts back an entry a reported change kept out of L1 ({@code putBack}) if Redis still holds the
	 * bytes whose token is {@code token} at {@code valueKey}, and that key is still of the cache's
	 * current namespace; checked in the background, and dropped if no check can be queued.
	 */
	public void recheck(LocalCopies cache, byte[] valueKey, long namespace, long token, Runnable putBack) {
		this.checks.submit(cache, valueKey, namespace, token, (held) -> {
			if (held) {
				putBack.run();
			}
		});
	}

	/** The entry Redis names {@code renderedKey} was changed by this instance behind its L1's back. */
	public void dropped(LocalCopies cache, String renderedKey) {
		cache.dropped(renderedKey);
	}

	private void inBackground(Runnable task) {
		try {
			this.background.execute(task);
		}
		catch (RejectedExecutionException ex) {
			// shutting down: nothing to keep coherent
		}
	}

	/** Stops checking; the checks still queued are answered "no": their suspects leave L1, their refills stay out. */
	@Override
	public void close() {
		this.checks.close();
	}

}
