package dev.tiercache.tier;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;

/**
 * How a cache keeps entries fresh without making readers wait: immutable, validated on construction.
 * Every option is off in {@link #NONE}. An entry's {@code ttl} is its <em>soft</em> expiry; Redis keeps
 * it for {@link #retainedMillis()} longer, so that a stale value can still be served.
 *
 * @param refreshAhead a fraction of the TTL (above 0, below 1), or 0 for off: a read of an entry older
 * than that returns it at once and reloads it in the background, once across all instances
 * @param staleWhileRevalidate for how long after its soft expiry an entry is still returned at once
 * while it reloads in the background; zero for off
 * @param earlyExpiryBeta XFetch's beta (0 for off, 1 the paper's default): each read may reload the entry
 * early, in the background, with a probability that grows as expiry nears, weighted by how long the
 * entry took to load
 * @param failSafe for how long after its soft expiry an entry is returned instead of the loader's
 * exception; {@code null} for the default, which is {@code staleWhileRevalidate}
 */
public record Freshness(double refreshAhead, Duration staleWhileRevalidate, double earlyExpiryBeta,
		@Nullable Duration failSafe) {

	/** No refresh, no stale value, no fail-safe. */
	public static final Freshness NONE = new Freshness(0, Duration.ZERO, 0, null);

	/**
	 * @throws InvalidSettingException naming the setting and the value if a setting is out of range
	 */
	public Freshness {
		if (!(refreshAhead >= 0 && refreshAhead < 1)) {
			throw new InvalidSettingException("refresh-ahead", refreshAhead,
					"must be a fraction of the TTL above 0 and below 1 (or 0 for off)");
		}
		if (staleWhileRevalidate.isNegative()) {
			throw new InvalidSettingException("stale-while-revalidate", staleWhileRevalidate, "must be zero or positive");
		}
		if (!(earlyExpiryBeta >= 0 && earlyExpiryBeta <= 100)) {
			throw new InvalidSettingException("early-expiry-beta", earlyExpiryBeta,
					"must be between 0 (off) and 100; 1 is XFetch's usual value");
		}
		if (failSafe != null && failSafe.isNegative()) {
			throw new InvalidSettingException("fail-safe", failSafe, "must be zero or positive");
		}
	}

	public Freshness withRefreshAhead(double refreshAhead) {
		return new Freshness(refreshAhead, this.staleWhileRevalidate, this.earlyExpiryBeta, this.failSafe);
	}

	public Freshness withStaleWhileRevalidate(Duration staleWhileRevalidate) {
		return new Freshness(this.refreshAhead, staleWhileRevalidate, this.earlyExpiryBeta, this.failSafe);
	}

	public Freshness withEarlyExpiryBeta(double earlyExpiryBeta) {
		return new Freshness(this.refreshAhead, this.staleWhileRevalidate, earlyExpiryBeta, this.failSafe);
	}

	public Freshness withFailSafe(Duration failSafe) {
		return new Freshness(this.refreshAhead, this.staleWhileRevalidate, this.earlyExpiryBeta, failSafe);
	}

	/** For how long after its soft expiry a stale entry replaces a loader's exception. */
	public Duration effectiveFailSafe() {
		return (this.failSafe != null) ? this.failSafe : this.staleWhileRevalidate;
	}

	/** How much longer than its TTL Redis keeps an entry: the stale window or the fail-safe, the longer. */
	public long retainedMillis() {
		return Math.max(this.staleWhileRevalidate.toMillis(), effectiveFailSafe().toMillis());
	}

	/** Whether a read may reload an entry in the background before it expires. */
	boolean refreshesEarly() {
		return this.refreshAhead > 0 || this.earlyExpiryBeta > 0;
	}

	/**
	 * When an entry written at {@code writtenAt} (epoch ms) and expiring at {@code softExpiresAt} is due
	 * for a background reload by refresh-ahead; {@link Long#MAX_VALUE} when refresh-ahead is off.
	 */
	long refreshAt(long writtenAt, long softExpiresAt) {
		return (this.refreshAhead > 0) ? writtenAt + (long) ((softExpiresAt - writtenAt) * this.refreshAhead)
				: Long.MAX_VALUE;
	}

	/**
	 * Whether a read at {@code now} (epoch ms) reloads a fresh entry in the background: past its
	 * refresh-ahead point, or drawn early by XFetch ({@code now - loadMillis * beta * ln(random) >= expiry}).
	 */
	boolean dueForRefresh(long now, long writtenAt, long softExpiresAt, long loadMillis) {
		if (now >= refreshAt(writtenAt, softExpiresAt)) {
			return true;
		}
		if (this.earlyExpiryBeta == 0) {
			return false;
		}
		double random = 1 - ThreadLocalRandom.current().nextDouble(); // (0, 1]
		return now - Math.max(1, loadMillis) * this.earlyExpiryBeta * Math.log(random) >= softExpiresAt;
	}

}
