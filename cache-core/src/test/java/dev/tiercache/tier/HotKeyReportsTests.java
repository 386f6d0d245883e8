package dev.tiercache.tier;

import java.time.Duration;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 20, warming: each instance reports the keys it reads most to Redis every
 * {@link HotKeyReports#INTERVAL}, and another instance reads them back as keys of its cached method's
 * parameter type.
 */
class HotKeyReportsTests {

	private final TierFixture fixture = new TierFixture();

	@AfterEach
	void close() throws Exception {
		this.fixture.close();
	}

	@Test
	void anotherInstanceReadsTheKeysARunningInstanceReadsMost() {
		TieredCache running = this.fixture.manager("books", UnaryOperator.identity()).getTieredCache("books");
		for (long id = 1; id <= 5; id++) {
			long book = id;
			for (int read = 0; read < 3; read++) {
				running.get(book, Long.class, () -> book);
			}
		}
		TieredCache starting = this.fixture.manager("books", UnaryOperator.identity()).getTieredCache("books");
		assertThat(starting.reportedHotKeys(10, Long.class)).as("nothing reported before the first report").isEmpty();

		await("the first report").atMost(HotKeyReports.INTERVAL.multipliedBy(3))
			.until(() -> !starting.reportedHotKeys(10, Long.class).isEmpty());

		assertThat(starting.reportedHotKeys(10, Long.class)).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L);
		assertThat(starting.reportedHotKeys(3, long.class)).as("at most the limit, as a primitive's box").hasSize(3);
		assertThat(starting.reportedHotKeys(10, String.class)).as("no name of a String key").isEmpty();
	}

	@Test
	void aCacheWithoutL1ReportsNothingAndReadsNothing() {
		TieredCache remoteOnly = this.fixture
			.manager("books", (settings) -> settings.withMode(CacheMode.REMOTE))
			.getTieredCache("books");
		remoteOnly.get(1L, Long.class, () -> 1L);

		assertThat(remoteOnly.reportedHotKeys(10, Long.class)).isEmpty();
	}

}
