package dev.tiercache.interceptor;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.cache.Cache;
import org.springframework.util.ReflectionUtils;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.test.TestManagers;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@code @CacheAside(batch = true)} end to end, on a bean proxied with Spring's {@link ProxyFactory} and
 * {@link TiercacheAdvisor}, on Redis: the method runs once with only the ids the cache misses, as the
 * collection type it declares; a {@code Map} result holds the ids with values, a {@code List} one value
 * per id in order; ids the method returns nothing for are cached as {@code null}; {@code condition} and
 * {@code unless} apply; a method that cannot be a batch method fails with a message naming it.
 */
class BatchCacheAsideTests {

	private final TestManagers managers = new TestManagers();

	private final TieredCacheManager manager = this.managers.redis(CacheSettings.DEFAULTS, "books");

	private final TieredCache cache = this.manager.getTieredCache("books");

	private final TiercacheOperationSource operations = new TiercacheOperationSource(() -> this.manager, null);

	private final Catalog target = new Catalog();

	private final Catalog catalog = proxy(this.target);

	@AfterEach
	void close() throws Exception {
		this.managers.close();
	}

	@Test
	void aMapMethodRunsOnceWithOnlyTheMissingIds() {
		this.cache.put(2L, new Title(2, "title 2"));
		assertThat(this.catalog.titles(List.of(1L, 2L, 3L))).containsExactly(Map.entry(1L, new Title(1, "title 1")),
				Map.entry(2L, new Title(2, "title 2")), Map.entry(3L, new Title(3, "title 3")));
		assertThat(this.catalog.titles(List.of(3L, 1L))).containsOnlyKeys(3L, 1L);
		assertThat(this.target.calls).containsExactly(List.of(1L, 3L));
		assertThat(this.cache.get(3L, Title.class)).isEqualTo(new Title(3, "title 3"));
	}

	@Test
	void idsTheMethodReturnsNothingForAreCachedAsNullAndLeftOutOfAMap() {
		assertThat(this.catalog.titles(List.of(1L, -1L))).containsOnlyKeys(1L);
		assertThat(this.catalog.titles(List.of(1L, -1L))).containsOnlyKeys(1L);
		assertThat(this.target.calls).containsExactly(List.of(1L, -1L));
		Cache.ValueWrapper marker = this.cache.get(-1L);
		assertThat(marker).isNotNull();
		assertThat(marker.get()).isNull();
	}

	@Test
	void aListMethodGetsTheMissingIdsAsAListAndItsResultIsKeptInIdOrder() {
		this.cache.put(2L, new Title(2, "title 2"));
		assertThat(this.catalog.inOrder(List.of(3L, 2L, -1L, 1L))).containsExactly(new Title(3, "title 3"),
				new Title(2, "title 2"), null, new Title(1, "title 1"));
		assertThat(this.catalog.inOrder(List.of(1L, -1L))).containsExactly(new Title(1, "title 1"), null);
		assertThat(this.target.calls).containsExactly(List.of(3L, -1L, 1L));
	}

	@Test
	void aListResultWithoutOneValuePerIdFailsNamingTheMethod() {
		assertThatIllegalStateException().isThrownBy(() -> this.catalog.tooShort(List.of(1L, 2L)))
			.withMessageContaining("tooShort")
			.withMessageContaining("returned 1 values for 2 ids");
	}

	@Test
	void aSetMethodGetsTheMissingIdsAsASet() {
		assertThat(this.catalog.bySet(Set.of(5L))).containsOnlyKeys(5L);
		assertThat(this.target.idTypes).containsExactly(Set.class);
	}

	@Test
	void aCallWhoseConditionIsFalseRunsTheMethodWithEveryIdAndCachesNothing() {
		this.catalog.onlySmall(List.of(1L, 2L, 3L, 4L));
		this.catalog.onlySmall(List.of(1L, 2L, 3L, 4L));
		this.catalog.onlySmall(List.of(1L, 2L));
		this.catalog.onlySmall(List.of(1L, 2L));
		assertThat(this.target.calls).containsExactly(List.of(1L, 2L, 3L, 4L), List.of(1L, 2L, 3L, 4L),
				List.of(1L, 2L));
	}

	@Test
	void unlessLeavesTheValuesItMatchesUncached() {
		this.catalog.exceptDrafts(List.of(1L, 2L));
		this.catalog.exceptDrafts(List.of(1L, 2L));
		assertThat(this.target.calls).containsExactly(List.of(1L, 2L), List.of(2L));
	}

	@Test
	void aBatchMethodWithAKeyFailsNamingTheMethod() {
		assertThatIllegalStateException().isThrownBy(() -> parse("withKey", Collection.class))
			.withMessageContaining("withKey")
			.withMessageContaining("takes no key");
	}

	@Test
	void aBatchMethodWithoutOneCollectionParameterFailsNamingTheMethod() {
		assertThatIllegalStateException().isThrownBy(() -> parse("twoParameters", Collection.class, String.class))
			.withMessageContaining("twoParameters")
			.withMessageContaining("one parameter, its ids");
		assertThatIllegalStateException().isThrownBy(() -> parse("arrayOfIds", Long[].class))
			.withMessageContaining("one parameter, its ids");
	}

	@Test
	void aBatchMethodReturningNeitherMapNorListFailsNamingTheMethod() {
		assertThatIllegalStateException().isThrownBy(() -> parse("asSet", Collection.class))
			.withMessageContaining("asSet")
			.withMessageContaining("returns java.util.Set");
	}

	private void parse(String name, Class<?>... parameterTypes) {
		this.operations.getOperation(ReflectionUtils.findMethod(Misdeclared.class, name, parameterTypes),
				Misdeclared.class);
	}

	private Catalog proxy(Catalog target) {
		ProxyFactory factory = new ProxyFactory(target);
		factory.setProxyTargetClass(true);
		factory.addAdvisor(new TiercacheAdvisor(this.operations));
		return (Catalog) factory.getProxy();
	}

	record Title(long id, String text) {
	}

	public static class Catalog {

		final List<List<Long>> calls = new CopyOnWriteArrayList<>();

		final List<Class<?>> idTypes = new CopyOnWriteArrayList<>();

		@CacheAside(cache = "books", batch = true)
		public Map<Long, Title> titles(Collection<Long> ids) {
			this.calls.add(List.copyOf(ids));
			Map<Long, Title> titles = new LinkedHashMap<>();
			ids.stream().filter((id) -> id > 0).forEach((id) -> titles.put(id, new Title(id, "title " + id)));
			return titles;
		}

		@CacheAside(cache = "books", batch = true)
		public List<@Nullable Title> inOrder(List<Long> ids) {
			this.calls.add(List.copyOf(ids));
			List<@Nullable Title> titles = new ArrayList<>();
			ids.forEach((id) -> titles.add((id > 0) ? new Title(id, "title " + id) : null));
			return titles;
		}

		@CacheAside(cache = "books", batch = true)
		public List<Title> tooShort(List<Long> ids) {
			return List.of(new Title(1, "only one"));
		}

		@CacheAside(cache = "books", batch = true)
		public Map<Long, Title> bySet(Set<Long> ids) {
			this.idTypes.add(ids instanceof Set ? Set.class : ids.getClass());
			return Map.of(5L, new Title(5, "five"));
		}

		@CacheAside(cache = "books", batch = true, condition = "#ids.size() < 3")
		public Map<Long, Title> onlySmall(Collection<Long> ids) {
			return titles(ids);
		}

		@CacheAside(cache = "books", batch = true, unless = "#result.text().startsWith('draft')")
		public Map<Long, Title> exceptDrafts(Collection<Long> ids) {
			this.calls.add(List.copyOf(ids));
			Map<Long, Title> titles = new LinkedHashMap<>();
			ids.forEach((id) -> titles.put(id, new Title(id, (id == 2) ? "draft" : "final")));
			return titles;
		}

	}

	public static class Misdeclared {

		@CacheAside(cache = "books", batch = true, key = "#ids")
		public Map<Long, Title> withKey(Collection<Long> ids) {
			return Map.of();
		}

		@CacheAside(cache = "books", batch = true)
		public Map<Long, Title> twoParameters(Collection<Long> ids, String language) {
			return Map.of();
		}

		@CacheAside(cache = "books", batch = true)
		public Map<Long, Title> arrayOfIds(Long[] ids) {
			return Map.of();
		}

		@CacheAside(cache = "books", batch = true)
		public Set<Title> asSet(Collection<Long> ids) {
			return Set.of();
		}

	}

}
