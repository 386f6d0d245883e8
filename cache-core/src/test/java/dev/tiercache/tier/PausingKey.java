package dev.tiercache.tier;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

/**
 * A cache key that can hold a thread using it, once, at its next {@code hashCode}. L1 hashes the key in
 * the atomic step that stores or removes an entry, and nothing between a write's Redis call and that
 * step does; so a test can hold a put, or a load that it arms from its loader, after Redis took the
 * write and before L1 does, or hold a background check of the key before it changes L1, and make
 * something happen meanwhile. Redis names it by its name only (the pauses are transient state).
 */
final class PausingKey {

	private final String name;

	private final transient List<Pause> pauses = new CopyOnWriteArrayList<>();

	private final transient AtomicInteger paused = new AtomicInteger();

	PausingKey(String name) {
		this.name = name;
	}

	/** Runs {@code whilePaused} on the calling thread at its next {@code hashCode} of this key, once. */
	void pauseNextUse(Runnable whilePaused) {
		Thread caller = Thread.currentThread();
		pauseNextUse((thread) -> thread == caller, whilePaused);
	}

	/** Runs {@code whilePaused} on the first thread {@code which} accepts at its next {@code hashCode}, once. */
	void pauseNextUse(Predicate<Thread> which, Runnable whilePaused) {
		this.pauses.add(new Pause(which, whilePaused));
	}

	/** How many pauses ran. */
	int paused() {
		return this.paused.get();
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return other instanceof PausingKey key && key.name.equals(this.name);
	}

	@Override
	public int hashCode() {
		for (Pause pause : this.pauses) {
			if (pause.which().test(Thread.currentThread()) && this.pauses.remove(pause)) {
				this.paused.incrementAndGet();
				pause.whilePaused().run();
				break;
			}
		}
		return this.name.hashCode();
	}

	@Override
	public String toString() {
		return this.name;
	}

	private record Pause(Predicate<Thread> which, Runnable whilePaused) {
	}

}
