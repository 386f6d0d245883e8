package dev.tiercache.codec;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which records Jackson takes as plain (issue 16 item 12): only those survive JSON by their type
 * alone; the others are checked value by value.
 */
class PlainRecordsTests {

	private final JsonMapper mapper = JsonMapper.builder().build();

	private final PlainRecords plainRecords = new PlainRecords(this.mapper.serializationConfig(),
			this.mapper.deserializationConfig());

	record Plain(String title, long id, double price, List<String> tags) {
	}

	record PlainWithItsOwnAccessor(String title) {

		@Override
		public String title() {
			return this.title;
		}

	}

	record IgnoredComponent(String title, @JsonIgnore String owner) {
	}

	record RenamedParameter(String title, @JsonProperty("name") String owner) {
	}

	record AnnotatedAccessor(String title) {

		@JsonIgnore
		@Override
		public String title() {
			return this.title;
		}

	}

	record ChangingAccessor(String title) {

		@Override
		public String title() {
			return this.title.strip();
		}

	}

	record OtherFieldAccessor(String title, String owner) {

		@Override
		public String title() {
			return this.owner;
		}

	}

	interface Named {

		@JsonIgnore
		String title();

	}

	record AnnotatedThroughItsInterface(String title) implements Named {
	}

	abstract static class MixIn {

		@JsonIgnore
		abstract String owner();

	}

	@Test
	void recordsThatJacksonWritesAsTheirComponentsArePlain() {
		assertThat(this.plainRecords.isPlain(Plain.class)).isTrue();
		assertThat(this.plainRecords.isPlain(PlainWithItsOwnAccessor.class)).isTrue();
	}

	@Test
	void recordsWithJacksonAnnotationsOrAccessorsThatChangeTheirFieldsAreNotPlain() {
		for (Class<?> record : List.of(IgnoredComponent.class, RenamedParameter.class, AnnotatedAccessor.class,
				ChangingAccessor.class, OtherFieldAccessor.class, AnnotatedThroughItsInterface.class)) {
			assertThat(this.plainRecords.isPlain(record)).as(record.getSimpleName()).isFalse();
		}
	}

	@Test
	void recordWithAMixInIsNotPlain() {
		JsonMapper mixedIn = JsonMapper.builder().addMixIn(Plain.class, MixIn.class).build();
		PlainRecords withMixIn = new PlainRecords(mixedIn.serializationConfig(), mixedIn.deserializationConfig());
		assertThat(withMixIn.isPlain(Plain.class)).isFalse();
		assertThat(withMixIn.isPlain(PlainWithItsOwnAccessor.class)).isTrue();
	}

}
