package dev.tiercache.consistency.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.tiercache.consistency.checker.FaultWindow;
import dev.tiercache.test.TcpProxy;

/**
 * Applies a {@link Schedule} to the running cluster and records when each fault was in force. Faults
 * never overlap: each is healed (and a killed instance started again and its clients resumed) before
 * the next gap begins. Runs on the harness's thread.
 */
final class Nemesis {

	private static final Duration JITTER_BOUND = Duration.ofMillis(80);

	/** What the report says of a kill after which Redis came back without its dataset. */
	static final String DATASET_LOST = "Redis lost its dataset: the sentinels handed the primary back to the killed "
			+ "server, which came back without it";

	private final Cluster cluster;

	private final List<FaultWindow> windows = new ArrayList<>();

	private final Duration recovery;

	private final Duration bound;

	/**
	 * @param recovery how long staleness may outlast a fault that needs recovery
	 * @param bound the longest freshness bound of a key, by which a fault window is stretched
	 */
	Nemesis(Cluster cluster, Duration recovery, Duration bound) {
		this.cluster = cluster;
		this.recovery = recovery;
		this.bound = bound;
	}

	/**
	 * Runs the schedule from {@code startedAt} ({@code System.nanoTime()}), returning once its last fault
	 * is healed. A fault whose healing outlasts its scheduled length (a writer fault waits for the queue
	 * to settle, a killed instance to start again) pushes the rest of the schedule back by as much, so
	 * that the quiet gap after every fault is kept; so does a fault that excuses no stale read (a slow
	 * loader, a stalled writer, jitter), which waits until the recovery time of the fault before it has
	 * passed, so that no read it affects is excused by that one. Faults pushed past {@code endsBy} are not
	 * applied.
	 */
	void run(Schedule schedule, long startedAt, long endsBy) {
		long delay = 0;
		long recoveredAt = startedAt;
		for (Fault fault : schedule.faults()) {
			String kind = fault.kind().name();
			long due = startedAt + delay + Duration.ofMillis(fault.atMillis()).toNanos();
			if (!FaultWindow.excusesStaleness(kind) && recoveredAt - due > 0) {
				delay += recoveredAt - due;
				due = recoveredAt;
			}
			if (due + Duration.ofMillis(fault.durationMillis()).toNanos() - endsBy > 0) {
				return;
			}
			long wait = due - System.nanoTime();
			if (wait > 0) {
				Sleeper.sleep(Duration.ofNanos(wait));
			}
			long start = System.nanoTime();
			boolean datasetLost = apply(fault);
			long end = System.nanoTime();
			String target = datasetLost ? fault.targetName() + " (" + DATASET_LOST + ")" : fault.targetName();
			this.windows.add(new FaultWindow(kind, target, start, end));
			delay += Math.max(0, (end - start) - Duration.ofMillis(fault.durationMillis()).toNanos());
			recoveredAt = end + (FaultWindow.needsRecovery(kind) ? this.recovery.toNanos() : 0) + this.bound.toNanos();
		}
	}

	List<FaultWindow> windows() {
		return List.copyOf(this.windows);
	}

	/** @return whether Redis lost its whole dataset on the way: see {@link ReplicatedRedis#killPrimary()} */
	private boolean apply(Fault fault) {
		Duration duration = Duration.ofMillis(fault.durationMillis());
		switch (fault.kind()) {
			case CUT -> throughProxy(fault, TcpProxy::cut, duration);
			case BLACK_HOLE -> throughProxy(fault, TcpProxy::blackHole, duration);
			case LATENCY -> throughProxy(fault, (proxy) -> proxy.slow(Duration.ofMillis(fault.latencyMillis())), duration);
			case JITTER -> {
				try {
					this.cluster.proxies().forEach((proxy) -> proxy.jitter(JITTER_BOUND));
					Sleeper.sleep(duration);
				}
				finally {
					this.cluster.proxies().forEach(TcpProxy::restore);
				}
			}
			case KILL -> {
				NodeProcess node = this.cluster.nodes().get(fault.target());
				node.kill();
				Sleeper.sleep(duration);
				node.start();
				node.command("start", Duration.ofSeconds(10));
			}
			case CLIENT_KILL -> {
				this.cluster.admin().killInvalidationConnections();
				Sleeper.sleep(duration);
			}
			case SLOW_LOADER -> loaders("loader slow 300", duration);
			case FAILING_LOADER -> loaders("loader fail", duration);
			case STALLED_WRITER -> {
				try {
					this.cluster.all("writer stall");
					Sleeper.sleep(duration);
				}
				finally {
					this.cluster.all("writer ok");
				}
			}
			case FAILING_WRITER -> failingWriter(duration);
			case REDIS_RESTART -> {
				this.cluster.redis().kill();
				Sleeper.sleep(duration);
				this.cluster.redis().start();
			}
			case CLIENT_PAUSE -> {
				this.cluster.admin().pause(fault.durationMillis());
				Sleeper.sleep(duration);
			}
			case SENTINEL_FAILOVER, CLUSTER_FAILOVER -> this.cluster.replicated().failover();
			case PRIMARY_KILL -> {
				return this.cluster.replicated().killPrimary();
			}
		}
		return false;
	}

	private void throughProxy(Fault fault, java.util.function.Consumer<TcpProxy> breakIt, Duration duration) {
		TcpProxy proxy = this.cluster.proxies().get(fault.target());
		try {
			breakIt.accept(proxy);
			Sleeper.sleep(duration);
		}
		finally {
			proxy.restore();
		}
	}

	/**
	 * Makes queued writes fail for a while, then heals it as an operator would, without letting a write
	 * made after the fault overtake the dead letters: clients pause, every queued call settles (a dead
	 * letter, as the method still fails), the method works again, the dead letters are re-queued and
	 * applied, and the clients resume.
	 */
	private void failingWriter(Duration duration) {
		this.cluster.all("writer fail");
		Sleeper.sleep(duration);
		this.cluster.all("stop");
		this.cluster.awaitDrained();
		this.cluster.all("writer ok");
		this.cluster.nodes().get(0).command("requeue", Duration.ofSeconds(30));
		this.cluster.awaitDrained();
		this.cluster.all("start");
	}

	private void loaders(String command, Duration duration) {
		try {
			this.cluster.nodes().forEach((node) -> node.command(command, Duration.ofSeconds(10)));
			Sleeper.sleep(duration);
		}
		finally {
			this.cluster.nodes().forEach((node) -> node.command("loader ok", Duration.ofSeconds(10)));
		}
	}

}
