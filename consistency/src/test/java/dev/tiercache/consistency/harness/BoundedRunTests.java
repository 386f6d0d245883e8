package dev.tiercache.consistency.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

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

	private static void assertKeepsEveryGuarantee(long seed) {
		RunOutcome outcome = ConsistencyRun.run(RunSettings.of("tiercache", seed, RUN), RUNS.resolve(Long.toString(seed)));
		String report = Reports.markdown(List.of(outcome));
		Reports.write(List.of(outcome), RUNS, "bounded-" + seed);
		System.out.println(report);
		assertThat(outcome.faults()).as("faults injected (seed %d)", seed).isNotEmpty();
		for (CheckResult check : outcome.verdict().checks()) {
			assertThat(check.checked()).as("items the %s check checked (seed %d)", check.name(), seed).isPositive();
		}
		assertThat(outcome.verdict().violations()).as("violations with seed %d:%n%s", seed, report).isZero();
	}

}
