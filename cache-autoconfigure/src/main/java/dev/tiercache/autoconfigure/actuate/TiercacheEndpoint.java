package dev.tiercache.autoconfigure.actuate;

import java.security.Principal;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.audit.listener.AuditApplicationEvent;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.context.ApplicationEventPublisher;

import dev.tiercache.autoconfigure.warming.CacheWarming;
import dev.tiercache.autoconfigure.warming.WarmerProgress;
import dev.tiercache.coherence.CoherenceMode;
import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.stats.CacheStats;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.Freshness;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;
import dev.tiercache.writebehind.DeadLetter;
import dev.tiercache.writebehind.WriteBehindQueues;
import dev.tiercache.writebehind.WriteBehindStats;

/**
 * The {@code tiercache} Actuator endpoint: hit rates with the counts behind them, L1 size, settings,
 * write-behind lag and dead letters for every cache; the invalidation mode and the breaker's state;
 * and, for one cache, its hottest keys. Operations evict a key, clear a cache (a namespace bump) and
 * re-queue or drop dead letters.
 *
 * <ul>
 * <li>{@code GET /actuator/tiercache}: every cache</li>
 * <li>{@code GET /actuator/tiercache/{cache}}: one cache, with its hottest keys if keys are shown</li>
 * <li>{@code DELETE /actuator/tiercache/{cache}}: clears the cache on every instance</li>
 * <li>{@code DELETE /actuator/tiercache/{cache}/{key}}: evicts a key, named as the hottest keys name
 * it</li>
 * <li>{@code POST /actuator/tiercache/{cache}} with {@code {"deadLetters": "requeue"|"drop", "id": …}}:
 * re-queues or drops one dead letter, or all of them without an id</li>
 * </ul>
 *
 * <p>Its access is {@linkplain Access#READ_ONLY read only} unless
 * {@code management.endpoint.tiercache.access} is {@code unrestricted}: exposing it for a dashboard
 * does not let anyone clear caches or drop dead letters (queued database writes). Keys are application
 * data: the hot keys are shown only as {@code management.endpoint.tiercache.show-keys} allows (never, by
 * default).
 *
 * <p>Every destructive operation is audited: logged at INFO on the logger {@code dev.tiercache.audit}
 * with the authenticated principal (or {@code anonymous}) and published as an
 * {@link AuditApplicationEvent} of type {@link #CLEAR}, {@link #EVICT}, {@link #DEAD_LETTERS_REQUEUED} or
 * {@link #DEAD_LETTERS_DROPPED}.
 *
 * <p>Reads of write-behind lag call Redis, each within {@code tiercache.redis.timeout}; while Redis
 * does not answer, the lag reads as {@code null}.
 */
@Endpoint(id = "tiercache", defaultAccess = Access.READ_ONLY)
public class TiercacheEndpoint {

	/** How many hot keys a cache's report lists. */
	static final int HOT_KEYS = 20;

	private static final int DEAD_LETTERS = 100;

	/** The audit event type of a cleared cache. */
	public static final String CLEAR = "TIERCACHE_CACHE_CLEARED";

	/** The audit event type of an evicted key. */
	public static final String EVICT = "TIERCACHE_KEY_EVICTED";

	/** The audit event type of requeued dead letters. */
	public static final String DEAD_LETTERS_REQUEUED = "TIERCACHE_DEAD_LETTERS_REQUEUED";

	/** The audit event type of dropped dead letters. */
	public static final String DEAD_LETTERS_DROPPED = "TIERCACHE_DEAD_LETTERS_DROPPED";

	private static final String ANONYMOUS = "anonymous";

	private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

	/** Where destructive operations are logged, a logger of its own to route or keep longer. */
	private static final Log auditLogger = LogFactory.getLog("dev.tiercache.audit");

	private final TieredCacheManager manager;

	private final @Nullable WriteBehindQueues queues;

	private final Show showKeys;

	private final Set<String> roles;

	private final ApplicationEventPublisher events;

	private final @Nullable CacheWarming warming;

	/**
	 * @param showKeys when a cache's hot keys are shown
	 * @param roles the roles a user needs to be shown keys {@link Show#WHEN_AUTHORIZED when authorized};
	 * empty for any authenticated user
	 * @param events where the audit events of destructive operations go
	 * @param warming the warming of caches, or {@code null} when it is off
	 */
	public TiercacheEndpoint(TieredCacheManager manager, @Nullable WriteBehindQueues queues, Show showKeys,
			Set<String> roles, ApplicationEventPublisher events, @Nullable CacheWarming warming) {
		this.manager = manager;
		this.queues = queues;
		this.showKeys = showKeys;
		this.roles = Set.copyOf(roles);
		this.events = events;
		this.warming = warming;
	}

	@ReadOperation
	public Report report() {
		Map<String, CacheReport> caches = new TreeMap<>();
		for (String name : this.manager.getCacheNames()) {
			caches.put(name, report(this.manager.getTieredCache(name), false));
		}
		CoherenceMode mode = this.manager.coherenceMode();
		RedisCircuitBreaker breaker = this.manager.redisCircuitBreaker();
		return new Report((mode != null) ? mode.name() : null,
				(breaker != null) ? breaker.state().name() : null,
				new Invalidations(this.manager.invalidationsReceived(), this.manager.invalidationsSent()), caches,
				(this.warming != null) ? this.warming.progress() : List.of());
	}

	@ReadOperation
	public @Nullable CacheReport cache(SecurityContext securityContext, @Selector String cache) {
		TieredCache found = known(cache);
		return (found != null) ? report(found, this.showKeys.isShown(securityContext, this.roles)) : null;
	}

	@DeleteOperation
	public @Nullable CacheReport clear(SecurityContext securityContext, @Selector String cache) {
		TieredCache found = known(cache);
		if (found == null) {
			return null;
		}
		found.clear();
		audit(securityContext, CLEAR, "cleared cache '" + cache + "'", Map.of("cache", cache));
		return report(found, false);
	}

	@DeleteOperation
	public @Nullable Map<String, Object> evict(SecurityContext securityContext, @Selector String cache,
			@Selector String key) {
		TieredCache found = known(cache);
		if (found == null) {
			return null;
		}
		boolean evicted = found.evictNamed(key);
		audit(securityContext, EVICT, "evicted key '" + printable(key) + "' of cache '" + cache + "'",
				Map.of("cache", cache, "key", key, "evicted", evicted));
		return Map.of("cache", cache, "key", key, "evicted", evicted);
	}

	/**
	 * Re-queues ({@code requeue}) or drops ({@code drop}) the dead letter {@code id}, or every dead
	 * letter of the cache (at most {@value #DEAD_LETTERS} per call) when no id is given.
	 */
	@WriteOperation
	public @Nullable Map<String, Object> deadLetters(SecurityContext securityContext, @Selector String cache,
			String deadLetters, @Nullable String id) {
		WriteBehindQueues writeBehind = this.queues;
		if (writeBehind == null || !writeBehind.cacheNames().contains(cache)) {
			return null;
		}
		boolean requeue = switch (deadLetters.toLowerCase(Locale.ROOT)) {
			case "requeue" -> true;
			case "drop" -> false;
			default -> throw new IllegalArgumentException(
					"'deadLetters' must be 'requeue' or 'drop', but was '" + deadLetters + "'");
		};
		List<String> ids = (id != null) ? List.of(id)
				: writeBehind.deadLetters(cache, DEAD_LETTERS).stream().map(DeadLetter::id).toList();
		String verb = requeue ? "requeued" : "dropped";
		int done = 0;
		try {
			for (String each : ids) {
				if (requeue ? writeBehind.requeue(cache, each) : writeBehind.drop(cache, each)) {
					done++;
				}
			}
		}
		finally {
			// also when Redis failed part-way: the letters already dropped are gone for good
			audit(securityContext, requeue ? DEAD_LETTERS_REQUEUED : DEAD_LETTERS_DROPPED,
					verb + " " + done + " dead letter(s) of cache '" + cache + "'"
							+ ((id != null) ? " (id " + printable(id) + ")" : ""),
					(id != null) ? Map.of("cache", cache, "id", id, verb, done) : Map.of("cache", cache, verb, done));
		}
		return Map.of("cache", cache, verb, done);
	}

	/** A value a request gave, fit for a log line: control characters (line breaks) replaced by '?'. */
	private static String printable(String value) {
		return CONTROL.matcher(value).replaceAll("?");
	}

	/**
	 * Logs a destructive operation at INFO with who asked for it (the authenticated principal, if any),
	 * and publishes it as an {@link AuditApplicationEvent} (which Boot's audit events repository, when
	 * there is one, keeps).
	 */
	private void audit(SecurityContext securityContext, String type, String what, Map<String, Object> data) {
		Principal principal = securityContext.getPrincipal();
		String who = (principal != null) ? principal.getName() : ANONYMOUS;
		auditLogger.info("Tiercache Actuator: " + who + " " + what);
		this.events.publishEvent(new AuditApplicationEvent(who, type, data));
	}

	private @Nullable TieredCache known(String name) {
		return this.manager.getCacheNames().contains(name) ? this.manager.getTieredCache(name) : null;
	}

	private CacheReport report(TieredCache cache, boolean withHotKeys) {
		CacheStats stats = cache.stats();
		CacheSettings settings = cache.settings();
		long localHits = stats.localHits() + stats.localNullHits();
		long remoteHits = stats.remoteHits() + stats.remoteNullHits();
		HitRates rates = new HitRates(rate(localHits, localHits + stats.localMisses()),
				rate(remoteHits, remoteHits + stats.remoteMisses()),
				rate(stats.hits(), stats.hits() + stats.misses(settings.usesLocal())));
		return new CacheReport(settings.mode().name().toLowerCase(Locale.ROOT), rates, stats, cache.localSize(),
				Settings.of(settings), writeBehind(cache.getName()), withHotKeys ? cache.hottestKeys(HOT_KEYS) : null);
	}

	private static @Nullable Double rate(long hits, long reads) {
		return (reads > 0) ? (double) hits / reads : null;
	}

	private @Nullable WriteBehindReport writeBehind(String cache) {
		WriteBehindQueues writeBehind = this.queues;
		if (writeBehind == null || !writeBehind.cacheNames().contains(cache)) {
			return null;
		}
		try {
			WriteBehindStats stats = writeBehind.stats(cache);
			return new WriteBehindReport(stats.depth(), stats.oldestAgeMillis(), stats.deadLetters(), stats);
		}
		catch (RuntimeException ex) {
			return new WriteBehindReport(null, null, null, null);
		}
	}

	/**
	 * Every cache, and what the instance as a whole is doing.
	 * @param invalidationMode {@code TRACKING} or {@code PUBSUB}; {@code null} before Redis was reached
	 * @param breaker the Redis circuit breaker's state ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}, …)
	 * @param invalidations changed keys received and sent
	 * @param caches by name
	 * @param warming how far each {@code @CacheWarmer} got, in the order they run
	 */
	public record Report(@Nullable String invalidationMode, @Nullable String breaker, Invalidations invalidations,
			Map<String, CacheReport> caches, List<WarmerProgress> warming) {
	}

	/** Changed keys this instance was told of, and published. */
	public record Invalidations(long received, long sent) {
	}

	/**
	 * One cache.
	 * @param mode {@code both}, {@code local} or {@code remote}
	 * @param hitRate hits per read, per tier and overall
	 * @param counts the counters behind the rates
	 * @param localSize entries in L1
	 * @param settings the settings in force
	 * @param writeBehind the queue's lag, or {@code null} without a queue
	 * @param hotKeys the keys read most often lately, hottest first (one cache's report only, when keys
	 * are shown)
	 */
	public record CacheReport(String mode, HitRates hitRate, CacheStats counts, long localSize, Settings settings,
			@Nullable WriteBehindReport writeBehind, @Nullable List<String> hotKeys) {
	}

	/** Hits per read in L1, in Redis (of the reads that reached it), and overall; {@code null} before any read. */
	public record HitRates(@Nullable Double local, @Nullable Double remote, @Nullable Double overall) {
	}

	/** The settings in force, durations in ISO-8601. */
	public record Settings(Duration ttl, int ttlJitter, Duration nullTtl, long localMaxSize, Duration localTtl,
			double refreshAhead, Duration staleWhileRevalidate, double earlyExpiryBeta, Duration failSafe) {

		static Settings of(CacheSettings settings) {
			Freshness freshness = settings.freshness();
			return new Settings(settings.ttl(), settings.ttlJitter(), settings.nullTtl(), settings.localMaxSize(),
					settings.localTtl(), freshness.refreshAhead(), freshness.staleWhileRevalidate(),
					freshness.earlyExpiryBeta(), freshness.effectiveFailSafe());
		}

	}

	/**
	 * A write-behind queue's lag; {@code null} figures while Redis does not answer.
	 * @param depth queued writes not applied yet, across all instances
	 * @param oldestAgeMillis age of the oldest
	 * @param deadLetters writes in the dead-letter stream
	 * @param counts this instance's counters
	 */
	public record WriteBehindReport(@Nullable Long depth, @Nullable Long oldestAgeMillis, @Nullable Long deadLetters,
			@Nullable WriteBehindStats counts) {
	}

}
