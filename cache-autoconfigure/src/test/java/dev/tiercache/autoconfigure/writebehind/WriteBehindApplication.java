package dev.tiercache.autoconfigure.writebehind;

import java.util.UUID;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The application the write-behind tests run as several instances (contexts, or a separate JVM): a
 * {@link PriceService} on PostgreSQL. Its table and probe are registered by the test.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class WriteBehindApplication {

	@Bean
	PriceService priceService(JdbcTemplate jdbc, @Qualifier("table") String table, WriterProbe probe) {
		return new PriceService(jdbc, table, UUID.randomUUID().toString(), probe);
	}

}
