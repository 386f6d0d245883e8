package dev.tiercache.codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.ClassUtils;

/**
 * The default codec: typed JSON where it round-trips, Java serialization read through an allow-list
 * where it does not.
 *
 * <p>JSON carries no class names; a payload is decoded to the type the reader declares, so records,
 * collections of DTOs, {@code Optional}, enums and {@code java.time} values come back exactly. For each
 * pair of declared type and runtime class, the codec learns once whether JSON round-trips (encode,
 * decode to the declared type, re-encode, compare the bytes and the values). If it does not (an
 * interface such as {@code Page<T>} backed by {@code PageImpl}, a class without a creator, a value
 * declared as {@code Object}) and the value is {@link Serializable}, it is written with Java
 * serialization and read back through a {@link SerializationAllowList}; the class names in that
 * payload can only pick classes the allow-list admits. Otherwise {@link #encode} throws.
 *
 * <p>Thread-safe.
 */
public final class JsonOrSerializedValueCodec implements ValueCodec {

	/** Format tag of JSON payloads. */
	public static final int JSON = 0;

	/** Format tag of Java-serialized payloads. */
	public static final int SERIALIZED = 1;

	private final JsonMapper mapper;

	private final SerializationAllowList allowList;

	private final Map<Type, JavaType> javaTypes = new ConcurrentHashMap<>();

	private final Map<RoundTripKey, Boolean> jsonRoundTrips = new ConcurrentHashMap<>();

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
	}

	@Override
	public EncodedValue encode(Object value, Type declaredType) {
		RoundTripKey key = new RoundTripKey(declaredType, value.getClass());
		Boolean json = this.jsonRoundTrips.get(key);
		if (json == null) {
			json = learnJsonRoundTrip(value, declaredType);
			this.jsonRoundTrips.put(key, json);
		}
		if (json) {
			return new EncodedValue(JSON, toJson(value));
		}
		if (value instanceof Serializable serializable) {
			if (!this.allowList.isAllowed(value.getClass())) {
				throw new ValueEncodingException(value.getClass().getName()
						+ " does not round-trip through JSON as " + declaredType.getTypeName()
						+ " and is outside the deserialization allow-list " + this.allowList
						+ "; add its package to 'tiercache.serialization.allowed-packages'");
			}
			return new EncodedValue(SERIALIZED, serialize(serializable));
		}
		throw new ValueEncodingException(value.getClass().getName() + " does not round-trip through JSON as "
				+ declaredType.getTypeName() + " and is not Serializable");
	}

	@Override
	public Object decode(int format, byte[] source, int offset, int length, Type type) {
		return switch (format) {
			case JSON -> fromJson(source, offset, length, type);
			case SERIALIZED -> deserialize(source, offset, length, type);
			default -> throw new ValueDecodingException("Unknown payload format " + format);
		};
	}

	private boolean learnJsonRoundTrip(Object value, Type declaredType) {
		try {
			byte[] bytes = toJson(value);
			Object decoded = fromJson(bytes, 0, bytes.length, declaredType);
			return Arrays.equals(bytes, toJson(decoded))
					&& (decoded.getClass() == value.getClass() || Objects.equals(decoded, value));
		}
		catch (RuntimeException ex) {
			return false;
		}
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
		try {
			Object value = this.mapper.readValue(source, offset, length, javaType(type));
			if (value == null) {
				throw new ValueDecodingException("JSON payload decodes to null as " + type.getTypeName());
			}
			return value;
		}
		catch (JacksonException ex) {
			throw new ValueDecodingException("Cannot read JSON payload as " + type.getTypeName(), ex);
		}
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
			throw new ValueEncodingException("Cannot serialize " + value.getClass().getName(), ex);
		}
		return bytes.toByteArray();
	}

	private Object deserialize(byte[] source, int offset, int length, Type type) {
		Object value;
		try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(source, offset, length))) {
			in.setObjectInputFilter(this.allowList);
			value = in.readObject();
		}
		catch (IOException | ClassNotFoundException | RuntimeException ex) {
			throw new ValueDecodingException("Cannot deserialize payload as " + type.getTypeName()
					+ " (classes outside " + this.allowList + " are refused)", ex);
		}
		Class<?> expected = ClassUtils.resolvePrimitiveIfNecessary(rawClass(type));
		if (value == null || !expected.isInstance(value)) {
			throw new ValueDecodingException("Serialized payload holds "
					+ (value != null ? value.getClass().getName() : "null") + ", expected " + type.getTypeName());
		}
		return value;
	}

	private Class<?> rawClass(Type type) {
		return javaType(type).getRawClass();
	}

	private record RoundTripKey(Type declaredType, Class<?> runtimeClass) {
	}

	@Override
	public String toString() {
		return "JsonOrSerializedValueCodec[" + this.allowList + "]";
	}

}
