package dev.tiercache.tier;

import java.lang.reflect.Type;

import org.jspecify.annotations.Nullable;

import dev.tiercache.coherence.EntryTags;
import dev.tiercache.coherence.WriteTokens;

/**
 * One entry of a {@link LocalTier}.
 *
 * <p><b>A value is given only to callers it was decoded for.</b> An entry read from Redis remembers the
 * type it was decoded as ({@link LocalTier#fillRead}); the application's own objects (written or loaded
 * here) remember none. A caller is given an entry by {@link #readableAs}: a caller of a parameterized
 * type gets a decoded value only if it was decoded as that type (identity first, so a hit of the usual
 * caller costs one comparison), and otherwise reads Redis, where the value is decoded as its type: a
 * {@code List} decoded as the raw {@code List} holds maps, never handed to a {@code List<Book>} caller
 * ({@code LocalTierTests}: {@code aValueDecodedAsARawListIsNotGivenFromL1ToACallerOfAListOfBooks},
 * {@code aCallerOfAListOfBooksThatJoinsAReadAsARawListReadsForItself}).
 *
 * @param value the value, {@code null} for a cached null
 * @param decodedAs the type the value was decoded as from Redis, or {@code null} for the application's
 * own object (written or loaded by this instance)
 * @param rendered the key as Redis names it, in a tier that mirrors Redis
 * @param deadlineNanos when it expires, on the {@link CoarseClock}
 * @param writeToken the {@link WriteTokens token} of what this instance wrote to Redis with it, or
 * {@link WriteTokens#NONE}
 * @param tags the entry's tags, checked on every hit ({@link dev.tiercache.coherence.TagVersions#freshLocally}),
 * or {@code null}
 */
record LocalEntry(@Nullable Object value, @Nullable Type decodedAs, @Nullable String rendered, long deadlineNanos,
		long writeToken, @Nullable EntryTags tags) {

	/**
	 * Whether a caller reading values of {@code type}, whose raw class is {@code rawType}, may be given
	 * this one ({@link Types#readableAs}); if not, it reads Redis, where the value is decoded as its type.
	 * Allocates nothing.
	 */
	boolean readableAs(Type type, Class<?> rawType) {
		return Types.readableAs(this.value, this.decodedAs, type, rawType);
	}

}
