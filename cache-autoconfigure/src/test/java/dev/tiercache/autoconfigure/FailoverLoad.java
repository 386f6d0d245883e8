package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.awaitility.core.ConditionTimeoutException;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.tiercache.autoconfigure.writebehind.Price;
import dev.tiercache.autoconfigure.writebehind.PriceService;
import dev.tiercache.autoconfigure.writebehind.WriteBehindApplication;
import dev.tiercache.autoconfigure.writebehind.WriterProbe;
import dev.tiercache.test.TestPostgres;
import dev.tiercache.tier.TieredCache;
import dev.tiercache.tier.TieredCacheManager;
import dev.tiercache.writebehind.WriteBehindUnavailableException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The traffic the failover tests run while Redis fails over: two instances of the write-behind
 * application (on PostgreSQL), a reader of {@value #HOT_KEYS} hot keys on each, and a
 * {@code @WriteBehind} writer of new keys ({@code durability=replica}, {@code WAIT 1}) on the first;
 * and the measures: read errors, database reads of hot keys, refused and acknowledged writes, and
 * when L2 serves again. Closes what it started.
 */
final class FailoverLoad implements AutoCloseable {

	static final int HOT_KEYS = 10;

	private static final long FIRST_WRITTEN_ID = 1000;

	/** Keys each L2 probe puts on one instance and reads on the other: enough to reach every primary. */
	private static final int PROBED_KEYS = 30;

	/** Pauses between a reader's calls, so that two cores also run Redis, its failover and the flushers. */
	private static final long READ_PACE_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

	private static final long WRITE_PACE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

	final AtomicInteger reads = new AtomicInteger();

	final AtomicInteger readErrors = new AtomicInteger();

	final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();

	/** The start times ({@link System#nanoTime()}) of the refused write-behind calls. */
	final List<Long> refused = new CopyOnWriteArrayList<>();

	private final TestContexts contexts = new TestContexts();

	private final WriterProbe probe = new WriterProbe();

	private final String table = "failover_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

	private final JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(TestPostgres.jdbcUrl()));

	private final ExecutorService traffic = Executors.newCachedThreadPool();

	private final List<Future<?>> running = new ArrayList<>();

	private final List<ConfigurableApplicationContext> instances = new ArrayList<>();

	private volatile boolean stopped;

	private int hotLoadsBefore;

	/**
	 * Starts two instances on the topology Spring Boot's {@code topology} properties name, writes the
	 * hot keys (and waits until they are in the database), then starts the readers and the writer and
	 * waits until they run.
	 */
	FailoverLoad(String... topology) {
		PriceService.createTables(this.jdbc, this.table);
		for (int i = 0; i < 2; i++) {
			this.instances.add(start(topology));
		}
		PriceService writer = service(0);
		for (long id = 1; id <= HOT_KEYS; id++) {
			writer.save(new Price(id, 1, "hot-" + id));
		}
		await("the hot keys are written").atMost(Duration.ofSeconds(20)).until(() -> hotRows() == HOT_KEYS);
		for (int i = 0; i < 2; i++) {
			PriceService reader = service(i);
			this.running.add(this.traffic.submit(() -> read(reader)));
		}
		this.running.add(this.traffic.submit(() -> write(writer)));
		await("the traffic runs").atMost(Duration.ofSeconds(20))
			.until(() -> this.reads.get() > 1000 && !this.acknowledged.isEmpty());
	}

	private ConfigurableApplicationContext start(String... topology) {
		List<String> properties = new ArrayList<>(List.of(topology));
		properties.addAll(List.of("spring.datasource.url=" + TestPostgres.jdbcUrl(),
				"tiercache.cache-names=books,prices", "tiercache.caches.prices.local.ttl=10m",
				"tiercache.defaults.write-behind.durability=replica",
				"tiercache.defaults.write-behind.durability-timeout=1s"));
		return this.contexts.start(WriteBehindApplication.class, Map.of("probe", this.probe, "table", this.table),
				properties.toArray(String[]::new));
	}

	/** Marks the fault: database reads of hot keys are counted from now on. */
	void faultStarts() {
		this.hotLoadsBefore = this.probe.reads.get();
	}

	/** Database reads of hot keys since {@link #faultStarts()}. */
	int hotLoads() {
		return this.probe.reads.get() - this.hotLoadsBefore;
	}

	/**
	 * Waits until values put on the first instance are read from Redis by the second (whose L1 never held
	 * them), {@value #PROBED_KEYS} keys at a time so that every primary of a cluster is reached: both
	 * instances write and read L2 again.
	 * @return when that first happened ({@link System#nanoTime()})
	 */
	long awaitL2() {
		TieredCache writer = books(0);
		TieredCache reader = books(1);
		AtomicInteger probes = new AtomicInteger();
		AtomicLong at = new AtomicLong();
		await("L2 serves again").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() -> {
			String round = "probe-" + probes.incrementAndGet() + "-";
			IntStream.range(0, PROBED_KEYS).forEach((key) -> writer.put(round + key, round + key));
			at.set(System.nanoTime());
			return IntStream.range(0, PROBED_KEYS)
				.allMatch((key) -> (round + key).equals(reader.get(round + key, String.class)));
		});
		return at.get();
	}

	/**
	 * Lets the writer acknowledge a few more calls, stops the traffic, and waits until every acknowledged
	 * write is in the database.
	 * @return the acknowledged writes that never reached it (none, unless the durability promise broke)
	 */
	Set<Long> finish() throws Exception {
		int before = this.acknowledged.size();
		await("writes are acknowledged again").atMost(Duration.ofSeconds(20))
			.until(() -> this.acknowledged.size() >= before + 3);
		this.stopped = true;
		for (Future<?> task : this.running) {
			task.get(30, TimeUnit.SECONDS);
		}
		Set<Long> ids = Set.copyOf(this.acknowledged);
		try {
			await("every acknowledged write reaches the database").atMost(Duration.ofSeconds(60))
				.until(() -> missing(ids).isEmpty());
		}
		catch (ConditionTimeoutException ex) {
			// reported by the caller's assertion on what is missing
		}
		return missing(ids);
	}

	/** What the traffic saw, for the test's output. */
	String report(Set<Long> lost) {
		return String.format("reads %d, read errors %d, hot-key loads %d; write-behind calls acknowledged %d, "
				+ "refused %d, lost %d", this.reads.get(), this.readErrors.get(), hotLoads(), this.acknowledged.size(),
				this.refused.size(), lost.size());
	}

	/**
	 * Checks what every failover must keep: no read failed or returned another key's value, no
	 * write-behind call that started after L2 was back was refused, no acknowledged write was lost; and,
	 * after a handover, the hot keys were served by L1 and L2 (at most one database read per key and
	 * instance).
	 */
	void assertPromisesKept(long l2BackAt, Set<Long> lost, boolean handover) {
		assertThat(this.readErrors).as("reads that threw or returned another key's value").hasValue(0);
		assertThat(this.refused).as("write-behind calls refused after L2 was back (start times)")
			.allSatisfy((startedAt) -> assertThat(startedAt).isLessThan(l2BackAt));
		assertThat(lost).as("acknowledged write-behind calls that never reached the database").isEmpty();
		if (handover) {
			assertThat(hotLoads()).as("database reads of hot keys during a handover: L1 and L2 served them")
				.isLessThanOrEqualTo(2 * HOT_KEYS);
		}
	}

	static long millis(long nanos) {
		return TimeUnit.NANOSECONDS.toMillis(nanos);
	}

	private PriceService service(int instance) {
		return this.instances.get(instance).getBean(PriceService.class);
	}

	private TieredCache books(int instance) {
		return this.instances.get(instance).getBean(TieredCacheManager.class).getTieredCache("books");
	}

	private void read(PriceService service) {
		while (!this.stopped) {
			long id = ThreadLocalRandom.current().nextLong(1, HOT_KEYS + 1);
			try {
				Price price = service.find(id);
				if (price == null || !price.amount().equals("hot-" + id)) {
					this.readErrors.incrementAndGet();
				}
			}
			catch (RuntimeException ex) {
				this.readErrors.incrementAndGet();
			}
			this.reads.incrementAndGet();
			LockSupport.parkNanos(READ_PACE_NANOS);
		}
	}

	private void write(PriceService service) {
		long id = FIRST_WRITTEN_ID;
		while (!this.stopped) {
			long startedAt = System.nanoTime();
			try {
				service.save(new Price(id, 1, "written-" + id));
				this.acknowledged.add(id);
			}
			catch (WriteBehindUnavailableException ex) {
				this.refused.add(startedAt);
			}
			id++;
			LockSupport.parkNanos(WRITE_PACE_NANOS);
		}
	}

	private long hotRows() {
		Long count = this.jdbc.queryForObject("select count(*) from " + this.table + " where id <= ?", Long.class,
				(long) HOT_KEYS);
		return (count != null) ? count : 0;
	}

	private Set<Long> missing(Set<Long> ids) {
		Set<Long> found = Set.copyOf(this.jdbc.queryForList("select id from " + this.table + " where id >= ?",
				Long.class, FIRST_WRITTEN_ID));
		return ids.stream().filter((id) -> !found.contains(id)).collect(Collectors.toSet());
	}

	@Override
	public void close() {
		this.stopped = true;
		this.traffic.shutdownNow();
		this.contexts.close();
		PriceService.dropTables(this.jdbc, this.table);
	}

}
