package dev.tiercache.consistency.harness;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.tiercache.consistency.checker.Applied;
import dev.tiercache.test.TestPostgres;

/**
 * The run's schema in PostgreSQL (the one in {@code TIERCACHE_PG_URL}, else an embedded one): the
 * {@code versions} table, one row per key at version 0, and the {@code applied} audit table that a
 * trigger appends every change of a row's version to, in commit order per row (a row's updates are
 * serialized by its row lock). Dropped on {@link #close()}.
 */
final class Database implements AutoCloseable {

	private final String serverUrl;

	private final String schema;

	Database(String schema, int keys) {
		this.serverUrl = TestPostgres.jdbcUrl();
		this.schema = schema;
		execute("CREATE SCHEMA " + schema,
				"CREATE TABLE " + schema + ".versions (id bigint PRIMARY KEY, version bigint NOT NULL)",
				"CREATE TABLE " + schema + ".applied (seq bigserial PRIMARY KEY, id bigint NOT NULL, version bigint NOT NULL)",
				"CREATE FUNCTION " + schema + ".audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
						+ "INSERT INTO " + schema + ".applied (id, version) VALUES (NEW.id, NEW.version); RETURN NEW; END $$",
				"CREATE TRIGGER audit AFTER UPDATE ON " + schema + ".versions FOR EACH ROW EXECUTE FUNCTION "
						+ schema + ".audit()",
				"INSERT INTO " + schema + ".versions SELECT g, 0 FROM generate_series(0, " + (keys - 1) + ") g");
	}

	/** The JDBC URL the instances connect with: the server's, with this run's schema as the current one. */
	String instanceUrl() {
		return this.serverUrl + (this.serverUrl.contains("?") ? "&" : "?") + "currentSchema=" + this.schema;
	}

	/** Every change of a row's version, in the order they were made. */
	List<Applied> appliedLog() {
		List<Applied> log = new ArrayList<>();
		query("SELECT seq, id, version FROM " + this.schema + ".applied ORDER BY seq",
				(row) -> log.add(new Applied(row.getLong(1), row.getLong(2), row.getLong(3))));
		return log;
	}

	/** Each row's version now. */
	Map<Long, Long> versions() {
		Map<Long, Long> versions = new HashMap<>();
		query("SELECT id, version FROM " + this.schema + ".versions", (row) -> versions.put(row.getLong(1), row.getLong(2)));
		return versions;
	}

	@Override
	public void close() {
		execute("DROP SCHEMA " + this.schema + " CASCADE");
	}

	private void execute(String... statements) {
		try (Connection connection = DriverManager.getConnection(this.serverUrl);
				Statement statement = connection.createStatement()) {
			for (String sql : statements) {
				statement.execute(sql);
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException("PostgreSQL at " + this.serverUrl + " refused: " + ex.getMessage(), ex);
		}
	}

	private void query(String sql, RowHandler handler) {
		try (Connection connection = DriverManager.getConnection(this.serverUrl);
				PreparedStatement statement = connection.prepareStatement(sql);
				ResultSet rows = statement.executeQuery()) {
			while (rows.next()) {
				handler.handle(rows);
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException("PostgreSQL at " + this.serverUrl + " refused: " + ex.getMessage(), ex);
		}
	}

	@FunctionalInterface
	private interface RowHandler {

		void handle(ResultSet row) throws SQLException;

	}

}
