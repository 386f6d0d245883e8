package dev.tiercache.consistency.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.tiercache.consistency.checker.CheckResult;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bounded consistency run of {@code ./mvnw verify}: four instances as processes with every kind of
 * fault the schedule draws, once with a fixed seed and once with a random one (printed, and named in
 * the failure message, so that it can be run again with {@code consistency/run --seed}). Every
 * guarantee must hold, and every check must have checked something.
 */
class BoundedRunTests {

	private static final Duration RUN = Duration.ofSeconds(25);

	/** Long enough for a failover of each kind (the schedule draws one fault every few seconds). */
	private static final Duration FAILOVER_RUN = Duration.ofSeconds(20);

	private static final Path RUNS = Path.of("target", "consistency-runs");

	@Test
	void fixedSeedKeepsEveryGuarantee() {
		assertKeepsEveryGuarantee(16);
	}

	@Test
	void randomSeedKeepsEveryGuarantee() {
		long seed = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
		System.out.println("BoundedRunTests random seed: " + seed);
		assertKeepsEveryGuarantee(seed);
	}

	/**
	 * Failovers under load, and nothing else: every guarantee holds on a Sentinel group and on a cluster
	 * while primaries are failed over by hand and killed.
	 */
	@ParameterizedTest
	@EnumSource(value = Topology.class, names = { "SENTINEL", "CLUSTER" })
	void failoversKeepEveryGuarantee(Topology topology) {
		Set<FaultKind> failovers = EnumSet.of(FaultKind.PRIMARY_KILL,
				(topology == Topology.SENTINEL) ? FaultKind.SENTINEL_FAILOVER : FaultKind.CLUSTER_FAILOVER);
		assertKeepsEveryGuarantee(RunSettings.of("tiercache", 18, FAILOVER_RUN, failovers, topology));
	}

	private static void assertKeepsEveryGuarantee(long seed) {
		assertKeepsEveryGuarantee(RunSettings.of("tiercache", seed, RUN));
	}

	private static void assertKeepsEveryGuarantee(RunSettings settings) {
		long seed = settings.seed();
		String name = settings.topology().name().toLowerCase(Locale.ROOT) + "-" + seed;
		RunOutcome outcome = ConsistencyRun.run(settings, RUNS.resolve(name));
		String report = Reports.markdown(List.of(outcome));
		Reports.write(List.of(outcome), RUNS, "bounded-" + name);
		System.out.println(report);
		assertThat(outcome.faults()).as("faults injected (seed %d)", seed).isNotEmpty();
		for (CheckResult check : outcome.verdict().checks()) {
			assertThat(check.checked()).as("items the %s check checked (seed %d)", check.name(), seed).isPositive();
		}
		assertThat(outcome.verdict().violations()).as("violations with seed %d:%n%s", seed, report).isZero();
	}

}
