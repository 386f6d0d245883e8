package dev.tiercache.testkit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** The URL in {@value TestRedisServer#URL_VARIABLE}, read into the server's address and credentials. */
class TestRedisServerTests {

	@Test
	void aUrlGivesHostPortCredentialsAndDatabase() {
		TestRedisServer server = TestRedisServer.parse("redis://app:s3cret@redis.example:6380/2");
		assertThat(server.host()).isEqualTo("redis.example");
		assertThat(server.port()).isEqualTo(6380);
		assertThat(server.username()).isEqualTo("app");
		assertThat(server.password()).isEqualTo("s3cret");
		assertThat(server.database()).isEqualTo(2);
	}

	@Test
	void aPasswordAloneAndTheDefaultPortAndDatabase() {
		TestRedisServer server = TestRedisServer.parse("redis://:s3cret@127.0.0.1");
		assertThat(server.username()).isNull();
		assertThat(server.password()).isEqualTo("s3cret");
		assertThat(server.port()).isEqualTo(6379);
		assertThat(server.database()).isZero();
	}

	@Test
	void tlsIsRefusedWithTheVariableNamed() {
		assertThatIllegalStateException().isThrownBy(() -> TestRedisServer.parse("rediss://127.0.0.1:6379"))
			.withMessageContaining(TestRedisServer.URL_VARIABLE)
			.withMessageContaining("redis://host:port");
	}

	@Test
	void aDatabaseThatIsNotANumberIsRefused() {
		assertThatIllegalStateException().isThrownBy(() -> TestRedisServer.parse("redis://127.0.0.1:6379/cache"))
			.withMessageContaining("database 'cache'");
	}

}
