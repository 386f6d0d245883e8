package dev.tiercache.test;

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

}
