package dev.tiercache.consistency.checker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The history files as instances write them: calls, Redis failures between them, and a last line cut
 * short by a kill.
 */
class HistoryReaderTests {

	@TempDir
	Path directory;

	@Test
	void readsCallsAndTheRedisFailuresBetweenThem() throws IOException {
		Path file = this.directory.resolve("history-1-0.jsonl");
		Files.writeString(file, """
				{"e":"invoke","node":1,"inc":0,"op":1,"f":"read-remote","kind":"READ","key":7,"ver":0,"t":100}
				{"e":"redis-failure","node":1,"inc":0,"t":150,"cache":"vr","err":"Redis did not answer in time"}
				{"e":"ok","node":1,"inc":0,"op":1,"ver":3,"vkey":7,"t":200}
				{"e":"invoke","node":1,"inc":0,"op":2,"f":"write-around-remote","kind":"WRITE","key":7,"ver":4,"t":300}
				{"e":"redis-failure","node":1,"inc":0,"t":350,"cache":"v
				""");
		List<Path> files = List.of(file, this.directory.resolve("history-2-0.jsonl"));

		List<Call> calls = HistoryReader.read(files);
		assertThat(calls).extracting(Call::name, Call::outcome)
			.containsExactlyInAnyOrder(tuple("read-remote", Call.Outcome.OK),
					tuple("write-around-remote", Call.Outcome.INFO));
		assertThat(HistoryReader.redisFailures(files))
			.containsExactly(new RedisFailure(1, 150, "vr", "Redis did not answer in time"));
	}

}
