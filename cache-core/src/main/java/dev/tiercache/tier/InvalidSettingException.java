package dev.tiercache.tier;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when a cache or manager setting is out of range. Names the setting as its property under
 * {@code tiercache.} (or {@code tiercache.caches.<name>.}) is named, such as {@code ttl-jitter} or
 * {@code local.ttl}, so that callers can point at the property or annotation attribute to change.
 */
public class InvalidSettingException extends IllegalArgumentException {

	private final String setting;

	private final @Nullable Object value;

	private final String reason;

	public InvalidSettingException(String setting, @Nullable Object value, String reason) {
		super(setting + " " + reason + ", but was '" + value + "'");
		this.setting = setting;
		this.value = value;
		this.reason = reason;
	}

	/** The setting's property name, such as {@code ttl-jitter}. */
	public String getSetting() {
		return this.setting;
	}

	public @Nullable Object getValue() {
		return this.value;
	}

	/** What the value must be, such as "must be positive". */
	public String getReason() {
		return this.reason;
	}

}
