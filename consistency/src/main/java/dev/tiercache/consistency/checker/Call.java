package dev.tiercache.consistency.checker;

import org.jspecify.annotations.Nullable;

/**
 * One call of the history: its invocation and, if it completed, its completion.
 *
 * @param node the instance that made it
 * @param incarnation which start of that instance
 * @param op its number within the incarnation
 * @param name the operation ({@code read}, {@code write-behind}, {@code final-read}, …)
 * @param kind {@code READ}, {@code WRITE} or {@code INVALIDATE}
 * @param key the key
 * @param written the version a write wrote (0 otherwise)
 * @param invokedAt when it was called ({@code System.nanoTime()}, shared by every process)
 * @param completedAt when it returned or threw; {@link Long#MAX_VALUE} if it never completed
 * @param outcome how it ended
 * @param read what a read returned; {@code null} if it returned {@code null} or is not a read
 * @param readKey the key of the value a read returned
 * @param error what the call threw, if it failed
 */
public record Call(int node, int incarnation, long op, String name, String kind, long key, long written,
		long invokedAt, long completedAt, Outcome outcome, @Nullable Long read, long readKey, @Nullable String error) {

	/** How a call ended. */
	public enum Outcome {

		/** It returned: a write was acknowledged. */
		OK,

		/** It threw: a write may or may not have taken effect. */
		FAIL,

		/** It never completed (its process was killed): a write may or may not have taken effect. */
		INFO

	}

	public boolean isRead() {
		return "READ".equals(this.kind);
	}

	public boolean isWrite() {
		return "WRITE".equals(this.kind);
	}

	public boolean isOk() {
		return this.outcome == Outcome.OK;
	}

	/** Whether this is one of the reads made at the end of the run, after the quiet period. */
	public boolean isFinalRead() {
		return this.name.startsWith("final-");
	}

	/** A short, readable form for reports. */
	public String describe() {
		String what = isWrite() ? " wrote " + this.written
				: isRead() && this.outcome == Outcome.OK ? " read " + this.read + ((this.readKey != this.key) ? " of key " + this.readKey : "")
						: "";
		return "n" + this.node + "." + this.incarnation + " #" + this.op + " " + this.name + "(" + this.key + ")" + what
				+ " [" + this.invokedAt + ", " + ((this.completedAt == Long.MAX_VALUE) ? "-" : this.completedAt) + "] "
				+ this.outcome + ((this.error != null) ? " " + this.error : "");
	}

}
