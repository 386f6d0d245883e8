package dev.tiercache.consistency.node;

import java.nio.file.Path;

import org.springframework.core.env.Environment;

/**
 * What the harness tells an instance ({@code consistency.*} arguments).
 *
 * @param node this instance's number (1 to 127)
 * @param incarnation how many times this instance was started before (restarts after a kill)
 * @param seed the run's seed
 * @param keys how many keys
 * @param skew the Zipf exponent of the key choice
 * @param clients how many client threads
 * @param thinkMicros the mean pause between a client's calls
 * @param history the file this incarnation records its history in
 */
record NodeSettings(int node, int incarnation, long seed, int keys, double skew, int clients, long thinkMicros,
		Path history) {

	static NodeSettings from(Environment environment) {
		return new NodeSettings(environment.getRequiredProperty("consistency.node", Integer.class),
				environment.getRequiredProperty("consistency.incarnation", Integer.class),
				environment.getRequiredProperty("consistency.seed", Long.class),
				environment.getProperty("consistency.keys", Integer.class, 300),
				environment.getProperty("consistency.skew", Double.class, 1.0),
				environment.getProperty("consistency.clients", Integer.class, 4),
				environment.getProperty("consistency.think-micros", Long.class, 3000L),
				Path.of(environment.getRequiredProperty("consistency.history")));
	}

}
