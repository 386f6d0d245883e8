package dev.tiercache.writebehind;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * A dead letter's id names its partition and its id in the partition's dead-letter stream; an id that
 * is not one Tiercache listed is refused before Redis is asked, naming the form ids take.
 */
class DeadLettersTests {

	@Test
	void anIdNamesItsPartitionAndItsStreamId() {
		assertThat(DeadLetters.locate("3-1733000000000-0", 8))
			.isEqualTo(new DeadLetters.Location(3, "1733000000000-0"));
	}

	@Test
	void anIdThatIsNotOneListedIsRefused() {
		assertThat(List.of("", "abc", "3", "3-", "3-abc-x", "8-1733000000000-0", "-1-1733000000000-0",
				"1733000000000-0", "x-1733000000000-0")).allSatisfy((id) -> assertThatIllegalArgumentException()
					.isThrownBy(() -> DeadLetters.locate(id, 8))
					.withMessageContaining("'" + id + "' is not the id of a dead letter")
					.withMessageContaining("<partition>-<stream id>"));
	}

}
