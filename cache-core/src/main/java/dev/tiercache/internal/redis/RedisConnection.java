package dev.tiercache.internal.redis;

import java.time.Duration;

import org.springframework.data.redis.connection.RedisConnectionFactory;

import dev.tiercache.resilience.RedisCircuitBreaker;

/**
 * One application's way to Redis as Tiercache's parts share it: the factory it came from, the
 * {@link RemoteCommands} on one connection behind the circuit breaker, each call bounded by the
 * timeout, and the key layout. A cache manager makes one and closes its commands when it is destroyed;
 * the write-behind queues it is given to use the same connection and never close it, so they must be
 * closed before the manager (a Spring container does so: the queues need the manager, so they are
 * destroyed first). Immutable.
 *
 * @param connectionFactory the factory the connection came from, for what needs connections of its own
 * (commands that block the connection they run on)
 * @param commands the calls on Tiercache's one connection, which its parts share
 * @param keys the key layout, under the application's prefix
 * @param breaker the circuit breaker the calls go through
 * @param timeout how long one call may wait for Redis
 */
public record RedisConnection(RedisConnectionFactory connectionFactory, RemoteCommands commands, RedisKeys keys,
		RedisCircuitBreaker breaker, Duration timeout) {
}
