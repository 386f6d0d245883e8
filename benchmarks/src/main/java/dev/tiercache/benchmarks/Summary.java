package dev.tiercache.benchmarks;

import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/**
 * Turns one run's results into the Markdown summary: a table per comparison and the ratios that the
 * targets are stated in. Ratios only compare subjects measured in the same run.
 */
final class Summary {

	private final StringBuilder out = new StringBuilder();

	Summary(boolean quick) {
		this.out.append("# Tiercache benchmark summary\n\n")
			.append("Run on ").append(LocalDate.now()).append(", JDK ").append(Runtime.version())
			.append(", ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs")
			.append(quick ? ", **quick mode** (1 warm-up and 2 measured iterations of 1 s: indicative only)"
					: ", 1 fork, 3 warm-up and 5 measured iterations of 2 s")
			.append(". Absolute numbers on a shared machine are noise; compare ratios within this run.\n\n");
	}

	Summary localHit(Collection<RunResult> oneThread, Collection<RunResult> twoThreads) {
		Map<String, RunResult> one = byName(oneThread);
		Map<String, RunResult> two = byName(twoThreads);
		this.out.append("## 1. L1 hit through the annotation (1,000 hot keys; Tiercache's meters bound)\n\n")
			.append("| subject | 1 thread: ops/µs | ns/op | B/op | 2 threads: ops/µs (total) | B/op |\n")
			.append("|---|---:|---:|---:|---:|---:|\n");
		for (String name : List.of("tieredCacheAside", "tieredSpringCacheable", "springCacheableSync", "caffeineGet",
				"proxyFloor", "bookkeepingFloor")) {
			RunResult first = one.get(name);
			RunResult second = two.get(name);
			this.out.append("| ").append(label(name)).append(" | ")
				.append(number(score(first))).append(" | ")
				.append(number(1000.0 / score(first))).append(" | ")
				.append(number(allocation(first))).append(" | ")
				.append(number(score(second))).append(" | ")
				.append(number(allocation(second))).append(" |\n");
		}
		double tieredNanos = 1000.0 / score(one.get("tieredCacheAside"));
		double floorNanos = 1000.0 / score(one.get("proxyFloor"));
		double bookkeepingNanos = 1000.0 / score(one.get("bookkeepingFloor"));
		double fastPathNanos = 1000.0 / score(one.get("tieredSpringCacheable"));
		this.out.append("\n- time per hit, `@CacheAside` / proxy floor (1 thread): **")
			.append(ratio(tieredNanos / floorNanos)).append("×** (target ≤ 2×)\n")
			.append("- throughput, `@CacheAside` / Spring `@Cacheable(sync = true)`: **")
			.append(ratio(score(one.get("tieredCacheAside")) / score(one.get("springCacheableSync"))))
			.append("×** on 1 thread, **")
			.append(ratio(score(two.get("tieredCacheAside")) / score(two.get("springCacheableSync"))))
			.append("×** on 2 threads (target ≥ 3.5×)\n")
			.append("- time per hit, Spring `@Cacheable(sync = true)` on Tiercache's manager / proxy floor: **")
			.append(ratio(fastPathNanos / floorNanos))
			.append("×** (target ≤ 1.25×); its throughput / Spring's on Caffeine: **")
			.append(ratio(score(one.get("tieredSpringCacheable")) / score(one.get("springCacheableSync"))))
			.append("×** on 1 thread, **")
			.append(ratio(score(two.get("tieredSpringCacheable")) / score(two.get("springCacheableSync"))))
			.append("×** on 2 threads (target ≥ 3×)\n")
			.append("- time per hit, the proxy floor with an L1 entry's bookkeeping (a deadline, a type, an exact hit ")
			.append("count) / proxy floor: **")
			.append(ratio(bookkeepingNanos / floorNanos))
			.append("×**; the fast path / that floor: **")
			.append(ratio(fastPathNanos / bookkeepingNanos))
			.append("×**\n")
			.append("- allocation beyond the proxy floor: **")
			.append(number(allocation(one.get("tieredCacheAside")) - allocation(one.get("proxyFloor"))))
			.append(" B/op** (target 0)\n\n");
		return this;
	}

	Summary remoteHit(Collection<RunResult> results, List<InterleavedLatency.Latency> interleaved) {
		Map<String, RunResult> byName = byName(results);
		this.out.append("## 2. L2 hit (no L1, one thread, latency)\n\n")
			.append("| subject | p50 µs | p99 µs | mean µs |\n|---|---:|---:|---:|\n");
		for (String name : List.of("tieredCacheAsideRemote", "tieredSpringCacheableRemote", "lettuceGetAndDecode",
				"springCacheableRedis")) {
			appendLatencyRow(byName.get(name), name);
		}
		this.out.append("\n- p50, `@CacheAside` / raw Lettuce GET + decode: **")
			.append(ratio(percentile(byName.get("tieredCacheAsideRemote"), 50)
					/ percentile(byName.get("lettuceGetAndDecode"), 50)))
			.append("×** (target ≤ 1.15×)\n\n");
		interleaved(interleaved, "`@CacheAside` (remote mode)", "raw Lettuce sync `GET` + Jackson decode");
		return this;
	}

	/** The interleaved measurement and the ratio of the first subject's p50 to the reference's. */
	private void interleaved(List<InterleavedLatency.Latency> latencies, String subject, String reference) {
		this.out.append("Interleaved, call by call in one thread (same noise for every subject):\n\n")
			.append("| subject | p50 µs | p99 µs |\n|---|---:|---:|\n");
		double subjectP50 = Double.NaN;
		double referenceP50 = Double.NaN;
		for (InterleavedLatency.Latency latency : latencies) {
			this.out.append("| ").append(latency.subject()).append(" | ").append(number(latency.p50Micros()))
				.append(" | ").append(number(latency.p99Micros())).append(" |\n");
			subjectP50 = latency.subject().equals(subject) ? latency.p50Micros() : subjectP50;
			referenceP50 = latency.subject().equals(reference) ? latency.p50Micros() : referenceP50;
		}
		this.out.append("\n- p50 interleaved, ").append(subject).append(" / ").append(reference).append(": **")
			.append(ratio(subjectP50 / referenceP50)).append("×**\n\n");
	}

	Summary miss(Collection<RunResult> results, List<InterleavedLatency.Latency> interleaved,
			List<RoundTrips.Count> roundTrips) {
		Map<String, RunResult> byName = byName(results);
		this.out.append("## 3. Miss that loads (constant loader, one thread, latency)\n\n")
			.append("| subject | p50 µs | p99 µs | mean µs |\n|---|---:|---:|---:|\n");
		for (String name : List.of("tieredCacheAsideMiss", "tieredSpringCacheableMiss", "springCacheableRedisMiss")) {
			appendLatencyRow(byName.get(name), name);
		}
		this.out.append("\n- p50, `@CacheAside` miss / Spring miss: **")
			.append(ratio(percentile(byName.get("tieredCacheAsideMiss"), 50)
					/ percentile(byName.get("springCacheableRedisMiss"), 50)))
			.append("×**\n\n");
		interleaved(interleaved, "`@CacheAside` miss", "Spring `@Cacheable` on `RedisCacheManager` miss");
		this.out.append("Round trips per call, counted in the Lettuce client:\n\n")
			.append("| subject | operation | round trips | by command |\n|---|---|---:|---|\n");
		for (RoundTrips.Count count : roundTrips) {
			this.out.append("| ").append(count.subject()).append(" | ").append(count.operation()).append(" | ")
				.append(number(count.total())).append(" | ").append(commands(count.perCall())).append(" |\n");
		}
		this.out.append('\n');
		return this;
	}

	Summary stampede(List<StampedeScenario.Outcome> outcomes) {
		this.out.append("## 4. Stampede: 4 instances × 32 threads on one cold key, 50 ms loader\n\n")
			.append("| subject | keys | callers | loader calls | p50 ms | p99 ms | max ms | round trips / caller | Redis commands / caller |\n")
			.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
		for (StampedeScenario.Outcome outcome : outcomes) {
			this.out.append("| ").append(outcome.subject()).append(" | ").append(outcome.keys()).append(" | ")
				.append(outcome.callers()).append(" | ").append(outcome.loaderCalls()).append(" | ")
				.append(number(outcome.p50Millis())).append(" | ").append(number(outcome.p99Millis())).append(" | ")
				.append(number(outcome.maxMillis())).append(" | ").append(number(outcome.roundTripsPerCaller()))
				.append(" | ").append(number(outcome.serverCommandsPerCaller())).append(" |\n");
		}
		this.out.append("\nTargets for `@CacheAside`: loader calls = keys; p99 ≤ 70 ms (loader + 20 ms).\n");
		return this;
	}

	Summary writeBehind(WriteBehindScenario.Outcome outcome) {
		this.out.append("\n## 5. Write-behind: ").append(outcome.writes()).append(" writes from ")
			.append(outcome.threads()).append(" threads, one instance, PostgreSQL upsert\n\n")
			.append("| subject | calls/s | p50 µs | p99 µs |\n|---|---:|---:|---:|\n")
			.append("| direct JDBC upsert per call | ").append(number(outcome.directPerSecond())).append(" | ")
			.append(number(outcome.directP50Micros())).append(" | ").append(number(outcome.directP99Micros()))
			.append(" |\n| `@WriteBehind`, flusher running (").append(outcome.keys()).append(" keys) | ")
			.append(number(outcome.enqueuedPerSecond())).append(" | ").append(number(outcome.enqueueP50Micros()))
			.append(" | ").append(number(outcome.enqueueP99Micros())).append(" |\n| `@WriteBehind`, no flusher (distinct keys) | ")
			.append(number(outcome.quietPerSecond())).append(" | ").append(number(outcome.quietP50Micros())).append(" | ")
			.append(number(outcome.quietP99Micros())).append(" |\n\n")
			.append("- method calls after coalescing: ").append(outcome.methodCalls()).append(" for ")
			.append(outcome.writes()).append(" writes (").append(String.format(Locale.ROOT, "%.0f", 100 * outcome.coalescedShare()))
			.append(" % of database calls saved); the database held every key's last value ")
			.append(outcome.caughtUpMillis()).append(" ms after the first call\n")
			.append("- drain: a new instance applied ").append(outcome.drained()).append(" queued entries in ")
			.append(outcome.drainMillis()).append(" ms (").append(number(outcome.drained() * 1000.0 / Math.max(1, outcome.drainMillis())))
			.append(" entries/s)\n\nTarget: ≥ 20,000 `@WriteBehind` calls/s per instance.\n");
		return this;
	}

	Summary writeBehindSkewed(WriteBehindScenario.Skewed outcome) {
		this.out.append("\n### Write-behind on skewed keys: ").append(outcome.writes()).append(" calls over ")
			.append(outcome.keys()).append(" keys (about 80 % of them to 20 % of the keys), flusher running\n\n")
			.append("| subject | calls/s | × direct | database statements | statements for the hottest 20 % of keys"
					+ " | × fewer on them | caught up ms |\n")
			.append("|---|---:|---:|---:|---:|---:|---:|\n")
			.append("| direct JDBC upsert per call | ").append(number(outcome.directPerSecond())).append(" | 1.00 | ")
			.append(outcome.writes()).append(" | ").append(outcome.hotWrites()).append(" | 1.00 | |\n");
		skewedRow("`@WriteBehind`, defaults", outcome, outcome.defaults());
		skewedRow("`@WriteBehind`, `" + String.join("`, `", WriteBehindScenario.COALESCING)
			.replace("tiercache.defaults.write-behind.", "") + "`", outcome, outcome.coalesced());
		this.out.append("\nTargets: calls/s ≥ 2× direct JDBC's, with ≥ 5× fewer statements on the hottest keys. "
				+ "Caught up: from the first call until the database held every key's last value.\n");
		return this;
	}

	private void skewedRow(String subject, WriteBehindScenario.Skewed outcome, WriteBehindScenario.SkewedRun run) {
		this.out.append("| ").append(subject).append(" | ").append(number(run.perSecond())).append(" | ")
			.append(ratio(run.perSecond() / outcome.directPerSecond())).append(" | ").append(run.methodCalls())
			.append(" | ").append(run.hotCalls()).append(" | ")
			.append(ratio(run.hotStatementsSaved(outcome.hotWrites()))).append(" | ").append(run.caughtUpMillis())
			.append(" |\n");
	}

	Summary staleness(StalenessScenario.Outcome outcome) {
		this.out.append("\n## 6. Staleness across instances: ").append(outcome.writes())
			.append(" writes on instance A, instance B reading (").append(outcome.mode()).append(")\n\n")
			.append("| from A's write returning to B serving it | p50 ms | p99 ms | max ms |\n|---|---:|---:|---:|\n")
			.append("| `TieredCache.put` on A, `get` on B | ").append(String.format(Locale.ROOT, "%.2f", outcome.p50Millis()))
			.append(" | ").append(String.format(Locale.ROOT, "%.2f", outcome.p99Millis())).append(" | ")
			.append(String.format(Locale.ROOT, "%.2f", outcome.maxMillis()))
			.append(" |\n\nTarget: p99 ≤ 5 ms.\n");
		return this;
	}

	Summary topology(TopologyScenario.Outcome outcome) {
		this.out.append("\n## 7. One Redis and a Redis Cluster (3 primaries, 3 replicas, same machine)\n\n");
		interleaved(outcome.latencies(), TopologyScenario.HIT_CLUSTER, TopologyScenario.HIT_ONE);
		stalenessLine("Staleness on the cluster", outcome.clusterStaleness());
		stalenessLine("\nThe same with `tiercache.redis.read-from=replica`, B with an L1",
				outcome.replicaL1Staleness());
		stalenessLine("\nThe same with `tiercache.redis.read-from=replica`, B without L1 (every read from a replica)",
				outcome.replicaStaleness());
		return this;
	}

	Summary batchReads(Collection<RunResult> results) {
		Map<String, RunResult> byName = byName(results);
		this.out.append("\n## 9. Batch reads: ").append(BatchReadBenchmark.PRESENT + BatchReadBenchmark.MISSING)
			.append(" ids, ").append(BatchReadBenchmark.MISSING)
			.append(" missing, `remote` mode, one thread, latency\n\n")
			.append("| subject | p50 µs | p99 µs | mean µs |\n|---|---:|---:|---:|\n");
		for (String name : List.of("batchOf100", "loopOf100")) {
			appendLatencyRow(byName.get(name), name);
		}
		this.out.append("\n- p50, a loop of single calls / one batch call: **")
			.append(ratio(percentile(byName.get("loopOf100"), 50) / percentile(byName.get("batchOf100"), 50)))
			.append("×** (round trips of each in section 3)\n");
		return this;
	}

	/** The null-penetration table; the first outcome is {@code @CacheAside}'s, compared with each other one. */
	Summary nullPenetration(List<NullPenetrationScenario.Outcome> outcomes) {
		NullPenetrationScenario.Outcome first = outcomes.get(0);
		this.out.append("\n## 10. Null penetration: ").append(first.instances()).append(" instances, ")
			.append(first.threads()).append(" threads in all, ").append(first.calls())
			.append(" calls for ids the database lacks, 1 ms database\n\n")
			.append("| subject | calls | loader calls | loader calls / distinct id | calls/s | p50 µs | p99 µs ")
			.append("| round trips / call |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
		for (NullPenetrationScenario.Outcome outcome : outcomes) {
			this.out.append("| ").append(outcome.subject()).append(" | ").append(outcome.calls()).append(" | ")
				.append(outcome.loaderCalls()).append(" | ")
				.append(ratio((double) outcome.loaderCalls() / outcome.distinctIds())).append(" | ")
				.append(number(outcome.callsPerSecond())).append(" | ").append(number(outcome.p50Micros()))
				.append(" | ").append(number(outcome.p99Micros())).append(" | ")
				.append(number(outcome.roundTripsPerCall())).append(" |\n");
		}
		this.out.append("\nIdeal: one loader call per distinct id the calls asked for across all instances (")
			.append(first.distinctIds()).append(" here); a cache each instance fills on its own cannot go below ")
			.append("the distinct ids of each instance summed (").append(first.distinctIdsPerInstance())
			.append(").\n\n- calls/s, ").append(first.subject()).append(" / each other subject:");
		for (NullPenetrationScenario.Outcome other : outcomes.subList(1, outcomes.size())) {
			this.out.append(" **").append(ratio(first.callsPerSecond() / other.callsPerSecond())).append("×** ")
				.append(other.subject()).append(';');
		}
		this.out.setLength(this.out.length() - 1);
		this.out.append(" (target > 1× each peer)\n");
		return this;
	}

	Summary warming(WarmingScenario.Outcome outcome) {
		this.out.append("\n## 11. Cold start: L1 hit rate of a new instance, ").append(String.format(Locale.ROOT, "%,d",
				outcome.products()))
			.append(" products in Redis, Zipf-skewed reads on ").append(WarmingScenario.THREADS)
			.append(" threads from the moment it is ready\n\n| window (ms) | without warming | with ")
			.append(outcome.hotKeys()).append(" hot keys warmed |\n|---|---:|---:|\n");
		for (int w = 0; w < outcome.cold().localHitRates().size(); w++) {
			this.out.append("| ").append(w * outcome.windowMillis()).append("–")
				.append((w + 1) * outcome.windowMillis())
				.append(" | ").append(percent(outcome.cold().localHitRates().get(w))).append(" | ")
				.append(percent(outcome.warmed().localHitRates().get(w))).append(" |\n");
		}
		this.out.append("\nReads: ").append(String.format(Locale.ROOT, "%,d", outcome.cold().reads()))
			.append(" without, ").append(String.format(Locale.ROOT, "%,d", outcome.warmed().reads()))
			.append(" with; loads: ").append(outcome.cold().loads()).append(" and ").append(outcome.warmed().loads())
			.append("; warming: ").append(outcome.warmed().warmedKeys()).append(" keys in ")
			.append(outcome.warmed().warmingMillis()).append(" ms.\n");
		return this;
	}

	/** The guard against null markers alone: the first outcome is null markers', the second the guard's. */
	Summary guard(List<GuardScenario.Outcome> outcomes) {
		GuardScenario.Outcome markers = outcomes.get(0);
		GuardScenario.Outcome guarded = outcomes.get(1);
		this.out.append("\n## 12. Penetration guard: ").append(String.format(Locale.ROOT, "%,d", markers.absentIds()))
			.append(" distinct absent ids, each asked for once, 2 instances, 1 ms database; the guard's filter holds ")
			.append(String.format(Locale.ROOT, "%,d", guarded.existingIds()))
			.append(" existing ids\n\n| subject | loader calls | round ms | calls/s | p50 µs | p99 µs |\n")
			.append("|---|---:|---:|---:|---:|---:|\n");
		for (GuardScenario.Outcome outcome : outcomes) {
			this.out.append("| ").append(outcome.subject()).append(" | ").append(outcome.loaderCalls()).append(" | ")
				.append(number(outcome.millis())).append(" | ").append(number(outcome.callsPerSecond())).append(" | ")
				.append(number(outcome.p50Micros())).append(" | ").append(number(outcome.p99Micros())).append(" |\n");
		}
		this.out.append("\n- loader calls with the guard: ").append(percent((double) guarded.loaderCalls()
				/ guarded.absentIds()))
			.append(" of the ids (its false positives, and one refusal in 1,000 read to audit it); round time, ")
			.append("guard / null markers alone: **")
			.append(ratio(guarded.millis() / markers.millis())).append("×**\n");
		return this;
	}

	/** A tag over many entries: its invalidation, its reach, and what tags cost a read. */
	Summary tags(TagScenario.Outcome outcome) {
		String entries = String.format(Locale.ROOT, "%,d", outcome.entries());
		this.out.append("\n## 13. Tags: one tag carried by ").append(entries)
			.append(" entries (each also carries one of its own), 2 instances\n\n")
			.append("| invalidation | time | Redis commands |\n|---|---:|---:|\n")
			.append("| `invalidateTag` (p50 / p99) | ").append(number(outcome.invalidateP50Micros())).append(" / ")
			.append(number(outcome.invalidateP99Micros())).append(" µs | ")
			.append(number(outcome.commandsPerInvalidation()))
			.append(" |\n| hand-written: a set of keys per tag, `SMEMBERS` then `DEL` in batches of 1,000 | ")
			.append(number(outcome.handWrittenMillis() * 1000)).append(" µs | ").append(outcome.handWrittenCommands())
			.append(" |\n\n- the other instance missed ").append(number(outcome.propagationMillis()))
			.append(" ms after the invalidation returned, and reloaded ").append(String.format(Locale.ROOT, "%,d",
					outcome.reloads()))
			.append(" of the ").append(entries).append(" entries on reading them all again\n")
			.append("- a read of a tagged entry, untagged → tagged: L1 hit ")
			.append(number(outcome.localHitNanos()[0])).append(" → ").append(number(outcome.localHitNanos()[1]))
			.append(" ns; Redis hit ").append(number(outcome.remoteHitMicros()[0])).append(" → ")
			.append(number(outcome.remoteHitMicros()[1])).append(" µs (`TieredCache.get`, one thread, tags known)\n");
		return this;
	}

	private static String percent(double rate) {
		return String.format(Locale.ROOT, "%.1f %%", rate * 100);
	}

	Summary compression(Collection<RunResult> results) {
		Map<String, Double> micros = new TreeMap<>();
		for (RunResult result : results) {
			String benchmark = result.getParams().getBenchmark();
			micros.put(benchmark.substring(benchmark.lastIndexOf('.') + 1) + "/" + result.getParams().getParam("codec")
					+ "/" + result.getParams().getParam("kilobytes"), score(result));
		}
		this.out.append("\n## 8. Compression of typical JSON (a page of catalogue entries), one thread\n\n")
			.append("| JSON | codec | stored | saved | compress µs | decompress µs |\n")
			.append("|---:|---|---:|---:|---:|---:|\n");
		for (CompressionBenchmark.Sample sample : CompressionBenchmark.samples()) {
			String size = sample.kilobytes() + " kB";
			sample.compressed().forEach((codec, bytes) -> this.out.append("| ").append(size).append(" | ")
				.append(codec).append(" | ").append(bytes).append(" B | ")
				.append(Math.round(100.0 - 100.0 * bytes / sample.jsonBytes())).append(" % | ")
				.append(number(micros.getOrDefault("compress/" + codec + "/" + sample.kilobytes(), Double.NaN)))
				.append(" | ")
				.append(number(micros.getOrDefault("decompress/" + codec + "/" + sample.kilobytes(), Double.NaN)))
				.append(" |\n"));
		}
		return this;
	}

	private void stalenessLine(String title, StalenessScenario.Outcome staleness) {
		this.out.append(title).append(": ").append(staleness.writes())
			.append(" writes on instance A, B reading (").append(staleness.mode()).append("): p50 ")
			.append(millis(staleness.p50Millis())).append(" ms, p99 ").append(millis(staleness.p99Millis()))
			.append(" ms, max ").append(millis(staleness.maxMillis())).append(" ms.\n");
	}

	private static String millis(double value) {
		return String.format(Locale.ROOT, "%.2f", value);
	}

	String toMarkdown() {
		return this.out.toString();
	}

	private void appendLatencyRow(RunResult result, String name) {
		this.out.append("| ").append(label(name)).append(" | ").append(number(percentile(result, 50))).append(" | ")
			.append(number(percentile(result, 99))).append(" | ").append(number(score(result))).append(" |\n");
	}

	private static Map<String, RunResult> byName(Collection<RunResult> results) {
		Map<String, RunResult> byName = new TreeMap<>();
		for (RunResult result : results) {
			String benchmark = result.getParams().getBenchmark();
			byName.put(benchmark.substring(benchmark.lastIndexOf('.') + 1), result);
		}
		return byName;
	}

	private static double score(RunResult result) {
		return result.getPrimaryResult().getScore();
	}

	private static double percentile(RunResult result, double percentile) {
		return result.getPrimaryResult().getStatistics().getPercentile(percentile);
	}

	private static double allocation(RunResult result) {
		Result<?> norm = result.getSecondaryResults().get("gc.alloc.rate.norm");
		return (norm != null) ? norm.getScore() : Double.NaN;
	}

	private static String label(String benchmark) {
		return switch (benchmark) {
			case "tieredCacheAside" -> "`@CacheAside` (tiered, L1 hit)";
			case "tieredSpringCacheable" -> "Spring `@Cacheable(sync = true)` on Tiercache's manager (fast path)";
			case "springCacheableSync" -> "Spring `@Cacheable(sync = true)` on `CaffeineCacheManager`";
			case "caffeineGet" -> "Caffeine `cache.get(key, fn)` (no proxy)";
			case "proxyFloor" -> "proxy floor (bare AOP proxy + `getIfPresent`)";
			case "bookkeepingFloor" -> "proxy floor + an entry's deadline, type and exact hit count";
			case "tieredCacheAsideRemote" -> "`@CacheAside` (remote mode)";
			case "lettuceGetAndDecode" -> "raw Lettuce sync `GET` + Jackson decode";
			case "springCacheableRedis" -> "Spring `@Cacheable` on `RedisCacheManager` (JSON)";
			case "tieredCacheAsideMiss" -> "`@CacheAside` miss";
			case "tieredSpringCacheableRemote" -> "Spring `@Cacheable` on Tiercache's manager (remote mode, fast path)";
			case "tieredSpringCacheableMiss" -> "Spring `@Cacheable` on Tiercache's manager miss (fast path)";
			case "springCacheableRedisMiss" -> "Spring `@Cacheable` on `RedisCacheManager` miss";
			case "batchOf100" -> "`@CacheAside(batch = true)`, one call";
			case "loopOf100" -> "`@CacheAside`, a loop of 100 calls";
			default -> benchmark;
		};
	}

	private static String commands(Map<String, Double> perCall) {
		StringBuilder text = new StringBuilder();
		perCall.forEach((command, count) -> text.append((text.length() > 0) ? ", " : "").append(command).append(' ')
			.append(number(count)));
		return text.toString();
	}

	private static String number(double value) {
		if (Double.isNaN(value)) {
			return "n/a";
		}
		return String.format(Locale.ROOT, (Math.abs(value) >= 100) ? "%.0f" : (Math.abs(value) >= 10) ? "%.1f" : "%.2f",
				value);
	}

	private static String ratio(double value) {
		return String.format(Locale.ROOT, "%.2f", value);
	}

}
