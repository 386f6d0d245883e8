package dev.tiercache.consistency.checker;

/**
 * When a fault was in force, as the nemesis applied and healed it.
 *
 * @param kind the fault
 * @param target what it hit (an instance, or {@code all})
 * @param start when it began ({@code System.nanoTime()})
 * @param end when it was healed
 */
public record FaultWindow(String kind, String target, long start, long end) {

	/**
	 * Whether the fault makes the backing store refuse queued writes: write-behind calls acknowledged
	 * before it may become dead letters, which the database never got, so that reads follow the
	 * database rather than them until they are re-queued and applied.
	 */
	public boolean refusesQueuedWrites() {
		return "FAILING_WRITER".equals(this.kind);
	}

}
