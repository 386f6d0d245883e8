package dev.tiercache.consistency.checker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checker on small histories written by hand, one anomaly each, so that every check is shown to
 * catch what it is for (and to count what it checked). Times are in milliseconds; the freshness bound
 * is 250 ms, the recovery time 2 s and an entry's lifetime 6 s.
 */
class CheckerTests {

	private static final long MS = 1_000_000;

	private static final String POSSIBLY_QUEUED = "WriteBehindUnavailableException: Tiercache cannot confirm that it "
			+ "queued the @WriteBehind call of Versioned#writeBehind for key '1' of cache 'v': "
			+ "Redis did not answer in time";

	private final Checker checker = new Checker((key) -> 250 * MS, 2000 * MS, 6000 * MS);

	private final List<Call> calls = new ArrayList<>();

	private final List<Applied> applied = new ArrayList<>();

	private final Map<Long, Long> finalVersions = new HashMap<>(Map.of(1L, 0L));

	private final List<FaultWindow> faults = new ArrayList<>();

	private long op;

	/** How long a Redis failure seen outside the faults excuses staleness. */
	private static final long SETTLE = 2000 * MS;

	@Test
	void freshReadPasses() {
		write("write-through", 1, 11, 100, 110);
		read(1, 11, 500, 501);
		Verdict verdict = check();
		assertThat(result(verdict, "freshness").checked()).isEqualTo(1);
		assertThat(verdict.violations()).isZero();
	}

	@Test
	void readOlderThanAWriteAcknowledgedBeforeTheBoundIsStale() {
		write("write-through", 1, 11, 100, 110);
		write("write-through", 1, 12, 200, 210);
		read(1, 11, 600, 601);
		assertThat(result(check(), "freshness").violations()).isEqualTo(1);
	}

	@Test
	void readOlderThanAWriteAcknowledgedWithinTheBoundIsAllowedAndCountedAsStale() {
		write("write-through", 1, 11, 100, 110);
		write("write-through", 1, 12, 200, 210);
		read(1, 11, 300, 301);
		Verdict verdict = check();
		assertThat(result(verdict, "freshness").violations()).isZero();
		assertThat(verdict.staleness().stale()).isEqualTo(1);
		assertThat(verdict.staleness().maxMillis()).isEqualTo(90.0);
	}

	@Test
	void readOfTheInitialVersionAfterAnAcknowledgedQueuedWriteIsStaleBeforeItIsApplied() {
		write("write-behind", 1, 11, 100, 110);
		read(1, 0, 600, 601);
		assertThat(result(check(), "freshness").violations()).isEqualTo(1);
	}

	@Test
	void aFreshnessViolationShowsTheKeysOtherCallsFromTheWriteToTheRead() {
		read(1, 0, 50, 60);
		write("write-behind", 1, 11, 100, 110);
		read(1, 0, 300, 310);
		read(2, 0, 320, 330);
		read(1, 0, 600, 601);
		CheckResult freshness = result(check(), "freshness");
		assertThat(freshness.violations()).isEqualTo(1);
		List<String> events = freshness.examples().get(0).events();
		assertThat(events).hasSize(3);
		assertThat(events.get(0)).contains("read(1) read 0 [" + 600 * MS);
		assertThat(events.get(1)).contains("write-behind(1) wrote 11");
		assertThat(events.get(2)).contains("read(1) read 0 [" + 300 * MS);
	}

	@Test
	void concurrentWritesAreOrderedByTheDatabase() {
		write("write-through", 1, 11, 100, 300);
		write("write-through", 1, 12, 150, 250);
		this.applied.clear();
		applied(1, 12);
		applied(1, 11);
		read(1, 12, 800, 801);
		assertThat(result(check(), "freshness").violations()).isEqualTo(1);
	}

	@Test
	void staleReadInsideAFaultWindowIsAllowedForWritesDuringTheFault() {
		this.faults.add(new FaultWindow("CUT", "n1", 1000 * MS, 2000 * MS));
		write("write-through", 1, 11, 100, 110);
		write("write-through", 1, 12, 1200, 1210);
		read(1, 11, 3500, 3501);
		assertThat(result(check(), "freshness").violations()).isZero();
	}

	@Test
	void staleReadInsideAFaultWindowIsAViolationForWritesBeforeTheFault() {
		this.faults.add(new FaultWindow("CUT", "n1", 1000 * MS, 2000 * MS));
		write("write-through", 1, 11, 100, 110);
		write("write-through", 1, 12, 200, 210);
		read(1, 11, 1500, 1501);
		assertThat(result(check(), "freshness").violations()).isEqualTo(1);
	}

	@Test
	void whileQueuedWritesAreRefusedReadsAreNotHeldToWriteBehindCallsButToOtherWrites() {
		this.faults.add(new FaultWindow("FAILING_WRITER", "all", 1000 * MS, 2000 * MS));
		write("write-behind", 1, 11, 100, 110);
		write("write-behind", 1, 12, 200, 210);
		read(1, 11, 1500, 1501);
		write("write-through", 2, 21, 100, 110);
		write("write-through", 2, 22, 200, 210);
		read(2, 21, 1500, 1501);
		assertThat(result(check(), "freshness").violations()).as("only the write-through's key").isEqualTo(1);
	}

	@Test
	void onceAFailingWriterIsHealedReadsAreHeldToEveryWriteAtOnce() {
		this.faults.add(new FaultWindow("FAILING_WRITER", "all", 1000 * MS, 2000 * MS));
		write("write-behind", 1, 11, 100, 110);
		write("write-behind", 1, 12, 1200, 1210);
		read(1, 11, 2300, 2301);
		assertThat(result(check(), "freshness").violations()).as("a CUT's recovery time would excuse it").isEqualTo(1);
		this.faults.set(0, new FaultWindow("CUT", "n1", 1000 * MS, 2000 * MS));
		assertThat(result(check(), "freshness").violations()).isZero();
	}

	@Test
	void faultsThatOnlySlowThingsDownExcuseNoStaleRead() {
		write("write-behind", 1, 11, 100, 110);
		write("write-behind", 1, 12, 1200, 1210);
		read(1, 11, 1500, 1501);
		for (String kind : List.of("SLOW_LOADER", "STALLED_WRITER", "JITTER")) {
			this.faults.clear();
			this.faults.add(new FaultWindow(kind, "all", 1000 * MS, 2000 * MS));
			assertThat(result(check(), "freshness").violations()).as(kind).isEqualTo(1);
		}
	}

	@Test
	void aStaleReadThatSpringsStaleSetRaceExplainsIsExcusedAndCounted() {
		write("write-evict", 1, 11, 100, 110);
		leaselessRead(1, 11, 150, 400);
		write("write-through", 1, 12, 200, 300);
		read(1, 11, 900, 901);
		CheckResult freshness = result(check(), "freshness");
		assertThat(freshness.violations()).as("put at 400, after the write-through began").isZero();
		assertThat(freshness.excused()).isEqualTo(1);
	}

	@Test
	void aStaleSetPutCannotExcuseAReadPastTheEntrysLifetimeOrAWriteThatBeganAfterIt() {
		write("write-evict", 1, 11, 100, 110);
		leaselessRead(1, 11, 150, 400);
		write("write-through", 1, 12, 200, 300);
		read(1, 11, 7000, 7001);
		assertThat(result(check(), "freshness").violations()).as("past the lifetime").isEqualTo(1);
		this.calls.remove(this.calls.size() - 1);
		write("write-through", 1, 13, 500, 510);
		read(1, 11, 900, 901);
		CheckResult freshness = result(check(), "freshness");
		assertThat(freshness.violations()).as("write 13 began after the put").isEqualTo(1);
		assertThat(freshness.excused()).isZero();
	}

	@Test
	void aLeaselessReadThatBeganAfterTheNewerWriteWasAcknowledgedExcusesNothing() {
		write("write-evict", 1, 11, 100, 110);
		write("write-through", 1, 12, 200, 300);
		leaselessRead(1, 11, 320, 321);
		read(1, 11, 900, 901);
		CheckResult freshness = result(check(), "freshness");
		assertThat(freshness.violations()).as("its load could not have read 11 before 12 was written").isEqualTo(1);
		assertThat(freshness.excused()).isZero();
	}

	@Test
	void aStaleSetPutNeverExcusesAReadWhenAnyNewerWriteIsQueued() {
		write("write-evict", 1, 11, 100, 110);
		leaselessRead(1, 11, 150, 400);
		write("write-through", 1, 12, 200, 250);
		write("write-behind", 1, 13, 260, 270);
		read(1, 11, 900, 901);
		assertThat(result(check(), "freshness").violations()).isEqualTo(1);
	}

	@Test
	void aStaleSetPutNeverExcusesAReadOlderThanAQueuedWrite() {
		write("write-behind", 1, 11, 100, 110);
		leaselessRead(1, 11, 150, 400);
		write("write-behind", 1, 12, 200, 210);
		read(1, 11, 900, 901);
		assertThat(result(check(), "freshness").violations()).isEqualTo(1);
	}

	@Test
	void whileAnInstanceIsKilledReadsAreNotHeldToItsWritesButToOthers() {
		this.faults.add(new FaultWindow("KILL", "n1", 1000 * MS, 2000 * MS));
		write("write-through", 1, 11, 100, 110);
		write("write-through", 1, 12, 500, 510);
		read(1, 11, 1500, 1501);
		assertThat(result(check(), "freshness").violations()).as("the killed instance n1 wrote").isZero();
		this.faults.set(0, new FaultWindow("KILL", "n2", 1000 * MS, 2000 * MS));
		assertThat(result(check(), "freshness").violations()).as("n2 was killed, n1 wrote").isEqualTo(1);
	}

	@Test
	void aRedisFailureSeenOutsideTheFaultsExcusesStaleReadsUntilItSettles() {
		write("write-through", 1, 11, 100, 110);
		write("write-through", 1, 12, 200, 210);
		this.faults.addAll(SeenRedisFailures.windows(List.of(redisFailure(1, 205)), this.faults, 2000 * MS, SETTLE));
		read(1, 11, 600, 601);
		read(1, 11, 2300, 2301);
		CheckResult freshness = result(check(), "freshness");
		assertThat(freshness.violations()).isEqualTo(1);
		assertThat(freshness.examples().get(0).events().get(0)).contains(String.valueOf(2300 * MS));
	}

	@Test
	void aRedisFailureDuringAnInjectedFaultOrItsRecoveryIsThatFaults() {
		this.faults.add(new FaultWindow("CUT", "n1", 1000 * MS, 2000 * MS));
		List<RedisFailure> failures = List.of(redisFailure(1, 1500), redisFailure(2, 3500), redisFailure(3, 4500));
		assertThat(SeenRedisFailures.windows(failures, this.faults, 2000 * MS, SETTLE)).singleElement()
			.satisfies((window) -> {
				assertThat(window.kind()).isEqualTo(SeenRedisFailures.KIND);
				assertThat(window.target()).startsWith("n3 (1 failed calls");
				assertThat(window.start()).isEqualTo(4500 * MS);
				assertThat(window.end()).isEqualTo(6500 * MS);
			});
	}

	@Test
	void redisFailuresCloserThanTheSettleTimeMakeOneWindow() {
		List<RedisFailure> failures = List.of(redisFailure(2, 1500), redisFailure(1, 100), redisFailure(2, 3000),
				redisFailure(1, 6000));
		List<FaultWindow> windows = SeenRedisFailures.windows(failures, this.faults, 2000 * MS, SETTLE);
		assertThat(windows).extracting(FaultWindow::start).containsExactly(100 * MS, 6000 * MS);
		assertThat(windows).extracting(FaultWindow::end).containsExactly(5000 * MS, 8000 * MS);
		assertThat(windows.get(0).target()).startsWith("n1,n2 (3 failed calls");
		assertThat(windows.get(0).needsRecovery()).isFalse();
		assertThat(windows.get(0).hidesQueuedWrites()).isTrue();
	}

	@Test
	void finalReadThatDiffersFromTheDatabaseIsAConvergenceViolation() {
		write("write-through", 1, 11, 100, 110);
		this.finalVersions.put(1L, 11L);
		call(1, "final-read", "READ", 1, 0, 5000, 5001, 0L);
		CheckResult convergence = result(check(), "convergence");
		assertThat(convergence.checked()).isEqualTo(1);
		assertThat(convergence.violations()).isEqualTo(1);
	}

	@Test
	void acknowledgedQueuedWriteThatNeverReachedTheDatabaseIsLost() {
		write("write-behind", 1, 11, 100, 110);
		this.applied.clear();
		CheckResult writeBehind = result(check(), "write-behind");
		assertThat(writeBehind.checked()).isEqualTo(1);
		assertThat(writeBehind.violations()).isEqualTo(1);
	}

	@Test
	void queuedWriteCoalescedIntoALaterOneIsNotLost() {
		write("write-behind", 1, 11, 100, 110);
		write("write-behind", 1, 12, 120, 130);
		this.applied.clear();
		applied(1, 12);
		assertThat(result(check(), "write-behind").violations()).isZero();
	}

	@Test
	void queuedWriteCoalescedIntoALaterCallThatFailedButWasQueuedIsExcused() {
		write("write-behind", 1, 11, 100, 110);
		failedWrite(1, 12, 120, 130, Call.Outcome.FAIL, POSSIBLY_QUEUED);
		this.applied.clear();
		applied(1, 12);
		this.finalVersions.put(1L, 12L);
		CheckResult writeBehind = result(check(), "write-behind");
		assertThat(writeBehind.violations()).isZero();
		assertThat(writeBehind.excused()).isEqualTo(1);
	}

	@Test
	void aLaterAcknowledgedCallSupersedesWithoutAnExcuseWhateverOtherCallsReachedTheDatabase() {
		// the key's writes are looked at in the order of their versions: each comes first once
		for (long acknowledged : new long[] { 12, 13 }) {
			long possiblyQueued = 25 - acknowledged;
			this.calls.clear();
			write("write-behind", 1, 11, 100, 110);
			write("write-behind", 1, acknowledged, 120, 130);
			failedWrite(1, possiblyQueued, 125, 140, Call.Outcome.FAIL, POSSIBLY_QUEUED);
			this.applied.clear();
			applied(1, possiblyQueued);
			applied(1, acknowledged);
			CheckResult writeBehind = result(check(), "write-behind");
			assertThat(writeBehind.violations()).as("acknowledged version %d", acknowledged).isZero();
			assertThat(writeBehind.excused()).as("acknowledged version %d", acknowledged).isZero();
		}
	}

	@Test
	void onlyALaterCallThatMayHaveBeenQueuedAndReachedTheDatabaseExcusesALostWrite() {
		write("write-behind", 1, 11, 100, 110);
		// failed as possibly queued, never applied
		failedWrite(1, 12, 120, 130, Call.Outcome.FAIL, POSSIBLY_QUEUED);
		// applied, but it completed before the lost call began
		failedWrite(1, 13, 80, 90, Call.Outcome.FAIL, POSSIBLY_QUEUED);
		// applied, but refused as certainly not queued
		failedWrite(1, 14, 120, 130, Call.Outcome.FAIL,
				"WriteBehindUnavailableException: Tiercache did not queue the @WriteBehind call");
		// applied, but its process was killed: when is not known
		failedWrite(1, 15, 120, Long.MAX_VALUE / MS, Call.Outcome.INFO, null);
		this.applied.clear();
		applied(1, 13);
		applied(1, 14);
		applied(1, 15);
		assertThat(result(check(), "write-behind").violations()).isEqualTo(1);
	}

	@Test
	void olderQueuedWriteAppliedAfterANewerOneBreaksOrder() {
		write("write-behind", 1, 11, 100, 110);
		write("write-behind", 1, 12, 200, 210);
		this.applied.clear();
		applied(1, 12);
		applied(1, 11);
		assertThat(result(check(), "write-behind").violations()).isEqualTo(1);
	}

	@Test
	void reapplicationThatLeavesAnOlderVersionLastBreaksOrder() {
		write("write-behind", 1, 11, 100, 110);
		write("write-behind", 1, 12, 200, 210);
		applied(1, 11);
		assertThat(result(check(), "write-behind").violations()).isEqualTo(1);
	}

	@Test
	void reapplicationReplayedInOrderKeepsOrder() {
		write("write-behind", 1, 11, 100, 110);
		write("write-behind", 1, 12, 200, 210);
		applied(1, 11);
		applied(1, 12);
		assertThat(result(check(), "write-behind").violations()).isZero();
	}

	@Test
	void readOfAnotherKeysRowIsInvented() {
		write("write-through", 2, 21, 100, 110);
		call(1, "read", "READ", 1, 0, 500, 501, 21L, 2);
		assertThat(result(check(), "no invented values").violations()).isEqualTo(1);
	}

	@Test
	void readOfAVersionNeverWrittenIsInvented() {
		read(1, 99, 500, 501);
		assertThat(result(check(), "no invented values").violations()).isEqualTo(1);
	}

	@Test
	void readOfAVersionBeforeItsWriteBeganIsInvented() {
		read(1, 11, 50, 60);
		write("write-through", 1, 11, 100, 110);
		assertThat(result(check(), "no invented values").violations()).isEqualTo(1);
	}

	private Verdict check() {
		return this.checker.check(this.calls, this.applied, this.finalVersions, this.faults);
	}

	private static CheckResult result(Verdict verdict, String name) {
		return verdict.checks().stream().filter((check) -> check.name().equals(name)).findFirst().orElseThrow();
	}

	/** A write acknowledged at {@code completed}, applied to the row at once (tests reorder {@link #applied} as they need). */
	private void write(String name, long key, long version, long invoked, long completed) {
		call(1, name, "WRITE", key, version, invoked, completed, null);
		applied(key, version);
		this.finalVersions.put(key, version);
	}

	/** A write-behind call that threw or never completed; nothing is applied for it. */
	private void failedWrite(long key, long version, long invoked, long completed, Call.Outcome outcome,
			@Nullable String error) {
		this.calls.add(new Call(1, 0, ++this.op, "write-behind", "WRITE", key, version, invoked * MS, completed * MS,
				outcome, null, key, error));
	}

	private void read(long key, long version, long invoked, long completed) {
		call(2, "read", "READ", key, 0, invoked, completed, version);
	}

	/** A plain {@code @Cacheable} read on another instance, which loads without a lease and puts what it loaded. */
	private void leaselessRead(long key, long version, long invoked, long completed) {
		call(3, "read-cacheable", "READ", key, 0, invoked, completed, version);
	}

	private static RedisFailure redisFailure(int node, long at) {
		return new RedisFailure(node, at * MS, "v", "Redis did not answer in time");
	}

	private void applied(long key, long version) {
		this.applied.add(new Applied(this.applied.size() + 1, key, version));
	}

	private void call(int node, String name, String kind, long key, long written, long invoked, long completed,
			Long read) {
		call(node, name, kind, key, written, invoked, completed, read, key);
	}

	private void call(int node, String name, String kind, long key, long written, long invoked, long completed,
			Long read, long readKey) {
		this.calls.add(new Call(node, 0, ++this.op, name, kind, key, written, invoked * MS, completed * MS,
				Call.Outcome.OK, read, readKey, null));
	}

}
