package dev.tiercache.internal.write;

import java.lang.reflect.Type;

import org.jspecify.annotations.Nullable;

/**
 * A write of one key's backing data (a database write) announced to every instance before it
 * happens, so that concurrent writers of the key cannot leave the cache at the older value: the
 * writer {@linkplain #complete completes} it with the value it wrote, which the cache stores only if
 * no other write of the key overlapped this one, and deletes otherwise (the next read loads what the
 * database holds). A writer whose write failed {@linkplain #abandon abandons} it. Obtained from
 * {@link CoordinatedWrites#intendWrite}; completed or abandoned once (later calls do nothing), from any
 * thread.
 */
public interface WriteIntent {

	/** The key written. */
	Object key();

	/**
	 * Stores the value the write wrote, in both tiers, unless another write of the key overlapped
	 * this one; then, or when the value is {@code null}, deletes the key in both tiers instead.
	 * @param type the type readers decode the value as
	 */
	void complete(@Nullable Object value, Type type);

	/**
	 * Withdraws the intent of a write that failed or wrote nothing to cache: writes of the key that
	 * overlapped it delete rather than store, and if any did, the key is deleted now.
	 */
	void abandon();

}
