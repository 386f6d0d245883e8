package dev.tiercache.internal.redis;

import java.time.Duration;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.lettuce.core.ReadFrom;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnectionFactory;

import dev.tiercache.internal.concurrent.Closing;
import dev.tiercache.resilience.RedisCircuitBreaker;

/**
 * {@code GET}s served by replicas, on a connection of their own whose reads go where a {@link ReadFrom}
 * says, behind a circuit breaker of their own: a replica that fails, resynchronizes or answers slowly
 * opens this breaker, never the primary's, and its reads go back to the primary meanwhile (the caller's
 * to do: a read here that fails throws). Each read waits at most half the Redis timeout, so that the
 * primary can still be asked within the other half. Thread-safe.
 */
public final class ReplicaReads implements AutoCloseable {

	private final RedisCircuitBreaker breaker;

	private final RemoteCommands commands;

	/**
	 * @param timeout the Redis timeout, of which a read here takes at most half
	 * @param breakerConfig how the replicas' breaker judges them, as the primary's does; {@code null} for
	 * no breaker (every read then goes to a replica, however it fares)
	 * @throws IllegalStateException if the factory is not Lettuce's
	 */
	public ReplicaReads(RedisConnectionFactory connectionFactory, Duration timeout,
			@Nullable CircuitBreakerConfig breakerConfig, ReadFrom readFrom) {
		this.breaker = (breakerConfig != null) ? new RedisCircuitBreaker(breakerConfig)
				: RedisCircuitBreaker.disabled();
		try {
			this.commands = RemoteCommands.readingFrom(connectionFactory, timeout.dividedBy(2), this.breaker,
					readFrom);
		}
		catch (RuntimeException | Error ex) {
			this.breaker.close();
			throw ex;
		}
	}

	/** Starts opening the connection in the background. */
	public void connect() {
		this.commands.connect(Duration.ZERO);
	}

	/** Whether reads go to replicas now; {@code false} while their breaker keeps them off. */
	public boolean admits() {
		return this.commands.admits();
	}

	/**
	 * {@code GET key} on a replica.
	 * @return the value, or {@code null} if the replica holds none
	 * @throws RemoteCallException if the replica did not answer in time, failed, or its breaker is open
	 */
	public byte @Nullable [] get(byte[] key) {
		return this.commands.get(key);
	}

	@Override
	public void close() {
		Closing.all(this.commands, this.breaker);
	}

}
