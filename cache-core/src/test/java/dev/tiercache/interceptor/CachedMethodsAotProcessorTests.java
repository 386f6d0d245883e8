package dev.tiercache.interceptor;

import java.io.Serializable;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.springframework.aop.MethodMatcher;
import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.context.aot.AbstractAotProcessor;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.javapoet.ClassName;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.annotation.CacheInvalidate;
import dev.tiercache.annotation.WriteBehind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Spring's AOT processing of a context, as {@code spring-boot:process-aot} runs it, picks up
 * {@link CachedMethodsAotProcessor} from {@code aot.factories}: a bean with Tiercache-annotated methods
 * gets reflection hints for those methods, binding hints for the types in their signatures (records and
 * values inside {@code Optional}, {@code List} and other records too, and a Spring {@code @Cacheable}
 * method's), field access, a record's class file as a resource and Java serialization for a
 * {@code Serializable} value; a bean without such methods gets none. The
 * processing itself does not create the cache manager.
 */
class CachedMethodsAotProcessorTests {

	private final RuntimeHints hints = processAheadOfTime(Catalogue.class, Plain.class);

	@Test
	void annotatedMethodsAreInvocableByReflection() throws Exception {
		for (String method : List.of("find", "findAll", "save", "remove", "price")) {
			assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Catalogue.class, method)).as(method)
				.accepts(this.hints);
		}
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Catalogue.class, "count"))
			.as("a method without a Tiercache annotation")
			.rejects(this.hints);
	}

	@Test
	void theTypesInTheirSignaturesCanBeBoundAndReadByTheCodec() {
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Book.class, "title"))
			.as("a record inside Optional, its accessor")
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(Author.class)).as("a record inside a List")
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Order.class, "getQuantity"))
			.as("a bean-style argument of a @WriteBehind method, its getter (SpEL keys, the argument codec)")
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.resource().forResource("dev/tiercache/interceptor/"
				+ "CachedMethodsAotProcessorTests$Book.class")).as("a record's class file").accepts(this.hints);
		assertThat(RuntimeHintsPredicates.resource().forResource("dev/tiercache/interceptor/"
				+ "CachedMethodsAotProcessorTests$Edition.class")).as("a record inside a record").accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onFieldAccess(Order.class, "quantity"))
			.as("a value's fields, which the codec compares and the @NeverCache check reads")
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(Price.class))
			.as("the value of a Spring @Cacheable method, which the fast path encodes")
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onJavaSerialization(Order.class, true))
			.as("a Serializable value, for the codec's fallback")
			.accepts(this.hints);
	}

	@Test
	void aBeanWithoutTiercacheAnnotationsGetsNoHints() {
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Plain.class, "find")).rejects(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(Unrelated.class)).as("the type it returns")
			.rejects(this.hints);
	}

	/**
	 * While the application is processed ahead of time, Spring matches pointcuts to choose proxy
	 * classes: Tiercache's matches annotated methods without parsing them, since parsing resolves the
	 * caches (creating the cache manager, which connects to Redis). At run time it parses them, so that an
	 * annotation that cannot work fails start-up.
	 */
	@Test
	void duringAotProcessingThePointcutMatchesWithoutCreatingTheCacheManager() throws Exception {
		AtomicInteger managersAskedFor = new AtomicInteger();
		TiercacheAdvisor advisor = new TiercacheAdvisor(new TiercacheOperationSource(() -> {
			managersAskedFor.incrementAndGet();
			throw new IllegalStateException("no cache manager in this test");
		}, null));
		MethodMatcher matcher = advisor.getPointcut().getMethodMatcher();
		Method find = Catalogue.class.getMethod("find", long.class);
		String processing = System.setProperty(AbstractAotProcessor.AOT_PROCESSING, "true");
		try {
			assertThat(matcher.matches(find, Catalogue.class)).isTrue();
			assertThat(matcher.matches(Catalogue.class.getMethod("count"), Catalogue.class)).isFalse();
			assertThat(managersAskedFor).as("while processing ahead of time").hasValue(0);
		}
		finally {
			if (processing == null) {
				System.clearProperty(AbstractAotProcessor.AOT_PROCESSING);
			}
			else {
				System.setProperty(AbstractAotProcessor.AOT_PROCESSING, processing);
			}
		}
		assertThatIllegalStateException().as("at run time").isThrownBy(() -> matcher.matches(find, Catalogue.class));
		assertThat(managersAskedFor).hasValue(1);
	}

	private static RuntimeHints processAheadOfTime(Class<?>... beanClasses) {
		try (GenericApplicationContext context = new GenericApplicationContext()) {
			for (Class<?> beanClass : beanClasses) {
				context.registerBean(beanClass);
			}
			DefaultGenerationContext generationContext = new DefaultGenerationContext(
					new ClassNameGenerator(ClassName.get(CachedMethodsAotProcessorTests.class)),
					new InMemoryGeneratedFiles());
			new ApplicationContextAotGenerator().processAheadOfTime(context, generationContext);
			return generationContext.getRuntimeHints();
		}
	}

	public record Book(long id, String title, Edition edition) {
	}

	public record Edition(int year) {
	}

	public record Price(long cents) {
	}

	public record Author(String name) {
	}

	public record Unrelated(String name) {
	}

	public static class Order implements Serializable {

		private int quantity;

		public int getQuantity() {
			return this.quantity;
		}

		public void setQuantity(int quantity) {
			this.quantity = quantity;
		}

	}

	public static class Catalogue {

		@CacheAside(cache = "books", key = "#id")
		public Optional<Book> find(long id) {
			return Optional.empty();
		}

		@CacheAside(cache = "authors", key = "#name")
		public List<Author> findAll(String name) {
			return List.of();
		}

		@WriteBehind(cache = "orders", key = "#order.quantity")
		public void save(Order order) {
		}

		@CacheInvalidate(cache = "books", key = "#id")
		public void remove(long id) {
		}

		@Cacheable("prices")
		public Price price(long id) {
			return new Price(id);
		}

		public int count() {
			return 0;
		}

	}

	public static class Plain {

		public Unrelated find(String name) {
			return new Unrelated(name);
		}

	}

}
