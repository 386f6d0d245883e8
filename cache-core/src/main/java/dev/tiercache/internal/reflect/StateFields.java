package dev.tiercache.internal.reflect;

import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields that hold an object's state: every field of its class and superclasses that is neither
 * static, transient nor synthetic, superclass fields first (for a record, its components in order),
 * made accessible. Worked out once per class. Thread-safe.
 */
public final class StateFields {

	private static final ClassValue<List<Field>> FIELDS = new ClassValue<>() {
		@Override
		protected List<Field> computeValue(Class<?> type) {
			return find(type);
		}
	};

	private StateFields() {
	}

	/**
	 * The state fields of a class.
	 * @throws InaccessibleObjectException if a field cannot be made accessible (a class in a module
	 * that does not open its package)
	 */
	public static List<Field> of(Class<?> type) {
		return FIELDS.get(type);
	}

	private static List<Field> find(Class<?> type) {
		List<Class<?>> hierarchy = new ArrayList<>();
		for (Class<?> current = type; current != null && current != Object.class; current = current.getSuperclass()) {
			hierarchy.add(0, current);
		}
		List<Field> fields = new ArrayList<>();
		for (Class<?> current : hierarchy) {
			for (Field field : current.getDeclaredFields()) {
				int modifiers = field.getModifiers();
				if (!Modifier.isStatic(modifiers) && !Modifier.isTransient(modifiers) && !field.isSynthetic()) {
					field.setAccessible(true);
					fields.add(field);
				}
			}
		}
		return List.copyOf(fields);
	}

}
