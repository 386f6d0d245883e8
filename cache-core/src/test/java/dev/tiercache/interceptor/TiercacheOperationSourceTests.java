package dev.tiercache.interceptor;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.aop.support.AopUtils;
import org.springframework.util.PropertyPlaceholderHelper;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringValueResolver;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.annotation.CacheInvalidate;
import dev.tiercache.annotation.WriteBehind;
import dev.tiercache.annotation.WriteThrough;
import dev.tiercache.test.TestManagers;
import dev.tiercache.tier.CacheSettings;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * How {@link TiercacheOperationSource} turns annotations into operations: once per method and target
 * class, the same operation for every later look-up, nothing for an unannotated method, the
 * annotation's attributes (placeholders resolved) laid over the cache's settings, and an
 * {@link IllegalStateException} at start-up that names the method and the attribute to change when an
 * annotation cannot work. Local caches only: parsing needs no Redis.
 */
class TiercacheOperationSourceTests {

	private final TestManagers managers = new TestManagers();

	private final TieredCacheManager manager = this.managers.local("books");

	private final AtomicInteger managerLookups = new AtomicInteger();

	private final Properties properties = new Properties();

	/** Strict, as an application context's embedded value resolver is: an unresolvable placeholder throws. */
	private final PropertyPlaceholderHelper placeholders = new PropertyPlaceholderHelper("${", "}", ":", null, false);

	private final StringValueResolver resolver = (text) -> this.placeholders.replacePlaceholders(text, this.properties);

	private final TiercacheOperationSource source = new TiercacheOperationSource(() -> {
		this.managerLookups.incrementAndGet();
		return this.manager;
	}, () -> null, this.resolver);

	@AfterEach
	void close() throws Exception {
		this.managers.close();
	}

	@Test
	void anAnnotatedMethodIsParsedOnceAndLaterLookUpsGiveTheSameOperation() {
		Method find = method(Books.class, "find", long.class);
		MethodOperation first = this.source.getOperation(find, Books.class);
		assertThat(first).isInstanceOf(CacheAsideOperation.class);
		for (int i = 0; i < 3; i++) {
			assertThat(this.source.getOperation(find, Books.class)).isSameAs(first);
		}
		assertThat(this.managerLookups).as("parses, each asking for the cache once").hasValue(1);
	}

	@Test
	void aMethodCalledOnAnotherTargetClassIsParsedOnceForThatClassToo() {
		Method find = method(Books.class, "find", long.class);
		MethodOperation forBooks = this.source.getOperation(find, Books.class);
		MethodOperation forSubclass = this.source.getOperation(find, MoreBooks.class);
		assertThat(forSubclass).isInstanceOf(CacheAsideOperation.class).isNotSameAs(forBooks);
		assertThat(this.source.getOperation(find, MoreBooks.class)).isSameAs(forSubclass);
		assertThat(this.source.getOperation(find, Books.class)).isSameAs(forBooks);
		assertThat(this.managerLookups).hasValue(2);
	}

	@Test
	void anUnannotatedMethodParsesToTheNoOperationMarker() {
		Method plain = method(Books.class, "plain", long.class);
		assertThat(this.source.isAnnotated(plain, Books.class)).isFalse();
		assertThat(this.source.getOperation(plain, Books.class)).isNull();
		assertThat(this.source.getOperation(plain, Books.class)).isNull();
		assertThat(this.managerLookups).as("no cache is looked up").hasValue(0);
	}

	@Test
	void theWriteAnnotationsOfAMethodParseToOneOperation() {
		Method save = method(Books.class, "save", long.class, String.class);
		assertThat(this.source.isAnnotated(save, Books.class)).isTrue();
		assertThat(this.source.getOperation(save, Books.class)).isInstanceOf(WriteOperations.class)
			.hasToString("WriteOperations[][@WriteThrough(cache = books), @CacheInvalidate(cache = books)]");
	}

	@Test
	void theAttributesOverrideTheCacheSettingsTheyNameAndKeepTheRest() {
		CacheSettings settings = cacheAside(Books.class, "find", long.class).entrySettings();
		CacheSettings cached = this.manager.getTieredCache("books").settings();
		assertThat(settings.ttl()).isEqualTo(Duration.ofMinutes(5));
		assertThat(settings.ttlJitter()).isZero();
		assertThat(settings.nullTtl()).isEqualTo(cached.nullTtl());
		assertThat(settings.mode()).isEqualTo(cached.mode());
	}

	@Test
	void placeholdersInAttributesAreResolvedThroughTheValueResolver() {
		this.properties.setProperty("books.ttl", "90s");
		this.properties.setProperty("books.jitter", "25");
		CacheSettings settings = cacheAside(Books.class, "configured", long.class).entrySettings();
		assertThat(settings.ttl()).isEqualTo(Duration.ofSeconds(90));
		assertThat(settings.ttlJitter()).isEqualTo(25);
	}

	@Test
	void aPlaceholderResolvedToABadValueFailsNamingTheAttributeAndTheResolvedValue() {
		this.properties.setProperty("books.ttl", "soon");
		this.properties.setProperty("books.jitter", "25");
		assertThatIllegalStateException().isThrownBy(() -> operation(Books.class, "configured", long.class))
			.withMessageContaining("@CacheAside(ttl = \"soon\") on ")
			.withMessageContaining("Books.configured(long)")
			.withMessageContaining("is not a duration");
	}

	@Test
	void anUnresolvablePlaceholderFailsNamingTheMethodAndTheAttribute() {
		assertThatIllegalStateException().isThrownBy(() -> operation(Books.class, "configured", long.class))
			.withMessageContaining("@CacheAside(ttl = \"${books.ttl}\") on ")
			.withMessageContaining("Books.configured(long)")
			.withMessageContaining("Could not resolve placeholder 'books.ttl'");
	}

	@Test
	void withoutAValueResolverAPlaceholderIsTakenAsItIs() {
		TiercacheOperationSource unresolved = new TiercacheOperationSource(() -> this.manager, null);
		assertThatIllegalStateException()
			.isThrownBy(() -> unresolved.getOperation(method(Books.class, "configured", long.class), Books.class))
			.withMessageContaining("@CacheAside(ttl = \"${books.ttl}\")")
			.withMessageContaining("is not a duration");
	}

	@Test
	void aTtlThatIsNotPositiveFailsNamingTheMethodAndTheAttribute() {
		assertThatIllegalStateException().isThrownBy(() -> operation(Invalid.class, "zeroTtl", long.class))
			.withMessageContaining("@CacheAside(ttl = ")
			.withMessageContaining("Invalid.zeroTtl(long)")
			.withMessageContaining("must be positive");
	}

	@Test
	void aTtlThatIsNotADurationFailsNamingTheMethodAndTheAttribute() {
		assertThatIllegalStateException().isThrownBy(() -> operation(Invalid.class, "wordTtl", long.class))
			.withMessageContaining("@CacheAside(ttl = \"ten minutes\") on ")
			.withMessageContaining("Invalid.wordTtl(long)")
			.withMessageContaining("is not a duration");
	}

	@Test
	void aTtlJitterAboveOneHundredFailsNamingTheMethodAndTheAttribute() {
		assertThatIllegalStateException().isThrownBy(() -> operation(Invalid.class, "largeJitter", long.class))
			.withMessageContaining("@CacheAside(ttlJitter = \"150\") on ")
			.withMessageContaining("Invalid.largeJitter(long)")
			.withMessageContaining("must be a percentage between 0 and 100");
	}

	@Test
	void aTtlJitterThatIsNotAWholeNumberFailsNamingTheMethodAndTheAttribute() {
		assertThatIllegalStateException().isThrownBy(() -> operation(Invalid.class, "fractionJitter", long.class))
			.withMessageContaining("@CacheAside(ttlJitter = \"12.5\") on ")
			.withMessageContaining("Invalid.fractionJitter(long)")
			.withMessageContaining("whole percentage");
	}

	@Test
	void aNegativeNullTtlFailsNamingTheAttributeByItsAnnotationName() {
		assertThatIllegalStateException().isThrownBy(() -> operation(Invalid.class, "negativeNullTtl", long.class))
			.withMessageContaining("@CacheAside(nullTtl = ")
			.withMessageContaining("Invalid.negativeNullTtl(long)")
			.withMessageContaining("must be zero or positive");
	}

	@Test
	void readingAndWritingInOneMethodFailsNamingTheMethod() {
		assertThatIllegalStateException().isThrownBy(() -> operation(Invalid.class, "readAndWrite", long.class))
			.withMessageContaining("@CacheAside on ")
			.withMessageContaining("Invalid.readAndWrite(long)")
			.withMessageContaining("cannot be combined with [@CacheInvalidate(cache = books)]");
	}

	@Test
	void cacheAsideOnAVoidMethodFailsNamingTheMethod() {
		assertThatIllegalStateException().isThrownBy(() -> operation(Invalid.class, "nothing", long.class))
			.withMessageContaining("@CacheAside on ")
			.withMessageContaining("Invalid.nothing(long)")
			.withMessageContaining("returns nothing");
	}

	@Test
	void cacheAsideOnAnAsynchronousMethodFailsNamingTheMethod() {
		assertThatIllegalStateException().isThrownBy(() -> operation(Invalid.class, "later", long.class))
			.withMessageContaining("Invalid.later(long) returns java.util.concurrent.CompletableFuture")
			.withMessageContaining("only a Mono (or a Kotlin suspend function) is supported");
	}

	@Test
	void anUnknownCacheFailsNamingTheAnnotationAndTheKnownCaches() {
		assertThatIllegalStateException().isThrownBy(() -> operation(Invalid.class, "unknownCache", long.class))
			.withMessageContaining("@CacheAside(cache = \"authors\") on ")
			.withMessageContaining("Invalid.unknownCache(long)")
			.withMessageContaining("known caches are [books]");
	}

	@Test
	void aWriteThroughWithNothingToWriteFailsNamingTheMethod() {
		assertThatIllegalStateException()
			.isThrownBy(() -> operation(Invalid.class, "writeNothing", long.class, String.class))
			.withMessageContaining("@WriteThrough(cache = \"books\") on ")
			.withMessageContaining("Invalid.writeNothing(long,java.lang.String)")
			.withMessageContaining("has no value to write");
	}

	@Test
	void anInvalidationOfAKeyAndOfAllEntriesFailsNamingBothAttributes() {
		assertThatIllegalStateException().isThrownBy(() -> operation(Invalid.class, "keyAndAll", long.class))
			.withMessageContaining("@CacheInvalidate(cache = \"books\", key = \"#id\", allEntries = true) on ")
			.withMessageContaining("Invalid.keyAndAll(long)");
	}

	@Test
	void anInvalidationOfTagsAndOfAllEntriesFailsNamingBoth() {
		assertThatIllegalStateException().isThrownBy(() -> operation(Invalid.class, "tagsAndAll", long.class))
			.withMessageContaining("@CacheInvalidate(cache = \"books\", tags = ['author:' + #id], allEntries = true)")
			.withMessageContaining(" on ")
			.withMessageContaining("Invalid.tagsAndAll(long)");
	}

	@Test
	void aBatchReadWithTagsFailsSayingHowToTagItsValues() {
		assertThatIllegalStateException().isThrownBy(() -> operation(Invalid.class, "taggedBatch", List.class))
			.withMessageContaining("@CacheAside(batch = true) on ")
			.withMessageContaining("cannot tag its values")
			.withMessageContaining("TieredCache.put(key, value, tags)");
	}

	@Test
	void aBlankTagExpressionFailsNamingTheMethod() {
		assertThatIllegalStateException().isThrownBy(() -> operation(Invalid.class, "blankTag", long.class))
			.withMessageContaining("@CacheAside(tags = …) on ")
			.withMessageContaining("Invalid.blankTag(long)")
			.withMessageContaining("blank expression");
	}

	@Test
	void aTagExpressionThatDoesNotParseFailsNamingIt() {
		assertThatIllegalStateException().isThrownBy(() -> operation(Invalid.class, "unparsableTag", long.class))
			.withMessageContaining("@CacheInvalidate(tags = \"'author:' + \") on ")
			.withMessageContaining("Invalid.unparsableTag(long)");
	}

	@Test
	void aWriteBehindWithoutRedisFailsNamingTheMethod() {
		assertThatIllegalStateException().isThrownBy(() -> operation(Invalid.class, "queued", String.class))
			.withMessageContaining("@WriteBehind on ")
			.withMessageContaining("Invalid.queued(java.lang.String)")
			.withMessageContaining("needs Redis");
	}

	@Test
	void matchingTheAdvisorAgainstABeanClassParsesItSoAMisconfiguredAnnotationFailsAtStartUp() {
		TiercacheAdvisor advisor = new TiercacheAdvisor(this.source);
		assertThat(AopUtils.canApply(advisor, OneGoodMethod.class)).isTrue();
		assertThatIllegalStateException().isThrownBy(() -> AopUtils.canApply(advisor, OneBadMethod.class))
			.withMessageContaining("OneBadMethod.find(long)")
			.withMessageContaining("returns nothing");
	}

	private CacheAsideOperation cacheAside(Class<?> type, String name, Class<?>... parameterTypes) {
		return (CacheAsideOperation) operation(type, name, parameterTypes);
	}

	private MethodOperation operation(Class<?> type, String name, Class<?>... parameterTypes) {
		return this.source.getOperation(method(type, name, parameterTypes), type);
	}

	private static Method method(Class<?> type, String name, Class<?>... parameterTypes) {
		Method method = ReflectionUtils.findMethod(type, name, parameterTypes);
		assertThat(method).as(name).isNotNull();
		return method;
	}

	static class Books {

		@CacheAside(cache = "books", ttl = "5m", ttlJitter = "0")
		public String find(long id) {
			return "book " + id;
		}

		@CacheAside(cache = "books", ttl = "${books.ttl}", ttlJitter = "${books.jitter}")
		public String configured(long id) {
			return "book " + id;
		}

		@WriteThrough(cache = "books", key = "#id", value = "#title")
		@CacheInvalidate(cache = "books", key = "'all'")
		public void save(long id, String title) {
		}

		public String plain(long id) {
			return "book " + id;
		}

	}

	static class MoreBooks extends Books {

	}

	static class OneGoodMethod {

		@CacheAside(cache = "books")
		public String find(long id) {
			return "book " + id;
		}

	}

	static class OneBadMethod {

		@CacheAside(cache = "books")
		public void find(long id) {
		}

	}

	static class Invalid {

		@CacheAside(cache = "books", ttl = "0s")
		public String zeroTtl(long id) {
			return "";
		}

		@CacheAside(cache = "books", ttl = "ten minutes")
		public String wordTtl(long id) {
			return "";
		}

		@CacheAside(cache = "books", ttlJitter = "150")
		public String largeJitter(long id) {
			return "";
		}

		@CacheAside(cache = "books", ttlJitter = "12.5")
		public String fractionJitter(long id) {
			return "";
		}

		@CacheAside(cache = "books", nullTtl = "-1s")
		public String negativeNullTtl(long id) {
			return "";
		}

		@CacheAside(cache = "books")
		@CacheInvalidate(cache = "books")
		public String readAndWrite(long id) {
			return "";
		}

		@CacheAside(cache = "books")
		public void nothing(long id) {
		}

		@CacheAside(cache = "books")
		public CompletableFuture<String> later(long id) {
			return CompletableFuture.completedFuture("");
		}

		@CacheAside(cache = "authors")
		public String unknownCache(long id) {
			return "";
		}

		@WriteThrough(cache = "books")
		public void writeNothing(long id, String title) {
		}

		@CacheInvalidate(cache = "books", key = "#id", allEntries = true)
		public void keyAndAll(long id) {
		}

		@CacheInvalidate(cache = "books", tags = "'author:' + #id", allEntries = true)
		public void tagsAndAll(long id) {
		}

		@CacheAside(cache = "books", batch = true, tags = "'shelf'")
		public List<String> taggedBatch(List<Long> ids) {
			return List.of();
		}

		@CacheAside(cache = "books", tags = " ")
		public String blankTag(long id) {
			return "";
		}

		@CacheInvalidate(cache = "books", tags = "'author:' + ")
		public void unparsableTag(long id) {
		}

		@WriteBehind(cache = "books")
		public void queued(String title) {
		}

	}

}
