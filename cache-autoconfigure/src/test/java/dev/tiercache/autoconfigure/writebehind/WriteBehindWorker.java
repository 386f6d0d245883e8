package dev.tiercache.autoconfigure.writebehind;

import java.util.Arrays;
import java.util.Map;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * An instance of {@link WriteBehindApplication} in a JVM of its own, for the crash test: it queues
 * {@code count} writes of distinct keys, prints {@code ACKNOWLEDGED <count>} once every call returned,
 * and keeps flushing (slowly) until it is killed.
 *
 * <p>Arguments: the table, the number of writes, the writer's delay per call in milliseconds, then
 * Spring properties ({@code name=value}).
 */
public final class WriteBehindWorker {

	private WriteBehindWorker() {
	}

	public static void main(String[] args) throws InterruptedException {
		String table = args[0];
		int count = Integer.parseInt(args[1]);
		WriterProbe probe = new WriterProbe();
		probe.delayMillis = Long.parseLong(args[2]);
		String[] properties = Arrays.copyOfRange(args, 3, args.length);
		ConfigurableApplicationContext context = new SpringApplicationBuilder(WriteBehindApplication.class)
			.web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off")
			.properties(properties)
			.initializers((initialized) -> Map.<String, Object>of("probe", probe, "table", table)
				.forEach(initialized.getBeanFactory()::registerSingleton))
			.run();
		PriceService service = context.getBean(PriceService.class);
		for (int i = 0; i < count; i++) {
			service.save(new Price(i, 1, "acknowledged-" + i));
		}
		System.out.println("ACKNOWLEDGED " + count);
		System.out.flush();
		Thread.sleep(Long.MAX_VALUE);
	}

}
