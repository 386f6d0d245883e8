package dev.tiercache.consistency.node;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

/**
 * The clients of one instance: threads that call random operations on random keys (hot keys more
 * often) until stopped, recording each call in the history. Every write writes a version no other
 * write, on any instance or incarnation, ever writes: {@code node << 56 | incarnation << 40 | counter}.
 */
final class Workload {

	private final Subject subject;

	private final KeySpace keys;

	private final HistoryLog history;

	private final int clients;

	private final long thinkMicros;

	private final long seed;

	private final long versionBase;

	private final AtomicLong versions = new AtomicLong();

	private final AtomicLong operations = new AtomicLong();

	private final Map<KeyGroup, Choice> choices = new EnumMap<>(KeyGroup.class);

	private final List<Thread> threads = new ArrayList<>();

	private volatile boolean running;

	Workload(Subject subject, KeySpace keys, HistoryLog history, NodeSettings settings) {
		this.subject = subject;
		this.keys = keys;
		this.history = history;
		this.clients = settings.clients();
		this.thinkMicros = settings.thinkMicros();
		this.seed = settings.seed() * 1_000_003L + settings.node() * 101L + settings.incarnation();
		this.versionBase = ((long) settings.node() << 56) | ((long) settings.incarnation() << 40);
		for (KeyGroup group : KeyGroup.values()) {
			this.choices.put(group, new Choice(subject.operations(group)));
		}
	}

	/** Starts the clients. */
	synchronized void start() {
		if (this.running) {
			return;
		}
		this.running = true;
		SplittableRandom seeds = new SplittableRandom(this.seed);
		for (int client = 0; client < this.clients; client++) {
			SplittableRandom random = seeds.split();
			Thread thread = new Thread(() -> runClient(random), "client-" + client);
			thread.setDaemon(true);
			this.threads.add(thread);
			thread.start();
		}
	}

	/** Stops the clients, returning once every call in flight has completed. */
	synchronized void stop() throws InterruptedException {
		this.running = false;
		for (Thread thread : this.threads) {
			thread.join();
		}
		this.threads.clear();
	}

	/** Reads every key once with the subject's final read, recording each read. */
	void readAll() {
		for (long key = 0; key < this.keys.size(); key++) {
			call(this.subject.finalRead(this.keys.groupOf(key)), "final-", key);
		}
	}

	private void runClient(SplittableRandom random) {
		while (this.running) {
			KeyGroup group = this.keys.group(random);
			long key = this.keys.key(group, random);
			call(this.choices.get(group).pick(random), "", key);
			if (this.thinkMicros > 0) {
				pause(random.nextLong(2 * this.thinkMicros));
			}
		}
	}

	private void call(Operation operation, String namePrefix, long key) {
		long op = this.operations.incrementAndGet();
		long version = (operation.kind() == Operation.Kind.WRITE) ? this.versionBase | this.versions.incrementAndGet() : 0;
		this.history.invoke(op, namePrefix + operation.name(), operation.kind(), key, version);
		@Nullable Versioned result;
		try {
			result = operation.call().run(key, version);
		}
		catch (Throwable ex) {
			this.history.fail(op, ex);
			return;
		}
		this.history.ok(op, result);
	}

	private static void pause(long micros) {
		try {
			TimeUnit.MICROSECONDS.sleep(micros);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** Picks an operation by weight. */
	private static final class Choice {

		private final List<Operation> operations;

		private final int total;

		Choice(List<Operation> operations) {
			this.operations = operations;
			this.total = operations.stream().mapToInt(Operation::weight).sum();
		}

		Operation pick(SplittableRandom random) {
			int roll = random.nextInt(this.total);
			for (Operation operation : this.operations) {
				roll -= operation.weight();
				if (roll < 0) {
					return operation;
				}
			}
			throw new IllegalStateException("weights changed");
		}

	}

}
