package dev.tiercache.consistency.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import dev.tiercache.consistency.node.NodeApplication;

/**
 * One application instance as a JVM process of its own ({@link NodeApplication}), steered through its
 * standard input. It can be killed with {@code SIGKILL} and started again as a new incarnation, whose
 * history goes to a file of its own. Used by the harness's threads one at a time (synchronized).
 */
final class NodeProcess implements AutoCloseable {

	private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

	private final int node;

	private final List<String> arguments;

	private final Path directory;

	private int incarnation = -1;

	private @Nullable Process process;

	private @Nullable Writer commands;

	private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

	/**
	 * @param arguments the application arguments every incarnation gets ({@code --name=value})
	 */
	NodeProcess(int node, List<String> arguments, Path directory) {
		this.node = node;
		this.arguments = List.copyOf(arguments);
		this.directory = directory;
	}

	int node() {
		return this.node;
	}

	/** Starts a new incarnation and waits until it is ready. */
	synchronized void start() {
		this.incarnation++;
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx384m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classPath(),
				NodeApplication.class.getName()));
		command.addAll(this.arguments);
		command.add("--consistency.node=" + this.node);
		command.add("--consistency.incarnation=" + this.incarnation);
		command.add("--consistency.history=" + historyFile(this.incarnation));
		command.add("--logging.file.name=" + this.directory.resolve("node-" + this.node + ".log"));
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
		try {
			Process started = builder.start();
			this.process = started;
			this.commands = new OutputStreamWriter(started.getOutputStream(), StandardCharsets.UTF_8);
			this.answers.clear();
			Thread reader = new Thread(() -> readAnswers(started), "node-" + this.node + "-answers");
			reader.setDaemon(true);
			reader.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot start instance " + this.node, ex);
		}
		expect("ready", START_TIMEOUT);
	}

	/** Sends a command and waits for its answer; returns what follows {@code ok <command>}. */
	synchronized String command(String line, Duration timeout) {
		Writer writer = this.commands;
		if (writer == null) {
			throw new IllegalStateException("instance " + this.node + " is not running");
		}
		try {
			writer.write(line + "\n");
			writer.flush();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("instance " + this.node + " no longer takes commands", ex);
		}
		String word = line.split(" ")[0];
		return expect("ok " + word, timeout).substring(("ok " + word).length()).strip();
	}

	/** Kills the process with {@code SIGKILL}, as a crash would; its calls in flight never complete. */
	synchronized void kill() {
		Process running = this.process;
		if (running != null) {
			running.destroyForcibly();
			awaitExit(running);
		}
		this.process = null;
		this.commands = null;
	}

	/** The history files of every incarnation so far. */
	synchronized List<Path> histories() {
		List<Path> files = new ArrayList<>();
		for (int i = 0; i <= this.incarnation; i++) {
			files.add(historyFile(i));
		}
		return files;
	}

	/** Stops the clients and exits gracefully (the context closes, write-behind drains). */
	@Override
	public synchronized void close() {
		Process running = this.process;
		if (running == null) {
			return;
		}
		try {
			command("exit", Duration.ofSeconds(60));
			if (!running.waitFor(60, TimeUnit.SECONDS)) {
				running.destroyForcibly();
			}
		}
		catch (RuntimeException ex) {
			running.destroyForcibly();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			running.destroyForcibly();
		}
		awaitExit(running);
		this.process = null;
		this.commands = null;
	}

	private String expect(String prefix, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		try {
			while (true) {
				String line = this.answers.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
				if (line == null) {
					throw new IllegalStateException("instance " + this.node + " did not answer '" + prefix + "' within "
							+ timeout + "; see " + this.directory.resolve("node-" + this.node + ".log"));
				}
				if (line.startsWith(prefix)) {
					return line;
				}
				if (line.startsWith("error ")) {
					throw new IllegalStateException("instance " + this.node + " answered " + line);
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted waiting for instance " + this.node, ex);
		}
	}

	private void readAnswers(Process started) {
		try (BufferedReader lines = new BufferedReader(
				new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8))) {
			for (String line = lines.readLine(); line != null; line = lines.readLine()) {
				if (line.startsWith("ok ") || line.startsWith("error ") || line.equals("ready")) {
					this.answers.add(line);
				}
				else {
					System.err.println("[node " + this.node + "] " + line);
				}
			}
		}
		catch (IOException ex) {
			// the process died
		}
	}

	private Path historyFile(int incarnation) {
		return this.directory.resolve("history-" + this.node + "-" + incarnation + ".jsonl");
	}

	private static void awaitExit(Process process) {
		try {
			process.waitFor();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** The class path of this JVM (under Surefire, the test class path rather than its booter jar). */
	private static String classPath() {
		return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
	}

}
