package dev.tiercache.testkit;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;

/** The connection details of the {@linkplain TestRedisServer test Redis}, for Boot's Redis auto-configuration. */
final class TestRedisConnectionDetails implements DataRedisConnectionDetails {

	private final TestRedisServer server = TestRedisServer.shared();

	@Override
	public @Nullable String getUsername() {
		return this.server.username();
	}

	@Override
	public @Nullable String getPassword() {
		return this.server.password();
	}

	@Override
	public Standalone getStandalone() {
		return Standalone.of(this.server.host(), this.server.port(), this.server.database());
	}

}
