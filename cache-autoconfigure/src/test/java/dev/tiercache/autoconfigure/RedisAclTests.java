package dev.tiercache.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.annotation.CacheInvalidate;
import dev.tiercache.annotation.WriteAround;
import dev.tiercache.annotation.WriteBehind;
import dev.tiercache.annotation.WriteThrough;
import dev.tiercache.resilience.RedisCredentialsRejectedException;
import dev.tiercache.test.SingleServer;
import dev.tiercache.test.TestRedis;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * Issue 18, ACLs: Tiercache works as a Redis ACL user that has only the README's rule (read from the
 * README, so that the documented rule is the tested one), with Spring Boot's own
 * {@code spring.data.redis.username} and {@code password}: every pattern runs on two instances and Redis
 * denies nothing (its {@code ACL LOG} has no entry for the user). A wrong password stops start-up with
 * a report naming the property. ACL users belong to one server, hence {@link SingleServer}.
 */
@SingleServer
@ExtendWith(OutputCaptureExtension.class)
class RedisAclTests {

	private static final Path README = Path.of("..", "README.md");

	private static final String RULE_START = "ACL SETUSER tiercache ";

	private static final List<String> README_OPTIONAL = List.of("+client|setinfo", "+client|maint_notifications");

	private final TestContexts contexts = new TestContexts();

	private final String user = "tiercache-test-" + UUID.randomUUID().toString().substring(0, 8);

	private final String password = UUID.randomUUID().toString();

	private final RedisClient client = RedisClient.create(RedisURI.create(TestRedis.uri()));

	private final StatefulRedisConnection<String, String> admin = this.client.connect();

	private final ExecutorService executor = Executors.newCachedThreadPool();

	@AfterEach
	void close() {
		this.executor.shutdownNow();
		this.contexts.close();
		this.admin.sync().aclDeluser(this.user);
		this.admin.close();
		this.client.shutdown();
	}

	@Test
	void everyPatternWorksAsAUserWithTheReadmeRuleAndRedisDeniesNothing() throws Exception {
		createUserWithReadmeRule();
		Catalog catalog = new Catalog();
		ConfigurableApplicationContext first = start(catalog, this.password);
		ConfigurableApplicationContext second = start(catalog, this.password);
		CatalogService one = first.getBean(CatalogService.class);
		CatalogService two = second.getBean(CatalogService.class);

		catalog.titles.put(1L, "Dune");
		catalog.holdLoads();
		List<Future<String>> readers = new ArrayList<>();
		for (CatalogService instance : List.of(one, two, one, two, one, two, one, two)) {
			readers.add(this.executor.submit(() -> instance.title(1)));
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> catalog.loads.get() == 1);
		catalog.releaseLoads();
		for (Future<String> reader : readers) {
			assertThat(reader.get(10, TimeUnit.SECONDS)).isEqualTo("Dune");
		}
		assertThat(catalog.loads).as("one load for 8 concurrent readers on two instances: leases work").hasValue(1);

		two.save(2, "Emma");
		assertThat(one.title(2)).as("written through to Redis").isEqualTo("Emma");
		one.rename(1, "Dune Messiah");
		awaitTitle(two, 1, "Dune Messiah");
		two.forgetAll();
		catalog.titles.put(2L, "Persuasion");
		awaitTitle(one, 2, "Persuasion");

		one.setPrice(7, "12.50");
		await().atMost(Duration.ofSeconds(10)).until(() -> "12.50".equals(catalog.prices.get(7L)));
		assertThat(two.price(7)).as("the queued write, read by the other instance").isEqualTo("12.50");

		assertThat(deniedCommands()).as("commands, keys and channels Redis denied the user").isEmpty();
		for (ConfigurableApplicationContext instance : List.of(first, second)) {
			TieredCacheManager manager = instance.getBean(TieredCacheManager.class);
			for (String name : List.of("books", "prices")) {
				assertThat(((TieredCache) manager.getCache(name)).stats().remoteErrors()).as("Redis errors in " + name)
					.isZero();
			}
		}
	}

	@Test
	void aWrongPasswordStopsStartUpWithAReportNamingTheProperty(CapturedOutput output) {
		createUserWithReadmeRule();
		assertThatException().isThrownBy(() -> start(new Catalog(), "not-" + this.password))
			.satisfies((failure) -> assertThat(rejection(failure)).as("why the context failed")
				.isInstanceOfSatisfying(RedisCredentialsRejectedException.class,
						(rejected) -> assertThat(rejected.getReply()).startsWith("WRONGPASS")));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Redis refused the credentials Tiercache connected with")
			.contains("'spring.data.redis.password'");
	}

	private static @Nullable Throwable rejection(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof RedisCredentialsRejectedException) {
				return cause;
			}
		}
		return null;
	}

	private ConfigurableApplicationContext start(Catalog catalog, String password) {
		return this.contexts.start(AclApplication.class, Map.of("catalog", catalog),
				"spring.data.redis.username=" + this.user, "spring.data.redis.password=" + password,
				"tiercache.cache-names=books,prices");
	}

	private static void awaitTitle(CatalogService service, long id, String title) {
		await().atMost(Duration.ofSeconds(5)).until(() -> title.equals(service.title(id)));
	}

	/** Creates the user with the README's rule, its key and channel patterns moved to this test's prefix. */
	private void createUserWithReadmeRule() {
		CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).add("SETUSER").add(this.user);
		for (String token : readmeRule()) {
			args.add(token.startsWith(">") ? ">" + this.password
					: token.replace("tiercache:", this.contexts.prefix + ":"));
		}
		String reply = this.admin.sync().dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8), args);
		assertThat(reply).isEqualTo("OK");
		allowWhereKnown();
	}

	/**
	 * Adds the rules the README says to add where the server knows them (Lettuce's {@code CLIENT}
	 * subcommands at connect): Redis refuses a rule that names a subcommand it does not have.
	 */
	private void allowWhereKnown() {
		for (String rule : README_OPTIONAL) {
			assertThat(readme()).as("the README's advice on %s", rule).contains("`" + rule + "`");
			CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).add("SETUSER").add(this.user)
				.add(rule);
			try {
				this.admin.sync().dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8), args);
			}
			catch (RedisCommandExecutionException ex) {
				assertThat(ex).hasMessageContaining("Unknown command");
			}
		}
	}

	private static List<String> readmeRule() {
		List<String> rules = readme().lines().filter((line) -> line.startsWith(RULE_START)).toList();
		assertThat(rules).as("the README's ACL rule, a line starting '%s'", RULE_START).hasSize(1);
		return List.of(rules.get(0).substring(RULE_START.length()).strip().split("\\s+"));
	}

	private static String readme() {
		try {
			return Files.readString(README);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot read " + README.toAbsolutePath(), ex);
		}
	}

	/** What Redis's ACL log holds for this test's user: each denial's reason, object and client. */
	private List<String> deniedCommands() {
		return this.admin.sync().aclLog().stream()
			.filter((entry) -> this.user.equals(entry.get("username")))
			.map((entry) -> entry.get("reason") + " " + entry.get("object") + " (" + entry.get("context") + "), client "
					+ entry.get("client-info"))
			.toList();
	}

	/** The "database" both instances share: titles and prices, with a count of loads and a gate on them. */
	static final class Catalog {

		final Map<Long, String> titles = new ConcurrentHashMap<>();

		final Map<Long, String> prices = new ConcurrentHashMap<>();

		final AtomicInteger loads = new AtomicInteger();

		private volatile CountDownLatch gate = new CountDownLatch(0);

		void holdLoads() {
			this.gate = new CountDownLatch(1);
		}

		void releaseLoads() {
			this.gate.countDown();
		}

		<T> T load(Callable<T> read) throws Exception {
			this.loads.incrementAndGet();
			if (!this.gate.await(10, TimeUnit.SECONDS)) {
				throw new IllegalStateException("loads were held for 10 s");
			}
			return read.call();
		}

	}

	static class CatalogService {

		private final Catalog catalog;

		CatalogService(Catalog catalog) {
			this.catalog = catalog;
		}

		@CacheAside(cache = "books", key = "#id")
		public @Nullable String title(long id) throws Exception {
			return this.catalog.load(() -> this.catalog.titles.get(id));
		}

		@WriteThrough(cache = "books", key = "#id", value = "#title")
		public void save(long id, String title) {
			this.catalog.titles.put(id, title);
		}

		@WriteAround(cache = "books", key = "#id")
		public void rename(long id, String title) {
			this.catalog.titles.put(id, title);
		}

		@CacheInvalidate(cache = "books", allEntries = true)
		public void forgetAll() {
		}

		@WriteBehind(cache = "prices", key = "#id", value = "#amount")
		public void setPrice(long id, String amount) {
			this.catalog.prices.put(id, amount);
		}

		@CacheAside(cache = "prices", key = "#id")
		public @Nullable String price(long id) {
			return this.catalog.prices.get(id);
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class AclApplication {

		@Bean
		CatalogService catalogService(Catalog catalog) {
			return new CatalogService(catalog);
		}

	}

}
