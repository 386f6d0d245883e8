package dev.tiercache.writebehind;

import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.annotation.WriteBehind;

/**
 * The service of the write-behind tests: {@code @WriteBehind} writes of rows of cache {@code ledger}
 * to a {@link LedgerRows} database, in the ways a call can or cannot be queued, and a
 * {@code @CacheAside} read. One per instance; the database is shared.
 */
public class Ledger {

	private final LedgerRows rows;

	public Ledger(LedgerRows rows) {
		this.rows = rows;
	}

	/** A row: its id, the version that wrote it, and a payload. */
	public record Row(long id, long version, String payload) {
	}

	/** What neither JSON (it refers to itself) nor Java serialization (not {@code Serializable}) can encode. */
	public static final class Opaque {

		public Opaque getSelf() {
			return this;
		}

	}

	/** A value of a row that the codec cannot encode. */
	public static Opaque opaque(Row row) {
		return new Opaque();
	}

	@WriteBehind(cache = "ledger", key = "#row.id")
	public void save(Row row) {
		this.rows.save(row);
	}

	/** {@link #save}, applied with {@link #saveAll} when a batch holds several keys' calls of it. */
	@WriteBehind(cache = "ledger", key = "#row.id", batchMethod = "saveAll")
	public void saveInBatches(Row row) {
		this.rows.save(row);
	}

	public void saveAll(List<Row> rows) {
		rows.forEach(this.rows::save);
	}

	@WriteBehind(cache = "ledger", key = "#id", value = "null")
	public void delete(long id) {
		this.rows.delete(id);
	}

	/** A write whose arguments cannot be encoded, and so cannot be queued. */
	@WriteBehind(cache = "ledger", key = "#row.id", value = "#row")
	public void saveNoted(Row row, Opaque note) {
		this.rows.save(row);
	}

	/** A write whose value cannot be encoded (its arguments can): the cache cannot hold it. */
	@WriteBehind(cache = "ledger", key = "#row.id", value = "T(dev.tiercache.writebehind.Ledger).opaque(#row)")
	public void saveOpaque(Row row) {
		this.rows.save(row);
	}

	@CacheAside(cache = "ledger", key = "#id")
	public @Nullable Row find(long id) {
		return this.rows.load(id);
	}

}
