package dev.tiercache.consistency.node;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.jspecify.annotations.Nullable;

/**
 * This instance's history: one JSON line per event, appended with one unbuffered write each, so that
 * what was written survives a {@code kill -9} of the process (the events of calls still in flight are
 * then missing, and the checker treats those calls as indeterminate). Times are
 * {@link System#nanoTime()}, {@code CLOCK_MONOTONIC} on Linux, which every process on the machine shares.
 * Thread-safe.
 */
final class HistoryLog implements AutoCloseable {

	private final FileOutputStream out;

	private final String origin;

	HistoryLog(Path file, int node, int incarnation) {
		try {
			this.out = new FileOutputStream(file.toFile(), true);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot open the history file " + file, ex);
		}
		this.origin = "\"node\":" + node + ",\"inc\":" + incarnation;
	}

	/** A call begins; {@code version} is what a write writes (0 for other calls). */
	void invoke(long op, String name, Operation.Kind kind, long key, long version) {
		append("{\"e\":\"invoke\"," + this.origin + ",\"op\":" + op + ",\"f\":\"" + name + "\",\"kind\":\"" + kind
				+ "\",\"key\":" + key + ",\"ver\":" + version + ",\"t\":" + System.nanoTime() + "}\n");
	}

	/** A call returned; {@code read} is what a read returned, {@code null} for other calls or a null read. */
	void ok(long op, @Nullable Versioned read) {
		long now = System.nanoTime();
		String value = (read != null) ? ",\"ver\":" + read.version() + ",\"vkey\":" + read.id() : "";
		append("{\"e\":\"ok\"," + this.origin + ",\"op\":" + op + value + ",\"t\":" + now + "}\n");
	}

	/** A call threw. */
	void fail(long op, Throwable error) {
		long now = System.nanoTime();
		append("{\"e\":\"fail\"," + this.origin + ",\"op\":" + op + ",\"t\":" + now + ",\"err\":\""
				+ escape(error.getClass().getSimpleName() + ": " + error.getMessage()) + "\"}\n");
	}

	/** A Redis call of the cache failed, whatever the caller got. */
	void redisFailure(String cache, RuntimeException failure) {
		long now = System.nanoTime();
		append("{\"e\":\"redis-failure\"," + this.origin + ",\"t\":" + now + ",\"cache\":\"" + escape(cache)
				+ "\",\"err\":\"" + escape(String.valueOf(failure.getMessage())) + "\"}\n");
	}

	private synchronized void append(String line) {
		try {
			this.out.write(line.getBytes(StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot append to the history", ex);
		}
	}

	private static String escape(String text) {
		StringBuilder escaped = new StringBuilder(Math.min(text.length(), 300));
		for (int i = 0; i < text.length() && escaped.length() < 300; i++) {
			char c = text.charAt(i);
			if (c == '"' || c == '\\') {
				escaped.append('\\').append(c);
			}
			else if (c >= ' ') {
				escaped.append(c);
			}
			else {
				escaped.append(' ');
			}
		}
		return escaped.toString();
	}

	@Override
	public synchronized void close() {
		try {
			this.out.close();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot close the history", ex);
		}
	}

}
