package dev.tiercache.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import dev.tiercache.test.JavaSerialization;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link HashingWork#refusal} on streams beyond the set bombs of {@code HashingWorkTests}: map, table
 * and subclass bombs, streams it cannot follow (no header, truncated, reset first), nesting past the
 * depth limit, the payload's slice of a larger buffer, and ordinary large tables within budget.
 */
class HashingWorkStreamTests {

	@Test
	void aPayloadThatNamesNoHashTableIsNotFollowed() {
		byte[] garbage = "not a serialization stream at all".getBytes(StandardCharsets.US_ASCII);
		assertThat(HashingWork.refusal(garbage, 0, garbage.length)).isNull();
	}

	@Test
	void garbageThatNamesAHashTableCannotBeFollowedAndIsRefused() {
		byte[] garbage = "garbage that mentions java.util.HashMap".getBytes(StandardCharsets.US_ASCII);
		assertThat(HashingWork.refusal(garbage, 0, garbage.length)).contains("cannot be followed")
			.contains("no serialization stream header");
	}

	@Test
	void aTruncatedTableIsRefusedRatherThanFollowedPastItsEnd() {
		Map<String, String> map = new HashMap<>();
		for (int i = 0; i < 50; i++) {
			map.put("key" + i, "value" + i);
		}
		byte[] whole = JavaSerialization.serialize(new HashMap<>(map));
		assertThat(HashingWork.refusal(whole, 0, whole.length)).isNull();
		for (int length : new int[] { whole.length - 1, whole.length / 2, 60 }) {
			assertThat(HashingWork.refusal(whole, 0, length)).as("%d of %d bytes", length, whole.length).isNotNull();
		}
	}

	@Test
	void onlyThePayloadsSliceOfTheBufferIsRead() {
		byte[] payload = JavaSerialization.serialize("a plain string");
		byte[] padding = "java.util.HashMap".getBytes(StandardCharsets.US_ASCII);
		byte[] buffer = new byte[padding.length + payload.length + padding.length];
		System.arraycopy(padding, 0, buffer, 0, padding.length);
		System.arraycopy(payload, 0, buffer, padding.length, payload.length);
		System.arraycopy(padding, 0, buffer, padding.length + payload.length, padding.length);
		assertThat(HashingWork.refusal(buffer, padding.length, payload.length)).isNull();
		byte[] bomb = JavaSerialization.serialize(mapBomb(25, 2));
		byte[] framed = new byte[bomb.length + 9];
		System.arraycopy(bomb, 0, framed, 9, bomb.length);
		assertThat(HashingWork.refusal(framed, 9, bomb.length)).contains("hash codes take more than");
	}

	@Test
	void aMapWhoseKeysAreNestedMapsIsRefused() {
		byte[] bomb = JavaSerialization.serialize(mapBomb(25, 2));
		assertThat(bomb.length).isLessThan(8192);
		assertThat(HashingWork.refusal(bomb, 0, bomb.length)).contains("hash codes take more than");
	}

	@Test
	void aHashtableBombIsRefused() {
		byte[] payload = JavaSerialization.serialize(mapBomb(25, 2, Hashtable::new));
		assertThat(HashingWork.refusal(payload, 0, payload.length)).contains("hash codes take more than");
	}

	@Test
	void aBombOfHashSetSubclassesIsRefused() {
		Set<Object> root = new LinkedHashSet<>();
		List<Set<Object>> level = List.of(root);
		for (int i = 0; i < 25; i++) {
			List<Set<Object>> next = new ArrayList<>();
			for (int j = 0; j < 2; j++) {
				Set<Object> set = new LinkedHashSet<>();
				set.add("leaf " + i + "." + j);
				next.add(set);
			}
			for (Set<Object> set : level) {
				set.addAll(next);
			}
			level = next;
		}
		byte[] payload = JavaSerialization.serialize(root);
		assertThat(HashingWork.refusal(payload, 0, payload.length)).contains("hash codes take more than");
	}

	@Test
	void aBombAfterAStreamResetIsStillRefused() throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
			out.reset();
			out.writeObject(mapBomb(25, 2));
		}
		byte[] payload = bytes.toByteArray();
		assertThat(payload[4]).as("TC_RESET").isEqualTo((byte) 0x79);
		assertThat(HashingWork.refusal(payload, 0, payload.length)).contains("hash codes take more than");
	}

	@Test
	void tablesNestedDeeperThanTheLimitAreRefused() {
		Map<String, Object> root = new HashMap<>();
		Map<String, Object> current = root;
		for (int i = 0; i < SerializationAllowList.MAX_DEPTH + 5; i++) {
			Map<String, Object> next = new HashMap<>();
			current.put("next", next);
			current = next;
		}
		byte[] payload = JavaSerialization.serialize(root);
		assertThat(HashingWork.refusal(payload, 0, payload.length))
			.contains("deeper than " + SerializationAllowList.MAX_DEPTH);
	}

	@Test
	void largeOrdinaryTablesAreWithinTheirBudget() {
		Map<String, Integer> counts = new HashMap<>();
		Map<List<String>, String> byPath = new HashMap<>();
		for (int i = 0; i < 20_000; i++) {
			counts.put("key" + i, i);
			byPath.put(Arrays.asList("a", "b" + i, "c"), "v" + i);
		}
		byte[] first = JavaSerialization.serialize(new HashMap<>(counts));
		byte[] second = JavaSerialization.serialize(new HashMap<>(byPath));
		assertThat(HashingWork.refusal(first, 0, first.length)).isNull();
		assertThat(HashingWork.refusal(second, 0, second.length)).isNull();
	}

	/**
	 * Maps nested {@code depth} levels below a root, {@code width} maps a level, each holding every map
	 * of the next level as a key and a leaf entry: hashing the root's keys takes about
	 * width<sup>depth</sup> steps. Built top down, so that each map is cheap to hash when it is added.
	 */
	private static Map<Object, Object> mapBomb(int depth, int width) {
		return mapBomb(depth, width, HashMap::new);
	}

	private static Map<Object, Object> mapBomb(int depth, int width, Supplier<Map<Object, Object>> maps) {
		Map<Object, Object> root = maps.get();
		List<Map<Object, Object>> level = List.of(root);
		for (int i = 0; i < depth; i++) {
			List<Map<Object, Object>> next = new ArrayList<>();
			for (int j = 0; j < width; j++) {
				Map<Object, Object> map = maps.get();
				map.put("leaf", i * width + j);
				next.add(map);
			}
			for (Map<Object, Object> map : level) {
				for (Map<Object, Object> child : next) {
					map.put(child, "v");
				}
			}
			level = next;
		}
		return root;
	}

}
