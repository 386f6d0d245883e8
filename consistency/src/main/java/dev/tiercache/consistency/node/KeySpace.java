package dev.tiercache.consistency.node;

import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The keys {@code 0 .. size-1}, split into {@link KeyGroup}s by their percentages, in order. Within a
 * group, a key is chosen with a Zipf-like skew (the first keys of each group are the hottest), so hot
 * keys see real contention. Immutable and thread-safe; each caller brings its own random source.
 */
public final class KeySpace {

	private final int size;

	private final Map<KeyGroup, int[]> ranges = new EnumMap<>(KeyGroup.class);

	private final Map<KeyGroup, double[]> cumulative = new EnumMap<>(KeyGroup.class);

	/**
	 * @param size how many keys
	 * @param skew the Zipf exponent ({@code 0}: uniform; {@code 1}: classic Zipf)
	 */
	public KeySpace(int size, double skew) {
		if (size < 4 * KeyGroup.values().length) {
			throw new IllegalArgumentException("at least " + 4 * KeyGroup.values().length + " keys, not " + size);
		}
		this.size = size;
		int start = 0;
		for (KeyGroup group : KeyGroup.values()) {
			int end = (group.ordinal() == KeyGroup.values().length - 1) ? size : start + size * group.percent() / 100;
			this.ranges.put(group, new int[] { start, end });
			this.cumulative.put(group, zipf(end - start, skew));
			start = end;
		}
	}

	public int size() {
		return this.size;
	}

	/** The group a key belongs to. */
	public KeyGroup groupOf(long key) {
		for (Map.Entry<KeyGroup, int[]> range : this.ranges.entrySet()) {
			if (key >= range.getValue()[0] && key < range.getValue()[1]) {
				return range.getKey();
			}
		}
		throw new IllegalArgumentException("key " + key + " is outside 0.." + (this.size - 1));
	}

	/** A group chosen by the groups' percentages. */
	public KeyGroup group(SplittableRandom random) {
		int roll = random.nextInt(100);
		for (KeyGroup group : KeyGroup.values()) {
			roll -= group.percent();
			if (roll < 0) {
				return group;
			}
		}
		return KeyGroup.values()[KeyGroup.values().length - 1];
	}

	/** A key of the group, hot keys more often. */
	public long key(KeyGroup group, SplittableRandom random) {
		double[] weights = this.cumulative.get(group);
		double roll = random.nextDouble();
		int low = 0;
		int high = weights.length - 1;
		while (low < high) {
			int middle = (low + high) >>> 1;
			if (weights[middle] < roll) {
				low = middle + 1;
			}
			else {
				high = middle;
			}
		}
		return this.ranges.get(group)[0] + low;
	}

	private static double[] zipf(int count, double skew) {
		double[] cumulative = new double[count];
		double total = 0;
		for (int rank = 0; rank < count; rank++) {
			total += 1 / Math.pow(rank + 1, skew);
			cumulative[rank] = total;
		}
		for (int rank = 0; rank < count; rank++) {
			cumulative[rank] /= total;
		}
		return cumulative;
	}

}
