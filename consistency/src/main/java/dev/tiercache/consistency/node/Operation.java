package dev.tiercache.consistency.node;

import org.jspecify.annotations.Nullable;

/**
 * One kind of call a client can make on a key: a cached read, a write of a new version, or an
 * invalidation.
 *
 * @param name how the history names it
 * @param kind what it does to the key
 * @param weight how often clients choose it, relative to the other operations of its key group
 * @param call the call itself
 */
public record Operation(String name, Kind kind, int weight, Call call) {

	/** A read of a method that returns the row. */
	public static Operation read(String name, int weight, Reader reader) {
		return new Operation(name, Kind.READ, weight, (id, version) -> reader.read(id));
	}

	/** A write of a new version; what the method returns, if anything, is not used. */
	public static Operation write(String name, int weight, Writer writer) {
		return new Operation(name, Kind.WRITE, weight, call(writer));
	}

	/** An invalidation; the version is not used. */
	public static Operation invalidation(String name, int weight, Writer invalidator) {
		return new Operation(name, Kind.INVALIDATE, weight, call(invalidator));
	}

	private static Call call(Writer writer) {
		return (id, version) -> {
			writer.write(id, version);
			return null;
		};
	}

	/** What an operation does to its key. */
	public enum Kind {

		/** Returns the key's value; writes nothing to the database. */
		READ,

		/** Writes a new, unique version to the database (at once or queued) and to the cache. */
		WRITE,

		/** Drops cached values; writes nothing to the database. */
		INVALIDATE

	}

	/** Makes the call. */
	@FunctionalInterface
	public interface Call {

		/**
		 * @param id the key
		 * @param version the version a write writes (ignored by reads and invalidations)
		 * @return what a read returned ({@code null} for writes and invalidations)
		 * @throws Exception whatever the method threw
		 */
		@Nullable Versioned run(long id, long version) throws Exception;

	}

	/** A method that reads a row. */
	@FunctionalInterface
	public interface Reader {

		Versioned read(long id);

	}

	/** A method that writes or invalidates a key. */
	@FunctionalInterface
	public interface Writer {

		void write(long id, long version);

	}

}
