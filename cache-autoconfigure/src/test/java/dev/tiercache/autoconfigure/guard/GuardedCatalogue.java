package dev.tiercache.autoconfigure.guard;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.annotation.WriteAround;
import dev.tiercache.test.TestTransactions;

/**
 * A catalogue whose {@code products} cache is guarded: the products that exist are in a {@link Rows}
 * table shared by the instances, which counts the loads and the reads of every id.
 */
public class GuardedCatalogue {

	private final Rows rows;

	public GuardedCatalogue(Rows rows) {
		this.rows = rows;
	}

	@CacheAside(cache = "products", key = "#id")
	public @Nullable String find(long id) {
		return this.rows.load(id);
	}

	@WriteAround(cache = "products", key = "#id")
	public void create(long id) {
		this.rows.ids.add(id);
	}

	@ExistingKeys(cache = "products")
	public Stream<Long> productIds() {
		this.rows.sourceCalls.incrementAndGet();
		return List.copyOf(this.rows.ids).stream().peek((id) -> this.rows.readInReadOnlyTransaction
			.set(TransactionSynchronizationManager.isActualTransactionActive()
					&& TransactionSynchronizationManager.isCurrentTransactionReadOnly()));
	}

	/** The table of products, shared by the instances. */
	public static final class Rows {

		public final Set<Long> ids = ConcurrentHashMap.newKeySet();

		public final AtomicInteger loads = new AtomicInteger();

		public final AtomicInteger sourceCalls = new AtomicInteger();

		/** Whether the source's stream was last read in a read-only transaction. */
		public final AtomicBoolean readInReadOnlyTransaction = new AtomicBoolean();

		@Nullable String load(long id) {
			this.loads.incrementAndGet();
			return this.ids.contains(id) ? "product " + id : null;
		}

	}

	/** The application: the catalogue, on Tiercache. */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	public static class Application {

		@Bean
		GuardedCatalogue catalogue(Rows rows) {
			return new GuardedCatalogue(rows);
		}

	}

	/** The application with a transaction manager that touches no resource. */
	@SpringBootConfiguration
	@Import(Application.class)
	public static class WithTransactions {

		@Bean
		PlatformTransactionManager transactionManager() {
			return TestTransactions.template().getTransactionManager();
		}

	}

	/** A second source of the same cache, which start-up refuses. */
	public static class SecondSource {

		@ExistingKeys(cache = "products")
		public List<Long> moreIds() {
			return List.of();
		}

	}

	/** The application with {@link SecondSource}. */
	@SpringBootConfiguration
	@Import(Application.class)
	public static class TwoSources {

		@Bean
		SecondSource secondSource() {
			return new SecondSource();
		}

	}

	/** A source that takes a parameter, which start-up refuses. */
	public static class SourceWithAParameter {

		@ExistingKeys(cache = "products")
		public List<Long> ids(int limit) {
			return List.of();
		}

	}

	/** The application with {@link SourceWithAParameter} and no other source. */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	public static class ParameterisedSource {

		@Bean
		SourceWithAParameter source() {
			return new SourceWithAParameter();
		}

	}

}
