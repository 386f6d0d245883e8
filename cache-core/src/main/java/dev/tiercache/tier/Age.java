package dev.tiercache.tier;

import dev.tiercache.tier.RemoteRead.Hit;

/** How old an entry read from Redis is, for its cache's {@link Freshness}. */
enum Age {

	/** Before its soft expiry, not due for a reload. */
	FRESH,

	/** Before its soft expiry, due for a background reload (refresh-ahead or early expiry). */
	DUE,

	/** Past its soft expiry, inside its stale window: served while it reloads. */
	STALE,

	/** Past its stale window: a miss (kept for fail-safe). */
	EXPIRED;

	static Age of(Hit hit, Freshness freshness) {
		if (hit.queued()) {
			return FRESH;
		}
		long now = System.currentTimeMillis();
		if (now < hit.softExpiresAt()) {
			return (freshness.refreshesEarly()
					&& freshness.dueForRefresh(now, hit.writtenAt(), hit.softExpiresAt(), hit.loadMillis())) ? DUE
							: FRESH;
		}
		return (now < hit.softExpiresAt() + freshness.staleWhileRevalidate().toMillis()) ? STALE : EXPIRED;
	}

}
