package dev.tiercache.tier;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import dev.tiercache.coherence.LocalCopies;
import dev.tiercache.coherence.NamespaceVersion;
import dev.tiercache.coherence.TagVersions;
import dev.tiercache.internal.concurrent.RateLimit;
import dev.tiercache.internal.read.KeyGuard;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.write.PendingWrites;
import dev.tiercache.tracing.CacheTracer;

/**
 * What the parts of one cache share: its name, settings, counters, L1 and
 * {@linkplain NamespaceVersion namespace version} (which keeps the floor), and the one place failures
 * that must not reach callers go through (counted here, then handed to the manager's
 * {@link TiercacheErrorHandler}, whose own failure is logged and goes no further); and its L1 as
 * {@link LocalCopies}, for the manager's coherence. Thread-safe.
 */
final class CacheContext implements LocalCopies {

	private static final Log logger = LogFactory.getLog(TieredCache.class);

	private static final long LOG_INTERVAL_SECONDS = 30;

	/** How often an error handler that throws is logged at warning level, at most. */
	private static final Duration LOG_INTERVAL = Duration.ofSeconds(LOG_INTERVAL_SECONDS);

	private final String name;

	private final CacheSettings settings;

	private final StatsRecorder stats;

	private final @Nullable LocalTier local;

	/** The namespace version in Redis keys of this cache; unknown until read from Redis. */
	private final NamespaceVersion namespace = new NamespaceVersion(this);

	private final UnconfirmedWrites unconfirmedWrites;

	private final LongSupplier namespaceInUse = this.namespace::current;

	private volatile @Nullable PendingWrites pendingWrites;

	private volatile @Nullable KeyGuard guard;

	private final TiercacheErrorHandler errorHandler;

	private final CacheTracer tracer;

	private final TagVersions tags;

	private final RateLimit handlerFailureLog = new RateLimit(LOG_INTERVAL);

	CacheContext(String name, CacheSettings settings, @Nullable LocalTier local, StatsRecorder stats,
			TiercacheErrorHandler errorHandler, CacheTracer tracer, TagVersions tags) {
		this.name = name;
		this.tags = tags;
		this.stats = stats;
		this.settings = settings;
		this.local = local;
		this.errorHandler = errorHandler;
		this.tracer = tracer;
		this.unconfirmedWrites = new UnconfirmedWrites(name);
	}

	String name() {
		return this.name;
	}

	@Override
	public String cacheName() {
		return this.name;
	}

	/** The versions of this cache's tags, which tagged entries are checked against. */
	TagVersions tags() {
		return this.tags;
	}

	/** What traces this cache's loads, calls to Redis and write-behind flushes. */
	CacheTracer tracer() {
		return this.tracer;
	}

	/**
	 * Makes a call to Redis for this cache, traced as {@code work}.
	 * @throws RemoteCallException if Redis fails or does not answer in time
	 */
	<T extends @Nullable Object> T callRedis(CacheTracer.Work work, CacheTracer.Step<T, RuntimeException> call) {
		return this.tracer.trace(work, this.name, call);
	}

	/**
	 * Makes a call to Redis for this cache that returns nothing, traced as {@code work}.
	 * @throws RemoteCallException if Redis fails or does not answer in time
	 */
	void runRedis(CacheTracer.Work work, Runnable call) {
		callRedis(work, () -> {
			call.run();
			return null;
		});
	}

	CacheSettings settings() {
		return this.settings;
	}

	StatsRecorder stats() {
		return this.stats;
	}

	@Nullable LocalTier local() {
		return this.local;
	}

	/** The cache's penetration guard, or {@code null}. */
	@Nullable KeyGuard guard() {
		return this.guard;
	}

	void guardWith(@Nullable KeyGuard guard) {
		this.guard = guard;
	}

	/**
	 * Tells the cache's guard, if it has one, that the key is written: now, and again once the
	 * transaction the write is made in (if any) commits, for a guard rebuilt from the database meanwhile,
	 * which could not see the row before the commit.
	 */
	void keyWritten(@Nullable RemoteCache remote, Object key) {
		KeyGuard keyGuard = this.guard;
		if (keyGuard == null || remote == null) {
			return;
		}
		String rendered = remote.render(key);
		keyGuard.added(rendered);
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

				@Override
				public void afterCompletion(int status) {
					// called on every synchronization registered by the commit, those registered in afterCommit too
					if (status == STATUS_COMMITTED) {
						keyGuard.added(rendered);
					}
				}

			});
		}
	}

	/** Where reads that find nothing in Redis look for writes not yet in the backing store; {@code null} for none. */
	@Nullable PendingWrites pendingWrites() {
		return this.pendingWrites;
	}

	/**
	 * Sets where writes not yet in the backing store are kept, which lays out the cache's entries: L1,
	 * filled from another layout, is cleared when the layout changes.
	 */
	void pendingWrites(PendingWrites pendingWrites) {
		PendingWrites known;
		synchronized (this) {
			known = this.pendingWrites;
			this.pendingWrites = pendingWrites;
		}
		clearIfRelaidOut(known, pendingWrites);
	}

	/**
	 * Replaces the pending writes if they are still {@code expected}, as {@link #pendingWrites(PendingWrites)}.
	 * @return whether they were
	 */
	boolean replacePendingWrites(@Nullable PendingWrites expected, PendingWrites pendingWrites) {
		synchronized (this) {
			if (this.pendingWrites != expected) {
				return false;
			}
			this.pendingWrites = pendingWrites;
		}
		clearIfRelaidOut(expected, pendingWrites);
		return true;
	}

	private void clearIfRelaidOut(@Nullable PendingWrites before, PendingWrites after) {
		if (before == null || before.partitions() != after.partitions()) {
			clear();
		}
	}

	/**
	 * The namespace version in this cache's Redis keys, or {@link NamespaceVersion#UNKNOWN}; also the
	 * floor below which versions read from Redis are not used.
	 */
	@Override
	public long namespace() {
		return this.namespace.current();
	}

	/** The namespace version, for the manager's {@link dev.tiercache.coherence.Namespaces}. */
	NamespaceVersion namespaceVersion() {
		return this.namespace;
	}

	/** The writes to Redis whose namespace version was not confirmed since. */
	UnconfirmedWrites unconfirmedWrites() {
		return this.unconfirmedWrites;
	}

	/** A write of a resolved key to Redis completed: remembered until its namespace version is confirmed. */
	void written(RemoteKey key) {
		this.unconfirmedWrites.completed(key, this.namespaceInUse);
	}

	@Override
	public void namespaceConfirmed(long version, long startedNanos) {
		this.unconfirmedWrites.confirmed(version, startedNanos);
	}

	@Override
	public void namespaceMoved(long version) {
		this.unconfirmedWrites.superseded(version);
	}

	@Override
	public @Nullable SuspectEntry reported(String renderedKey) {
		LocalTier tier = this.local;
		return (tier != null) ? tier.invalidate(renderedKey, true) : null;
	}

	@Override
	public void dropped(String renderedKey) {
		LocalTier tier = this.local;
		if (tier != null) {
			tier.invalidate(renderedKey, false);
		}
	}

	@Override
	public void clear() {
		LocalTier tier = this.local;
		if (tier != null) {
			tier.clear();
		}
	}

	/** Counts a Redis call that failed and tells the error handler; the caller goes on as if L2 missed. */
	void remoteFailed(RemoteCallException ex) {
		this.stats.remoteError();
		tell((handler) -> handler.onRedisFailure(this.name, ex));
	}

	/** Counts a background reload that failed and tells the error handler; the entry it was to replace stays. */
	void refreshFailed(Object key, Throwable failure) {
		this.stats.refreshFailure();
		tell((handler) -> handler.onRefreshFailure(this.name, key, failure));
	}

	/** Counts a read served with an expired entry because its loader threw, and tells the error handler. */
	void failSafeServed(Object key, Throwable failure) {
		this.stats.failSafeHit();
		tell((handler) -> handler.onFailSafeServed(this.name, key, failure));
	}

	/** Counts a stored entry that could not be read, and tells the error handler. */
	void decodeFailed(String what) {
		this.stats.decodeFailure();
		tell((handler) -> handler.onUnreadableEntry(this.name, what));
	}

	/**
	 * Tells the error handler of a failure, once what the failure leaves to do (a repair, a lease's
	 * release) is arranged; if the handler throws anything but a {@link VirtualMachineError} (a checked
	 * exception thrown from Kotlin, an {@code AssertionError}), that is logged (as a warning at most every
	 * {@value #LOG_INTERVAL_SECONDS} s) and the cache call goes on.
	 */
	private void tell(Consumer<TiercacheErrorHandler> call) {
		try {
			call.accept(this.errorHandler);
		}
		catch (VirtualMachineError ex) {
			throw ex;
		}
		catch (Throwable ex) {
			if (this.handlerFailureLog.allow()) {
				logger.warn("Tiercache cache '" + this.name + "': its error handler " + this.errorHandler
						+ " threw, which it must not; the cache call goes on (further ones within "
						+ LOG_INTERVAL_SECONDS + " s are logged at debug level)", ex);
			}
			else if (logger.isDebugEnabled()) {
				logger.debug("Tiercache cache '" + this.name + "': its error handler threw", ex);
			}
		}
	}

	@Override
	public String toString() {
		return "cache '" + this.name + "'";
	}

}
