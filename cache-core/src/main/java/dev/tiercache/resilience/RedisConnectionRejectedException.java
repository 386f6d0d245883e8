package dev.tiercache.resilience;

import java.security.cert.CertificateException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import javax.net.ssl.SSLHandshakeException;

import org.jspecify.annotations.Nullable;

/**
 * Thrown at start-up when Redis can be reached but refuses the connection for a reason that never
 * heals by itself: the user name or password ({@code WRONGPASS}, {@code NOAUTH}, a password given to a
 * Redis that has none), or a TLS certificate the client does not trust (or that does not name the
 * host). Unlike a Redis that is down, which the cache rides out on L1 and its methods, the application
 * is then stopped rather than started with a second tier that can never answer.
 */
public class RedisConnectionRejectedException extends IllegalStateException {

	private final Reason reason;

	private final String detail;

	public RedisConnectionRejectedException(Reason reason, String detail, Throwable cause) {
		super(message(reason, detail), cause);
		this.reason = reason;
		this.detail = detail;
	}

	/** Why the connection was refused. */
	public Reason getReason() {
		return this.reason;
	}

	/**
	 * What refused it: Redis's own answer (such as
	 * {@code WRONGPASS invalid username-password pair or user is disabled.}), or the TLS failure.
	 */
	public String getDetail() {
		return this.detail;
	}

	/**
	 * The refusal that made a connection attempt fail, if that is why it failed; {@code null} for any
	 * other failure (Redis down, a timeout), which the cache rides out.
	 * @param failure why a connection could not be opened, with its causes
	 */
	public static @Nullable RedisConnectionRejectedException causing(Throwable failure) {
		Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
		Deque<Throwable> toSee = new ArrayDeque<>(List.of(failure));
		while (!toSee.isEmpty()) {
			Throwable cause = toSee.pop();
			if (!seen.add(cause)) {
				continue;
			}
			String message = cause.getMessage();
			if (message != null && isCredentialsRefusal(message)) {
				return new RedisConnectionRejectedException(Reason.CREDENTIALS, message, failure);
			}
			Throwable untrusted = (cause instanceof SSLHandshakeException) ? certificateRefusal(cause) : null;
			if (untrusted != null) {
				return new RedisConnectionRejectedException(Reason.CERTIFICATE, String.valueOf(untrusted.getMessage()),
						failure);
			}
			if (cause.getCause() != null) {
				toSee.push(cause.getCause());
			}
			// a cluster client reports each node's failure as a suppressed exception
			toSee.addAll(List.of(cause.getSuppressed()));
		}
		return null;
	}

	/** The certificate the client refused in a TLS handshake, among its first causes. */
	private static @Nullable Throwable certificateRefusal(Throwable handshake) {
		Throwable cause = handshake.getCause();
		for (int depth = 0; cause != null && depth < 16; depth++, cause = cause.getCause()) {
			if (cause instanceof CertificateException) {
				return cause;
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

	private static String message(Reason reason, String detail) {
		return switch (reason) {
			case CREDENTIALS -> "Redis refused the credentials Tiercache connects with (it answered '" + detail
					+ "'): check the user name and password of the application's RedisConnectionFactory";
			case CERTIFICATE -> "Tiercache does not trust the TLS certificate Redis presented (" + detail
					+ "): check the trust material (CA certificates) and host name the application's "
					+ "RedisConnectionFactory connects with";
		};
	}

	/** Why Redis refused the connection. */
	public enum Reason {

		/** Redis refused the user name or password. */
		CREDENTIALS,

		/** The client refused the TLS certificate Redis presented. */
		CERTIFICATE

	}

}
