package dev.tiercache.test;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** Reads {@code INFO commandstats}: how many times a server ran a command. */
public final class CommandStats {

	private CommandStats() {
	}

	/**
	 * @param commandstats the reply of {@code INFO commandstats}
	 * @param command the command's name in lower case ({@code get})
	 * @return how many times the server ran it since its start or its last {@code CONFIG RESETSTAT}
	 */
	public static long calls(String commandstats, String command) {
		String prefix = "cmdstat_" + command + ":calls=";
		return commandstats.lines()
			.filter((line) -> line.startsWith(prefix))
			.mapToLong((line) -> Long.parseLong(line.substring(prefix.length(), line.indexOf(','))))
			.findFirst()
			.orElse(0);
	}

	/** How many times the test server ({@link TestRedis}) ran each command so far, by command name. */
	public static Map<String, Long> ofTestServer() {
		LettuceConnectionFactory factory = TestRedis.connectionFactory();
		try (RedisConnection connection = factory.getConnection()) {
			Properties stats = connection.serverCommands().info("commandstats");
			Map<String, Long> calls = new HashMap<>();
			if (stats != null) {
				stats.forEach((name, value) -> {
					String text = value.toString();
					int start = text.indexOf("calls=") + 6;
					calls.put(name.toString().replace("cmdstat_", ""),
							Long.parseLong(text.substring(start, text.indexOf(',', start))));
				});
			}
			return calls;
		}
		finally {
			factory.destroy();
		}
	}

	/** How many more times a command ran in {@code after} than in {@code before} ({@link #ofTestServer}). */
	public static long delta(Map<String, Long> before, Map<String, Long> after, String command) {
		return after.getOrDefault(command, 0L) - before.getOrDefault(command, 0L);
	}

}
