package dev.tiercache.consistency.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.springframework.util.FileSystemUtils;

import dev.tiercache.consistency.checker.Call;
import dev.tiercache.consistency.checker.Checker;
import dev.tiercache.consistency.checker.FaultWindow;
import dev.tiercache.consistency.checker.HistoryReader;
import dev.tiercache.consistency.checker.SeenRedisFailures;
import dev.tiercache.consistency.checker.Verdict;

/**
 * One run, start to verdict: start the cluster, run the clients while the nemesis injects its faults,
 * stop the clients, wait for the write-behind queue to drain, leave the cluster alone for the quiet
 * period, read every key on every instance, stop the cluster, and check the history.
 */
public final class ConsistencyRun {

	private ConsistencyRun() {
	}

	/**
	 * @param directory where the histories, logs and Redis files of the run go
	 */
	public static RunOutcome run(RunSettings settings, Path directory) {
		long began = System.nanoTime();
		emptyDirectory(directory);
		try (Cluster cluster = new Cluster(settings, directory)) {
			String redis = cluster.describeRedis();
			cluster.start();
			long startedAt = System.nanoTime();
			cluster.all("start");
			Nemesis nemesis = new Nemesis(cluster, RunSettings.RECOVERY, RunSettings.LOCAL_FRESHNESS_BOUND);
			long endsAt = startedAt + Duration.ofMillis(settings.runMillis()).toNanos();
			nemesis.run(settings.schedule(), startedAt, endsAt - RunSettings.QUIET_TAIL.toNanos());
			long left = endsAt - System.nanoTime();
			if (left > 0) {
				Sleeper.sleep(Duration.ofNanos(left));
			}
			cluster.all("stop");
			cluster.awaitDrained();
			Sleeper.sleep(RunSettings.QUIET_PERIOD);
			cluster.all("final");
			new RecordedRun(settings, redis, nemesis.windows(), cluster.database().appliedLog(),
					cluster.database().versions()).save(directory);
		}
		return check(directory, (System.nanoTime() - began) / 1e9);
	}

	/** Checks the history a run left in {@code directory} (again). */
	public static RunOutcome check(Path directory, double seconds) {
		RecordedRun recorded = RecordedRun.load(directory);
		List<Path> histories = RecordedRun.histories(directory);
		List<Call> calls = HistoryReader.read(histories);
		RunSettings settings = recorded.settings();
		List<FaultWindow> faults = new ArrayList<>(recorded.faults());
		faults.addAll(SeenRedisFailures.windows(HistoryReader.redisFailures(histories), recorded.faults(),
				RunSettings.RECOVERY.toNanos(), RunSettings.FAILURE_SETTLE.toNanos()));
		Verdict verdict = new Checker(settings::freshnessBoundNanos, RunSettings.RECOVERY.toNanos(),
				RunSettings.ENTRY_LIFETIME.toNanos()).check(calls, recorded.applied(), recorded.versions(), faults);
		return new RunOutcome(settings, recorded.redis(), List.copyOf(faults), count(calls), seconds, verdict);
	}

	private static Map<String, Long> count(List<Call> calls) {
		return calls.stream()
			.collect(Collectors.groupingBy((call) -> call.name() + " " + call.outcome().name().toLowerCase(),
					TreeMap::new, Collectors.counting()));
	}

	/**
	 * Creates the run's directory, emptied of an earlier run's histories (the checker reads every history
	 * in it: a run made again in the same directory would be checked together with the one before).
	 */
	private static void emptyDirectory(Path directory) {
		try {
			FileSystemUtils.deleteRecursively(directory);
			Files.createDirectories(directory);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot create an empty " + directory, ex);
		}
	}

}
