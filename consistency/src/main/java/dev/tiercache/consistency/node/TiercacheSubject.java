package dev.tiercache.consistency.node;

import java.util.List;

import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

import static dev.tiercache.consistency.node.Operation.invalidation;
import static dev.tiercache.consistency.node.Operation.read;
import static dev.tiercache.consistency.node.Operation.write;

import dev.tiercache.writebehind.DeadLetter;
import dev.tiercache.writebehind.WriteBehindQueues;

/**
 * Tiercache under test: every annotation and mode, each on the keys it may be mixed with.
 */
@Component
@Profile("tiercache")
public class TiercacheSubject implements Subject {

	private final TiercacheMethods methods;

	private final WriteBehindQueues queues;

	public TiercacheSubject(TiercacheMethods methods, WriteBehindQueues queues) {
		this.methods = methods;
		this.queues = queues;
	}

	@Override
	public List<Operation> operations(KeyGroup group) {
		TiercacheMethods m = this.methods;
		return switch (group) {
			// in ten-thousandths: a clear of the whole cache is rare (every few seconds), so that entries live
			// long enough for refresh-ahead, early expiry and stale-while-revalidate to act
			case SYNC -> List.of(read("read", 2000, m::read), read("read-refresh-ahead", 1500, m::readRefreshingAhead),
					read("read-early-expiry", 1000, m::readExpiringEarly),
					read("read-stale-fail-safe", 1500, m::readStaleOrFailSafe),
					read("read-cacheable", 1500, m::readCacheable), write("write-through", 1000, m::writeThrough),
					write("write-around", 700, m::writeAround), write("write-evict", 500, m::writeAndEvict),
					invalidation("invalidate", 298, (id, version) -> m.invalidate(id)),
					invalidation("invalidate-all", 2, (id, version) -> m.invalidateAll()));
			case BEHIND -> List.of(read("read", 20, m::read), read("read-refresh-ahead", 15, m::readRefreshingAhead),
					read("read-early-expiry", 10, m::readExpiringEarly),
					read("read-stale-fail-safe", 15, m::readStaleOrFailSafe), read("read-cacheable", 15, m::readCacheable),
					write("write-behind", 22, (id, version) -> m.writeBehind(new Versioned(id, version))),
					invalidation("invalidate", 3, (id, version) -> m.invalidate(id)));
			case REMOTE -> List.of(read("read-remote", 60, m::readRemote),
					write("write-through-remote", 15, m::writeThroughRemote),
					write("write-around-remote", 10, m::writeAroundRemote));
			case LOCAL -> List.of(read("read-local", 60, m::readLocal),
					write("write-through-local", 15, m::writeThroughLocal),
					write("write-around-local", 10, m::writeAroundLocal));
			case TAGGED -> List.of(read("read-tagged", 60, m::readTagged),
					write("write-drop-row-tag", 15, m::writeDroppingRowTag),
					write("write-drop-group-tag", 10, m::writeDroppingGroupTag));
		};
	}

	@Override
	public Operation finalRead(KeyGroup group) {
		return switch (group) {
			case SYNC, BEHIND -> read("read", 1, this.methods::read);
			case REMOTE -> read("read-remote", 1, this.methods::readRemote);
			case LOCAL -> read("read-local", 1, this.methods::readLocal);
			case TAGGED -> read("read-tagged", 1, this.methods::readTagged);
		};
	}

	@Override
	public long pendingWrites() {
		return this.queues.stats("v").depth();
	}

	@Override
	public int requeueDeadLetters() {
		int requeued = 0;
		for (DeadLetter letter : this.queues.deadLetters("v", Integer.MAX_VALUE)) {
			if (this.queues.requeue("v", letter.id())) {
				requeued++;
			}
		}
		return requeued;
	}

}
