package dev.tiercache.codec;

import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.RecordComponent;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.introspect.MixInResolver;

import org.springframework.asm.ClassReader;
import org.springframework.asm.ClassVisitor;
import org.springframework.asm.Handle;
import org.springframework.asm.Label;
import org.springframework.asm.MethodVisitor;
import org.springframework.asm.Opcodes;
import org.springframework.asm.SpringAsmInfo;
import org.springframework.asm.Type;

/**
 * Tells whether Jackson writes a record as exactly its components and reads it back through its
 * canonical constructor, as it does for a plain record: one with no Jackson annotation on itself,
 * its interfaces or any of their members (a {@code @JsonIgnore} or {@code @JsonProperty} written on a
 * record component is on its field, accessor or constructor parameter, where
 * {@code RecordComponent.getAnnotations()} does not show it), no mix-in for any of them in the mapper,
 * and accessors that return their field unchanged (read from the class file: an accessor declared in
 * the record may change the value it returns, or carry annotations of its own). A record whose class
 * file cannot be read is not plain. Thread-safe.
 */
final class PlainRecords {

	private final MixInResolver serializationMixIns;

	private final MixInResolver deserializationMixIns;

	PlainRecords(MixInResolver serializationMixIns, MixInResolver deserializationMixIns) {
		this.serializationMixIns = serializationMixIns;
		this.deserializationMixIns = deserializationMixIns;
	}

	/** Whether the record is plain (see the class description); {@code record} must be a record class. */
	boolean isPlain(Class<?> record) {
		for (Class<?> type : typeAndInterfaces(record)) {
			if (this.serializationMixIns.findMixInClassFor(type) != null
					|| this.deserializationMixIns.findMixInClassFor(type) != null || hasJacksonAnnotation(type)) {
				return false;
			}
		}
		return accessorsReturnTheirFields(record);
	}

	private static Set<Class<?>> typeAndInterfaces(Class<?> record) {
		Set<Class<?>> types = new HashSet<>();
		Deque<Class<?>> pending = new ArrayDeque<>();
		pending.add(record);
		while (!pending.isEmpty()) {
			Class<?> type = pending.remove();
			if (types.add(type)) {
				pending.addAll(List.of(type.getInterfaces()));
			}
		}
		return types;
	}

	/** Whether Jackson annotations are on the type or any member it declares (or their parameters). */
	private static boolean hasJacksonAnnotation(Class<?> type) {
		if (isAnnotatedForJackson(type)) {
			return true;
		}
		for (Field field : type.getDeclaredFields()) {
			if (isAnnotatedForJackson(field)) {
				return true;
			}
		}
		for (Method method : type.getDeclaredMethods()) {
			if (isAnnotatedForJackson(method) || hasAnnotatedParameter(method.getParameters())) {
				return true;
			}
		}
		for (Constructor<?> constructor : type.getDeclaredConstructors()) {
			if (isAnnotatedForJackson(constructor) || hasAnnotatedParameter(constructor.getParameters())) {
				return true;
			}
		}
		return false;
	}

	private static boolean hasAnnotatedParameter(Parameter[] parameters) {
		for (Parameter parameter : parameters) {
			if (isAnnotatedForJackson(parameter)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether an annotation on the element is Jackson's, or is composed of Jackson's
	 * ({@code @JacksonAnnotationsInside}).
	 */
	private static boolean isAnnotatedForJackson(AnnotatedElement element) {
		for (Annotation annotation : element.getAnnotations()) {
			if (isJackson(annotation.annotationType())) {
				return true;
			}
			for (Annotation meta : annotation.annotationType().getAnnotations()) {
				if (isJackson(meta.annotationType())) {
					return true;
				}
			}
		}
		return false;
	}

	private static boolean isJackson(Class<? extends Annotation> annotationType) {
		String name = annotationType.getName();
		return name.startsWith("com.fasterxml.jackson.") || name.startsWith("tools.jackson.");
	}

	/** Whether every accessor of the record is, in its class file, {@code return this.field;}. */
	private static boolean accessorsReturnTheirFields(Class<?> record) {
		ClassLoader loader = record.getClassLoader();
		if (loader == null) {
			return false;
		}
		Map<String, String> fieldsByAccessor = new HashMap<>();
		for (RecordComponent component : record.getRecordComponents()) {
			fieldsByAccessor.put(component.getName() + Type.getMethodDescriptor(component.getAccessor()),
					component.getName());
		}
		try (InputStream classFile = loader.getResourceAsStream(record.getName().replace('.', '/') + ".class")) {
			if (classFile == null) {
				return false;
			}
			AccessorReader reader = new AccessorReader(fieldsByAccessor);
			new ClassReader(classFile).accept(reader, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
			return reader.plainAccessors == fieldsByAccessor.size();
		}
		catch (IOException | RuntimeException ex) {
			return false;
		}
	}

	/** Counts the accessors whose code is exactly {@code aload_0; getfield <its field>; return}. */
	private static final class AccessorReader extends ClassVisitor {

		private final Map<String, String> fieldsByAccessor;

		private String owner = "";

		int plainAccessors;

		AccessorReader(Map<String, String> fieldsByAccessor) {
			super(SpringAsmInfo.ASM_VERSION);
			this.fieldsByAccessor = fieldsByAccessor;
		}

		@Override
		public void visit(int version, int access, String name, @Nullable String signature, @Nullable String superName,
				String @Nullable [] interfaces) {
			this.owner = name;
		}

		@Override
		public @Nullable MethodVisitor visitMethod(int access, String name, String descriptor,
				@Nullable String signature, String @Nullable [] exceptions) {
			String field = this.fieldsByAccessor.get(name + descriptor);
			if (field == null) {
				return null;
			}
			Type returned = Type.getReturnType(descriptor);
			String expected = Opcodes.ALOAD + " 0;" + Opcodes.GETFIELD + " " + this.owner + "." + field + ":"
					+ returned.getDescriptor() + ";" + returned.getOpcode(Opcodes.IRETURN) + ";";
			return new InstructionTrace(() -> this.plainAccessors++, expected);
		}

	}

	/** Writes a method's instructions as text and runs {@code onMatch} if the text is what was expected. */
	private static final class InstructionTrace extends MethodVisitor {

		private final Runnable onMatch;

		private final String expected;

		private final StringBuilder trace = new StringBuilder(48);

		InstructionTrace(Runnable onMatch, String expected) {
			super(SpringAsmInfo.ASM_VERSION);
			this.onMatch = onMatch;
			this.expected = expected;
		}

		private void other() {
			this.trace.append("other;");
		}

		@Override
		public void visitInsn(int opcode) {
			this.trace.append(opcode).append(';');
		}

		@Override
		public void visitVarInsn(int opcode, int index) {
			this.trace.append(opcode).append(' ').append(index).append(';');
		}

		@Override
		public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
			this.trace.append(opcode).append(' ').append(owner).append('.').append(name).append(':').append(descriptor)
				.append(';');
		}

		@Override
		public void visitIntInsn(int opcode, int operand) {
			other();
		}

		@Override
		public void visitTypeInsn(int opcode, String type) {
			other();
		}

		@Override
		public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
			other();
		}

		@Override
		public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrapMethodHandle,
				Object... bootstrapMethodArguments) {
			other();
		}

		@Override
		public void visitJumpInsn(int opcode, Label label) {
			other();
		}

		@Override
		public void visitLdcInsn(Object value) {
			other();
		}

		@Override
		public void visitIincInsn(int varIndex, int increment) {
			other();
		}

		@Override
		public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
			other();
		}

		@Override
		public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
			other();
		}

		@Override
		public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
			other();
		}

		@Override
		public void visitEnd() {
			if (this.trace.toString().equals(this.expected)) {
				this.onMatch.run();
			}
		}

	}

}
