package dev.tiercache.consistency.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The long run, {@code consistency/run --minutes N --seed S [--seed S2 …] [--subject spring]
 * [--faults KIND,KIND…] [--coherence pubsub] [--topology sentinel|cluster] [--read-from replica]
 * [--min-replicas 0|1]}: one run
 * of {@code N} minutes per seed, with every kind of fault the topology ({@link Topology}) allows or only
 * those named ({@link FaultKind}), L1 kept coherent by {@code CLIENT TRACKING} or by Tiercache's pub/sub
 * fallback, entries read from the primary or where {@code tiercache.redis.read-from} says, and on Sentinel,
 * servers that refuse writes without their replica ({@code min-replicas-to-write 1}, the default) or not;
 * results written as JSON and Markdown under {@code consistency/results/}.
 * {@code --check DIR [--check DIR2 …]} checks runs' directories again (as the checker is now) and writes
 * their results. Exits 1 if any run broke a guarantee.
 */
public final class ConsistencyMain {

	private ConsistencyMain() {
	}

	public static void main(String[] args) {
		double minutes = 1;
		List<Long> seeds = new ArrayList<>();
		String subject = "tiercache";
		Path results = Path.of("consistency", "results");
		List<Path> checks = new ArrayList<>();
		Set<FaultKind> faults = null;
		Topology topology = Topology.REDIS;
		boolean pubSub = false;
		String readFrom = null;
		Integer minReplicas = null;
		for (int i = 0; i < args.length; i += 2) {
			String value = (i + 1 < args.length) ? args[i + 1] : usage("missing value for " + args[i]);
			switch (args[i]) {
				case "--minutes" -> minutes = Double.parseDouble(value);
				case "--seed" -> seeds.add(Long.parseLong(value));
				case "--subject" -> subject = value;
				case "--results" -> results = Path.of(value);
				case "--check" -> checks.add(Path.of(value));
				case "--faults" -> faults = faultKinds(value);
				case "--coherence" -> pubSub = isPubSub(value);
				case "--topology" -> topology = topology(value);
				case "--read-from" -> readFrom = value;
				case "--min-replicas" -> minReplicas = Integer.parseInt(value);
				default -> usage("unknown option " + args[i]);
			}
		}
		if (pubSub && !"tiercache".equals(subject)) {
			usage("--coherence applies to Tiercache only");
		}
		if (readFrom != null && (!"tiercache".equals(subject) || topology == Topology.REDIS)) {
			usage("--read-from applies to Tiercache on 'sentinel' or 'cluster', which have replicas");
		}
		if (minReplicas != null && ((minReplicas != 0 && minReplicas != 1) || topology != Topology.SENTINEL)) {
			usage("--min-replicas applies to 'sentinel': 1 (its one replica, the default) or 0 (none)");
		}
		if (faults == null) {
			faults = FaultKind.on(topology);
		}
		for (FaultKind kind : faults) {
			if (!kind.appliesTo(topology)) {
				usage("the fault " + kind + " cannot be injected on " + topology + "; its faults are "
						+ FaultKind.on(topology));
			}
		}
		String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
		if (!checks.isEmpty()) {
			List<RunOutcome> outcomes = checks.stream().map((directory) -> ConsistencyRun.check(directory, 0)).toList();
			String name = "checked-" + stamp;
			Reports.write(outcomes, results, name);
			System.out.println(Reports.markdown(outcomes));
			System.out.println("results: " + results.resolve(name + ".md"));
			System.exit(outcomes.stream().allMatch((outcome) -> outcome.verdict().passed()) ? 0 : 1);
		}
		if (seeds.isEmpty()) {
			seeds.add(System.nanoTime());
		}
		String name = subject + "-" + stamp;
		Path work = Path.of("consistency", "target", "runs", name);
		List<RunOutcome> outcomes = new ArrayList<>();
		for (long seed : seeds) {
			RunSettings settings = RunSettings.of(subject, seed, Duration.ofMillis((long) (minutes * 60_000)), faults,
					topology);
			if (pubSub) {
				settings = settings.withPubSub();
			}
			if (readFrom != null) {
				settings = settings.withReadFrom(readFrom);
			}
			if (minReplicas != null) {
				settings = settings.withMinReplicas(minReplicas);
			}
			System.out.println("run " + settings.subjectName() + " seed " + seed + " for " + minutes + " min: "
					+ settings.schedule().faults().size() + " faults scheduled");
			RunOutcome outcome = ConsistencyRun.run(settings, work.resolve(Long.toString(seed)));
			outcomes.add(outcome);
			Reports.write(outcomes, results, name);
			System.out.println("  " + outcome.verdict().violations() + " violations, " + (long) outcome.seconds() + " s");
		}
		System.out.println(Reports.markdown(outcomes));
		System.out.println("results: " + results.resolve(name + ".md"));
		System.exit(outcomes.stream().allMatch((outcome) -> outcome.verdict().passed()) ? 0 : 1);
	}

	private static Set<FaultKind> faultKinds(String names) {
		Set<FaultKind> kinds = EnumSet.noneOf(FaultKind.class);
		for (String name : names.split(",")) {
			try {
				kinds.add(FaultKind.valueOf(name.strip().toUpperCase(Locale.ROOT)));
			}
			catch (IllegalArgumentException ex) {
				usage("unknown fault '" + name + "'; the faults are " + Arrays.toString(FaultKind.values()));
			}
		}
		return kinds;
	}

	private static Topology topology(String name) {
		try {
			return Topology.valueOf(name.strip().toUpperCase(Locale.ROOT));
		}
		catch (IllegalArgumentException ex) {
			usage("--topology is 'redis', 'sentinel' or 'cluster'");
			return Topology.REDIS;
		}
	}

	private static boolean isPubSub(String coherence) {
		return switch (coherence) {
			case "pubsub" -> true;
			case "tracking" -> false;
			default -> {
				usage("--coherence is 'tracking' or 'pubsub'");
				yield false;
			}
		};
	}

	private static String usage(String problem) {
		System.err.println(problem);
		System.err.println("usage: consistency/run --minutes N --seed S [--seed S2 ...] [--subject tiercache|spring] "
				+ "[--faults KIND,KIND...] [--coherence tracking|pubsub] [--topology redis|sentinel|cluster] "
				+ "[--read-from replica] [--min-replicas 0|1] [--results DIR]  |  "
				+ "consistency/run --check RUN_DIR [--check RUN_DIR2 ...] [--results DIR]");
		System.exit(2);
		return problem;
	}

}
