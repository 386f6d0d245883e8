package dev.tiercache.guard;

/**
 * A snapshot of a {@link PenetrationGuard}: the filter as this instance last read it from Redis, and
 * this instance's counters since it started.
 *
 * @param built whether Redis held a filter of the guard's shape at the last refresh (if not, no key is refused)
 * @param bits the filter's size
 * @param hashes the bits per key
 * @param keysAtBuild how many keys the last rebuild added
 * @param bitsSet how many of the bits this instance's copy has set
 * @param estimatedFalsePositiveRate the share of absent keys that pass the filter as it is now
 * @param refused reads answered {@code null} without Redis or the loader: keys the filter lacks (audited ones included)
 * @param passedLocally reads of keys whose bits this instance's copy holds
 * @param passedInRedis reads of keys the copy lacked but Redis's filter held (added elsewhere since)
 * @param open reads made while no filter was built
 * @param audited refusals read anyway, to find keys the filter lacks though they exist
 * @param foundByAudit audited refusals whose key had a value (it is added then)
 * @param redisErrors Redis calls of the guard that failed (the load went on; an add is sent again)
 * @param unsentAdds adds waiting to be sent again
 */
public record GuardStats(boolean built, long bits, int hashes, long keysAtBuild, long bitsSet,
		double estimatedFalsePositiveRate, long refused, long passedLocally, long passedInRedis, long open,
		long audited, long foundByAudit, long redisErrors, long unsentAdds) {
}
