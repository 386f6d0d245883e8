package dev.tiercache.internal.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script run with {@code EVALSHA}, falling back to {@code EVAL} when the server does not know it
 * yet (after a restart or a {@code SCRIPT FLUSH}).
 *
 * @param source the script
 * @param sha1 the script's SHA-1 digest, as Redis names it
 */
public record LuaScript(String source, String sha1) {

	/** Creates a script and computes its digest. */
	public static LuaScript of(String source) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
			return new LuaScript(source, HexFormat.of().formatHex(digest));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-1 is required by the Java platform", ex);
		}
	}

	/** A number as a script reads it from {@code ARGV}: decimal ASCII. */
	public static byte[] number(long value) {
		return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
	}

}
