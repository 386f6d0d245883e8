package dev.tiercache.codec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Counts, before a Java-serialized payload is read, the steps that reading it would spend computing
 * hash codes, and refuses a payload whose count is over its budget: at least {@value #MIN_BUDGET}
 * steps, {@value #BUDGET_PER_BYTE} per payload byte beyond that. So a nested-set bomb (a few kB of sets
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
 * followed at all. Thread-safe (each call works on its own state).
 */
final class HashingWork {

	/** The budget of a small payload, in steps. */
	static final long MIN_BUDGET = 1_000_000;

	/** The budget per payload byte, in steps. */
	static final long BUDGET_PER_BYTE = 32;

	/** What the names of {@code java.util.HashMap}, {@code HashSet} and {@code Hashtable} start with. */
	private static final byte[] HASH_TABLE_NAMES = "java.util.Hash".getBytes(StandardCharsets.US_ASCII);

	private static final Set<String> HASH_SETS = Set.of("java.util.HashSet");

	private static final Set<String> HASH_MAPS = Set.of("java.util.HashMap", "java.util.Hashtable");

	/** Collections whose hash code, while they are read, covers what they hold so far. */
	private static final Set<String> FILLED_AS_READ = Set.of("java.util.HashSet", "java.util.HashMap",
			"java.util.Hashtable", "java.util.LinkedList", "java.util.IdentityHashMap");

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

	private final byte[] bytes;

	private final int end;

	private final long budget;

	private int position;

	private long spent;

	private int depth;

	/** What each handle names: a {@link ClassDesc}, an {@link Item}, or {@link #STRING}. */
	private final List<Object> handles = new ArrayList<>();

	private HashingWork(byte[] bytes, int offset, int length) {
		this.bytes = bytes;
		this.position = offset;
		this.end = offset + length;
		this.budget = Math.max(MIN_BUDGET, BUDGET_PER_BYTE * length);
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
		catch (Refused ex) {
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
		if (readUnsignedShort() != STREAM_MAGIC || readUnsignedShort() != STREAM_VERSION) {
			throw cannotFollow("no serialization stream header");
		}
		while (peek() == TC_RESET) {
			this.position++;
			this.handles.clear();
		}
		readContent();
	}

	/** Reads one object (or reference to one) and returns its size. */
	private long readContent() {
		byte tag = readByte();
		return switch (tag) {
			case TC_NULL -> 0;
			case TC_REFERENCE -> referenced(readInt() - BASE_HANDLE);
			case TC_STRING -> readString(readUnsignedShort());
			case TC_LONGSTRING -> readString(readLong());
			case TC_OBJECT -> readObject();
			case TC_ARRAY -> readArray();
			case TC_ENUM -> readEnum();
			case TC_CLASS -> {
				requireClassDesc();
				this.handles.add(Item.complete());
				yield 1;
			}
			case TC_CLASSDESC, TC_PROXYCLASSDESC -> {
				this.position--;
				readClassDesc();
				yield 1;
			}
			default -> throw cannotFollow("tag 0x" + Integer.toHexString(tag & 0xff) + " where an object belongs");
		};
	}

	/** The size a reference to an object read before adds to what holds it. */
	private long referenced(int handle) {
		if (handle < 0 || handle >= this.handles.size()) {
			throw cannotFollow("a reference to handle " + handle + ", which was never assigned");
		}
		Object named = this.handles.get(handle);
		if (named instanceof Item item) {
			return item.complete ? item.size : (item.filledAsRead ? item.size : 1);
		}
		return 1;
	}

	private long readString(long length) {
		this.handles.add(STRING);
		skip(length);
		return 1;
	}

	private long readObject() {
		ClassDesc desc = requireClassDesc();
		Item item = new Item(desc.filledAsRead());
		this.handles.add(item);
		enter();
		if ((desc.flags & SC_EXTERNALIZABLE) != 0) {
			if ((desc.flags & SC_BLOCK_DATA) == 0) {
				throw cannotFollow("an Externalizable " + desc.name + " written with stream protocol 1");
			}
			readAnnotation(item, desc.name);
		}
		else {
			for (ClassDesc level : desc.hierarchy()) {
				readClassData(item, level);
			}
		}
		leave();
		return item.finish();
	}

	/** Reads the fields one class of an object wrote, then what its {@code writeObject} wrote. */
	private void readClassData(Item item, ClassDesc level) {
		if ((level.flags & SC_SERIALIZABLE) == 0) {
			return;
		}
		for (char type : level.fieldTypes) {
			if (type == 'L' || type == '[') {
				item.add(readContent(), this.budget);
			}
			else {
				skip(primitiveWidth(type));
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
	private void readAnnotation(@Nullable Item item, String className) {
		boolean set = HASH_SETS.contains(className);
		boolean map = HASH_MAPS.contains(className);
		int objects = 0;
		while (true) {
			byte tag = peek();
			if (tag == TC_ENDBLOCKDATA) {
				this.position++;
				return;
			}
			if (tag == TC_BLOCKDATA) {
				this.position++;
				skip(readByte() & 0xff);
			}
			else if (tag == TC_BLOCKDATALONG) {
				this.position++;
				skip(readInt());
			}
			else {
				long size = readContent();
				if (item != null) {
					item.add(size, this.budget);
				}
				if (set || (map && objects % 2 == 0)) {
					spend(size);
				}
				objects++;
			}
		}
	}

	private long readArray() {
		ClassDesc desc = requireClassDesc();
		Item item = new Item(false);
		this.handles.add(item);
		int length = readInt();
		if (desc.name.length() < 2 || desc.name.charAt(0) != '[') {
			throw cannotFollow("an array of class " + desc.name);
		}
		char component = desc.name.charAt(1);
		if (component == 'L' || component == '[') {
			if (length < 0 || length > this.end - this.position) {
				throw cannotFollow("an array of " + length + " elements in what is left of the payload");
			}
			enter();
			for (int i = 0; i < length; i++) {
				item.add(readContent(), this.budget);
			}
			leave();
		}
		else {
			skip((long) length * primitiveWidth(component));
		}
		return item.finish();
	}

	private long readEnum() {
		requireClassDesc();
		this.handles.add(Item.complete());
		readTypeString();
		return 1;
	}

	private ClassDesc requireClassDesc() {
		ClassDesc desc = readClassDesc();
		if (desc == null) {
			throw cannotFollow("an object without a class");
		}
		return desc;
	}

	private @Nullable ClassDesc readClassDesc() {
		byte tag = readByte();
		switch (tag) {
			case TC_NULL:
				return null;
			case TC_REFERENCE: {
				int handle = readInt() - BASE_HANDLE;
				if (handle >= 0 && handle < this.handles.size() && this.handles.get(handle) instanceof ClassDesc desc) {
					return desc;
				}
				throw cannotFollow("a class reference to handle " + handle + ", which names no class");
			}
			case TC_CLASSDESC: {
				String name = readUtf();
				skip(8);
				ClassDesc desc = new ClassDesc(name);
				this.handles.add(desc);
				desc.flags = readByte();
				int fields = readUnsignedShort();
				desc.fieldTypes = new char[fields];
				for (int i = 0; i < fields; i++) {
					desc.fieldTypes[i] = (char) (readByte() & 0xff);
					skipUtf();
					if (desc.fieldTypes[i] == 'L' || desc.fieldTypes[i] == '[') {
						readTypeString();
					}
				}
				readAnnotation(null, "");
				desc.superclass = readClassDesc();
				return desc;
			}
			case TC_PROXYCLASSDESC: {
				ClassDesc desc = new ClassDesc("a proxy class");
				this.handles.add(desc);
				int interfaces = readInt();
				for (int i = 0; i < interfaces; i++) {
					skipUtf();
				}
				readAnnotation(null, "");
				desc.superclass = readClassDesc();
				return desc;
			}
			default:
				throw cannotFollow("tag 0x" + Integer.toHexString(tag & 0xff) + " where a class belongs");
		}
	}

	/** Reads a string that names a type or an enum constant: new, or a reference to one read before. */
	private void readTypeString() {
		byte tag = readByte();
		switch (tag) {
			case TC_STRING -> readString(readUnsignedShort());
			case TC_LONGSTRING -> readString(readLong());
			case TC_REFERENCE -> referenced(readInt() - BASE_HANDLE);
			case TC_NULL -> {
			}
			default -> throw cannotFollow("tag 0x" + Integer.toHexString(tag & 0xff) + " where a name belongs");
		}
	}

	private void enter() {
		if (++this.depth > SerializationAllowList.MAX_DEPTH) {
			throw new Refused("an object graph deeper than " + SerializationAllowList.MAX_DEPTH);
		}
	}

	private void leave() {
		this.depth--;
	}

	private void spend(long steps) {
		this.spent += steps;
		if (this.spent > this.budget) {
			throw new Refused("an object graph whose hash codes take more than " + this.budget
					+ " steps to compute (at most " + BUDGET_PER_BYTE + " per payload byte, and at least "
					+ MIN_BUDGET + ", are allowed)");
		}
	}

	private static int primitiveWidth(char type) {
		return switch (type) {
			case 'B', 'Z' -> 1;
			case 'C', 'S' -> 2;
			case 'I', 'F' -> 4;
			case 'J', 'D' -> 8;
			default -> throw cannotFollow("field type '" + type + "'");
		};
	}

	private byte peek() {
		if (this.position >= this.end) {
			throw cannotFollow("its end before the object is complete");
		}
		return this.bytes[this.position];
	}

	private byte readByte() {
		byte value = peek();
		this.position++;
		return value;
	}

	private int readUnsignedShort() {
		return ((readByte() & 0xff) << 8) | (readByte() & 0xff);
	}

	private int readInt() {
		return (readUnsignedShort() << 16) | readUnsignedShort();
	}

	private long readLong() {
		return ((long) readInt() << 32) | (readInt() & 0xffffffffL);
	}

	private String readUtf() {
		int length = readUnsignedShort();
		int start = this.position;
		skip(length);
		return new String(this.bytes, start, length, StandardCharsets.UTF_8);
	}

	private void skipUtf() {
		skip(readUnsignedShort());
	}

	private void skip(long count) {
		if (count < 0 || count > this.end - this.position) {
			throw cannotFollow("its end within a value");
		}
		this.position += (int) count;
	}

	private static Refused cannotFollow(String what) {
		return new Refused("a stream that cannot be followed (" + what + "; a class whose writeObject does not"
				+ " call defaultWriteObject or writeFields first, as the serialization specification requires,"
				+ " cannot be checked)");
	}

	/** A class description: its name, flags, field types and superclass. */
	private static final class ClassDesc {

		final String name;

		byte flags;

		char[] fieldTypes = new char[0];

		@Nullable ClassDesc superclass;

		ClassDesc(String name) {
			this.name = name;
		}

		/** The classes whose data an object of this class holds, highest superclass first. */
		List<ClassDesc> hierarchy() {
			List<ClassDesc> levels = new ArrayList<>();
			for (ClassDesc level = this; level != null; level = level.superclass) {
				levels.add(0, level);
			}
			return levels;
		}

		boolean filledAsRead() {
			for (ClassDesc level = this; level != null; level = level.superclass) {
				if (FILLED_AS_READ.contains(level.name)) {
					return true;
				}
			}
			return false;
		}

	}

	/** An object or array being read or read: its size so far, and whether it is complete. */
	private static final class Item {

		final boolean filledAsRead;

		long size = 1;

		boolean complete;

		Item(boolean filledAsRead) {
			this.filledAsRead = filledAsRead;
		}

		static Item complete() {
			Item item = new Item(false);
			item.complete = true;
			return item;
		}

		/** Adds a part's size, saturating just above the budget (a size that large is refused anyway). */
		void add(long partSize, long budget) {
			this.size = Math.min(this.size + partSize, budget + 1);
		}

		long finish() {
			this.complete = true;
			return this.size;
		}

	}

	/** Why a payload is refused. */
	private static final class Refused extends RuntimeException {

		Refused(String message) {
			super(message, null, false, false);
		}

	}

}
