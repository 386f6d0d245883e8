package dev.tiercache.benchmarks;

import java.net.SocketAddress;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;

/**
 * Counts the commands a Lettuce client sends, by type: each one is a network round trip (nothing
 * here pipelines). Plug it in with {@link #clientResources()}; Spring Boot uses a
 * {@link ClientResources} bean for its connection factory.
 */
final class CommandCounter implements CommandLatencyRecorder {

	private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

	private final ClientResources clientResources = DefaultClientResources.builder().commandLatencyRecorder(this).build();

	ClientResources clientResources() {
		return this.clientResources;
	}

	@Override
	public void recordCommandLatency(SocketAddress local, SocketAddress remote, ProtocolKeyword commandType,
			long firstResponseLatency, long completionLatency) {
		this.counts.computeIfAbsent(commandType.toString(), (type) -> new LongAdder()).increment();
	}

	@Override
	public boolean isEnabled() {
		return true;
	}

	/** The counts so far, by command type. */
	Map<String, Long> snapshot() {
		Map<String, Long> snapshot = new TreeMap<>();
		this.counts.forEach((type, count) -> snapshot.put(type, count.sum()));
		return snapshot;
	}

	/** What was sent between two snapshots, by command type, without zero entries. */
	static Map<String, Long> difference(Map<String, Long> before, Map<String, Long> after) {
		Map<String, Long> difference = new TreeMap<>();
		after.forEach((type, count) -> {
			long sent = count - before.getOrDefault(type, 0L);
			if (sent > 0) {
				difference.put(type, sent);
			}
		});
		return difference;
	}

	static long total(Map<String, Long> counts) {
		return counts.values().stream().mapToLong(Long::longValue).sum();
	}

	void shutdown() {
		this.clientResources.shutdown();
	}

}
