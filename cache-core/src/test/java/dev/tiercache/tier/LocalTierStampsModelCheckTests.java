package dev.tiercache.tier;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

import org.jetbrains.lincheck.Lincheck;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.tiercache.stats.StatsRecorder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link LocalTier}'s stamps under a model checker: Lincheck 3.7 ({@link Lincheck#runConcurrentTest}) runs a
 * reader ({@code stamp}, then {@code fill} of "old") against one write of the same key ({@code put} of
 * "new", {@code evict}, {@code clear}, or a reported change, {@code invalidate} by the key's Redis name)
 * in {@value #INTERLEAVINGS} thread interleavings of each pair, each on a new tier, with switches inside
 * Caffeine's and the JDK's code too. In every one, once both threads are done: if the write took effect
 * after the stamp (the key's stamp is no longer the reader's), L1 holds the write's outcome ("new", or
 * nothing), never the reader's "old"; otherwise it holds "old". Each test also asserts that all three
 * orders were explored (write before the stamp; fill stored, then the write; write, then the fill
 * refused), so it cannot pass without racing. The exploration is deterministic for given code; a pair
 * takes some 25 to 35 s on two cores.
 *
 * <p>It found that a clear, or a report, could be lost to a fill of a key not yet in L1: while the fill's
 * atomic step was adding the key, the clear's sweep and the report's lookup did not see it, and the fill
 * had checked its stamp before they advanced it (found within 10,000 interleavings for the clear, 1,000
 * for the report); {@code LocalTier.storeUnlessChanged} now reads the stamp again once the entry is in.
 * A fill that ignores its stamp fails all four, each within seconds.
 */
class LocalTierStampsModelCheckTests {

	/** Interleavings Lincheck explores per pair: the clear's race above needed several thousand. */
	private static final int INTERLEAVINGS = 10_000;

	private static final Object ABSENT = new Object() {

		@Override
		public String toString() {
			return "(nothing)";
		}

	};

	private final CoarseClock clock = new CoarseClock();

	@AfterEach
	void close() {
		this.clock.close();
	}

	@Test
	void aPutAfterTheStampIsNeverReplacedByTheFill() {
		explore(null, (tier) -> tier.put("k", "new", 60_000), "new", false);
	}

	@Test
	void anEvictAfterTheStampIsNeverUndoneByTheFill() {
		explore(null, (tier) -> tier.evict("k"), ABSENT, false);
	}

	@Test
	void aClearAfterTheStampIsNeverUndoneByTheFill() {
		explore(null, LocalTier::clear, ABSENT, true);
	}

	@Test
	void aReportedChangeAfterTheStampIsNeverUndoneByTheFill() {
		explore(String::valueOf, (tier) -> tier.invalidate("k", false), ABSENT, true);
	}

	/**
	 * Runs a reader of "k" against {@code write} in every interleaving Lincheck explores, each on a new
	 * tier, and checks what L1 holds after both: {@code afterWrite} if the write changed the key's stamp after
	 * the reader took it; "old" otherwise, or also {@code afterWrite} if {@code removesAfterAdvancing} (a clear
	 * or a report advances the stamps first and removes entries after, so it may remove a fill stamped in
	 * between).
	 */
	private void explore(@Nullable Function<Object, String> renderer, Consumer<LocalTier> write, Object afterWrite,
			boolean removesAfterAdvancing) {
		AtomicInteger writeFirst = new AtomicInteger();
		AtomicInteger fillThenWrite = new AtomicInteger();
		AtomicInteger fillRefused = new AtomicInteger();
		Lincheck.runConcurrentTest(INTERLEAVINGS, () -> {
			LocalTier tier = new LocalTier(100, this.clock, renderer, new StatsRecorder());
			long[] stamp = new long[1];
			boolean[] filled = new boolean[1];
			Thread reader = new Thread(() -> {
				stamp[0] = tier.stamp("k");
				filled[0] = tier.fill("k", "old", 60_000, stamp[0]);
			});
			Thread writer = new Thread(() -> write.accept(tier));
			reader.start();
			writer.start();
			join(reader);
			join(writer);
			LocalTier.LocalEntry entry = tier.get("k");
			Object held = (entry != null) ? entry.value() : ABSENT;
			// a plain check, not AssertJ: Lincheck calls equals on the receivers of the calls it traces, and
			// AssertJ's assertions throw from equals; an error thrown here fails the test with the interleaving
			boolean writeAfterStamp = tier.stamp("k") != stamp[0];
			boolean expected = writeAfterStamp ? Objects.equals(held, afterWrite)
					: "old".equals(held) || (removesAfterAdvancing && held == afterWrite);
			if (!expected) {
				throw new AssertionError("the write came " + (writeAfterStamp ? "after" : "before") + " the stamp (fill "
						+ (filled[0] ? "stored" : "refused") + "): L1 holds " + held);
			}
			(!writeAfterStamp ? writeFirst : filled[0] ? fillThenWrite : fillRefused).incrementAndGet();
		});
		assertThat(writeFirst).as("write before the stamp").hasPositiveValue();
		assertThat(fillThenWrite).as("fill stored, then the write").hasPositiveValue();
		assertThat(fillRefused).as("write after the stamp, fill refused").hasPositiveValue();
		System.out.printf("%s: write first %d, fill then write %d, fill refused %d%n", afterWrite, writeFirst.get(),
				fillThenWrite.get(), fillRefused.get());
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
