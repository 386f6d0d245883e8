package dev.tiercache.autoconfigure.writebehind;

import java.util.Arrays;
import java.util.Map;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * An instance of {@link WriteBehindApplication} in a JVM of its own, for the crash tests: it queues
 * {@code writes} writes over {@code keys} keys (write {@code i} is version {@code i / keys + 1} of key
 * {@code i % keys}, amount {@code acknowledged-<i>}), prints {@code ACKNOWLEDGED <writes>} once every call
 * returned, and keeps flushing until it is killed: slowly, or, with a negative delay, holding its first
 * write (without writing it) and printing {@code HELD} once it does.
 *
 * <p>Arguments: the table, the number of writes, the number of keys, the writer's delay per call in
 * milliseconds, then Spring properties ({@code name=value}).
 */
public final class WriteBehindWorker {

	private WriteBehindWorker() {
	}

	public static void main(String[] args) throws InterruptedException {
		String table = args[0];
		int writes = Integer.parseInt(args[1]);
		int keys = Integer.parseInt(args[2]);
		long delay = Long.parseLong(args[3]);
		WriterProbe probe = new WriterProbe();
		if (delay < 0) {
			probe.holdWrites();
		}
		else {
			probe.delayMillis = delay;
		}
		String[] properties = Arrays.copyOfRange(args, 4, args.length);
		ConfigurableApplicationContext context = new SpringApplicationBuilder(WriteBehindApplication.class)
			.web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off")
			.properties(properties)
			.initializers((initialized) -> Map.<String, Object>of("probe", probe, "table", table)
				.forEach(initialized.getBeanFactory()::registerSingleton))
			.run();
		PriceService service = context.getBean(PriceService.class);
		for (int i = 0; i < writes; i++) {
			service.save(new Price(i % keys, i / keys + 1, "acknowledged-" + i));
		}
		System.out.println("ACKNOWLEDGED " + writes);
		System.out.flush();
		if (delay < 0 && probe.awaitHeldWrite()) {
			System.out.println("HELD");
			System.out.flush();
		}
		Thread.sleep(Long.MAX_VALUE);
	}

}
