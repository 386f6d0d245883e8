package dev.tiercache.consistency.harness;

import java.util.List;
import java.util.Map;

import dev.tiercache.consistency.checker.FaultWindow;
import dev.tiercache.consistency.checker.Verdict;

/**
 * What one run did and what the checker found.
 *
 * @param settings the run's settings
 * @param redis which {@code redis-server} ran
 * @param faults the faults as they were applied
 * @param calls how many calls each operation made, by outcome ({@code read ok}, {@code write-behind fail}, …)
 * @param seconds how long the whole run took, start-up to check
 * @param verdict the checker's verdict
 */
public record RunOutcome(RunSettings settings, String redis, List<FaultWindow> faults, Map<String, Long> calls,
		double seconds, Verdict verdict) {
}
