package dev.tiercache.internal.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.lettuce.core.ScriptOutputType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.resilience.RedisCircuitBreaker;
import dev.tiercache.test.TcpProxy;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Issue 7: every Redis operation is bounded by one timeout in total, a script re-sent after
 * {@code NOSCRIPT} included. Real Redis; the delays are real (a paused server, a script that runs
 * for a while).
 */
class RemoteCommandsTests {

	private final LettuceConnectionFactory connectionFactory = TestRedis.connectionFactory();

	private final RemoteCommands redis = RemoteCommands.dedicated(this.connectionFactory, Duration.ofMillis(300),
			RedisCircuitBreaker.disabled());

	@AfterEach
	void close() {
		this.redis.close();
		this.connectionFactory.destroy();
	}

	/** A script the server has not seen (so {@code EVALSHA} answers {@code NOSCRIPT}) that runs for ARGV[1] ms. */
	private static LuaScript slowNewScript() {
		return LuaScript.of("-- " + UUID.randomUUID() + """

				local start = redis.call('TIME')
				local from = start[1] * 1000000 + start[2]
				while true do
				  local now = redis.call('TIME')
				  if now[1] * 1000000 + now[2] - from >= tonumber(ARGV[1]) * 1000 then return 1 end
				end
				""");
	}

	private void pauseWrites(long millis) {
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			connection.execute("CLIENT", "PAUSE".getBytes(StandardCharsets.US_ASCII),
					Long.toString(millis).getBytes(StandardCharsets.US_ASCII), "WRITE".getBytes(StandardCharsets.US_ASCII));
		}
	}

	@Test
	void scriptUnknownToTheServerIsLoadedAndRun() {
		assertThat(this.redis.connect(Duration.ofSeconds(5))).isTrue();
		Long reply = this.redis.eval(slowNewScript(), ScriptOutputType.INTEGER, new byte[0][], bytes("1"));
		assertThat(reply).isEqualTo(1L);
	}

	@Test
	void scriptResentAfterNoscriptSharesOneTimeoutWithTheFirstTry() {
		assertThat(this.redis.connect(Duration.ofSeconds(5))).isTrue();
		this.pauseWrites(200);
		assertThatExceptionOfType(RemoteCallException.class)
			.as("200 ms waiting for NOSCRIPT plus 200 ms running exceeds the 300 ms timeout")
			.isThrownBy(() -> this.redis.eval(slowNewScript(), ScriptOutputType.INTEGER, new byte[0][], bytes("200")))
			.withMessageContaining("did not answer in time").withMessageContaining("300 ms");
	}

	@Test
	void anErrorReplyIsAnAnswerAndACallersInterruptIsNotHeldAgainstRedis() {
		try (RedisCircuitBreaker breaker = new RedisCircuitBreaker();
				RemoteCommands guarded = RemoteCommands.dedicated(this.connectionFactory, Duration.ofMillis(300),
						breaker)) {
			assertThat(guarded.connect(Duration.ofSeconds(5))).isTrue();
			byte[] hash = bytes(TestRedis.uniquePrefix() + ":hash");
			guarded.call((redis) -> redis.hset(hash, bytes("f"), bytes("v")));
			assertThatExceptionOfType(RemoteCallException.class).isThrownBy(() -> guarded.get(hash))
				.withMessageContaining("WRONGTYPE");
			// a reply that cannot have arrived yet: the interrupted caller stops waiting for it
			byte[] emptyList = bytes(TestRedis.uniquePrefix() + ":list");
			Thread.currentThread().interrupt();
			assertThatExceptionOfType(RemoteCallException.class)
				.isThrownBy(() -> guarded.call((redis) -> redis.blpop(0.1, emptyList)))
				.withMessageContaining("Interrupted");
			assertThat(Thread.interrupted()).as("the interrupt is kept").isTrue();
			guarded.call((redis) -> redis.del(hash));

			CircuitBreaker.Metrics metrics = breaker.circuitBreaker().getMetrics();
			assertThat(metrics.getNumberOfFailedCalls()).isZero();
			assertThat(metrics.getNumberOfSuccessfulCalls()).as("HSET, GET (WRONGTYPE), DEL; not BLPOP").isEqualTo(3);
		}
	}

	@Test
	void whileTheBreakerStopsCallsNoCommandReachesRedis() {
		try (RedisCircuitBreaker breaker = new RedisCircuitBreaker();
				RemoteCommands guarded = RemoteCommands.dedicated(this.connectionFactory, Duration.ofMillis(300),
						breaker)) {
			for (int i = 0; i < 10; i++) {
				breaker.failed(TimeUnit.MILLISECONDS.toNanos(300), new IllegalStateException("timed out"));
			}
			byte[] key = bytes(TestRedis.uniquePrefix() + ":k");
			assertThatExceptionOfType(RemoteCallException.class)
				.isThrownBy(() -> guarded.call((redis) -> redis.set(key, bytes("v"))))
				.withMessageContaining("not calling Redis").withMessageContaining("tiercache.redis.breaker");
			assertThat(guarded.sendAndForget((redis) -> redis.set(key, bytes("v")))).as("a notification").isFalse();
			assertThat(this.redis.connect(Duration.ofSeconds(5))).isTrue();
			assertThat(this.redis.get(key)).as("never sent").isNull();
		}
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}


	@Test
	void aCommandRefusedForItsArgumentsFailsItsCallerAndLeavesTheSharedConnectionOpen() throws Exception {
		try (TcpProxy proxy = TcpProxy.to(TestRedis.port())) {
			LettuceConnectionFactory factory = TestRedis.connectionFactory("127.0.0.1", proxy.port());
			RemoteCommands dedicated = RemoteCommands.dedicated(factory, Duration.ofSeconds(1),
					RedisCircuitBreaker.disabled(), (connection, timeout) -> {
					});
			try {
				dedicated.get(bytes("warm-up"));
				int opened = proxy.connectionsAccepted();
				assertThatIllegalArgumentException().isThrownBy(() -> dedicated.get(null));
				assertThat(dedicated.get(bytes("after"))).isNull();
				assertThat(proxy.connectionsAccepted()).as("connections opened: the one other callers share was kept")
					.isEqualTo(opened);
			}
			finally {
				dedicated.close();
				factory.destroy();
			}
		}
	}

}
