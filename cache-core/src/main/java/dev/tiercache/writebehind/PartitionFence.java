package dev.tiercache.writebehind;

import java.nio.charset.StandardCharsets;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.tiercache.internal.redis.RemoteCallException;

/**
 * The check a partition's flusher makes before each call of a {@code @WriteBehind} method: that the
 * queue did not halt and that this instance still owns the partition under the fencing token its batch
 * was read under. Thread-safe.
 *
 * <p><b>A call is made only while the partition is this instance's.</b> It is made only while the
 * {@linkplain OwnerLease lease} was renewed less than a lease duration ago and Redis confirmed the
 * token (at most {@link OwnerLease#CONFIRMATION} before): once another instance took over, this one
 * stops at the next call and leaves its batch, unacknowledged, to the new owner. A call already running
 * in the database when the lease was lost is not stopped (see {@link OwnerLease}).
 * {@code WriteBehindOwnershipTest.anOwnerCutOffLongerThanItsLeaseNeitherAppliesNorAcknowledgesOnceAnotherInstanceTookOver}
 * checks it.
 */
final class PartitionFence {

	private static final Log logger = LogFactory.getLog(PartitionFlusher.class);

	private final String cacheName;

	private final int partition;

	private final OwnerLease lease;

	private final FlushGate gate;

	private final QueueFailures failures;

	PartitionFence(String cacheName, int partition, OwnerLease lease, FlushGate gate, QueueFailures failures) {
		this.cacheName = cacheName;
		this.partition = partition;
		this.lease = lease;
		this.gate = gate;
		this.failures = failures;
	}

	/**
	 * Whether {@code token} is the one this instance holds and its lease is sure to run still; see
	 * {@link OwnerLease#held}.
	 */
	boolean held(byte[] token) {
		return this.lease.held(token);
	}

	/**
	 * Whether the next call may be made under {@code token}: the queue did not halt, the lease is sure to
	 * run still, and Redis confirms that the token is still the partition's. A token Redis no longer has
	 * is {@linkplain #lost lost}; a Redis that does not answer is logged, and no call is made.
	 */
	boolean mayCall(byte[] token) {
		if (this.gate.halted() || !this.lease.held(token)) {
			return false;
		}
		try {
			if (this.lease.confirm(token)) {
				return true;
			}
			lost(token);
		}
		catch (RemoteCallException ex) {
			this.failures.redisFailed("confirm the lease of partition " + this.partition + " before a call", ex);
		}
		return false;
	}

	/**
	 * Redis no longer has {@code token} as the partition's: another instance took it over. Logged once
	 * per token.
	 */
	void lost(byte[] token) {
		if (this.lease.lost(token)) {
			logger.info("Tiercache write-behind of cache '" + this.cacheName + "' lost partition "
					+ this.partition + " to another instance (fencing token " + new String(token, StandardCharsets.US_ASCII)
					+ " is no longer the partition's); the new owner applies what this instance had not acknowledged");
		}
	}

}
