package dev.tiercache.interceptor;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanInitializationException;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.annotation.CacheInvalidate;
import dev.tiercache.annotation.WriteThrough;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link TiercacheMethodValidator} fails the creation of a bean whose Tiercache annotation sits on a
 * method a proxy cannot intercept (final, static or private), naming the annotation, the method, the
 * bean and what to change; a bean whose annotated methods can all be intercepted passes unchanged.
 */
class TiercacheMethodValidatorTests {

	private final TiercacheMethodValidator validator = new TiercacheMethodValidator();

	@Test
	void cacheAsideOnAFinalMethodFailsNamingTheMethodAndTheBean() {
		assertThatExceptionOfType(BeanInitializationException.class)
			.isThrownBy(() -> this.validator.postProcessBeforeInitialization(new FinalRead(), "books"))
			.withMessageContaining("@CacheAside on final method ")
			.withMessageContaining("FinalRead.find(long)")
			.withMessageContaining("of bean 'books'")
			.withMessageContaining("Make the method public, non-static and non-final");
	}

	@Test
	void aWriteAnnotationOnAStaticMethodFailsNamingTheMethod() {
		assertThatExceptionOfType(BeanInitializationException.class)
			.isThrownBy(() -> this.validator.postProcessBeforeInitialization(new StaticWrite(), "writer"))
			.withMessageContaining("@WriteThrough on static method ")
			.withMessageContaining("StaticWrite.save(long)")
			.withMessageContaining("of bean 'writer'");
	}

	@Test
	void anInvalidationOnAPrivateMethodFailsNamingTheMethod() {
		assertThatExceptionOfType(BeanInitializationException.class)
			.isThrownBy(() -> this.validator.postProcessBeforeInitialization(new PrivateInvalidation(), "cleaner"))
			.withMessageContaining("@CacheInvalidate on private method ")
			.withMessageContaining("PrivateInvalidation.forget(long)");
	}

	@Test
	void aBeanWhoseAnnotatedMethodsCanBeInterceptedIsReturnedUnchanged() {
		Interceptable bean = new Interceptable();
		assertThat(this.validator.postProcessBeforeInitialization(bean, "fine")).isSameAs(bean);
	}

	static class FinalRead {

		@CacheAside(cache = "books")
		public final String find(long id) {
			return "book " + id;
		}

	}

	static class StaticWrite {

		@WriteThrough(cache = "books", value = "#id")
		public static void save(long id) {
		}

	}

	static class PrivateInvalidation {

		@CacheInvalidate(cache = "books")
		private void forget(long id) {
		}

		void callForget() {
			forget(1);
		}

	}

	static class Interceptable {

		@CacheAside(cache = "books")
		public String find(long id) {
			return "book " + id;
		}

		@CacheInvalidate(cache = "books")
		protected void forget(long id) {
		}

		public final String plain(long id) {
			return "book " + id;
		}

	}

}
