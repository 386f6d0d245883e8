package dev.tiercache.interceptor;

import java.lang.reflect.Method;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.cache.interceptor.SimpleKey;
import org.springframework.util.ReflectionUtils;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.annotation.CacheInvalidate;
import dev.tiercache.annotation.WriteAround;
import dev.tiercache.annotation.WriteThrough;
import dev.tiercache.test.TestManagers;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The keys of {@code @CacheAside} calls: a parameter named alone ({@code #id}, {@code #p1}) is the
 * argument itself; other SpEL is evaluated over the parameters, their properties and {@code #root};
 * without a key, one parameter is the key and several (or none) make a {@link SimpleKey}. SpEL that
 * cannot work fails at parse time naming the method, the attribute and the expression: invalid syntax,
 * an undefined {@code #variable}, and {@code #result} where there is no result yet.
 */
class KeyExpressionTests {

	private final TestManagers managers = new TestManagers();

	private final TieredCacheManager manager = this.managers.local("books");

	private final TiercacheOperationSource source = new TiercacheOperationSource(() -> this.manager, null);

	private final Keys target = new Keys();

	@AfterEach
	void close() throws Exception {
		this.managers.close();
	}

	@Test
	void aKeyNamingAParameterIsThatArgument() {
		assertThat(key("byName", 7L, "en")).isEqualTo("en");
	}

	@Test
	void aKeyNamingAParameterByPositionIsThatArgument() {
		assertThat(key("byPosition", 7L, "en")).isEqualTo("en");
		assertThat(key("byArgumentPosition", 7L, "en")).isEqualTo(7L);
	}

	@Test
	void aSpelKeyIsEvaluatedOverTheParameters() {
		assertThat(key("combined", 7L, "en")).isEqualTo("7:en");
	}

	@Test
	void aSpelKeyReadsThePropertiesOfAParameter() {
		assertThat(key("byProperty", new Book(7L, "Dune"))).isEqualTo("Dune");
	}

	@Test
	void aSpelKeyReadsTheMethodThroughRoot() {
		assertThat(key("byRoot", 7L)).isEqualTo("byRoot/7");
	}

	@Test
	void withoutAKeyTheOnlyParameterIsTheKey() {
		assertThat(key("oneParameter", 7L)).isEqualTo(7L);
	}

	@Test
	void withoutAKeyAllParametersMakeTheKey() {
		assertThat(key("twoParameters", 7L, "en")).isEqualTo(new SimpleKey(7L, "en"));
	}

	@Test
	void withoutAKeyAMethodWithoutParametersHasTheEmptyKey() {
		assertThat(key("noParameters")).isEqualTo(SimpleKey.EMPTY);
	}

	@Test
	void withoutAKeyAnArrayParameterIsKeyedByItsContents() {
		Object first = key("arrayParameter", (Object) new long[] { 1, 2 });
		Object second = key("arrayParameter", (Object) new long[] { 1, 2 });
		assertThat(first).isEqualTo(second).isNotEqualTo(key("arrayParameter", (Object) new long[] { 2, 1 }));
	}

	@Test
	void aKeyThatIsNullFailsTheCallNamingTheMethodAndTheExpression() {
		assertThatIllegalStateException().isThrownBy(() -> key("byName", 7L, null))
			.withMessageContaining("Key expression '#lang' of @CacheAside on ")
			.withMessageContaining("Keys.byName(long,java.lang.String)")
			.withMessageContaining("evaluated to null");
	}

	@Test
	void aSpelKeyThatIsNullFailsTheCallNamingTheMethodAndTheExpression() {
		assertThatIllegalStateException().isThrownBy(() -> key("byProperty", new Book(7L, null)))
			.withMessageContaining("Key expression '#book.title' of @CacheAside on ")
			.withMessageContaining("evaluated to null");
	}

	@Test
	void aConditionThatIsNotBooleanFailsTheCallNamingTheAttribute() {
		CacheAsideOperation operation = (CacheAsideOperation) operation(Keys.class, "textCondition");
		assertThatIllegalStateException().isThrownBy(() -> operation.appliesTo(new Object[] { 7L }, this.target))
			.withMessageContaining("@CacheAside(condition = \"'yes'\") on ")
			.withMessageContaining("must yield a boolean");
	}

	@Test
	void invalidSpelFailsNamingTheMethodTheAttributeAndTheExpression() {
		assertThatIllegalStateException().isThrownBy(() -> operation(Invalid.class, "badSyntax"))
			.withMessageContaining("@CacheAside(key = \"#id +\") on ")
			.withMessageContaining("Invalid.badSyntax(long)")
			.withMessageContaining("is not valid SpEL");
	}

	@Test
	void anUndefinedVariableFailsListingTheParameters() {
		assertThatIllegalStateException().isThrownBy(() -> operation(Invalid.class, "unknownVariable"))
			.withMessageContaining("@CacheAside(key = \"#isbn\") on ")
			.withMessageContaining("Invalid.unknownVariable(long,java.lang.String)")
			.withMessageContaining("refers to #isbn, which is not defined: the parameters are id, lang");
	}

	@Test
	void aPositionPastTheLastParameterIsUndefined() {
		assertThatIllegalStateException().isThrownBy(() -> operation(Invalid.class, "positionTooFar"))
			.withMessageContaining("@CacheAside(key = \"#p2\") on ")
			.withMessageContaining("refers to #p2, which is not defined");
	}

	@Test
	void anUndefinedVariableInAConditionFailsNamingThatAttribute() {
		assertThatIllegalStateException().isThrownBy(() -> operation(Invalid.class, "unknownInCondition"))
			.withMessageContaining("@CacheAside(condition = \"#enabled\") on ")
			.withMessageContaining("refers to #enabled");
	}

	@Test
	void resultIsUndefinedInACacheAsideKey() {
		assertThatIllegalStateException().isThrownBy(() -> operation(Invalid.class, "resultKey"))
			.withMessageContaining("@CacheAside(key = \"#result\") on ")
			.withMessageContaining("Invalid.resultKey(long)")
			.withMessageContaining("refers to #result, which is not defined");
	}

	@Test
	void resultIsUndefinedInACacheAsideCondition() {
		assertThatIllegalStateException().isThrownBy(() -> operation(Invalid.class, "resultCondition"))
			.withMessageContaining("@CacheAside(condition = \"#result != null\") on ")
			.withMessageContaining("refers to #result");
	}

	@Test
	void resultIsUndefinedInAnInvalidationBeforeTheMethodRuns() {
		assertThatIllegalStateException().isThrownBy(() -> operation(Invalid.class, "resultBeforeInvocation"))
			.withMessageContaining("@CacheInvalidate(key = \"#result\") on ")
			.withMessageContaining("Invalid.resultBeforeInvocation(long)")
			.withMessageContaining("refers to #result");
	}

	@Test
	void resultMayBeUsedWhereTheMethodHasReturned() {
		assertThat(operation(Results.class, "unlessOnResult")).isInstanceOf(CacheAsideOperation.class);
		assertThat(operation(Results.class, "writeThroughKeyedByResult")).isInstanceOf(WriteOperations.class);
		assertThat(operation(Results.class, "writeAroundKeyedByResult")).isInstanceOf(WriteOperations.class);
		assertThat(operation(Results.class, "invalidationKeyedByResult")).isInstanceOf(WriteOperations.class);
	}

	@Test
	void unlessSeesTheResult() {
		CacheAsideOperation operation = (CacheAsideOperation) operation(Results.class, "unlessOnResult");
		var unless = operation.unlessRule(new Object[] { 7L }, new Results());
		assertThat(unless).isNotNull();
		assertThat(unless.test(null)).isTrue();
		assertThat(unless.test("a title")).isFalse();
	}

	private @Nullable Object key(String name, @Nullable Object... arguments) {
		Method method = onlyMethod(Keys.class, name);
		CacheAsideOperation operation = (CacheAsideOperation) this.source.getOperation(method, Keys.class);
		return operation.key(arguments, this.target);
	}

	private MethodOperation operation(Class<?> type, String name) {
		return this.source.getOperation(onlyMethod(type, name), type);
	}

	private static Method onlyMethod(Class<?> type, String name) {
		Method found = null;
		for (Method method : ReflectionUtils.getDeclaredMethods(type)) {
			if (method.getName().equals(name)) {
				assertThat(found).as("one method named " + name).isNull();
				found = method;
			}
		}
		assertThat(found).as(name).isNotNull();
		return found;
	}

	record Book(long id, @Nullable String title) {
	}

	static class Keys {

		@CacheAside(cache = "books", key = "#lang")
		public String byName(long id, String lang) {
			return "";
		}

		@CacheAside(cache = "books", key = "#p1")
		public String byPosition(long id, String lang) {
			return "";
		}

		@CacheAside(cache = "books", key = "#a0")
		public String byArgumentPosition(long id, String lang) {
			return "";
		}

		@CacheAside(cache = "books", key = "#id + ':' + #lang")
		public String combined(long id, String lang) {
			return "";
		}

		@CacheAside(cache = "books", key = "#book.title")
		public String byProperty(Book book) {
			return "";
		}

		@CacheAside(cache = "books", key = "#root.methodName + '/' + #id")
		public String byRoot(long id) {
			return "";
		}

		@CacheAside(cache = "books")
		public String oneParameter(long id) {
			return "";
		}

		@CacheAside(cache = "books")
		public String twoParameters(long id, String lang) {
			return "";
		}

		@CacheAside(cache = "books")
		public String noParameters() {
			return "";
		}

		@CacheAside(cache = "books")
		public String arrayParameter(long[] ids) {
			return "";
		}

		@CacheAside(cache = "books", condition = "'yes'")
		public String textCondition(long id) {
			return "";
		}

	}

	static class Results {

		@CacheAside(cache = "books", unless = "#result == null")
		public @Nullable String unlessOnResult(long id) {
			return null;
		}

		@WriteThrough(cache = "books", key = "#result.id")
		public Book writeThroughKeyedByResult(String title) {
			return new Book(1L, title);
		}

		@WriteAround(cache = "books", key = "#result.id")
		public Book writeAroundKeyedByResult(String title) {
			return new Book(1L, title);
		}

		@CacheInvalidate(cache = "books", key = "#result.id")
		public Book invalidationKeyedByResult(String title) {
			return new Book(1L, title);
		}

	}

	static class Invalid {

		@CacheAside(cache = "books", key = "#id +")
		public String badSyntax(long id) {
			return "";
		}

		@CacheAside(cache = "books", key = "#isbn")
		public String unknownVariable(long id, String lang) {
			return "";
		}

		@CacheAside(cache = "books", key = "#p2")
		public String positionTooFar(long id, String lang) {
			return "";
		}

		@CacheAside(cache = "books", condition = "#enabled")
		public String unknownInCondition(long id) {
			return "";
		}

		@CacheAside(cache = "books", key = "#result")
		public String resultKey(long id) {
			return "";
		}

		@CacheAside(cache = "books", condition = "#result != null")
		public String resultCondition(long id) {
			return "";
		}

		@CacheInvalidate(cache = "books", key = "#result", beforeInvocation = true)
		public String resultBeforeInvocation(long id) {
			return "";
		}

	}

}
