package dev.tiercache.consistency.node;

import java.util.List;

/**
 * What the clients call: the operations of a caching set-up under test, per key group.
 */
public interface Subject {

	/** The operations clients choose from for keys of the group, with their weights. */
	List<Operation> operations(KeyGroup group);

	/** The read whose answer counts at the end of a run, when every key is read once per instance. */
	Operation finalRead(KeyGroup group);

	/** Write-behind entries queued and not yet applied, on every instance (0 if the subject has none). */
	long pendingWrites();

	/** Re-queues every write-behind dead letter, as an operator would; returns how many (0 if none). */
	int requeueDeadLetters();

}
