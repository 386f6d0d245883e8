package dev.tiercache.tier;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

import org.jetbrains.lincheck.Lincheck;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.tiercache.coherence.TagVersions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link LocalTier}'s stamps under a model checker: Lincheck 3.7 ({@link Lincheck#runConcurrentTest}) runs
 * one store of "old" into L1 against one change of the same key ({@code put} of "new", {@code evict},
 * {@code clear}, or a reported change, {@code invalidate} by the key's Redis name) in {@value #CLEAR_INTERLEAVINGS}
 * thread interleavings of each pair, each on a new tier, with switches inside Caffeine's and the JDK's code
 * too. The stores are every way a value enters L1 against a stamp: a {@code fill} (a read or a load),
 * a {@code fillWritten} (a load's own store to Redis), a {@code refill} (a read kept out by a report, put
 * in after a check) and a {@code putWritten} (a write to Redis). In every interleaving, once both threads
 * are done: if the change came after the store's stamp, L1 holds the change's outcome ("new", or nothing),
 * never "old", unless the store returned it as a suspect to be checked against Redis (a report may be the
 * store's own write, echoed); otherwise it holds "old". Each test also asserts that all three orders were
 * explored (change before the stamp; stored, then the change; change, then the store refused or
 * suspected), so it cannot pass without racing. The exploration is deterministic for given code; a pair
 * takes some 25 to 35 s on two cores.
 *
 * <p>It found that a clear, or a report, could be lost to a store of a key not yet in L1: while the
 * store's atomic step was adding the key, the clear's sweep and the report's lookup did not see it, and
 * the store had checked its stamp before they advanced it (found within 10,000 interleavings for the
 * clear, 1,000 for the report). Every store now reads the stamp again once its entry is in. A fill that
 * ignores its stamp fails the first four, each within seconds.
 */
class LocalTierStampsModelCheckTests {

	/** Interleavings Lincheck explores per pair with a clear: the clear's race above needed several thousand. */
	private static final int CLEAR_INTERLEAVINGS = 10_000;

	/**
	 * Interleavings per pair with another change: a report's race was found within 1,000, and a store that
	 * ignores its stamp fails against a put or an evict within a few hundred.
	 */
	private static final int OTHER_INTERLEAVINGS = 3_000;

	private static final Object ABSENT = new Object() {

		@Override
		public String toString() {
			return "(nothing)";
		}

	};

	private static final byte[] FRAMED = { 1, 2, 3 };

	/** A fill of a value read or loaded: stored unless the key changed since the stamp. */
	private static final Store FILL = (tier, stamp) -> tier.fill("k", tier.rendered("k"), "old", 60_000, stamp, null)
			? Stored.YES : Stored.NO;

	/** A load's own store to Redis: kept as a suspect if a report came since the stamp. */
	private static final Store FILL_WRITTEN = (tier, stamp) -> Stored.of(tier,
			tier.fillWritten("k", tier.rendered("k"), "old", 60_000, stamp, FRAMED));

	/** A write to Redis: kept as a suspect if anything came since the stamp. */
	private static final Store PUT_WRITTEN = (tier, stamp) -> Stored.of(tier,
			tier.putWritten("k", tier.rendered("k"), "old", 60_000, stamp, FRAMED));

	private final CoarseClock clock = new CoarseClock();

	@AfterEach
	void close() {
		this.clock.close();
	}

	@Test
	void aPutAfterTheStampIsNeverReplacedByTheFill() {
		explore(null, FILL, Change.PUT);
	}

	@Test
	void anEvictAfterTheStampIsNeverUndoneByTheFill() {
		explore(null, FILL, Change.EVICT);
	}

	@Test
	void aClearAfterTheStampIsNeverUndoneByTheFill() {
		explore(null, FILL, Change.CLEAR);
	}

	@Test
	void aReportedChangeAfterTheStampIsNeverUndoneByTheFill() {
		explore(String::valueOf, FILL, Change.REPORT);
	}

	@Test
	void aClearAfterTheStampIsNeverUndoneByALoadsOwnStore() {
		explore(String::valueOf, FILL_WRITTEN, Change.CLEAR);
	}

	@Test
	void aReportedChangeAfterTheStampLeavesALoadsOwnStoreOnlyAsASuspect() {
		explore(String::valueOf, FILL_WRITTEN, Change.REPORT);
	}

	@Test
	void aClearAfterTheCheckIsNeverUndoneByTheRefill() {
		explore(String::valueOf, (tier) -> {
			long beforeTheRead = tier.stamp("k");
			tier.invalidate("k", false);
			Refill kept = tier.fillRead("k", tier.rendered("k"), "old", String.class, 60_000, beforeTheRead,
					FRAMED, null);
			return (t, stamp) -> t.refill(Objects.requireNonNull(kept)) ? Stored.YES : Stored.NO;
		}, Change.CLEAR);
	}

	@Test
	void aClearDuringAWriteLeavesItsValueOnlyAsASuspect() {
		explore(String::valueOf, PUT_WRITTEN, Change.CLEAR);
	}

	private void explore(@Nullable Function<Object, String> renderer, Store store, Change change) {
		explore(renderer, (tier) -> store, change);
	}

	/**
	 * Runs a store of "old" into "k" against {@code change} in every interleaving Lincheck explores (as many
	 * as the change needs), each on a new tier, on which {@code prepare} chooses the store (and may first
	 * write to it), and checks what L1 holds after both: the change's outcome if it moved the key's stamp after
	 * the store took it, or "old" if the store returned it as a suspect; "old" otherwise, or also the outcome
	 * of a change that advances the stamps first and removes entries after (a clear, a report: it may remove
	 * a value stamped in between).
	 */
	private void explore(@Nullable Function<Object, String> renderer, Function<LocalTier, Store> prepare,
			Change change) {
		Object afterChange = change.outcome;
		boolean removesAfterAdvancing = change.removesAfterAdvancing;
		AtomicInteger changeFirst = new AtomicInteger();
		AtomicInteger storedThenChange = new AtomicInteger();
		AtomicInteger storeRefused = new AtomicInteger();
		Lincheck.runConcurrentTest(change.interleavings, () -> {
			LocalTier tier = new LocalTier(100, this.clock, renderer, new StatsRecorder(),
					new TagVersions("model", null));
			long[] stamp = new long[1];
			Stored[] stored = new Stored[1];
			Store store = prepare.apply(tier);
			long initial = tier.stamp("k");
			Thread storing = new Thread(() -> {
				stamp[0] = tier.stamp("k");
				stored[0] = store.store(tier, stamp[0]);
			});
			Thread changing = new Thread(() -> change.action.accept(tier));
			storing.start();
			changing.start();
			join(storing);
			join(changing);
			LocalEntry entry = tier.get("k");
			Object held = (entry != null) ? entry.value() : ABSENT;
			// a plain check, not AssertJ: Lincheck calls equals on the receivers of the calls it traces, and
			// AssertJ's assertions throw from equals; an error thrown here fails the test with the interleaving
			boolean changeAfterStamp = stamp[0] == initial;
			boolean expected = changeAfterStamp
					? Objects.equals(held, afterChange) || ("old".equals(held) && stored[0] == Stored.SUSPECT)
					: "old".equals(held) || (removesAfterAdvancing && held == afterChange);
			if (!expected) {
				throw new AssertionError("the change came " + (changeAfterStamp ? "after" : "before")
						+ " the stamp (store " + stored[0] + "): L1 holds " + held);
			}
			(!changeAfterStamp ? changeFirst : (stored[0] == Stored.YES) ? storedThenChange : storeRefused)
				.incrementAndGet();
		});
		assertThat(changeFirst).as("change before the stamp").hasPositiveValue();
		assertThat(storedThenChange).as("stored, then the change").hasPositiveValue();
		assertThat(storeRefused).as("change after the stamp, store refused or suspected").hasPositiveValue();
		System.out.printf("%s: change first %d, stored then change %d, refused or suspected %d%n", afterChange,
				changeFirst.get(), storedThenChange.get(), storeRefused.get());
	}

	/** One change of the key, what L1 holds after it, and how many interleavings find its races. */
	private enum Change {

		/** A put of "new" by this instance. */
		PUT((tier) -> tier.put("k", "new", 60_000, null), "new", false, OTHER_INTERLEAVINGS),

		/** An evict by this instance. */
		EVICT((tier) -> tier.evict("k"), ABSENT, false, OTHER_INTERLEAVINGS),

		/** A clear of the whole tier: it advances the stamps first and removes entries after. */
		CLEAR(LocalTier::clear, ABSENT, true, CLEAR_INTERLEAVINGS),

		/** A change reported by the key's Redis name: it advances the stamps first and removes after. */
		REPORT((tier) -> tier.invalidate("k", false), ABSENT, true, OTHER_INTERLEAVINGS);

		private final Consumer<LocalTier> action;

		private final Object outcome;

		private final boolean removesAfterAdvancing;

		private final int interleavings;

		Change(Consumer<LocalTier> action, Object outcome, boolean removesAfterAdvancing, int interleavings) {
			this.action = action;
			this.outcome = outcome;
			this.removesAfterAdvancing = removesAfterAdvancing;
			this.interleavings = interleavings;
		}

	}

	/** One way a value enters L1 against a stamp. */
	@FunctionalInterface
	private interface Store {

		Stored store(LocalTier tier, long stamp);

	}

	/** What a store did. */
	private enum Stored {

		YES, NO, SUSPECT;

		/** A store that returns a suspect, or null: stored, refused or suspected by what L1 then holds. */
		static Stored of(LocalTier tier, @Nullable SuspectEntry suspect) {
			return (suspect != null) ? SUSPECT : (tier.get("k") != null) ? YES : NO;
		}

	}

	private static void join(Thread thread) {
		try {
			thread.join();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
