package dev.tiercache.consistency.node;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Profile;
import org.springframework.core.env.Environment;

import dev.tiercache.tier.TiercacheErrorHandler;

/**
 * An application instance under test, run as a process by the harness. After start-up it prints
 * {@code ready}, then obeys one command per line of standard input, answering {@code ok <command>}
 * (or {@code error <message>}) on standard output; its log goes to a file.
 *
 * <ul>
 * <li>{@code start} / {@code stop}: start the clients; stop them once their calls in flight completed;
 * <li>{@code pending}: answers {@code ok pending <n>}, the write-behind entries not yet applied;
 * <li>{@code final}: reads every key once (recorded as {@code final-…} reads);
 * <li>{@code loader slow <ms>} / {@code loader fail} / {@code loader ok}: loader faults;
 * <li>{@code writer stall} / {@code writer fail} / {@code writer ok}: write-behind calls block or fail
 * when applied, or work again (the blocked ones go on);
 * <li>{@code requeue}: re-queues every write-behind dead letter, answering {@code ok requeue <n>};
 * <li>{@code exit}: closes the context and exits.
 * </ul>
 */
@SpringBootApplication
@EnableCaching
public class NodeApplication {

	public static void main(String[] args) throws Exception {
		SpringApplication application = new SpringApplication(NodeApplication.class);
		try (ConfigurableApplicationContext context = application.run(args)) {
			NodeSettings settings = NodeSettings.from(context.getEnvironment());
			Subject subject = context.getBean(Subject.class);
			VersionTable table = context.getBean(VersionTable.class);
			Workload workload = new Workload(subject, new KeySpace(settings.keys(), settings.skew()),
					context.getBean(HistoryLog.class), settings);
			answer("ready");
			obey(workload, subject, table);
		}
		System.exit(0);
	}

	/** The instance's history, closed with the context. */
	@Bean
	HistoryLog historyLog(Environment environment) {
		NodeSettings settings = NodeSettings.from(environment);
		return new HistoryLog(settings.history(), settings.node(), settings.incarnation());
	}

	/** Logs as Tiercache does by default, and records every Redis failure in the history. */
	@Bean
	@Profile("tiercache")
	TiercacheErrorHandler historyRecordingErrorHandler(HistoryLog history) {
		return new HistoryRecordingErrorHandler(TiercacheErrorHandler.logging(), history);
	}

	private static void obey(Workload workload, Subject subject, VersionTable table) throws Exception {
		BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		for (String line = commands.readLine(); line != null; line = commands.readLine()) {
			String[] words = line.strip().split("\\s+");
			try {
				switch (words[0]) {
					case "start" -> workload.start();
					case "stop" -> workload.stop();
					case "pending" -> {
						answer("ok pending " + subject.pendingWrites());
						continue;
					}
					case "final" -> workload.readAll();
					case "loader" -> loader(table, words);
					case "writer" -> writer(table, words);
					case "requeue" -> {
						answer("ok requeue " + subject.requeueDeadLetters());
						continue;
					}
					case "exit" -> {
						table.stallQueuedWrites(false);
						workload.stop();
						answer("ok exit");
						return;
					}
					default -> throw new IllegalArgumentException("unknown command '" + line + "'");
				}
				answer("ok " + words[0]);
			}
			catch (RuntimeException ex) {
				answer("error " + ex);
			}
		}
	}

	private static void loader(VersionTable table, String[] words) {
		switch (words[1]) {
			case "slow" -> table.readDelay(Long.parseLong(words[2]));
			case "fail" -> table.readsFail(true);
			case "ok" -> {
				table.readDelay(0);
				table.readsFail(false);
			}
			default -> throw new IllegalArgumentException("unknown loader fault '" + words[1] + "'");
		}
	}

	private static void writer(VersionTable table, String[] words) {
		switch (words[1]) {
			case "stall" -> table.stallQueuedWrites(true);
			case "fail" -> table.queuedWritesFail(true);
			case "ok" -> {
				table.stallQueuedWrites(false);
				table.queuedWritesFail(false);
			}
			default -> throw new IllegalArgumentException("unknown writer fault '" + words[1] + "'");
		}
	}

	private static void answer(String line) {
		System.out.println(line);
		System.out.flush();
	}

}
