package dev.tiercache.autoconfigure.writebehind;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.annotation.WriteBehind;

/**
 * The write-behind service of the tests: {@link #save} upserts one price and appends to an apply log
 * (which records the order writes reached the database, the instance and the thread), and
 * {@link #saveAll} does the same for a batch. The log's {@code applied_at} is the database's clock. Reads go through {@code @CacheAside}.
 */
public class PriceService {

	private final JdbcTemplate jdbc;

	private final String table;

	private final String instance;

	private final WriterProbe probe;

	public PriceService(JdbcTemplate jdbc, String table, String instance, WriterProbe probe) {
		this.jdbc = jdbc;
		this.table = table;
		this.instance = instance;
		this.probe = probe;
	}

	/** Creates the price table and its apply log. */
	public static void createTables(JdbcTemplate jdbc, String table) {
		jdbc.execute("create table " + table + " (id bigint primary key, version bigint not null, amount text not null)");
		jdbc.execute("create table " + table + "_log (seq bigserial primary key, id bigint not null, "
				+ "version bigint not null, instance text not null, thread text not null, "
				+ "applied_at timestamptz not null default clock_timestamp())");
	}

	public static void dropTables(JdbcTemplate jdbc, String table) {
		jdbc.execute("drop table if exists " + table);
		jdbc.execute("drop table if exists " + table + "_log");
	}

	@WriteBehind(cache = "prices", key = "#price.id")
	public void save(Price price) {
		this.probe.beforeWrite(price);
		upsert(price);
	}

	@WriteBehind(cache = "stock", key = "#price.id", batchMethod = "saveAll")
	public void saveStock(Price price) {
		this.probe.beforeWrite(price.id());
		upsert(price);
	}

	@WriteBehind(cache = "prices", key = "#id", value = "null")
	public void delete(long id) {
		this.probe.beforeWrite(id);
		this.jdbc.update("delete from " + this.table + " where id = ?", id);
	}

	public void saveAll(List<Price> prices) {
		this.probe.batchCalls.incrementAndGet();
		this.probe.threads.add(Thread.currentThread().getName());
		for (Price price : prices) {
			upsert(price);
		}
	}

	private void upsert(Price price) {
		this.jdbc.update("insert into " + this.table + " (id, version, amount) values (?, ?, ?) on conflict (id) do "
				+ "update set version = excluded.version, amount = excluded.amount", price.id(), price.version(),
				price.amount());
		this.jdbc.update("insert into " + this.table + "_log (id, version, instance, thread) values (?, ?, ?, ?)",
				price.id(), price.version(), this.instance, Thread.currentThread().getName());
	}

	@CacheAside(cache = "prices")
	public @Nullable Price find(long id) {
		this.probe.reads.incrementAndGet();
		List<Price> found = this.jdbc.query("select id, version, amount from " + this.table + " where id = ?",
				(row, n) -> new Price(row.getLong(1), row.getLong(2), row.getString(3)), id);
		return found.isEmpty() ? null : found.get(0);
	}

}
