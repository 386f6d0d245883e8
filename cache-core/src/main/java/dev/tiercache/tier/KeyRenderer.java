package dev.tiercache.tier;

import java.lang.reflect.Field;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.cache.interceptor.SimpleKey;
import org.springframework.util.ReflectionUtils;

/**
 * Renders cache keys as strings, injectively: two keys that are not {@code equals} never render
 * to the same string (hashes of long keys aside, which are SHA-256).
 *
 * <p>A {@code String} renders as itself unless it starts with {@code #}, in which case the {@code #}
 * is doubled. Every other key starts with {@code #} and a tag naming its kind: {@code #i:42} for an
 * {@code Integer}, {@code #l:42} for a {@code Long}, {@code #e:com.example.Color.RED} for an enum,
 * {@code #(a,#i:1)} for a {@link SimpleKey} of several parameters (elements escaped with
 * {@code \}), {@code #j:com.example.Query:{"page":1}} for other objects (JSON with sorted properties;
 * an object with no properties that JSON can see is refused, since its instances would all render
 * alike).
 * A rendering longer than {@value #MAX_LENGTH} characters is replaced by {@code #h:} and its
 * SHA-256. Thread-safe.
 */
final class KeyRenderer {

	static final int MAX_LENGTH = 200;

	private static final Map<Class<?>, Character> SCALAR_TAGS = Map.of(Integer.class, 'i', Long.class, 'l',
			Short.class, 's', Byte.class, 'b', Double.class, 'd', Float.class, 'f', Boolean.class, 'z',
			Character.class, 'c');

	private static final Field SIMPLE_KEY_PARAMS = simpleKeyParams();

	private final JsonMapper json = JsonMapper.builder()
		.enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
		.enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
		.enable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
		.build();

	/**
	 * @throws IllegalArgumentException if the key is of a type that cannot be rendered stably
	 */
	String render(Object key) {
		if (key instanceof String string && !string.startsWith("#") && string.length() <= MAX_LENGTH) {
			return string;
		}
		StringBuilder out = new StringBuilder(32);
		append(out, key);
		return (out.length() <= MAX_LENGTH) ? out.toString() : "#h:" + sha256(out);
	}

	private void append(StringBuilder out, @Nullable Object key) {
		if (key == null) {
			out.append("#null");
		}
		else if (key instanceof String string) {
			if (string.startsWith("#")) {
				out.append('#');
			}
			out.append(string);
		}
		else if (SCALAR_TAGS.containsKey(key.getClass())) {
			out.append('#').append(SCALAR_TAGS.get(key.getClass())).append(':').append(key);
		}
		else if (key instanceof BigInteger || key instanceof BigDecimal || key instanceof UUID
				|| key.getClass().getName().startsWith("java.time.")) {
			out.append("#o:").append(key.getClass().getName()).append(':').append(key);
		}
		else if (key instanceof Enum<?> constant) {
			out.append("#e:").append(constant.getDeclaringClass().getName()).append('.').append(constant.name());
		}
		else if (key instanceof SimpleKey simpleKey) {
			appendAll(out, "#(", (Object[]) ReflectionUtils.getField(SIMPLE_KEY_PARAMS, simpleKey));
		}
		else if (key instanceof Object[] array) {
			appendAll(out, "#A(", array);
		}
		else if (key instanceof Collection<?> collection) {
			appendAll(out, "#C:" + key.getClass().getName() + "(", collection.toArray());
		}
		else {
			out.append("#j:").append(key.getClass().getName()).append(':').append(toJson(key));
		}
	}

	private void appendAll(StringBuilder out, String open, @Nullable Object[] elements) {
		out.append(open);
		for (int i = 0; i < elements.length; i++) {
			if (i > 0) {
				out.append(',');
			}
			StringBuilder element = new StringBuilder(16);
			append(element, elements[i]);
			escape(out, element);
		}
		out.append(')');
	}

	private static void escape(StringBuilder out, CharSequence element) {
		for (int i = 0; i < element.length(); i++) {
			char c = element.charAt(i);
			if (c == ',' || c == ')' || c == '\\') {
				out.append('\\');
			}
			out.append(c);
		}
	}

	private String toJson(Object key) {
		try {
			return this.json.writeValueAsString(key);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("Cannot render a cache key of type " + key.getClass().getName()
					+ " (" + ex.getOriginalMessage() + "); use a key expression that yields a String, a number,"
					+ " an enum or a record", ex);
		}
	}

	private static String sha256(CharSequence rendered) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256")
				.digest(rendered.toString().getBytes(StandardCharsets.UTF_8));
			return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required by the Java platform", ex);
		}
	}

	private static Field simpleKeyParams() {
		Field field = ReflectionUtils.findField(SimpleKey.class, "params");
		if (field == null) {
			throw new IllegalStateException("SimpleKey has no 'params' field in this Spring version");
		}
		ReflectionUtils.makeAccessible(field);
		return field;
	}

}
