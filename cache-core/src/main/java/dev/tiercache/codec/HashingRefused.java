package dev.tiercache.codec;

/**
 * Why {@link HashingWork} refuses a Java-serialized payload: reading it would compute hash codes for
 * longer than its budget, nest deeper than {@link SerializationAllowList#MAX_DEPTH}, or the stream
 * cannot be followed. Its message says what the payload holds (it completes "the payload holds …").
 * Carries no stack trace: it is an answer, not a failure.
 */
final class HashingRefused extends RuntimeException {

	HashingRefused(String message) {
		super(message, null, false, false);
	}

	/** The refusal of a stream that cannot be followed, saying what was found where. */
	static HashingRefused cannotFollow(String what) {
		return new HashingRefused("a stream that cannot be followed (" + what + "; a class whose writeObject does not"
				+ " call defaultWriteObject or writeFields first, as the serialization specification requires,"
				+ " cannot be checked)");
	}

}
