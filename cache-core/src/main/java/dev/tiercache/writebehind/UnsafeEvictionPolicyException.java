package dev.tiercache.writebehind;

import java.util.Collection;
import java.util.stream.Collectors;

/**
 * Thrown when Redis may evict the keys of the write-behind queues, where an evicted entry is an
 * acknowledged write lost: its {@code maxmemory-policy} is one that evicts keys without a TTL
 * ({@code allkeys-*}) and a {@code maxmemory} is set. Thrown at start-up (the application does not
 * start), and by {@code @WriteBehind} calls while Redis is found so configured after start-up (the
 * call is neither queued nor run). The message names the setting, the value found and what to set.
 */
public class UnsafeEvictionPolicyException extends IllegalStateException {

	private final String policy;

	private final long maxmemory;

	/**
	 * @param policy the {@code maxmemory-policy} Redis reported
	 * @param maxmemory the {@code maxmemory} Redis reported, in bytes
	 * @param caches the caches whose queues are at risk
	 */
	public UnsafeEvictionPolicyException(String policy, long maxmemory, Collection<String> caches) {
		super("Redis may evict the write-behind queue entries of " + describe(caches) + ": its 'maxmemory-policy' is '"
				+ policy + "' and its 'maxmemory' " + maxmemory + " bytes, and an evicted entry is an acknowledged "
				+ "write lost, so Tiercache does not queue @WriteBehind calls. Set 'maxmemory-policy' to 'noeviction' "
				+ "on the Redis server (or to a 'volatile-*' policy: no write-behind key has a TTL)");
		this.policy = policy;
		this.maxmemory = maxmemory;
	}

	private static String describe(Collection<String> caches) {
		String names = caches.stream().map((name) -> "'" + name + "'").collect(Collectors.joining(", "));
		return (caches.size() == 1) ? "cache " + names : "caches " + names;
	}

	/** The {@code maxmemory-policy} Redis reported. */
	public String getPolicy() {
		return this.policy;
	}

	/** The {@code maxmemory} Redis reported, in bytes. */
	public long getMaxmemory() {
		return this.maxmemory;
	}

}
