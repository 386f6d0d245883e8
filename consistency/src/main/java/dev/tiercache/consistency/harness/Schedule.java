package dev.tiercache.consistency.harness;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The nemesis's schedule, drawn from the seed alone, so that a seed reproduces it: faults one after
 * another, separated by quiet gaps, cycling through the kinds of fault in an order shuffled anew
 * each round, each with a random length and target. Nothing is scheduled in the last
 * {@code tailMillis} of the run.
 */
public record Schedule(List<Fault> faults) {

	/**
	 * @param seed the run's seed
	 * @param kinds the kinds of fault to draw from
	 * @param runMillis how long the workload runs
	 * @param instances how many instances there are to target
	 * @param faultMillis the shortest and longest fault
	 * @param gapMillis the shortest and longest gap after a fault
	 */
	public static Schedule draw(long seed, Set<FaultKind> kinds, long runMillis, int instances, long[] faultMillis, long[] gapMillis,
			long startMillis, long tailMillis) {
		SplittableRandom random = new SplittableRandom(seed);
		List<Fault> faults = new ArrayList<>();
		List<FaultKind> round = new ArrayList<>();
		long at = startMillis;
		while (true) {
			if (round.isEmpty()) {
				round.addAll(EnumSet.copyOf(kinds)); // in declaration order, whatever the set's
				shuffle(round, random);
			}
			FaultKind kind = round.remove(0);
			long duration = between(random, faultMillis);
			if (at + duration > runMillis - tailMillis) {
				break;
			}
			faults.add(new Fault(kind, at, duration, random.nextInt(instances), between(random, new long[] { 60, 110 })));
			at += duration + between(random, gapMillis);
		}
		return new Schedule(List.copyOf(faults));
	}

	private static long between(SplittableRandom random, long[] range) {
		return range[0] + random.nextLong(range[1] - range[0] + 1);
	}

	private static <T> void shuffle(List<T> list, SplittableRandom random) {
		for (int i = list.size() - 1; i > 0; i--) {
			int j = random.nextInt(i + 1);
			T swapped = list.get(i);
			list.set(i, list.get(j));
			list.set(j, swapped);
		}
	}

}
