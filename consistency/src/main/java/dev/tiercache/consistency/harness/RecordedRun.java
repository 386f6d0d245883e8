package dev.tiercache.consistency.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tiercache.consistency.checker.Applied;
import dev.tiercache.consistency.checker.FaultWindow;

/**
 * What a run recorded besides the instances' histories, kept beside them in the run's directory
 * ({@code recorded.json}) so that the history can be checked again later, by a person or a newer checker.
 *
 * @param settings the run's settings
 * @param redis which {@code redis-server} ran
 * @param faults the faults as they were applied
 * @param applied the database's log of applied versions
 * @param versions each row's final version
 */
record RecordedRun(RunSettings settings, String redis, List<FaultWindow> faults, List<Applied> applied,
		Map<Long, Long> versions) {

	private static final String FILE = "recorded.json";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	void save(Path directory) {
		try {
			Files.writeString(directory.resolve(FILE), JSON.writeValueAsString(this));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot save the run in " + directory, ex);
		}
	}

	static RecordedRun load(Path directory) {
		try {
			JsonNode recorded = JSON.readTree(Files.readString(directory.resolve(FILE)));
			if (recorded.get("settings") instanceof ObjectNode settings && !settings.has("minReplicas")) {
				// recorded before the setting was: labelled as without it, as most of those runs were (the Sentinel
				// runs of 2026-12-06 from 10:33 to 11:40 had it, set by CONFIG SET)
				settings.put("minReplicas", 0);
			}
			return JSON.treeToValue(recorded, RecordedRun.class);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read " + directory.resolve(FILE), ex);
		}
	}

	/** The instances' history files in the directory. */
	static List<Path> histories(Path directory) {
		try (var files = Files.list(directory)) {
			return files.filter((file) -> file.getFileName().toString().startsWith("history-")).sorted().toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot list " + directory, ex);
		}
	}

}
