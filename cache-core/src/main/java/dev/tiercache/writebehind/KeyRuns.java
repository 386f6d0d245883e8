package dev.tiercache.writebehind;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * One batch, coalesced: entries grouped by key in stream order, and within a key each run of
 * consecutive entries of the same method reduced to its last one (last write wins). Entries of one
 * key stay in order; different keys are independent.
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

	/** The calls for one key, in order, and how far they got. */
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
				last.covered().add(last.entry().id());
				this.calls.set(this.calls.size() - 1, new Call(entry, last.covered()));
			}
			else {
				this.calls.add(new Call(entry, new ArrayList<>()));
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
				ids.addAll(this.calls.get(i).covered());
				ids.add(this.calls.get(i).entry().id());
			}
			return ids;
		}

	}

	/**
	 * One call to make.
	 * @param entry the entry whose arguments the call uses
	 * @param covered the ids of earlier entries it makes redundant
	 */
	record Call(QueueEntry entry, List<String> covered) {

		/** How many entries this call applies. */
		int entries() {
			return this.covered.size() + 1;
		}

	}

}
