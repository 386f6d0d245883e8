package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.tiercache.test.EmbeddedRedis;
import dev.tiercache.test.RedisSentinelGroup;
import dev.tiercache.test.SingleServer;

import static dev.tiercache.autoconfigure.FailoverLoad.millis;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 18, failover under Sentinel: two instances configured with Spring Boot's
 * {@code spring.data.redis.sentinel.*} alone, on a primary, its replica and three sentinels, running
 * {@link FailoverLoad}'s traffic while the primary is handed over ({@code SENTINEL FAILOVER}) or killed
 * ({@code kill -9}). Readers get no error and every read its key's value; L2 serves again within 1 s of
 * the sentinels naming the promoted replica (clients learn of a promotion from them, and they notice
 * it up to a second after the replica took the role); write-behind calls are refused only between the
 * fault and L2's return; every acknowledged write reaches the database. After a handover, hot keys are
 * served by L1 and L2 (at most one database read per key and instance); after a {@code kill -9} their
 * reloads are printed, not bounded: L1 is cleared when the connection to the new primary opens, while
 * the breaker may still be open.
 */
@SingleServer
class SentinelFailoverTests {

	private static final Duration PROMOTION = Duration.ofSeconds(30);

	private final RedisSentinelGroup group = RedisSentinelGroup.start();

	private FailoverLoad load;

	enum Fault {

		SENTINEL_FAILOVER, KILL_PRIMARY

	}

	@AfterEach
	void close() {
		if (this.load != null) {
			this.load.close();
		}
		this.group.close();
	}

	@ParameterizedTest
	@EnumSource(Fault.class)
	void underLoadReadersSeeNoErrorL2ReturnsWithinASecondAndNoAcknowledgedWriteIsLost(Fault fault)
			throws Exception {
		this.load = new FailoverLoad(this.group.springProperties());
		EmbeddedRedis promoted = this.group.replica();
		long faultAt = System.nanoTime();
		this.load.faultStarts();
		if (fault == Fault.SENTINEL_FAILOVER) {
			this.group.failover();
		}
		else {
			this.group.primary().kill();
		}
		await("the replica is promoted").atMost(PROMOTION).pollInterval(Duration.ofMillis(5))
			.until(() -> this.group.isPrimary(promoted));
		long promotedAt = System.nanoTime();
		await("the sentinels name the new primary").atMost(PROMOTION).pollInterval(Duration.ofMillis(5))
			.until(() -> this.group.primary() == promoted);
		long announcedAt = System.nanoTime();
		long l2BackAt = this.load.awaitL2();
		Set<Long> lost = this.load.finish();

		System.out.printf("sentinel failover (%s): replica promoted %d ms after the fault, named by the sentinels "
				+ "%d ms after that, L2 back %d ms after that; %s%n", fault, millis(promotedAt - faultAt),
				millis(announcedAt - promotedAt), millis(l2BackAt - announcedAt), this.load.report(lost));
		assertThat(millis(l2BackAt - announcedAt)).as("ms from the sentinels naming the new primary until L2 serves")
			.isLessThanOrEqualTo(1000);
		this.load.assertPromisesKept(l2BackAt, lost, fault == Fault.SENTINEL_FAILOVER);
	}

}
