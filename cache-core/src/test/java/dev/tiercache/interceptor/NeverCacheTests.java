package dev.tiercache.interceptor;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanInitializationException;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.annotation.NeverCache;
import dev.tiercache.annotation.WriteAround;
import dev.tiercache.annotation.WriteBehind;
import dev.tiercache.annotation.WriteThrough;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Issue 18, sensitive values: {@link TiercacheMethodValidator} refuses, at bean creation, a method that
 * would cache a type or field marked {@link NeverCache} or matching the configured patterns, naming the
 * annotation, the method, the bean and the path to the sensitive part; nested, in collections, maps,
 * arrays and {@code Optional}s. Methods that cache nothing of it pass.
 */
class NeverCacheTests {

	private final TiercacheMethodValidator validator = new TiercacheMethodValidator();

	@Test
	void aCachedResultWithAMarkedNestedFieldIsRefusedNamingTheMethodAndThePath() {
		assertThatExceptionOfType(BeanInitializationException.class)
			.isThrownBy(() -> this.validator.postProcessBeforeInitialization(new AccountReads(), "accounts"))
			.withMessageContaining("@CacheAside method ")
			.withMessageContaining("AccountReads.find(long)")
			.withMessageContaining("of bean 'accounts'")
			.withMessageContaining("its result")
			.withMessageContaining("Account.card.number (marked @NeverCache)");
	}

	@Test
	void aMarkedTypeInsideACollectionOrAnOptionalIsRefused() {
		assertThatExceptionOfType(BeanInitializationException.class)
			.isThrownBy(() -> this.validator.postProcessBeforeInitialization(new TokenListReads(), "tokens"))
			.withMessageContaining("List<Token> (" + Token.class.getName() + " is marked @NeverCache)");
		assertThatExceptionOfType(BeanInitializationException.class)
			.isThrownBy(() -> this.validator.postProcessBeforeInitialization(new TokenMapReads(), "tokens"))
			.withMessageContaining(
					"Optional<Map<String, Token[]>> (" + Token.class.getName() + " is marked @NeverCache)");
	}

	@Test
	void queuedArgumentsOfAWriteBehindAndTheValueOfAWriteThroughAreChecked() {
		assertThatExceptionOfType(BeanInitializationException.class)
			.isThrownBy(() -> this.validator.postProcessBeforeInitialization(new QueuedCardWrites(), "cards"))
			.withMessageContaining("@WriteBehind method ")
			.withMessageContaining("parameter 1")
			.withMessageContaining("Card.number (marked @NeverCache)");
		assertThatExceptionOfType(BeanInitializationException.class)
			.isThrownBy(() -> this.validator.postProcessBeforeInitialization(new CardWrites(), "cards"))
			.withMessageContaining("@WriteThrough method ")
			.withMessageContaining("parameter 0").withMessageContaining("Account.card.number");
	}

	@Test
	void configuredTypeAndFieldPatternsAreRefusedLikeTheAnnotation() {
		TiercacheMethodValidator byField = new TiercacheMethodValidator(List.of(), List.of("*PASSWORD*"));
		assertThatExceptionOfType(BeanInitializationException.class)
			.isThrownBy(() -> byField.postProcessBeforeInitialization(new UserReads(), "users"))
			.withMessageContaining("User.passwordHash (matches tiercache.never-cache.fields)");
		TiercacheMethodValidator byType = new TiercacheMethodValidator(List.of("dev.tiercache.*$User"), List.of());
		assertThatExceptionOfType(BeanInitializationException.class)
			.isThrownBy(() -> byType.postProcessBeforeInitialization(new UserReads(), "users"))
			.withMessageContaining("matches tiercache.never-cache.types");
		assertThat(new TiercacheMethodValidator(List.of("com.other.*"), List.of("secret"))
			.postProcessBeforeInitialization(new UserReads(), "users")).as("patterns that match nothing").isNotNull();
	}

	@Test
	void aGenericTypeHoldingASensitiveTypeArgumentIsRefusedThoughTheSameTypeHeldAnotherBefore() {
		assertThatExceptionOfType(BeanInitializationException.class)
			.isThrownBy(() -> this.validator.postProcessBeforeInitialization(new BoxedReads(), "boxes"))
			.withMessageContaining("Boxes.token");
	}

	@Test
	void methodsThatCacheNothingSensitivePassAndSelfReferringTypesEnd() {
		SafeMethods bean = new SafeMethods();
		assertThat(this.validator.postProcessBeforeInitialization(bean, "safe")).isSameAs(bean);
	}

	record Card(@NeverCache String number, String holder) {
	}

	record Account(long id, Card card) {
	}

	@NeverCache
	record Token(String value) {
	}

	record User(long id, String name, String passwordHash) {
	}

	record Node(String name, List<Node> children, Node parent) {
	}

	record Box<T>(T content) {
	}

	record Boxes(Box<String> name, Box<Token> token) {
	}

	static class BoxedReads {

		@CacheAside(cache = "boxes")
		public Boxes find(long id) {
			return new Boxes(new Box<>("n"), new Box<>(new Token("t")));
		}

	}

	static class AccountReads {

		@CacheAside(cache = "accounts")
		public Account find(long id) {
			return new Account(id, new Card("4111", "A"));
		}

	}

	static class TokenListReads {

		@CacheAside(cache = "tokens")
		public List<Token> find(long id) {
			return List.of();
		}

	}

	static class TokenMapReads {

		@CacheAside(cache = "tokens")
		public Optional<Map<String, Token[]>> find(long id) {
			return Optional.empty();
		}

	}

	static class QueuedCardWrites {

		@WriteBehind(cache = "cards", key = "#id")
		public void save(long id, Card card) {
		}

	}

	static class CardWrites {

		@WriteThrough(cache = "cards", key = "#account.id")
		public void save(Account account) {
		}

	}

	static class UserReads {

		@CacheAside(cache = "users")
		public User find(long id) {
			return new User(id, "u", "hash");
		}

	}

	static class SafeMethods {

		@CacheAside(cache = "nodes")
		public Node find(String name) {
			return new Node(name, List.of(), null);
		}

		@WriteAround(cache = "cards", key = "#card.holder")
		public void replace(Card card) {
		}

		@CacheAside(cache = "ranked")
		public <T extends Comparable<T>> List<T> top(String board) {
			return List.of();
		}

	}

}
