package dev.tiercache.writebehind;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.SlotHash;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.tiercache.internal.concurrent.DaemonThreads;
import dev.tiercache.internal.concurrent.Periodic;
import dev.tiercache.internal.concurrent.RateLimit;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;

/**
 * This instance's {@linkplain OwnerLease leases} on the partitions of one queue, and the heartbeat that
 * keeps them: a thread of its own renews every lease held, in one script, three times per lease
 * duration ({@code claim-idle}). Neither a slow call nor a busy flusher pool delays it, so a live owner
 * keeps its partitions however long a call takes, and a dead one loses them one lease duration after
 * its last renewal at the latest. A lease Redis did not renew (another instance took it) is forgotten
 * at once. Thread-safe.
 */
final class OwnerLeases implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(OwnerLeases.class);

	private final String cacheName;

	private final RemoteCommands commands;

	private final List<OwnerLease> leases = new ArrayList<>();

	private final Duration lease;

	private final ScheduledExecutorService heartbeat;

	private final RateLimit failureLog = new RateLimit(Duration.ofSeconds(30));

	OwnerLeases(String cacheName, RemoteCommands commands, QueueKeys keys, byte[] instanceId, Duration lease) {
		this.cacheName = cacheName;
		this.commands = commands;
		this.lease = lease;
		for (int p = 0; p < keys.partitions(); p++) {
			this.leases.add(new OwnerLease(commands, keys.lease(p), instanceId, lease));
		}
		this.heartbeat = Executors
			.newSingleThreadScheduledExecutor(DaemonThreads.named("tiercache-writebehind-" + cacheName + "-lease"));
	}

	OwnerLease of(int partition) {
		return this.leases.get(partition);
	}

	/** Starts the heartbeat. */
	void start() {
		long interval = Math.max(1, this.lease.toMillis() / 3);
		try {
			this.heartbeat.scheduleWithFixedDelay(Periodic.surviving(this::renew, logger, "renew write-behind partition leases"),
					interval, interval, TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// closed
		}
	}

	/**
	 * Renews every lease held, in one script per cluster slot (a script reaches the keys of one slot on a
	 * Redis Cluster, and the partitions' leases are spread over slots); forgets those Redis did not
	 * renew.
	 */
	void renew() {
		Map<Integer, List<Held>> bySlot = new TreeMap<>();
		for (int p = 0; p < this.leases.size(); p++) {
			OwnerLease lease = this.leases.get(p);
			byte[] token = lease.token();
			if (token != null) {
				bySlot.computeIfAbsent(SlotHash.getSlot(lease.key()), (slot) -> new ArrayList<>())
					.add(new Held(p, token));
			}
		}
		bySlot.values().forEach(this::renew);
	}

	/** Renews leases whose keys share a cluster slot, in one script. */
	private void renew(List<Held> held) {
		byte[][] keys = held.stream().map((each) -> this.leases.get(each.partition()).key()).toArray(byte[][]::new);
		byte[][] arguments = new byte[held.size() + 1][];
		arguments[0] = QueueKeys.ascii(this.lease.toMillis());
		for (int i = 0; i < held.size(); i++) {
			arguments[i + 1] = held.get(i).token();
		}
		long sent = System.nanoTime();
		List<Object> renewed;
		try {
			renewed = this.commands.eval(QueueScripts.RENEW, ScriptOutputType.MULTI, keys, arguments);
		}
		catch (RemoteCallException ex) {
			if (!Thread.currentThread().isInterrupted() && this.failureLog.allow()) {
				logger.warn("Tiercache could not renew the write-behind partition leases of cache '" + this.cacheName
						+ "' (another instance takes a partition over once its lease of " + this.lease.toMillis()
						+ " ms, 'write-behind.claim-idle', runs out): " + ex.getMessage());
			}
			return;
		}
		for (int i = 0; i < held.size(); i++) {
			Held each = held.get(i);
			OwnerLease lease = this.leases.get(each.partition());
			if (renewed != null && renewed.get(i) instanceof Long one && one == 1) {
				lease.renewed(each.token(), sent);
			}
			else if (lease.lost(each.token())) {
				logger.info("Tiercache write-behind of cache '" + this.cacheName + "' lost partition "
						+ each.partition() + " to another instance: its lease ran out before it was renewed (this "
						+ "instance was paused or cut off from Redis for longer than 'write-behind.claim-idle')");
			}
		}
	}

	/** A partition's lease held with a token, as the heartbeat found it. */
	private record Held(int partition, byte[] token) {
	}

	/** Stops the heartbeat; leases still held run out by themselves. */
	@Override
	public void close() {
		DaemonThreads.stop(this.heartbeat, Duration.ofSeconds(1));
	}

}
