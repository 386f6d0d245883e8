package dev.tiercache.internal.redis;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.lettuce.core.cluster.SlotHash;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import dev.tiercache.internal.redis.RedisKey.CachePart;
import dev.tiercache.internal.redis.RedisKey.EntryPart;
import dev.tiercache.internal.redis.RedisKey.PartitionPart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The guarantees of the Redis key layout, over generated prefixes, cache names and keys: rendered
 * keys are drawn from text rich in the layout's own delimiters ({@code :}, <code>{</code>,
 * <code>}</code>) besides any well-formed text.
 */
class RedisKeysPropertyTests {

	@Property
	void parseInvertsBuild(@ForAll("prefixes") String prefix, @ForAll("keys") RedisKey key) {
		RedisKeys layout = new RedisKeys(prefix);
		assertThat(layout.parse(layout.build(key))).isEqualTo(key);
	}

	/**
	 * Keys of one prefix never parse under another, so two prefixes never share a key; and since parsing
	 * inverts building, two different keys of one prefix never share a name either.
	 */
	@Property
	void keysOfOnePrefixAreNeverKeysOfAnother(@ForAll("prefixes") String prefix, @ForAll("prefixes") String other,
			@ForAll("keys") RedisKey key) {
		if (!prefix.equals(other)) {
			assertThat(new RedisKeys(other).parse(new RedisKeys(prefix).build(key))).isNull();
		}
	}

	@Property
	void differentKeysHaveDifferentNames(@ForAll("prefixes") String prefix, @ForAll("keys") RedisKey key,
			@ForAll("keys") RedisKey other) {
		RedisKeys layout = new RedisKeys(prefix);
		if (!key.equals(other)) {
			assertThat(layout.build(key)).isNotEqualTo(layout.build(other));
		}
	}

	@Property
	void everyKeyOfAnEntryIsInTheSlotOfItsValue(@ForAll("prefixes") String prefix, @ForAll("cacheNames") String cache,
			@ForAll long namespace, @ForAll("renderedKeys") String key) {
		RedisKeys layout = new RedisKeys(prefix);
		EntryKeys entry = layout.entry(layout.value(cache, namespace, key), null);
		int slot = SlotHash.getSlot(entry.value());
		assertThat(List.of(entry.lock(), entry.waiters(), entry.intents())).allSatisfy(
				(part) -> assertThat(SlotHash.getSlot(part)).isEqualTo(slot));
	}

	@Property
	void everyKeyOfAPartitionIsInOneSlot(@ForAll("prefixes") String prefix, @ForAll("cacheNames") String cache,
			@ForAll("partitions") int partition) {
		RedisKeys layout = new RedisKeys(prefix);
		int slot = SlotHash.getSlot(layout.partition(PartitionPart.STREAM, cache, partition));
		assertThat(List.of(PartitionPart.values())).allSatisfy(
				(part) -> assertThat(SlotHash.getSlot(layout.partition(part, cache, partition))).isEqualTo(slot));
	}

	/** The scripts that queue a write, or load past a queued one, reach the entry and its partition in one slot. */
	@Property
	void everyKeyOfAnEntryOfAQueuedCacheIsInTheSlotOfItsPartition(@ForAll("prefixes") String prefix,
			@ForAll("cacheNames") String cache, @ForAll("partitions") int partition, @ForAll long namespace,
			@ForAll("renderedKeys") String key) {
		RedisKeys layout = new RedisKeys(prefix);
		EntryKeys entry = layout.entry(layout.value(cache, partition, namespace, key), null);
		int slot = SlotHash.getSlot(layout.partition(PartitionPart.PENDING, cache, partition));
		assertThat(List.of(entry.value(), entry.lock(), entry.waiters(), entry.intents())).allSatisfy(
				(part) -> assertThat(SlotHash.getSlot(part)).isEqualTo(slot));
		assertThat(layout.parse(entry.intents()))
			.isEqualTo(new RedisKey.Entry(EntryPart.INTENTS, cache, partition, namespace, key));
	}

	@Property
	void entryKeysDerivedFromTheValueAreTheEntrysKeys(@ForAll("prefixes") String prefix,
			@ForAll("cacheNames") String cache, @ForAll long namespace, @ForAll("renderedKeys") String key) {
		RedisKeys layout = new RedisKeys(prefix);
		EntryKeys entry = layout.entry(layout.value(cache, namespace, key), null);
		assertThat(entry.value()).isEqualTo(layout.build(new RedisKey.Entry(EntryPart.VALUE, cache, namespace, key)));
		assertThat(entry.lock()).isEqualTo(layout.build(new RedisKey.Entry(EntryPart.LOCK, cache, namespace, key)));
		assertThat(entry.waiters()).isEqualTo(layout.build(new RedisKey.Entry(EntryPart.WAITERS, cache, namespace, key)));
		assertThat(entry.intents()).isEqualTo(layout.build(new RedisKey.Entry(EntryPart.INTENTS, cache, namespace, key)));
	}

	/** Local tiers follow changes to values, namespace versions and tags, and to no other key. */
	@Property
	void trackedPrefixesMatchValuesNamespacesAndTagsOnly(@ForAll("prefixes") String prefix,
			@ForAll("keys") RedisKey key) {
		RedisKeys layout = new RedisKeys(prefix);
		String name = new String(layout.build(key), StandardCharsets.UTF_8);
		boolean tracked = layout.trackedPrefixes().stream().anyMatch(name::startsWith);
		boolean followed = (key instanceof RedisKey.Entry entry && entry.part() == EntryPart.VALUE)
				|| (key instanceof RedisKey.Cache cache && cache.part() == CachePart.NAMESPACE)
				|| key instanceof RedisKey.Tag;
		assertThat(tracked).isEqualTo(followed);
	}

	@Property
	void channelsAreNotKeys(@ForAll("prefixes") String prefix) {
		RedisKeys layout = new RedisKeys(prefix);
		assertThat(layout.parse(layout.loadsChannel())).isNull();
		assertThat(layout.parse(layout.invalidationsChannel().getBytes(StandardCharsets.UTF_8))).isNull();
	}

	@Example
	void namesThatAreNotKeysOfTheLayoutParseAsNothing() {
		RedisKeys layout = new RedisKeys("app");
		assertThat(List.of("other:{c:0:k}", "app:{c:x:k}", "app:{c:01:k}", "app:{c:+1:k}", "app:{c}", "app:{c:0:k",
				"app:lock{c:0:k}", "app:queue:{c}", "app:ns:{a:b}", "app:ns:{}", "app:wb:{c:p}", "app:{}", "app:",
				"app:{c:1}x:k", "app:{c:-1}0:k", "app:{c:01}0:k", "app:{c:1}0", "app:{c:1}"))
			.allSatisfy((name) -> assertThat(layout.parse(name.getBytes(StandardCharsets.UTF_8))).as(name).isNull());
	}

	@Example
	void theLayoutIsTheOneDeployedInstancesUse() {
		RedisKeys layout = new RedisKeys("app");
		assertThat(text(layout.value("books", 3, "#l:42"))).isEqualTo("app:{books:3:#l:42}");
		EntryKeys entry = layout.entry(layout.value("books", 3, "k"), null);
		assertThat(List.of(text(entry.lock()), text(entry.waiters()), text(entry.intents())))
			.containsExactly("app:lock:{books:3:k}", "app:wait:{books:3:k}", "app:intents:{books:3:k}");
		EntryKeys queued = layout.entry(layout.value("books", 2, 3, "k"), null);
		assertThat(List.of(text(queued.value()), text(queued.lock()))).containsExactly("app:{books:2}3:k",
				"app:lock:{books:2}3:k");
		assertThat(text(layout.namespace("books"))).isEqualTo("app:ns:{books}");
		assertThat(text(layout.partition(PartitionPart.STREAM, "books", 2))).isEqualTo("app:wb:{books:2}");
		assertThat(text(layout.partition(PartitionPart.PENDING, "books", 2))).isEqualTo("app:wb:pending:{books:2}");
		assertThat(text(layout.partition(PartitionPart.OWNER, "books", 2))).isEqualTo("app:wb:owner:{books:2}");
		assertThat(text(layout.partition(PartitionPart.DEAD_LETTERS, "books", 2))).isEqualTo("app:wb:dead:{books:2}");
		assertThat(text(layout.cache(CachePart.FLUSHERS, "books"))).isEqualTo("app:wb:flushers:{books}");
		assertThat(text(layout.loadsChannel())).isEqualTo("app:tiercache:loads");
		assertThat(layout.invalidationsChannel()).isEqualTo("app:tiercache:invalidations");
	}

	@Example
	void prefixesThatWouldShareKeysAreRefusedNamingTheProperty() {
		List<String> prefixes = List.of("", " ", "app:lock", "a{b", "a}b", "a\uD800");
		assertThat(prefixes).allSatisfy((prefix) -> assertThatIllegalArgumentException()
			.isThrownBy(() -> new RedisKeys(prefix))
			.withMessageContaining("'" + prefix + "'")
			.withMessageContaining("tiercache.key-prefix"));
	}

	@Example
	void cacheNamesThatWouldShareKeysAreReported() {
		assertThat(List.of("", "a:b", "a{b", "a}b", "a b", "a\uD800", "a\uDC00")).allSatisfy(
				(name) -> assertThat(RedisKeys.cacheNameProblem(name)).as(name).isNotNull());
		assertThat(RedisKeys.cacheNameProblem("books-2026_v1.x")).isNull();
		assertThat(RedisKeys.cacheNameProblem("books\uD83D\uDCDA")).as("a surrogate pair is a character").isNull();
	}

	@Provide
	Arbitrary<String> prefixes() {
		return text("ab-_.#", 1, 8).filter((prefix) -> RedisKeys.prefixProblem(prefix) == null);
	}

	@Provide
	Arbitrary<String> cacheNames() {
		return text("ab-_.#", 1, 8).filter((name) -> RedisKeys.cacheNameProblem(name) == null);
	}

	@Provide
	Arbitrary<String> renderedKeys() {
		return text(":{}#a0", 0, 24);
	}

	@Provide
	Arbitrary<Integer> partitions() {
		return Arbitraries.integers().greaterOrEqual(0);
	}

	@Provide
	Arbitrary<RedisKey> keys() {
		Arbitrary<Integer> entryPartitions = Arbitraries.oneOf(Arbitraries.just(RedisKey.Entry.UNPARTITIONED),
				partitions());
		Arbitrary<RedisKey> entries = Combinators
			.combine(Arbitraries.of(EntryPart.class), cacheNames(), entryPartitions, Arbitraries.longs(),
					renderedKeys())
			.as(RedisKey.Entry::new);
		Arbitrary<RedisKey> partitions = Combinators
			.combine(Arbitraries.of(PartitionPart.class), cacheNames(), partitions())
			.as(RedisKey.Partition::new);
		Arbitrary<RedisKey> caches = Combinators.combine(Arbitraries.of(CachePart.class), cacheNames())
			.as(RedisKey.Cache::new);
		Arbitrary<RedisKey> tags = Combinators.combine(cacheNames(), text(":{}#a0", 1, 24)).as(RedisKey.Tag::new);
		return Arbitraries.oneOf(entries, partitions, caches, tags);
	}

	/**
	 * Well-formed text (rendered keys have no lone surrogate, see {@code KeyRenderer}): often of the
	 * given characters only, else of any character, astral ones included.
	 */
	private static Arbitrary<String> text(String frequent, int minLength, int maxLength) {
		Arbitrary<String> ofFrequent = Arbitraries.strings().withChars(frequent).ofMinLength(minLength)
			.ofMaxLength(maxLength);
		Arbitrary<String> ofAny = Arbitraries.strings().withCharRange('\u0000', '\uD7FF').withCharRange('\uE000', '\uFFFF')
			.ofMinLength(minLength).ofMaxLength(maxLength);
		return Arbitraries.oneOf(ofFrequent, ofAny, ofFrequent.map((text) -> text + "\uD83D\uDE00"));
	}

	private static String text(byte[] key) {
		return new String(key, StandardCharsets.UTF_8);
	}

}
