package dev.tiercache.autoconfigure.beans;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.stream.BaseStream;

import org.jspecify.annotations.Nullable;

import org.springframework.util.ObjectUtils;

/**
 * The elements a bean method yields, read as they come: an {@code Iterable} (its iterator, or itself,
 * closed afterwards if it is {@code AutoCloseable}, as a cursor is), a {@code Stream} (closed afterwards)
 * or an array (a primitive array is read as its boxes); {@code null} yields nothing. Close it once read.
 * Not thread-safe.
 */
public final class YieldedElements implements Iterator<@Nullable Object>, AutoCloseable {

	private final Iterator<?> elements;

	private final @Nullable AutoCloseable resource;

	private YieldedElements(Iterator<?> elements, @Nullable AutoCloseable resource) {
		this.elements = elements;
		this.resource = resource;
	}

	/** Whether a method's return type is one this reads: an {@code Iterable}, a {@code Stream} or an array. */
	public static boolean readable(Method method) {
		Class<?> returned = method.getReturnType();
		return Iterable.class.isAssignableFrom(returned) || BaseStream.class.isAssignableFrom(returned)
				|| returned.isArray();
	}

	/** Reads what a method returned. */
	public static YieldedElements of(@Nullable Object yielded) {
		if (yielded instanceof BaseStream<?, ?> stream) {
			return new YieldedElements(stream.iterator(), stream);
		}
		if (yielded instanceof Iterable<?> iterable) {
			Iterator<?> iterator = iterable.iterator();
			AutoCloseable resource = (iterator instanceof AutoCloseable closeable) ? closeable
					: (iterable instanceof AutoCloseable closeable) ? closeable : null;
			return new YieldedElements(iterator, resource);
		}
		if (yielded != null) {
			return new YieldedElements(Arrays.asList(ObjectUtils.toObjectArray(yielded)).iterator(), null);
		}
		return new YieldedElements(Collections.emptyIterator(), null);
	}

	@Override
	public boolean hasNext() {
		return this.elements.hasNext();
	}

	@Override
	public @Nullable Object next() {
		return this.elements.next();
	}

	/** Closes the stream, or the cursor, the elements came from. */
	@Override
	public void close() throws Exception {
		AutoCloseable closeable = this.resource;
		if (closeable != null) {
			closeable.close();
		}
	}

}
