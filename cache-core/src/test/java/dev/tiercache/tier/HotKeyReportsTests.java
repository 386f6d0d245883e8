package dev.tiercache.tier;

import java.time.Duration;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Issue 20, warming: an instance built to reports the keys it reads most to Redis every
 * {@link HotKeyReports#INTERVAL}, and another instance reads them back as keys of its cached method's
 * parameter type; one not built to reports nothing.
 */
class HotKeyReportsTests {

	private final TierFixture fixture = new TierFixture();

	@AfterEach
	void close() throws Exception {
		this.fixture.close();
	}

	@Test
	void anotherInstanceReadsTheKeysARunningInstanceReadsMost() {
		TieredCache running = reporting(true);
		readFiveBooksThrice(running);
		TieredCache starting = reporting(false);
		assertThat(starting.reportedHotKeys(10, Long.class)).as("nothing reported before the first report").isEmpty();

		await("the first report").atMost(HotKeyReports.INTERVAL.multipliedBy(3))
			.until(() -> !starting.reportedHotKeys(10, Long.class).isEmpty());

		assertThat(starting.reportedHotKeys(10, Long.class)).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L);
		assertThat(starting.reportedHotKeys(3, long.class)).as("at most the limit, as a primitive's box").hasSize(3);
		assertThat(starting.reportedHotKeys(10, String.class)).as("no name of a String key").isEmpty();
		assertThatIllegalArgumentException().isThrownBy(() -> starting.reportedHotKeys(0, Long.class));
	}

	@Test
	void anInstanceNotBuiltToReportReportsNothing() {
		TieredCache running = reporting(false);
		readFiveBooksThrice(running);
		TieredCache starting = reporting(false);

		await("a report interval and more").during(HotKeyReports.INTERVAL.plusSeconds(2))
			.atMost(HotKeyReports.INTERVAL.plusSeconds(10))
			.until(() -> starting.reportedHotKeys(10, Long.class).isEmpty());
	}

	private TieredCache reporting(boolean report) {
		return this.fixture.manager(TestRedis.connectionFactory(), "books", UnaryOperator.identity(),
				(builder) -> builder.reportHotKeys(report)).getTieredCache("books");
	}

	private static void readFiveBooksThrice(TieredCache cache) {
		for (long id = 1; id <= 5; id++) {
			long book = id;
			for (int read = 0; read < 3; read++) {
				cache.get(book, Long.class, () -> book);
			}
		}
	}

}
