package dev.tiercache.codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.reflect.Type;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.ClassUtils;

/**
 * The default codec: typed JSON where it reproduces the value exactly, Java serialization read through
 * an allow-list where it does not.
 *
 * <p>JSON carries no class names; a payload is decoded to the type the reader declares, so records,
 * collections of DTOs, {@code Optional}, enums and {@code java.time} values come back exactly. A value
 * is written as JSON only if JSON reproduces it: for declared types made only of JSON-exact parts
 * (strings, numbers, enums, plain {@code java.time} values, records that Jackson writes as exactly
 * their components, and collections of them) that holds by construction; for any other type each
 * value is checked (encoded, decoded, and compared class by class and field by field). A value that
 * JSON would change (an interface such as {@code Page<T>}, a {@code Long} in an {@code Object} field,
 * state Jackson cannot see) is written with Java serialization if it is {@link Serializable}, and only
 * if the whole object graph passes the {@link SerializationAllowList} and its limits, checked by
 * reading it back: an entry the readers would refuse is never stored. Otherwise {@link #encode}
 * throws, naming what to change. Before a serialized payload is read, the hash codes that reading it
 * would compute are counted from its bytes ({@link HashingWork}), and a payload over its budget (a
 * nested-set bomb) is refused unread.
 *
 * <p>On read, a payload that is intact but not of the requested type throws
 * {@link ValueTypeMismatchException} (the entry is kept); a corrupt or refused one throws
 * {@link ValueDecodingException} naming the refused class. Thread-safe.
 */
public final class JsonOrSerializedValueCodec implements ValueCodec {

	/** Format tag of JSON payloads. */
	public static final int JSON = 0;

	/** Format tag of Java-serialized payloads. */
	public static final int SERIALIZED = 1;

	private static final String ALLOWED_PACKAGES_PROPERTY = "tiercache.serialization.allowed-packages";

	private final JsonMapper mapper;

	private final SerializationAllowList allowList;

	private final JsonFidelity fidelity;

	private final Map<Type, JavaType> javaTypes = new ConcurrentHashMap<>();

	private final JsonTypeHints typeHints;

	/**
	 * The longest JSON that the mapper reads whatever it holds: a longer one may hold a number, a string,
	 * a name or a nesting past the mapper's read constraints, so it is checked even for a declared type
	 * that survives JSON by construction.
	 */
	private final long surelyReadable;

	/**
	 * Creates a codec with a default {@link JsonMapper} (unknown properties ignored, so an entry
	 * written by an older class version still reads).
	 */
	public JsonOrSerializedValueCodec(SerializationAllowList allowList) {
		this(JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build(), allowList);
	}

	public JsonOrSerializedValueCodec(JsonMapper mapper, SerializationAllowList allowList) {
		this.mapper = mapper;
		this.allowList = allowList;
		this.fidelity = new JsonFidelity(
				new PlainRecords(mapper.serializationConfig(), mapper.deserializationConfig()));
		this.surelyReadable = surelyReadable(mapper.tokenStreamFactory().streamReadConstraints());
		this.typeHints = new JsonTypeHints(mapper.getTypeFactory(), this::javaType, allowList);
	}

	private static long surelyReadable(StreamReadConstraints constraints) {
		long shortest = Long.MAX_VALUE;
		for (long limit : new long[] { constraints.getMaxNumberLength(), constraints.getMaxStringLength(),
				constraints.getMaxNameLength(), constraints.getMaxNestingDepth(), constraints.getMaxDocumentLength(),
				constraints.getMaxTokenCount() }) {
			if (limit > 0) {
				shortest = Math.min(shortest, limit);
			}
		}
		return shortest;
	}

	@Override
	public EncodedValue encode(Object value, Type declaredType) {
		byte[] json = jsonIfExact(value, declaredType);
		if (json != null) {
			return new EncodedValue(JSON, json, this.typeHints.of(declaredType));
		}
		if (!(value instanceof Serializable serializable)) {
			throw new ValueEncodingException(value.getClass().getName() + " does not round-trip through JSON as "
					+ declaredType.getTypeName() + " and is not Serializable; cache a record or DTO instead");
		}
		byte[] serialized = serialize(serializable);
		String tooCostly = HashingWork.refusal(serialized, 0, serialized.length);
		if (tooCostly != null) {
			throw new ValueEncodingException(value.getClass().getName() + " does not round-trip through JSON as "
					+ declaredType.getTypeName() + ", and its serialized form holds " + tooCostly
					+ ", which readers refuse");
		}
		String refusal = readBack(serialized);
		if (refusal != null) {
			throw new ValueEncodingException(value.getClass().getName() + " does not round-trip through JSON as "
					+ declaredType.getTypeName() + ", and its serialized form holds " + refusal
					+ ", which readers refuse; add the package to '" + ALLOWED_PACKAGES_PROPERTY
					+ "' if it is safe to deserialize");
		}
		return new EncodedValue(SERIALIZED, serialized);
	}

	private byte @Nullable [] jsonIfExact(Object value, Type declaredType) {
		try {
			byte[] json = toJson(value);
			if (json.length <= this.surelyReadable && this.fidelity.survivesByType(declaredType)) {
				return json;
			}
			Object decoded = this.mapper.readValue(json, javaType(declaredType));
			return this.fidelity.same(value, decoded) ? json : null;
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	@Override
	public Object decode(int format, byte[] source, int offset, int length, Type type) {
		return switch (format) {
			case JSON -> fromJson(source, offset, length, type);
			case SERIALIZED -> deserialize(source, offset, length, type);
			default -> throw new ValueDecodingException("Unknown payload format " + format);
		};
	}

	/**
	 * The type named by the hint of a JSON payload, if it names only types a reader could declare without
	 * risk ({@link JsonTypeHints}): for {@code put(10L)} read back by {@code get(key)}, a {@code Long}.
	 */
	@Override
	public @Nullable Type typeForHint(String typeHint) {
		return this.typeHints.typeOf(typeHint);
	}

	private byte[] toJson(Object value) {
		try {
			return this.mapper.writeValueAsBytes(value);
		}
		catch (JacksonException ex) {
			throw new ValueEncodingException("Cannot write " + value.getClass().getName() + " as JSON", ex);
		}
	}

	private Object fromJson(byte[] source, int offset, int length, Type type) {
		Object value;
		try {
			value = this.mapper.readValue(source, offset, length, javaType(type));
		}
		catch (DatabindException ex) {
			throw new ValueTypeMismatchException("JSON payload is not a " + type.getTypeName() + ": "
					+ ex.getOriginalMessage(), ex);
		}
		catch (JacksonException ex) {
			throw new ValueDecodingException("Corrupt JSON payload: " + ex.getOriginalMessage(), ex);
		}
		if (value == null) {
			throw new ValueDecodingException("JSON payload decodes to null as " + type.getTypeName());
		}
		return value;
	}

	private JavaType javaType(Type type) {
		JavaType javaType = this.javaTypes.get(type);
		if (javaType == null) {
			javaType = this.mapper.getTypeFactory().constructType(type);
			this.javaTypes.put(type, javaType);
		}
		return javaType;
	}

	private static byte[] serialize(Serializable value) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
		try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
			out.writeObject(value);
		}
		catch (IOException | RuntimeException ex) {
			throw new ValueEncodingException("Cannot serialize " + value.getClass().getName() + ": " + ex, ex);
		}
		return bytes.toByteArray();
	}

	/** Reads serialized bytes back as a reader would; returns what the allow-list refused, or {@code null}. */
	private @Nullable String readBack(byte[] serialized) {
		SerializationAllowList.PayloadFilter filter = this.allowList.forPayload(serialized.length);
		try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(serialized))) {
			in.setObjectInputFilter(filter);
			in.readObject();
			return null;
		}
		catch (IOException | ClassNotFoundException | RuntimeException ex) {
			return (filter.refusal() != null) ? filter.refusal() : "something that cannot be read back (" + ex + ")";
		}
	}

	private Object deserialize(byte[] source, int offset, int length, Type type) {
		String tooCostly = HashingWork.refusal(source, offset, length);
		if (tooCostly != null) {
			throw new ValueDecodingException("Serialized payload holds " + tooCostly);
		}
		SerializationAllowList.PayloadFilter filter = this.allowList.forPayload(length);
		Object value;
		try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(source, offset, length))) {
			in.setObjectInputFilter(filter);
			value = in.readObject();
		}
		catch (IOException | ClassNotFoundException | RuntimeException ex) {
			String refusal = filter.refusal();
			throw new ValueDecodingException((refusal != null)
					? "Serialized payload holds " + refusal + "; add its package to '" + ALLOWED_PACKAGES_PROPERTY
							+ "' if it is safe to deserialize"
					: "Cannot deserialize payload as " + type.getTypeName() + ": " + ex, ex);
		}
		Class<?> expected = ClassUtils.resolvePrimitiveIfNecessary(javaType(type).getRawClass());
		if (value == null || !expected.isInstance(value)) {
			throw new ValueTypeMismatchException("Serialized payload holds "
					+ ((value != null) ? value.getClass().getName() : "null") + ", not a " + type.getTypeName());
		}
		return value;
	}

	@Override
	public String toString() {
		return "JsonOrSerializedValueCodec[" + this.allowList + "]";
	}

}
