package dev.tiercache.writebehind;

import java.util.Collection;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tiercache.internal.redis.RedisInfo;
import dev.tiercache.internal.redis.RemoteCallException;
import dev.tiercache.internal.redis.RemoteCommands;

/**
 * Warns, once at start-up, when write-behind queues run on a Redis Sentinel whose primary takes writes
 * without a replica ({@code min-replicas-to-write} or {@code min-replicas-max-lag} is 0, so
 * {@code INFO replication} shows no {@code min_slaves_good_slaves}). Not checked again: a Redis that
 * does not answer at start-up is not warned about. After a {@code SENTINEL FAILOVER} such a primary goes
 * on taking the writes of the instances still connected to it until the sentinels demote it: partition
 * lease renewals and queued entries that its dataset then loses, so that partitions change hands and a
 * key's older write can be applied after a newer one (the consistency checker found it; the README's "Redis
 * Sentinel" section has the figures). Nothing is refused: only the operator can change the setting.
 */
final class SentinelWriteGuard {

	private static final Log logger = LogFactory.getLog(SentinelWriteGuard.class);

	private static final String GOOD_REPLICAS = "min_slaves_good_slaves";

	private SentinelWriteGuard() {
	}

	/**
	 * Reads the primary's replication settings when {@code connectionFactory} goes through Sentinel, and
	 * logs the warning if they let it take writes without a replica. Silent where Redis does not answer
	 * or refuses {@code INFO}.
	 * @param caches the names of the caches with a queue, for the message
	 */
	static void checkAtStartup(RemoteCommands commands, RedisConnectionFactory connectionFactory,
			Collection<String> caches) {
		if (!(connectionFactory instanceof LettuceConnectionFactory lettuce)
				|| lettuce.getSentinelConfiguration() == null || caches.isEmpty()) {
			return;
		}
		String replication;
		try {
			replication = commands.call((redis) -> redis.info("replication"));
		}
		catch (RemoteCallException ex) {
			logger.debug("Tiercache could not read the Redis primary's replication settings", ex);
			return;
		}
		if (replication != null && "master".equals(RedisInfo.text(replication, "role"))
				&& RedisInfo.text(replication, GOOD_REPLICAS) == null) {
			logger.warn("Tiercache write-behind of caches " + caches + " runs on Redis Sentinel, and the primary "
					+ "takes writes without a replica ('min-replicas-to-write' or 'min-replicas-max-lag' is 0): "
					+ "after a SENTINEL FAILOVER the old primary goes on taking writes until the sentinels demote "
					+ "it, and those are lost, so a key's older write can be applied after a newer one. Set "
					+ "'min-replicas-to-write 1' and 'min-replicas-max-lag' (a few seconds) on the "
					+ "Sentinel-managed servers, in redis.conf");
		}
	}

}
