package dev.tiercache.consistency.checker;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

/** Collects one check's counts and first violations. Not thread-safe. */
final class Verdicts {

	private final String name;

	private final String guarantee;

	private long checked;

	private long violations;

	private long excused;

	private final Map<String, Long> byOperation = new TreeMap<>();

	private final List<CheckResult.Violation> examples = new ArrayList<>();

	Verdicts(String name, String guarantee) {
		this.name = name;
		this.guarantee = guarantee;
	}

	void checked() {
		this.checked++;
	}

	/** An item that broke the guarantee only as a documented limit allows: counted, not a violation. */
	void excused() {
		this.excused++;
	}

	/** Whether the next violation is kept as an example (the first {@value CheckResult#MAX_EXAMPLES} are). */
	boolean keepsNextExample() {
		return this.examples.size() < CheckResult.MAX_EXAMPLES;
	}

	/** A violation; the first event is the call that showed it. */
	void violation(String summary, Call shownBy, @Nullable Call... others) {
		this.violations++;
		this.byOperation.merge(shownBy.name(), 1L, Long::sum);
		List<@Nullable Call> events = new ArrayList<>();
		events.add(shownBy);
		events.addAll(Arrays.asList(others));
		if (keepsNextExample()) {
			List<String> described = new ArrayList<>();
			for (@Nullable Call event : events) {
				if (event != null) {
					described.add(event.describe());
				}
			}
			this.examples.add(new CheckResult.Violation(summary, described));
		}
	}

	CheckResult result() {
		return new CheckResult(this.name, this.guarantee, this.checked, this.violations, this.excused,
				Map.copyOf(this.byOperation),
				List.copyOf(this.examples));
	}

}
