package dev.tiercache.architecture;

import java.util.Set;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import dev.tiercache.internal.write.PendingWrites;
import dev.tiercache.internal.write.StagedWrite;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The shape of {@code tiercache-core}: its packages point downward as the README's module section
 * draws them, without cycles; the write-behind queue uses the tier through its API only; and L1
 * entries are dropped only by a cache's own writes and by {@code coherence}.
 */
@AnalyzeClasses(packages = "dev.tiercache", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTests {

	/**
	 * From the top: what users' code meets (annotations read by the interceptor; metrics), the patterns,
	 * the write-behind queue, the reads and writes the tier hands to them, the tiers, then what the tiers
	 * are built of. Leaves (stats, the internal concurrency and reflection helpers) may be used by any
	 * layer.
	 */
	@ArchTest
	static final ArchRule packagesPointDownward = layeredArchitecture().consideringOnlyDependenciesInLayers()
		.layer("annotation").definedBy("dev.tiercache.annotation..")
		.layer("interceptor").definedBy("dev.tiercache.interceptor..")
		.layer("metrics").definedBy("dev.tiercache.metrics..")
		.layer("strategy").definedBy("dev.tiercache.strategy..")
		.layer("writebehind").definedBy("dev.tiercache.writebehind..")
		.layer("tier").definedBy("dev.tiercache.tier..")
		.layer("write").definedBy("dev.tiercache.internal.write..")
		.layer("read").definedBy("dev.tiercache.internal.read..")
		.layer("coherence").definedBy("dev.tiercache.coherence..")
		.layer("stampede").definedBy("dev.tiercache.internal.stampede..")
		.layer("redis").definedBy("dev.tiercache.internal.redis..")
		.layer("codec").definedBy("dev.tiercache.codec..")
		.layer("resilience").definedBy("dev.tiercache.resilience..")
		.layer("stats").definedBy("dev.tiercache.stats..")
		.layer("tracing").definedBy("dev.tiercache.tracing..")
		.whereLayer("interceptor").mayNotBeAccessedByAnyLayer()
		.whereLayer("metrics").mayNotBeAccessedByAnyLayer()
		.whereLayer("annotation").mayOnlyBeAccessedByLayers("interceptor")
		.whereLayer("strategy").mayOnlyBeAccessedByLayers("interceptor")
		.whereLayer("writebehind").mayOnlyBeAccessedByLayers("interceptor", "metrics")
		.whereLayer("tier").mayOnlyBeAccessedByLayers("interceptor", "metrics", "strategy", "writebehind")
		.whereLayer("write").mayOnlyBeAccessedByLayers("interceptor", "strategy", "writebehind", "tier")
		.whereLayer("read").mayOnlyBeAccessedByLayers("interceptor", "tier")
		.whereLayer("coherence").mayOnlyBeAccessedByLayers("tier")
		.whereLayer("stampede").mayOnlyBeAccessedByLayers("write", "tier")
		.whereLayer("redis").mayOnlyBeAccessedByLayers("writebehind", "write", "tier", "coherence", "stampede")
		.whereLayer("codec").mayOnlyBeAccessedByLayers("writebehind", "write", "tier")
		.whereLayer("resilience").mayOnlyBeAccessedByLayers("metrics", "writebehind", "tier", "redis")
		.whereLayer("tracing").mayOnlyBeAccessedByLayers("writebehind", "tier");

	@ArchTest
	static final ArchRule packagesHaveNoCycles = slices().matching("dev.tiercache.(**)").should().beFreeOfCycles();

	/** The queue writes through the tier's API; nothing of how the tier is built. */
	@ArchTest
	static final ArchRule writeBehindUsesTheTierThroughItsApi = noClasses().that()
		.resideInAPackage("dev.tiercache.writebehind..")
		.should()
		.dependOnClassesThat(inTierBut("TieredCache", "TieredCacheManager", "CacheSettings", "CacheMode",
				"InvalidSettingException", "TiercacheEvent"));

	/**
	 * A cache's L1 loses entries by the cache's own writes ({@code TieredCache}, {@code CacheWrites}), through its
	 * {@code LocalCopies} ({@code CacheContext}, which {@code coherence} drives, also when a namespace version
	 * moves, and the {@code SuspectEntry} it hands {@code coherence} to evict), or by its own eviction: never
	 * by the Redis tier or the read-through.
	 */
	@ArchTest
	static final ArchRule onlyTheCacheAndCoherenceDropL1Entries = noClasses().that()
		.haveNameNotMatching("dev\\.tiercache\\.tier\\.(TieredCache|CacheWrites|CacheContext|LocalTier|SuspectEntry)(\\$.*)?")
		.should()
		.callMethodWhere(dropsL1Entries());

	@ArchTest
	static final ArchRule coherenceAloneReceivesRedisChangeReports = classes().that()
		.implement("dev.tiercache.coherence.InvalidationTarget")
		.should()
		.resideInAPackage("dev.tiercache.coherence..");

	private static DescribedPredicate<JavaClass> inTierBut(String... api) {
		Set<String> allowed = Set.of(api);
		return DescribedPredicate.describe("are in dev.tiercache.tier but not its API " + allowed,
				(type) -> type.getPackageName().equals("dev.tiercache.tier")
						&& !allowed.contains(type.getSimpleName()) && !type.isAnonymousClass()
						&& !allowed.contains(outermost(type).getSimpleName()));
	}

	private static JavaClass outermost(JavaClass type) {
		JavaClass outer = type;
		while (outer.getEnclosingClass().isPresent()) {
			outer = outer.getEnclosingClass().get();
		}
		return outer;
	}

	private static DescribedPredicate<JavaMethodCall> dropsL1Entries() {
		Set<String> dropping = Set.of("evict", "evictIf", "invalidate", "clear");
		return DescribedPredicate.describe("drops entries of LocalTier " + dropping,
				(call) -> call.getTargetOwner().getName().equals("dev.tiercache.tier.LocalTier")
						&& dropping.contains(call.getName()));
	}

}
