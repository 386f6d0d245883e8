package dev.tiercache.internal.redis;

import org.jspecify.annotations.Nullable;

/** Reads fields of an {@code INFO} reply: lines of {@code name:value}. */
public final class RedisInfo {

	private RedisInfo() {
	}

	/** The value of the field {@code name}, or {@code null} if the reply has none. */
	public static @Nullable String text(String info, String name) {
		return info.lines()
			.filter((line) -> line.startsWith(name + ":"))
			.map((line) -> line.substring(name.length() + 1).strip())
			.findFirst()
			.orElse(null);
	}

	/** The whole-number value of the field {@code name}, or -1 if the reply has none or it is not a number. */
	public static long number(String info, String name) {
		String value = text(info, name);
		try {
			return (value != null) ? Long.parseLong(value) : -1;
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

}
