package dev.tiercache.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import dev.tiercache.autoconfigure.CatalogApplication.Catalog;
import dev.tiercache.resilience.RedisConnectionRejectedException;
import dev.tiercache.test.SingleServer;
import dev.tiercache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

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

	@AfterEach
	void close() {
		this.contexts.close();
		this.admin.sync().aclDeluser(this.user);
		this.admin.close();
		this.client.shutdown();
	}

	@Test
	void everyPatternWorksAsAUserWithTheReadmeRuleAndRedisDeniesNothing() throws Exception {
		createUserWithReadmeRule();
		Catalog catalog = new Catalog();
		CatalogApplication.exerciseEveryPattern(start(catalog, this.password), start(catalog, this.password));
		assertThat(deniedCommands()).as("commands, keys and channels Redis denied the user").isEmpty();
	}

	@Test
	void aWrongPasswordStopsStartUpWithAReportNamingTheProperty(CapturedOutput output) {
		createUserWithReadmeRule();
		assertThatException().isThrownBy(() -> start(new Catalog(), "not-" + this.password))
			.satisfies((failure) -> assertThat(CatalogApplication.rejectionIn(failure)).as("why the context failed")
				.isInstanceOfSatisfying(RedisConnectionRejectedException.class,
						(rejected) -> assertThat(rejected.getDetail()).startsWith("WRONGPASS")));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Redis refused the credentials Tiercache connected with")
			.contains("'spring.data.redis.password'");
	}

	private ConfigurableApplicationContext start(Catalog catalog, String password) {
		return this.contexts.start(CatalogApplication.class, CatalogApplication.shared(catalog),
				"spring.data.redis.username=" + this.user, "spring.data.redis.password=" + password,
				"tiercache.cache-names=books,prices");
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

}
