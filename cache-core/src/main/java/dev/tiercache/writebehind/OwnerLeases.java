package dev.tiercache.writebehind;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ScriptOutputType;
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

	/** Renews every lease held, in one script; forgets those Redis did not renew. */
	void renew() {
		List<Integer> held = new ArrayList<>();
		List<byte[]> tokens = new ArrayList<>();
		for (int p = 0; p < this.leases.size(); p++) {
			byte[] token = this.leases.get(p).token();
			if (token != null) {
				held.add(p);
				tokens.add(token);
			}
		}
		if (held.isEmpty()) {
			return;
		}
		byte[][] keys = held.stream().map((p) -> this.leases.get(p).key()).toArray(byte[][]::new);
		byte[][] arguments = new byte[tokens.size() + 1][];
		arguments[0] = QueueKeys.ascii(this.lease.toMillis());
		for (int i = 0; i < tokens.size(); i++) {
			arguments[i + 1] = tokens.get(i);
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
			OwnerLease lease = this.leases.get(held.get(i));
			if (renewed != null && renewed.get(i) instanceof Long one && one == 1) {
				lease.renewed(tokens.get(i), sent);
			}
			else if (lease.lost(tokens.get(i))) {
				logger.info("Tiercache write-behind of cache '" + this.cacheName + "' lost partition " + held.get(i)
						+ " to another instance: its lease ran out before it was renewed (this instance was paused or "
						+ "cut off from Redis for longer than 'write-behind.claim-idle')");
			}
		}
	}

	/** Stops the heartbeat; leases still held run out by themselves. */
	@Override
	public void close() {
		DaemonThreads.stop(this.heartbeat, Duration.ofSeconds(1));
	}

}
