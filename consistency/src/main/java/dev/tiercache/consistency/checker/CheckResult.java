package dev.tiercache.consistency.checker;

import java.util.List;
import java.util.Map;

/**
 * The verdict of one check: how many items it checked, how many broke the guarantee, and the first few
 * violations with the events that show each.
 *
 * @param name the check
 * @param guarantee what it verifies, in a sentence
 * @param checked how many items (reads, writes, keys) it checked; a check that checked nothing proves nothing
 * @param violations how many items broke the guarantee
 * @param excused how many items broke it only as a documented limit allows (not violations)
 * @param byOperation the violations by the operation that showed them (the read, or the write that was lost)
 * @param examples the first violations found, at most {@link #MAX_EXAMPLES}
 */
public record CheckResult(String name, String guarantee, long checked, long violations, long excused,
		Map<String, Long> byOperation,
		List<Violation> examples) {

	public static final int MAX_EXAMPLES = 10;

	/**
	 * One violation.
	 *
	 * @param summary what went wrong
	 * @param events the history events that show it
	 */
	public record Violation(String summary, List<String> events) {
	}

}
