package dev.tiercache.test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The records logged at or above a level under a logger's category (the root category with
 * {@code ""}) while open: the tests log through commons-logging to {@code java.util.logging}.
 */
public final class CapturedLog extends Handler implements AutoCloseable {

	private final Logger logger;

	private final Level threshold;

	private final List<String> lines = new CopyOnWriteArrayList<>();

	public CapturedLog(String category, Level threshold) {
		this.logger = Logger.getLogger(category);
		this.threshold = threshold;
		this.logger.addHandler(this);
	}

	/** Each record as {@code LEVEL logger: message}, in the order logged. */
	public List<String> lines() {
		return List.copyOf(this.lines);
	}

	@Override
	public void publish(LogRecord record) {
		if (record.getLevel().intValue() >= this.threshold.intValue()) {
			this.lines.add(record.getLevel() + " " + record.getLoggerName() + ": " + record.getMessage());
		}
	}

	@Override
	public void flush() {
	}

	@Override
	public void close() {
		this.logger.removeHandler(this);
	}

}
