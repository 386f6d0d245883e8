package dev.tiercache.resilience;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * Thrown at start-up when Redis refuses the user name and password Tiercache connects with (a
 * {@code WRONGPASS} or {@code NOAUTH} reply, or a password given to a Redis that has none). Unlike a
 * Redis that is down, which the cache rides out on L1 and its methods, wrong credentials never heal by
 * themselves, so the application is stopped rather than started with a second tier that can never
 * answer.
 */
public class RedisCredentialsRejectedException extends IllegalStateException {

	private final String reply;

	public RedisCredentialsRejectedException(String reply, Throwable cause) {
		super("Redis refused the credentials Tiercache connects with (it answered '" + reply + "'): check the "
				+ "user name and password of the application's RedisConnectionFactory", cause);
		this.reply = reply;
	}

	/** Redis's own answer, such as {@code WRONGPASS invalid username-password pair or user is disabled.} */
	public String getReply() {
		return this.reply;
	}

	/**
	 * The refusal of credentials that made a connection attempt fail, if that is why it failed.
	 * @param failure why a connection could not be opened, with its causes
	 */
	public static @Nullable RedisCredentialsRejectedException causing(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			String message = cause.getMessage();
			if (message != null && isCredentialsRefusal(message)) {
				return new RedisCredentialsRejectedException(message, failure);
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return null;
	}

	private static boolean isCredentialsRefusal(String reply) {
		String upper = reply.toUpperCase(Locale.ROOT);
		return upper.startsWith("WRONGPASS") || upper.startsWith("NOAUTH") || upper.startsWith("ERR INVALID PASSWORD")
				|| upper.startsWith("ERR AUTH <PASSWORD> CALLED WITHOUT ANY PASSWORD CONFIGURED")
				|| upper.startsWith("ERR CLIENT SENT AUTH, BUT NO PASSWORD IS SET");
	}

}
