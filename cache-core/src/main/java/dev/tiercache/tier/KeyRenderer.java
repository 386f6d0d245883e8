package dev.tiercache.tier;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Currency;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.interceptor.SimpleKey;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

import dev.tiercache.internal.redis.RedisKeys;
import dev.tiercache.internal.reflect.StateFields;

/**
 * Renders cache keys as strings, injectively: keys that render alike hold the same state, so two
 * different keys never share an entry (hashes of long keys aside, which are SHA-256). Equal keys
 * render alike, except where {@code equals} ignores state that the rendering includes (which costs
 * a miss, never a wrong value).
 *
 * <p>Supported keys: a {@code String} renders as itself unless it starts with {@code #} (then the
 * {@code #} is doubled). Every other key starts with {@code #} and a tag naming its kind, so kinds
 * never collide: {@code #i:42} ({@code Integer}), {@code #l:42} ({@code Long}), the other boxed
 * primitives likewise; {@code #o:java.time.LocalDate:2026-01-01} for {@code java.time} values,
 * {@code BigDecimal}, {@code BigInteger}, {@code UUID}, {@code URI}, {@code Locale},
 * {@code Currency}, {@code Date} and {@code java.sql.Date}, {@code Time} (their milliseconds) and
 * {@code Timestamp} (its instant, to the nanosecond); {@code #e:com.example.Color.RED} for enums;
 * {@code #(a,#i:1)} for a {@link SimpleKey} of several parameters; {@code #L(…)}, {@code #S(…)},
 * {@code #M(k=v,…)} and {@code #A(…)} for lists, sets, maps and arrays (sets and maps sorted, so
 * their order does not matter); {@code #O(…)} for {@code Optional}; and for records and other
 * objects the class name and every field that is neither static nor transient, each rendered by
 * these rules ({@code #r:com.example.Query(Dune,#i:1)}), after its time for a subclass of a
 * {@code Date}. Nested elements escape {@code , ) = \} with {@code \}. Refused, with a message naming
 * the type: objects with no state, other JDK classes, and graphs nested more than
 * {@value #MAX_DEPTH} deep.
 *
 * <p>A rendering longer than {@value #MAX_LENGTH} characters is replaced by {@code #h:} and its
 * SHA-256; one holding a lone surrogate (which UTF-8 cannot carry) by {@code #u:} and the SHA-256 of
 * its UTF-16 code units. Thread-safe.
 */
final class KeyRenderer {

	static final int MAX_LENGTH = 200;

	private static final int MAX_DEPTH = 16;

	private static final Map<Class<?>, Character> SCALAR_TAGS = Map.of(Integer.class, 'i', Long.class, 'l',
			Short.class, 's', Byte.class, 'b', Double.class, 'd', Float.class, 'f', Boolean.class, 'z',
			Character.class, 'c');

	private static final Set<Class<?>> VALUE_CLASSES = Set.of(BigInteger.class, BigDecimal.class, UUID.class,
			URI.class, Locale.class, Currency.class);

	/**
	 * The JDK's {@code Date} classes, each with how to render all of its state: the milliseconds, and
	 * for a {@code Timestamp} the nanoseconds too (named, so that {@code java.sql} stays optional).
	 */
	private static final Map<String, Function<Date, String>> DATE_STATES = Map.of("java.util.Date",
			KeyRenderer::millis, "java.sql.Date", KeyRenderer::millis, "java.sql.Time", KeyRenderer::millis,
			"java.sql.Timestamp", (timestamp) -> timestamp.toInstant().toString());

	private static final Field SIMPLE_KEY_PARAMS = simpleKeyParams();

	/**
	 * @throws IllegalArgumentException naming the type if the key (or a part of it) cannot be rendered
	 * injectively
	 */
	String render(Object key) {
		if (key instanceof String string && !string.startsWith("#") && string.length() <= MAX_LENGTH
				&& RedisKeys.isWellFormed(string)) {
			return string;
		}
		StringBuilder out = new StringBuilder(32);
		append(out, key, key, 0);
		if (!RedisKeys.isWellFormed(out)) {
			return "#u:" + sha256(codeUnits(out));
		}
		return (out.length() <= MAX_LENGTH) ? out.toString()
				: "#h:" + sha256(out.toString().getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * The key of {@code type} that renders as {@code name}, for the types whose rendering reads back: a
	 * {@code String}, a primitive or its box, a {@code UUID}, an enum constant. Checked by rendering it
	 * again, so never a key that renders otherwise.
	 * @return the key, or {@code null} for a name that no key of that type renders as, or another type
	 */
	@Nullable Object parse(String name, Class<?> type) {
		Object key;
		try {
			key = read(name, ClassUtils.resolvePrimitiveIfNecessary(type));
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			return null;
		}
		return (key != null && render(key).equals(name)) ? key : null;
	}

	private static @Nullable Object read(String name, Class<?> type) throws ReflectiveOperationException {
		if (type == String.class) {
			return name.startsWith("##") ? name.substring(1) : name;
		}
		Character tag = SCALAR_TAGS.get(type);
		String text = (tag != null) ? after(name, "#" + tag + ":") : after(name, "#o:" + type.getName() + ":");
		if (tag != null && text != null) {
			return (type == Character.class) ? (Character) text.charAt(0)
					: type.getMethod("valueOf", String.class).invoke(null, text);
		}
		if (type == UUID.class && text != null) {
			return UUID.fromString(text);
		}
		String constant = after(name, "#e:" + type.getName() + ".");
		if (type.isEnum() && constant != null) {
			return Enum.valueOf(type.asSubclass(Enum.class), constant);
		}
		return null;
	}

	private static @Nullable String after(String name, String prefix) {
		return (name.startsWith(prefix) && name.length() > prefix.length()) ? name.substring(prefix.length()) : null;
	}

	private void append(StringBuilder out, @Nullable Object part, Object key, int depth) {
		if (depth > MAX_DEPTH) {
			throw refused(key, "it is nested more than " + MAX_DEPTH + " levels deep (or refers to itself)");
		}
		if (part == null) {
			out.append("#null");
			return;
		}
		Class<?> type = part.getClass();
		if (part instanceof String string) {
			out.append(string.startsWith("#") ? "#" : "").append(string);
		}
		else if (SCALAR_TAGS.containsKey(type)) {
			out.append('#').append(SCALAR_TAGS.get(type)).append(':').append(part);
		}
		else if (VALUE_CLASSES.contains(type) || type.getName().startsWith("java.time.")) {
			out.append("#o:").append(type.getName()).append(':').append(part);
		}
		else if (part instanceof Date date && DATE_STATES.containsKey(type.getName())) {
			out.append("#o:").append(type.getName()).append(':').append(dateState(date));
		}
		else if (part instanceof Enum<?> constant) {
			out.append("#e:").append(constant.getDeclaringClass().getName()).append('.').append(constant.name());
		}
		else if (part instanceof SimpleKey simpleKey) {
			appendAll(out, "#(", Arrays.asList((Object[]) ReflectionUtils.getField(SIMPLE_KEY_PARAMS, simpleKey)), key,
					depth, false);
		}
		else if (type.isArray()) {
			List<@Nullable Object> elements = new ArrayList<>();
			for (int i = 0; i < Array.getLength(part); i++) {
				elements.add(Array.get(part, i));
			}
			appendAll(out, "#A:" + type.getComponentType().getName() + "(", elements, key, depth, false);
		}
		else if (part instanceof List<?> list) {
			appendAll(out, "#L(", list, key, depth, false);
		}
		else if (part instanceof Set<?> set) {
			appendAll(out, "#S(", new ArrayList<>(set), key, depth, true);
		}
		else if (part instanceof Map<?, ?> map) {
			appendMap(out, map, key, depth);
		}
		else if (part instanceof Optional<?> optional) {
			appendAll(out, "#O(", optional.isPresent() ? List.of(optional.get()) : List.of(), key, depth, false);
		}
		else {
			appendFields(out, part, key, depth);
		}
	}

	private void appendFields(StringBuilder out, Object part, Object key, int depth) {
		Class<?> type = part.getClass();
		if (type.getName().startsWith("java.") || type.getName().startsWith("javax.")) {
			throw refused(key, type.getName() + " is a JDK class it cannot see into");
		}
		List<Field> fields;
		try {
			fields = StateFields.of(type);
		}
		catch (InaccessibleObjectException ex) {
			throw refused(key, "the fields of " + type.getName() + " cannot be read (" + ex.getMessage() + ")");
		}
		if (fields.isEmpty() && !(part instanceof Date)) {
			throw refused(key, type.getName() + " has no state, so all its instances would share one entry");
		}
		List<@Nullable Object> values = new ArrayList<>(fields.size() + 1);
		if (part instanceof Date date) {
			// its time is in transient fields of java.util.Date
			values.add(dateState(date));
		}
		for (Field field : fields) {
			values.add(ReflectionUtils.getField(field, part));
		}
		appendAll(out, (type.isRecord() ? "#r:" : "#f:") + type.getName() + "(", values, key, depth, false);
	}

	private void appendMap(StringBuilder out, Map<?, ?> map, Object key, int depth) {
		List<String> entries = new ArrayList<>(map.size());
		for (Map.Entry<?, ?> entry : map.entrySet()) {
			StringBuilder rendered = new StringBuilder(16);
			escape(rendered, element(entry.getKey(), key, depth));
			rendered.append('=');
			escape(rendered, element(entry.getValue(), key, depth));
			entries.add(rendered.toString());
		}
		entries.sort(null);
		out.append("#M(").append(String.join(",", entries)).append(')');
	}

	private void appendAll(StringBuilder out, String open, List<?> elements, Object key, int depth, boolean sorted) {
		List<String> rendered = new ArrayList<>(elements.size());
		for (Object element : elements) {
			StringBuilder escaped = new StringBuilder(16);
			escape(escaped, element(element, key, depth));
			rendered.add(escaped.toString());
		}
		if (sorted) {
			rendered.sort(null);
		}
		out.append(open).append(String.join(",", rendered)).append(')');
	}

	private String element(@Nullable Object element, Object key, int depth) {
		StringBuilder out = new StringBuilder(16);
		append(out, element, key, depth + 1);
		return out.toString();
	}

	private static void escape(StringBuilder out, CharSequence element) {
		for (int i = 0; i < element.length(); i++) {
			char c = element.charAt(i);
			if (c == ',' || c == ')' || c == '=' || c == '\\') {
				out.append('\\');
			}
			out.append(c);
		}
	}

	/** Renders a date's time by the rule of the nearest JDK {@code Date} class it is (or extends). */
	private static String dateState(Date date) {
		Class<?> type = date.getClass();
		while (!DATE_STATES.containsKey(type.getName())) {
			type = type.getSuperclass();
		}
		return DATE_STATES.get(type.getName()).apply(date);
	}

	private static String millis(Date date) {
		return Long.toString(date.getTime());
	}

	private static IllegalArgumentException refused(Object key, String why) {
		return new IllegalArgumentException("Cannot use a " + key.getClass().getName() + " as a cache key: " + why
				+ ". Use a key expression that yields a String, a number, an enum, a record or a list of those");
	}

	/** The text's UTF-16 code units, lone surrogates too (which every {@code Charset} would replace). */
	private static byte[] codeUnits(CharSequence text) {
		ByteBuffer units = ByteBuffer.allocate(text.length() * 2);
		for (int i = 0; i < text.length(); i++) {
			units.putChar(text.charAt(i));
		}
		return units.array();
	}

	private static String sha256(byte[] rendered) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(rendered);
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
