package dev.tiercache.coherence;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An L1 entry a test's instance wrote to Redis as {@code written}, kept on suspicion: it records whether
 * {@link L1Coherence} evicted it.
 */
class WrittenSuspect implements LocalCopies.Suspect {

	final AtomicBoolean evicted = new AtomicBoolean();

	private final long token;

	WrittenSuspect(String written) {
		this.token = WriteTokens.of(written.getBytes(StandardCharsets.UTF_8));
	}

	@Override
	public long writeToken() {
		return this.token;
	}

	@Override
	public void evict() {
		this.evicted.set(true);
	}

}
