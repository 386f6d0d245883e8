package dev.tiercache.internal.concurrent;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Closing#all} closes every part in order whatever the others throw, then throws the first
 * failure with the later ones suppressed, and keeps an interrupt on the calling thread.
 */
class ClosingTests {

	private final List<String> closed = new ArrayList<>();

	@AfterEach
	void clearInterrupt() {
		Thread.interrupted();
	}

	@Test
	void everyPartIsClosedInOrderAndNullsAreSkipped() {
		assertThatNoException().isThrownBy(() -> Closing.all(part("a"), null, part("b"), part("c")));
		assertThat(this.closed).containsExactly("a", "b", "c");
	}

	@Test
	void aPartThatThrowsLeavesNoLaterPartOpenAndTheFirstFailureIsThrownWithTheOthersSuppressed() {
		IllegalStateException first = new IllegalStateException("first");
		IllegalArgumentException second = new IllegalArgumentException("second");
		assertThatThrownBy(() -> Closing.all(part("a"), () -> {
			throw first;
		}, part("b"), () -> {
			throw second;
		}, part("c"))).isSameAs(first).hasSuppressedException(second);
		assertThat(this.closed).containsExactly("a", "b", "c");
	}

	@Test
	void anInterruptedWaitLeavesNoLaterPartOpenAndTheInterruptIsKept() {
		assertThatIllegalStateException().isThrownBy(() -> Closing.all(() -> {
			throw new InterruptedException("interrupted while waiting for a thread to end");
		}, part("after"))).withCauseInstanceOf(InterruptedException.class);
		assertThat(this.closed).containsExactly("after");
		assertThat(Thread.currentThread().isInterrupted()).isTrue();
	}

	@Test
	void anErrorIsThrownAsItIsOnceEveryPartIsClosed() {
		AssertionError error = new AssertionError("a part's bug");
		assertThatThrownBy(() -> Closing.all(() -> {
			throw error;
		}, part("after"))).isSameAs(error);
		assertThat(this.closed).containsExactly("after");
	}

	private AutoCloseable part(String name) {
		return () -> this.closed.add(name);
	}

}
