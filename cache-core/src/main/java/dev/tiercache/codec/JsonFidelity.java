package dev.tiercache.codec;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.Year;
import java.time.YearMonth;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import dev.tiercache.internal.reflect.StateFields;

/**
 * Tells whether a value survives typed JSON exactly: the same classes, the same state.
 *
 * <p>Some declared types survive by construction ({@link #survivesByType}): strings, numbers,
 * booleans, enums, the plain {@code java.time} values, {@code UUID}, records made only of such types
 * that Jackson takes as plain ({@link PlainRecords}; one with {@code @JsonIgnore} on a component is
 * not), and lists, sets, maps, arrays and {@code Optional}s of them. For any other type, each value
 * is checked ({@link #same}): the value decoded from its JSON must have the same classes and the same
 * state, field by field, as the original. That catches what JSON loses: a {@code Long} in an
 * {@code Object} field read back as {@code Integer}, a {@code LocalDate} read back as a
 * {@code String}, state that Jackson cannot see ({@code @JsonIgnore}, no getter) read back as
 * {@code null}; an object the value reaches twice is compared with both of its decoded copies. Thread-safe.
 */
final class JsonFidelity {

	private static final int MAX_DEPTH = 64;

	private static final Set<Class<?>> EXACT_VALUE_TYPES = Set.of(String.class, Boolean.class, Character.class,
			Byte.class, Short.class, Integer.class, Long.class, Float.class, Double.class, BigInteger.class,
			BigDecimal.class, UUID.class, LocalDate.class, LocalDateTime.class, LocalTime.class, Instant.class,
			Duration.class, Year.class, YearMonth.class, MonthDay.class);

	private final Map<Type, Boolean> survivesByType = new ConcurrentHashMap<>();

	private final PlainRecords plainRecords;

	JsonFidelity(PlainRecords plainRecords) {
		this.plainRecords = plainRecords;
	}

	/** Whether every value of the declared type survives JSON, so that none needs checking. */
	boolean survivesByType(Type declared) {
		Boolean known = this.survivesByType.get(declared);
		if (known == null) {
			known = survives(declared, 0);
			this.survivesByType.put(declared, known);
		}
		return known;
	}

	private boolean survives(Type type, int depth) {
		if (depth > 8) {
			return false;
		}
		if (type instanceof Class<?> raw) {
			if (raw.isPrimitive() || raw.isEnum() || EXACT_VALUE_TYPES.contains(raw)) {
				return true;
			}
			if (raw.isArray()) {
				return survives(raw.getComponentType(), depth + 1);
			}
			return raw.isRecord() && recordSurvives(raw, depth);
		}
		if (type instanceof GenericArrayType array) {
			return survives(array.getGenericComponentType(), depth + 1);
		}
		if (type instanceof ParameterizedType parameterized && parameterized.getRawType() instanceof Class<?> raw) {
			Type[] arguments = parameterized.getActualTypeArguments();
			if (raw == List.class || raw == Set.class || raw == Collection.class || raw == Optional.class) {
				return survives(arguments[0], depth + 1);
			}
			if (raw == Map.class) {
				return arguments[0] instanceof Class<?> key && (key == String.class || key.isEnum()
						|| key == Long.class || key == Integer.class || key == UUID.class)
						&& survives(arguments[1], depth + 1);
			}
		}
		return false;
	}

	private boolean recordSurvives(Class<?> record, int depth) {
		if (record.getTypeParameters().length > 0 || !this.plainRecords.isPlain(record)) {
			return false;
		}
		for (RecordComponent component : record.getRecordComponents()) {
			if (!survives(component.getGenericType(), depth + 1)) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Whether {@code decoded} has the same classes and state as {@code original}: lists, sets and maps
	 * compare by content whatever their class; {@code java.*} values by {@code equals}; other objects
	 * field by field (static and {@code transient} fields aside).
	 */
	boolean same(@Nullable Object original, @Nullable Object decoded) {
		return same(original, decoded, 0, new IdentityHashMap<>());
	}

	private boolean same(@Nullable Object a, @Nullable Object b, int depth, IdentityHashMap<Object, Object> seen) {
		if (a == b) {
			return true;
		}
		if (a == null || b == null || depth > MAX_DEPTH) {
			return false;
		}
		if (a instanceof List<?> left && b instanceof List<?> right) {
			return sameElements(left, right, depth, seen);
		}
		if (a instanceof Set<?> left && b instanceof Set<?> right) {
			return sameMembers(left, right, depth, seen);
		}
		if (a instanceof Map<?, ?> left && b instanceof Map<?, ?> right) {
			return sameEntries(left, right, depth, seen);
		}
		Class<?> type = a.getClass();
		if (type != b.getClass()) {
			return false;
		}
		if (a instanceof Optional<?> left) {
			return same(left.orElse(null), ((Optional<?>) b).orElse(null), depth + 1, seen);
		}
		if (type.isArray()) {
			return sameArrays(a, b, depth, seen);
		}
		if (type.isEnum() || type.getName().startsWith("java.") || type.getName().startsWith("javax.")) {
			return a.equals(b);
		}
		// a pair compared already, or being compared (a cycle); an object JSON wrote twice is compared
		// with each decoded copy, which its path's declared type may have read differently
		if (seen.putIfAbsent(a, b) == b) {
			return true;
		}
		try {
			for (Field field : StateFields.of(type)) {
				if (!same(field.get(a), field.get(b), depth + 1, seen)) {
					return false;
				}
			}
			return true;
		}
		catch (IllegalAccessException | RuntimeException ex) {
			return false;
		}
	}

	private boolean sameElements(List<?> left, List<?> right, int depth, IdentityHashMap<Object, Object> seen) {
		if (left.size() != right.size()) {
			return false;
		}
		Iterator<?> rightElements = right.iterator();
		for (Object element : left) {
			if (!same(element, rightElements.next(), depth + 1, seen)) {
				return false;
			}
		}
		return true;
	}

	private boolean sameMembers(Set<?> left, Set<?> right, int depth, IdentityHashMap<Object, Object> seen) {
		if (left.size() != right.size()) {
			return false;
		}
		Map<Object, Object> partners = new HashMap<>();
		for (Object member : right) {
			partners.put(member, member);
		}
		for (Object member : left) {
			if (!partners.containsKey(member) || !same(member, partners.get(member), depth + 1, seen)) {
				return false;
			}
		}
		return true;
	}

	private boolean sameEntries(Map<?, ?> left, Map<?, ?> right, int depth, IdentityHashMap<Object, Object> seen) {
		if (left.size() != right.size()) {
			return false;
		}
		for (Map.Entry<?, ?> entry : left.entrySet()) {
			if (!right.containsKey(entry.getKey()) || !same(entry.getValue(), right.get(entry.getKey()), depth + 1, seen)) {
				return false;
			}
		}
		return true;
	}

	private boolean sameArrays(Object a, Object b, int depth, IdentityHashMap<Object, Object> seen) {
		if (a.getClass().getComponentType().isPrimitive()) {
			return Objects.deepEquals(a, b);
		}
		int length = Array.getLength(a);
		if (length != Array.getLength(b)) {
			return false;
		}
		for (int i = 0; i < length; i++) {
			if (!same(Array.get(a, i), Array.get(b, i), depth + 1, seen)) {
				return false;
			}
		}
		return true;
	}

}
