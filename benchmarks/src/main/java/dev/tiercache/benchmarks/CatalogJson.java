package dev.tiercache.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import tools.jackson.databind.json.JsonMapper;

/**
 * Typical cached JSON of a given size, the same on every run: a page of catalogue entries (ids, titles,
 * authors, prices, tags and a description drawn from a small vocabulary), as a service would cache a
 * search result or a product page.
 */
final class CatalogJson {

	private static final String[] WORDS = { "dune", "desert", "spice", "empire", "house", "water", "sand", "worm",
			"prophet", "guild", "navigator", "planet", "family", "war", "peace", "ocean", "storm", "river", "city",
			"garden", "machine", "memory", "light", "shadow", "north", "south", "winter", "summer", "journey", "return",
			"crown", "blade", "song", "stone", "glass", "iron", "silver", "golden", "ancient", "hidden", "last",
			"first", "broken", "silent" };

	record Entry(long id, String isbn, String title, String author, long priceCents, String currency, int year,
			List<String> tags, String description, boolean inStock) {
	}

	private CatalogJson() {
	}

	/** JSON of at least {@code bytes} bytes (a little more: whole entries). */
	static byte[] ofAtLeast(int bytes) {
		SplittableRandom random = new SplittableRandom(bytes);
		JsonMapper mapper = JsonMapper.builder().build();
		List<Entry> entries = new ArrayList<>();
		byte[] json = mapper.writeValueAsBytes(entries);
		while (json.length < bytes) {
			entries.add(entry(entries.size(), random));
			json = mapper.writeValueAsBytes(entries);
		}
		return json;
	}

	private static Entry entry(long id, SplittableRandom random) {
		return new Entry(1_000_000 + id, "978-" + (1_000_000_000L + random.nextLong(9_000_000_000L)),
				words(random, 2 + random.nextInt(4)), words(random, 2), 199 + random.nextLong(9_800), "EUR",
				1950 + random.nextInt(75),
				List.of(WORDS[random.nextInt(WORDS.length)], WORDS[random.nextInt(WORDS.length)]),
				words(random, 12 + random.nextInt(20)), random.nextBoolean());
	}

	private static String words(SplittableRandom random, int count) {
		StringBuilder text = new StringBuilder();
		for (int i = 0; i < count; i++) {
			text.append((i > 0) ? " " : "").append(WORDS[random.nextInt(WORDS.length)]);
		}
		return text.toString();
	}

}
