package dev.tiercache.consistency.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import dev.tiercache.consistency.checker.CheckResult;
import dev.tiercache.consistency.checker.FaultWindow;
import dev.tiercache.consistency.checker.SeenRedisFailures;
import dev.tiercache.consistency.checker.Verdict;

/** Writes runs' outcomes as JSON (everything) and Markdown (the summary a person reads). */
public final class Reports {

	private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

	private Reports() {
	}

	/** Writes {@code <name>.json} and {@code <name>.md} in {@code directory}. */
	public static void write(List<RunOutcome> outcomes, Path directory, String name) {
		try {
			Files.createDirectories(directory);
			Files.writeString(directory.resolve(name + ".json"), JSON.writeValueAsString(outcomes));
			Files.writeString(directory.resolve(name + ".md"), markdown(outcomes));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot write the results to " + directory, ex);
		}
	}

	/** The summary of the runs, as Markdown. */
	public static String markdown(List<RunOutcome> outcomes) {
		StringBuilder md = new StringBuilder("# Consistency check\n\n");
		md.append("| subject | seed | clients ran | faults | calls | freshness | convergence | write-behind | "
				+ "no invented values | stale reads within bound (p50 / p99 / max ms) |\n");
		md.append("|---|---:|---:|---|---:|---|---|---|---|---|\n");
		for (RunOutcome outcome : outcomes) {
			Verdict verdict = outcome.verdict();
			md.append("| ").append(outcome.settings().subjectName()).append(" | ").append(outcome.settings().seed())
				.append(" | ").append(outcome.settings().runMillis() / 1000).append(" s | ")
				.append(faultSummary(outcome.faults())).append(" | ")
				.append(outcome.calls().values().stream().mapToLong(Long::longValue).sum());
			for (CheckResult check : verdict.checks()) {
				md.append(" | ").append(check.violations()).append(" of ").append(check.checked());
				if (check.excused() > 0) {
					md.append(" (").append(check.excused()).append(" excused)");
				}
			}
			Verdict.StalenessSummary stale = verdict.staleness();
			md.append(String.format(Locale.ROOT, " | %d of %d (%.2f / %.2f / %.2f) |%n", stale.stale(), stale.reads(),
					stale.p50Millis(), stale.p99Millis(), stale.maxMillis()));
		}
		md.append("\nEach check reads \"violations of items checked\". Excused: stale reads that Spring's stale-set race "
				+ "explains (a plain @Cacheable put of a row loaded before a concurrent write), a documented limit; "
				+ "acknowledged write-behind calls the queue coalesced into a later call of their key that failed as "
				+ "possibly queued and reached the database.\n");
		for (RunOutcome outcome : outcomes) {
			// every fault of a run that failed; of one that passed, those after which Redis lost its dataset and
			// the Redis failures no injected fault explains
			List<FaultWindow> listed = outcome.verdict().passed() ? outcome.faults()
				.stream()
				.filter((fault) -> fault.target().contains(Nemesis.DATASET_LOST)
						|| fault.kind().equals(SeenRedisFailures.KIND))
				.toList() : outcome.faults();
			if (!listed.isEmpty()) {
				String which = outcome.verdict().passed()
						? "faults after which Redis lost its dataset, and Redis failures seen outside injected faults"
						: "faults";
				md.append("\n## ").append(outcome.settings().subjectName()).append(", seed ")
					.append(outcome.settings().seed()).append(": ").append(which)
					.append(" (nanoTime, as the calls' times)\n\n");
				listed.forEach((fault) -> md.append("- ").append(fault.kind()).append(" on ")
					.append(fault.target()).append(" [").append(fault.start()).append(", ").append(fault.end())
					.append("]\n"));
			}
			for (CheckResult check : outcome.verdict().checks()) {
				if (check.violations() == 0) {
					continue;
				}
				md.append("\n## ").append(outcome.settings().subjectName()).append(", seed ").append(outcome.settings().seed())
					.append(": ").append(check.name()).append(" (").append(check.violations()).append(")\n\n")
					.append(check.guarantee()).append(".\n\nBy operation: ").append(check.byOperation()).append('\n');
				for (CheckResult.Violation violation : check.examples()) {
					md.append("\n- ").append(violation.summary());
					violation.events().forEach((event) -> md.append("\n  - `").append(event).append('`'));
				}
				md.append('\n');
			}
		}
		return md.toString();
	}

	private static String faultSummary(List<FaultWindow> faults) {
		if (faults.isEmpty()) {
			return "none";
		}
		return faults.stream().map(FaultWindow::kind).distinct().sorted().map((kind) -> kind.toLowerCase(Locale.ROOT))
			.reduce((a, b) -> a + ", " + b).orElse("") + " (" + faults.size() + ")";
	}

}
