package dev.tiercache.consistency.checker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the instances' history files (JSON lines: {@code invoke}, then {@code ok} or {@code fail}; and
 * {@code redis-failure}, a Redis call an instance saw fail) into calls and Redis failures. A call whose
 * completion is missing (its process was killed) is {@link Call.Outcome#INFO}. A last line cut short by
 * a kill is ignored.
 */
public final class HistoryReader {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String REDIS_FAILURE = "redis-failure";

	private HistoryReader() {
	}

	public static List<Call> read(List<Path> files) {
		List<Call> calls = new ArrayList<>();
		for (Path file : files) {
			if (Files.exists(file)) {
				calls.addAll(readFile(file));
			}
		}
		return calls;
	}

	/** The Redis failures the instances saw, in the order of the files and, within a file, of time. */
	public static List<RedisFailure> redisFailures(List<Path> files) {
		List<RedisFailure> failures = new ArrayList<>();
		for (Path file : files) {
			if (Files.exists(file)) {
				for (JsonNode event : events(file)) {
					if (REDIS_FAILURE.equals(event.get("e").asString())) {
						failures.add(new RedisFailure(event.get("node").asInt(), event.get("t").asLong(),
								event.get("cache").asString(), event.get("err").asString()));
					}
				}
			}
		}
		return failures;
	}

	private static List<Call> readFile(Path file) {
		Map<Long, JsonNode> invoked = new HashMap<>();
		List<Call> calls = new ArrayList<>();
		for (JsonNode event : events(file)) {
			switch (event.get("e").asString()) {
				case "invoke" -> invoked.put(event.get("op").asLong(), event);
				case "ok", "fail" -> {
					JsonNode invocation = invoked.remove(event.get("op").asLong());
					if (invocation != null) {
						calls.add(call(invocation, event));
					}
				}
				case REDIS_FAILURE -> {
				}
				default -> throw new IllegalStateException("unknown event in " + file + ": " + event);
			}
		}
		invoked.values().forEach((invocation) -> calls.add(call(invocation, null)));
		return calls;
	}

	/** The file's events, without a last line cut short by a kill. */
	private static List<JsonNode> events(Path file) {
		List<String> lines;
		try {
			lines = Files.readAllLines(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read the history " + file, ex);
		}
		return lines.stream().filter((line) -> line.endsWith("}")).map(JSON::readTree).toList();
	}

	private static Call call(JsonNode invocation, JsonNode completion) {
		Call.Outcome outcome = (completion == null) ? Call.Outcome.INFO
				: "ok".equals(completion.get("e").asString()) ? Call.Outcome.OK : Call.Outcome.FAIL;
		JsonNode read = (completion != null) ? completion.get("ver") : null;
		JsonNode readKey = (completion != null) ? completion.get("vkey") : null;
		JsonNode error = (completion != null) ? completion.get("err") : null;
		return new Call(invocation.get("node").asInt(), invocation.get("inc").asInt(), invocation.get("op").asLong(),
				invocation.get("f").asString(), invocation.get("kind").asString(), invocation.get("key").asLong(),
				invocation.get("ver").asLong(), invocation.get("t").asLong(),
				(completion != null) ? completion.get("t").asLong() : Long.MAX_VALUE, outcome,
				(read != null) ? read.asLong() : null, (readKey != null) ? readKey.asLong() : invocation.get("key").asLong(),
				(error != null) ? error.asString() : null);
	}

}
