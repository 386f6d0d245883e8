package dev.tiercache.consistency.node;

import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.annotation.CacheInvalidate;
import dev.tiercache.annotation.WriteAround;
import dev.tiercache.annotation.WriteBehind;
import dev.tiercache.annotation.WriteThrough;

/**
 * The application methods under test, one per pattern, as a Spring user writes them. Cache {@code v}
 * uses both tiers, {@code vr} Redis only and {@code vl} L1 only; {@code vt}, both tiers, is tagged
 * ({@code application-tiercache.properties}).
 */
@Component
@Profile("tiercache")
public class TiercacheMethods {

	private final VersionTable table;

	public TiercacheMethods(VersionTable table) {
		this.table = table;
	}

	@CacheAside(cache = "v", key = "#id")
	public Versioned read(long id) {
		return this.table.read(id);
	}

	@CacheAside(cache = "v", key = "#id", refreshAhead = "0.25")
	public Versioned readRefreshingAhead(long id) {
		return this.table.read(id);
	}

	@CacheAside(cache = "v", key = "#id", earlyExpiryBeta = "1")
	public Versioned readExpiringEarly(long id) {
		return this.table.read(id);
	}

	@CacheAside(cache = "v", key = "#id", staleWhileRevalidate = "2s", failSafe = "10s")
	public Versioned readStaleOrFailSafe(long id) {
		return this.table.read(id);
	}

	@Cacheable(cacheNames = "v", key = "#id")
	public Versioned readCacheable(long id) {
		return this.table.read(id);
	}

	@WriteThrough(cache = "v", key = "#id")
	public Versioned writeThrough(long id, long version) {
		this.table.write(id, version);
		return new Versioned(id, version);
	}

	@WriteAround(cache = "v", key = "#id")
	public void writeAround(long id, long version) {
		this.table.write(id, version);
	}

	@CacheEvict(cacheNames = "v", key = "#id")
	public void writeAndEvict(long id, long version) {
		this.table.write(id, version);
	}

	@WriteBehind(cache = "v", key = "#row.id()")
	public void writeBehind(Versioned row) {
		this.table.writeQueued(row.id(), row.version());
	}

	@CacheInvalidate(cache = "v", key = "#id")
	public void invalidate(long id) {
	}

	@CacheInvalidate(cache = "v", allEntries = true)
	public void invalidateAll() {
	}

	@CacheAside(cache = "vr", key = "#id")
	public Versioned readRemote(long id) {
		return this.table.read(id);
	}

	@WriteThrough(cache = "vr", key = "#id")
	public Versioned writeThroughRemote(long id, long version) {
		this.table.write(id, version);
		return new Versioned(id, version);
	}

	@WriteAround(cache = "vr", key = "#id")
	public void writeAroundRemote(long id, long version) {
		this.table.write(id, version);
	}

	@CacheAside(cache = "vt", key = "#id", tags = { "'row:' + #result.id()", "'group:' + (#id % 4)" })
	public Versioned readTagged(long id) {
		return this.table.read(id);
	}

	@CacheInvalidate(cache = "vt", tags = "'row:' + #id")
	public void writeDroppingRowTag(long id, long version) {
		this.table.write(id, version);
	}

	@CacheInvalidate(cache = "vt", tags = "'group:' + (#id % 4)")
	public void writeDroppingGroupTag(long id, long version) {
		this.table.write(id, version);
	}

	@CacheAside(cache = "vl", key = "#id")
	public Versioned readLocal(long id) {
		return this.table.read(id);
	}

	@WriteThrough(cache = "vl", key = "#id")
	public Versioned writeThroughLocal(long id, long version) {
		this.table.write(id, version);
		return new Versioned(id, version);
	}

	@WriteAround(cache = "vl", key = "#id")
	public void writeAroundLocal(long id, long version) {
		this.table.write(id, version);
	}

}
