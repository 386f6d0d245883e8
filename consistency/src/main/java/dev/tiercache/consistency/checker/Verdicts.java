package dev.tiercache.consistency.checker;

import java.util.ArrayList;
import java.util.List;

/** Collects one check's counts and first violations. Not thread-safe. */
final class Verdicts {

	private final String name;

	private final String guarantee;

	private long checked;

	private long violations;

	private final List<CheckResult.Violation> examples = new ArrayList<>();

	Verdicts(String name, String guarantee) {
		this.name = name;
		this.guarantee = guarantee;
	}

	void checked() {
		this.checked++;
	}

	void violation(String summary, Call... events) {
		this.violations++;
		if (this.examples.size() < CheckResult.MAX_EXAMPLES) {
			List<String> described = new ArrayList<>();
			for (Call event : events) {
				if (event != null) {
					described.add(event.describe());
				}
			}
			this.examples.add(new CheckResult.Violation(summary, described));
		}
	}

	CheckResult result() {
		return new CheckResult(this.name, this.guarantee, this.checked, this.violations, List.copyOf(this.examples));
	}

}
