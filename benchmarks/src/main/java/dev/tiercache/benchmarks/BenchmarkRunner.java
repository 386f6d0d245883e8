package dev.tiercache.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark and scenario, side by side in one run on one machine, and writes JMH's JSON
 * results and a Markdown summary of the ratios to {@code benchmarks/results/} ({@code --quick}: to
 * {@code benchmarks/results/quick/}, a few seconds per benchmark, for smoke runs).
 *
 * <p>Run from the repository root: {@code benchmarks/run} or {@code benchmarks/run --quick}. Redis
 * and PostgreSQL are found as the tests find them ({@code TIERCACHE_REDIS_URL} and
 * {@code TIERCACHE_PG_URL}, Testcontainers, or embedded servers).
 */
public final class BenchmarkRunner {

	private BenchmarkRunner() {
	}

	public static void main(String[] args) throws RunnerException, IOException, Exception {
		boolean quick = List.of(args).contains("--quick");
		Path results = Path.of("benchmarks", "results", quick ? "quick" : "").toAbsolutePath().normalize();
		Files.createDirectories(results);
		String redis = BenchRedis.uri().toString();
		System.out.println("Redis: " + redis + "; results: " + results);

		Collection<RunResult> localOneThread = run(options(quick, redis, results.resolve("local-hit-1-thread.json"))
			.include(LocalHitBenchmark.class.getSimpleName()).threads(1).addProfiler(GCProfiler.class));
		Collection<RunResult> localTwoThreads = run(options(quick, redis, results.resolve("local-hit-2-threads.json"))
			.include(LocalHitBenchmark.class.getSimpleName()).threads(2).addProfiler(GCProfiler.class));
		Collection<RunResult> remote = run(options(quick, redis, results.resolve("remote-hit.json"))
			.include(RemoteHitBenchmark.class.getSimpleName()).threads(1));
		Collection<RunResult> miss = run(options(quick, redis, results.resolve("miss.json"))
			.include(MissBenchmark.class.getSimpleName()).threads(1));
		Collection<RunResult> batch = run(options(quick, redis, results.resolve("batch-read.json"))
			.include(BatchReadBenchmark.class.getSimpleName()).threads(1));
		// 18 parameter sets: shorter iterations, which the microsecond-scale codecs need no more than
		Collection<RunResult> compression = run(options(quick, redis, results.resolve("compression.json"))
			.include(CompressionBenchmark.class.getSimpleName()).threads(1)
			.warmupIterations(2).warmupTime(TimeValue.seconds(1))
			.measurementIterations(quick ? 2 : 3).measurementTime(TimeValue.seconds(1)));

		System.setProperty(BenchRedis.PROPERTY, redis);
		List<RoundTrips.Count> roundTrips = RoundTrips.measure();
		int interleavedCalls = quick ? 2_000 : 20_000;
		List<InterleavedLatency.Latency> interleavedHits = InterleavedLatency.remoteHits(interleavedCalls);
		List<InterleavedLatency.Latency> interleavedMisses = InterleavedLatency.misses(interleavedCalls / 4);
		int keys = quick ? 20 : 200;
		List<StampedeScenario.Outcome> stampedes = new ArrayList<>();
		stampedes.add(StampedeScenario.tiered(4, 32, keys));
		stampedes.add(StampedeScenario.spring(4, 32, keys, false));
		stampedes.add(StampedeScenario.spring(4, 32, keys, true));
		// 5,000 absent ids: half the 10,000 entries of every subject's local cache, so that none evicts
		List<NullPenetrationScenario.Outcome> nullPenetration = NullPenetrationScenario.all(2, 4,
				quick ? 500 : 5_000, quick ? 20_000 : 200_000);

		WriteBehindScenario.Outcome writeBehind = WriteBehindScenario.run(quick ? 4_000 : 100_000, 8,
				quick ? 80 : 1_000);
		WriteBehindScenario.Skewed skewed = WriteBehindScenario.runSkewed(quick ? 4_000 : 100_000, 8,
				quick ? 80 : 1_000);
		StalenessScenario.Outcome staleness = StalenessScenario.run(quick ? 100 : 1_000);
		TopologyScenario.Outcome topology = TopologyScenario.run(quick ? 1_000 : 10_000, quick ? 100 : 1_000);
		List<GuardScenario.Outcome> guard = GuardScenario.run(2, 4, 10_000, quick ? 10_000 : 100_000);
		WarmingScenario.Outcome warming = WarmingScenario.run(quick ? 1_000 : 10_000, quick ? 100 : 1_000,
				Duration.ofMillis(250), quick ? 4 : 8);
		TagScenario.Outcome tags = TagScenario.run(10_000, quick ? 200 : 2_000, quick ? 5 : 20);

		String summary = new Summary(quick).localHit(localOneThread, localTwoThreads)
			.remoteHit(remote, interleavedHits)
			.miss(miss, interleavedMisses, roundTrips)
			.stampede(stampedes)
			.writeBehind(writeBehind)
			.writeBehindSkewed(skewed)
			.staleness(staleness)
			.topology(topology)
			.compression(compression)
			.batchReads(batch)
			.nullPenetration(nullPenetration)
			.warming(warming)
			.guard(guard)
			.tags(tags)
			.toMarkdown();
		Files.writeString(results.resolve("summary.md"), summary);
		System.out.println(summary);
	}

	private static ChainedOptionsBuilder options(boolean quick, String redis, Path result) {
		TimeValue iteration = TimeValue.seconds(quick ? 1 : 2);
		return new OptionsBuilder().forks(1)
			.warmupIterations(quick ? 1 : 3)
			.warmupTime(iteration)
			.measurementIterations(quick ? 2 : 5)
			.measurementTime(iteration)
			.jvmArgsAppend("-Xmx1g", "-D" + BenchRedis.PROPERTY + "=" + redis)
			.shouldFailOnError(true)
			.resultFormat(ResultFormatType.JSON)
			.result(result.toString());
	}

	private static Collection<RunResult> run(ChainedOptionsBuilder options) throws RunnerException {
		return new Runner(options.build()).run();
	}

}
