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
 * @param refused loads answered {@code null} without the loader: keys the filter lacks
 * @param passedLocally loads of keys whose bits this instance's copy holds
 * @param passedInRedis loads of keys the copy lacked but Redis's filter held (added elsewhere since)
 * @param open loads made while no filter was built
 * @param redisErrors Redis calls of the guard that failed (the load went on; an add is sent again)
 * @param unsentAdds adds waiting to be sent again
 */
public record GuardStats(boolean built, long bits, int hashes, long keysAtBuild, long bitsSet,
		double estimatedFalsePositiveRate, long refused, long passedLocally, long passedInRedis, long open,
		long redisErrors, long unsentAdds) {
}
