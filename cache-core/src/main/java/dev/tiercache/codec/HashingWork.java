package dev.tiercache.codec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Counts, before a Java-serialized payload is read, the steps that reading it would spend computing
 * hash codes, and refuses a payload whose count is over its {@linkplain HashingBudget budget}: at least
 * {@value HashingBudget#MIN_BUDGET} steps, {@value HashingBudget#BUDGET_PER_BYTE} per payload byte beyond
 * that. So a nested-set bomb (a few kB of sets
 * that share their members, whose hash codes take width<sup>depth</sup> steps) is refused before any
 * object is made, however deep or wide it is.
 *
 * <p>It follows the stream's grammar (the Java Object Serialization Specification, section 6.4)
 * without loading a class or making an object, and counts what {@code HashMap}, {@code HashSet} and
 * {@code Hashtable} (and their subclasses) do when read: each key they read (each element of a set)
 * is hashed once it is read, and hashing it visits every object it reaches, once per path. So each
 * object's size is itself plus the sizes of the objects it refers to when it is complete (shared ones
 * once for each reference); a reference to an object still being read counts what that object holds
 * by then if it is a collection that fills as it is read (a hash table, a {@code LinkedList}, an
 * {@code IdentityHashMap}), and one step otherwise (its fields are set only once it is read). A class
 * whose {@code writeObject} does not call {@code defaultWriteObject} or {@code writeFields} first, as
 * the specification requires, cannot be followed: a payload holding one is refused, as is one deeper
 * than {@link SerializationAllowList#MAX_DEPTH}. A payload that names no hash table class is not
 * followed at all. Thread-safe (each call works on its own state). {@code HashingWorkTests} checks it.
 *
 * <p>This class follows the grammar and knows what hash tables hash; {@link SerializedBytes} reads the
 * stream's primitive encodings within the payload, and {@link HashingBudget} counts the steps and the
 * nesting against their limits.
 */
final class HashingWork {

	/** What the names of {@code java.util.HashMap}, {@code HashSet} and {@code Hashtable} start with. */
	private static final byte[] HASH_TABLE_NAMES = "java.util.Hash".getBytes(StandardCharsets.US_ASCII);

	private static final Set<String> HASH_SETS = Set.of("java.util.HashSet");

	private static final Set<String> HASH_MAPS = Set.of("java.util.HashMap", "java.util.Hashtable");

	private static final int STREAM_MAGIC = 0xaced;

	private static final int STREAM_VERSION = 5;

	private static final int BASE_HANDLE = 0x7e0000;

	private static final byte TC_NULL = 0x70;

	private static final byte TC_REFERENCE = 0x71;

	private static final byte TC_CLASSDESC = 0x72;

	private static final byte TC_OBJECT = 0x73;

	private static final byte TC_STRING = 0x74;

	private static final byte TC_ARRAY = 0x75;

	private static final byte TC_CLASS = 0x76;

	private static final byte TC_BLOCKDATA = 0x77;

	private static final byte TC_ENDBLOCKDATA = 0x78;

	private static final byte TC_RESET = 0x79;

	private static final byte TC_BLOCKDATALONG = 0x7a;

	private static final byte TC_LONGSTRING = 0x7c;

	private static final byte TC_PROXYCLASSDESC = 0x7d;

	private static final byte TC_ENUM = 0x7e;

	private static final int SC_WRITE_METHOD = 0x01;

	private static final int SC_SERIALIZABLE = 0x02;

	private static final int SC_EXTERNALIZABLE = 0x04;

	private static final int SC_BLOCK_DATA = 0x08;

	private static final Object STRING = new Object();

	private final SerializedBytes in;

	private final HashingBudget budget;

	/** What each handle names: a {@link SerializedClass}, an {@link HashingSize}, or {@link #STRING}. */
	private final List<Object> handles = new ArrayList<>();

	private HashingWork(byte[] bytes, int offset, int length) {
		this.in = new SerializedBytes(bytes, offset, length);
		this.budget = new HashingBudget(length);
	}

	/**
	 * What a payload's hashing would exceed, or {@code null} if reading it stays within its budget (or
	 * hashes nothing).
	 */
	static @Nullable String refusal(byte[] source, int offset, int length) {
		if (!contains(source, offset, length, HASH_TABLE_NAMES)) {
			return null;
		}
		HashingWork work = new HashingWork(source, offset, length);
		try {
			work.readStream();
			return null;
		}
		catch (HashingRefused ex) {
			return ex.getMessage();
		}
	}

	private static boolean contains(byte[] source, int offset, int length, byte[] pattern) {
		int last = offset + length - pattern.length;
		outer: for (int i = offset; i <= last; i++) {
			for (int j = 0; j < pattern.length; j++) {
				if (source[i + j] != pattern[j]) {
					continue outer;
				}
			}
			return true;
		}
		return false;
	}

	private void readStream() {
		if (this.in.readUnsignedShort() != STREAM_MAGIC || this.in.readUnsignedShort() != STREAM_VERSION) {
			throw HashingRefused.cannotFollow("no serialization stream header");
		}
		while (this.in.peek() == TC_RESET) {
			this.in.skip(1);
			this.handles.clear();
		}
		readContent();
	}

	/** Reads one object (or reference to one) and returns its size. */
	private long readContent() {
		byte tag = this.in.readByte();
		return switch (tag) {
			case TC_NULL -> 0;
			case TC_REFERENCE -> referenced(this.in.readInt() - BASE_HANDLE);
			case TC_STRING -> readString(this.in.readUnsignedShort());
			case TC_LONGSTRING -> readString(this.in.readLong());
			case TC_OBJECT -> readObject();
			case TC_ARRAY -> readArray();
			case TC_ENUM -> readEnum();
			case TC_CLASS -> {
				requireClassDesc();
				this.handles.add(HashingSize.complete());
				yield 1;
			}
			case TC_CLASSDESC, TC_PROXYCLASSDESC -> {
				readClassDesc(tag);
				yield 1;
			}
			default -> throw unexpected(tag, "an object");
		};
	}

	/** The size a reference to an object read before adds to what holds it. */
	private long referenced(int handle) {
		if (handle < 0 || handle >= this.handles.size()) {
			throw HashingRefused.cannotFollow("a reference to handle " + handle + ", which was never assigned");
		}
		return (this.handles.get(handle) instanceof HashingSize size) ? size.referenced() : 1;
	}

	private long readString(long length) {
		this.handles.add(STRING);
		this.in.skip(length);
		return 1;
	}

	private long readObject() {
		SerializedClass desc = requireClassDesc();
		HashingSize item = new HashingSize(desc.filledAsRead());
		this.handles.add(item);
		this.budget.enter();
		if ((desc.flags & SC_EXTERNALIZABLE) != 0) {
			if ((desc.flags & SC_BLOCK_DATA) == 0) {
				throw HashingRefused.cannotFollow("an Externalizable " + desc.name + " written with stream protocol 1");
			}
			readAnnotation(item, desc.name);
		}
		else {
			for (SerializedClass level : desc.hierarchy()) {
				readClassData(item, level);
			}
		}
		this.budget.leave();
		return item.finish();
	}

	/** Reads the fields one class of an object wrote, then what its {@code writeObject} wrote. */
	private void readClassData(HashingSize item, SerializedClass level) {
		if ((level.flags & SC_SERIALIZABLE) == 0) {
			return;
		}
		for (char type : level.fieldTypes) {
			if (type == 'L' || type == '[') {
				item.add(readContent(), this.budget);
			}
			else {
				this.in.skip(primitiveWidth(type));
			}
		}
		if ((level.flags & SC_WRITE_METHOD) != 0) {
			readAnnotation(item, level.name);
		}
	}

	/**
	 * Reads what a {@code writeObject} (or {@code writeExternal}) wrote after the fields, up to its end
	 * marker, counting the keys that a hash table of class {@code className} hashes as it reads them.
	 */
	private void readAnnotation(@Nullable HashingSize item, String className) {
		boolean set = HASH_SETS.contains(className);
		boolean map = HASH_MAPS.contains(className);
		int objects = 0;
		while (true) {
			byte tag = this.in.peek();
			if (tag == TC_ENDBLOCKDATA) {
				this.in.skip(1);
				return;
			}
			if (tag == TC_BLOCKDATA) {
				this.in.skip(1);
				this.in.skip(this.in.readByte() & 0xff);
			}
			else if (tag == TC_BLOCKDATALONG) {
				this.in.skip(1);
				this.in.skip(this.in.readInt());
			}
			else {
				long size = readContent();
				if (item != null) {
					item.add(size, this.budget);
				}
				if (set || (map && objects % 2 == 0)) {
					this.budget.spend(size);
				}
				objects++;
			}
		}
	}

	private long readArray() {
		SerializedClass desc = requireClassDesc();
		HashingSize item = new HashingSize(false);
		this.handles.add(item);
		int length = this.in.readInt();
		if (desc.name.length() < 2 || desc.name.charAt(0) != '[') {
			throw HashingRefused.cannotFollow("an array of class " + desc.name);
		}
		char component = desc.name.charAt(1);
		if (component == 'L' || component == '[') {
			if (length < 0 || length > this.in.remaining()) {
				throw HashingRefused.cannotFollow("an array of " + length + " elements in what is left of the payload");
			}
			this.budget.enter();
			for (int i = 0; i < length; i++) {
				item.add(readContent(), this.budget);
			}
			this.budget.leave();
		}
		else {
			this.in.skip((long) length * primitiveWidth(component));
		}
		return item.finish();
	}

	private long readEnum() {
		requireClassDesc();
		this.handles.add(HashingSize.complete());
		readTypeString();
		return 1;
	}

	private SerializedClass requireClassDesc() {
		SerializedClass desc = readClassDesc();
		if (desc == null) {
			throw HashingRefused.cannotFollow("an object without a class");
		}
		return desc;
	}

	private @Nullable SerializedClass readClassDesc() {
		return readClassDesc(this.in.readByte());
	}

	/** Reads a class description (or a reference to one) whose tag was read. */
	private @Nullable SerializedClass readClassDesc(byte tag) {
		switch (tag) {
			case TC_NULL:
				return null;
			case TC_REFERENCE: {
				int handle = this.in.readInt() - BASE_HANDLE;
				if (handle >= 0 && handle < this.handles.size() && this.handles.get(handle) instanceof SerializedClass desc) {
					return desc;
				}
				throw HashingRefused.cannotFollow("a class reference to handle " + handle + ", which names no class");
			}
			case TC_CLASSDESC: {
				String name = this.in.readUtf();
				this.in.skip(8);
				SerializedClass desc = new SerializedClass(name);
				this.handles.add(desc);
				desc.flags = this.in.readByte();
				int fields = this.in.readUnsignedShort();
				desc.fieldTypes = new char[fields];
				for (int i = 0; i < fields; i++) {
					desc.fieldTypes[i] = (char) (this.in.readByte() & 0xff);
					this.in.skipUtf();
					if (desc.fieldTypes[i] == 'L' || desc.fieldTypes[i] == '[') {
						readTypeString();
					}
				}
				readAnnotation(null, "");
				desc.superclass = readClassDesc();
				return desc;
			}
			case TC_PROXYCLASSDESC: {
				SerializedClass desc = new SerializedClass("a proxy class");
				this.handles.add(desc);
				int interfaces = this.in.readInt();
				for (int i = 0; i < interfaces; i++) {
					this.in.skipUtf();
				}
				readAnnotation(null, "");
				desc.superclass = readClassDesc();
				return desc;
			}
			default:
				throw unexpected(tag, "a class");
		}
	}

	/** Reads a string that names a type or an enum constant: new, or a reference to one read before. */
	private void readTypeString() {
		byte tag = this.in.readByte();
		switch (tag) {
			case TC_STRING -> readString(this.in.readUnsignedShort());
			case TC_LONGSTRING -> readString(this.in.readLong());
			case TC_REFERENCE -> referenced(this.in.readInt() - BASE_HANDLE);
			case TC_NULL -> {
			}
			default -> throw unexpected(tag, "a name");
		}
	}

	/** The refusal of a tag where {@code what} belongs. */
	private static HashingRefused unexpected(byte tag, String what) {
		return HashingRefused.cannotFollow("tag 0x" + Integer.toHexString(tag & 0xff) + " where " + what + " belongs");
	}

	private static int primitiveWidth(char type) {
		return switch (type) {
			case 'B', 'Z' -> 1;
			case 'C', 'S' -> 2;
			case 'I', 'F' -> 4;
			case 'J', 'D' -> 8;
			default -> throw HashingRefused.cannotFollow("field type '" + type + "'");
		};
	}

}
