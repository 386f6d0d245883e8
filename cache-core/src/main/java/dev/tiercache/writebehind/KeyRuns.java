package dev.tiercache.writebehind;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * One batch, coalesced: entries grouped by key in stream order, and within a key each run of
 * consecutive entries of the same method reduced to its last one (last write wins). Entries of one
 * key stay in order; different keys are independent. A coalesced call that is given up (it would
 * become a dead letter) is split back into its entries, so that the writes it covered are still
 * tried, each on its own, before it.
 */
final class KeyRuns {

	private KeyRuns() {
	}

	/** The calls to make for each key, in the order the keys first appear. */
	static List<KeyWork> of(List<QueueEntry> batch) {
		Map<String, KeyWork> byKey = new LinkedHashMap<>();
		for (QueueEntry entry : batch) {
			byKey.computeIfAbsent(entry.key(), KeyWork::new).add(entry);
		}
		return new ArrayList<>(byKey.values());
	}

	/** The calls for one key, in order, and how far they got. Used by one thread at a time. */
	static final class KeyWork {

		private final String key;

		private final List<Call> calls = new ArrayList<>();

		private int next;

		KeyWork(String key) {
			this.key = key;
		}

		private void add(QueueEntry entry) {
			@Nullable Call last = this.calls.isEmpty() ? null : this.calls.get(this.calls.size() - 1);
			if (last != null && last.entry().method().equals(entry.method())) {
				List<QueueEntry> covered = new ArrayList<>(last.covered());
				covered.add(last.entry());
				this.calls.set(this.calls.size() - 1, new Call(entry, covered, 0, null));
			}
			else {
				this.calls.add(new Call(entry, List.of(), 0, null));
			}
		}

		String key() {
			return this.key;
		}

		List<Call> calls() {
			return this.calls;
		}

		/**
		 * The next call to make.
		 * @throws IndexOutOfBoundsException when all are done
		 */
		Call next() {
			return this.calls.get(this.next);
		}

		/** The next call succeeded or became a dead letter. */
		void advance() {
			this.next++;
		}

		/**
		 * The next call failed once more. @return how many times it failed
		 */
		int failed(String error) {
			Call call = this.calls.get(this.next);
			Call failed = new Call(call.entry(), call.covered(), call.failures() + 1, error);
			this.calls.set(this.next, failed);
			return failed.failures();
		}

		/**
		 * Splits the next call, if it covers earlier entries, into one call per entry, in order: the
		 * covered ones not tried yet, the last one with the failures of the call it was.
		 * @return whether there was anything to split
		 */
		boolean uncoalesce() {
			Call call = this.calls.get(this.next);
			if (call.covered().isEmpty()) {
				return false;
			}
			List<Call> split = new ArrayList<>();
			for (QueueEntry covered : call.covered()) {
				split.add(new Call(covered, List.of(), 0, null));
			}
			split.add(new Call(call.entry(), List.of(), call.failures(), call.error()));
			this.calls.remove(this.next);
			this.calls.addAll(this.next, split);
			return true;
		}

		boolean done() {
			return this.next >= this.calls.size();
		}

		/** The id of the key's last entry in the batch. */
		String lastId() {
			return this.calls.get(this.calls.size() - 1).entry().id();
		}

		/** The ids of the entries the finished calls cover, their own included. */
		List<String> finishedIds() {
			List<String> ids = new ArrayList<>();
			for (int i = 0; i < this.next; i++) {
				this.calls.get(i).covered().forEach((covered) -> ids.add(covered.id()));
				ids.add(this.calls.get(i).entry().id());
			}
			return ids;
		}

	}

	/**
	 * One call to make.
	 * @param entry the entry whose arguments the call uses
	 * @param covered the earlier entries it makes redundant, in order
	 * @param failures how many times it failed
	 * @param error what it failed with last, if it failed
	 */
	record Call(QueueEntry entry, List<QueueEntry> covered, int failures, @Nullable String error) {

		/** How many entries this call applies. */
		int entries() {
			return this.covered.size() + 1;
		}

	}

}
