package dev.tiercache.sample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.tiercache.writebehind.WriteBehindUnavailableException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A view is counted while its new count can be written behind, and is not counted (the count stays as
 * it was, the page does not fail) while Tiercache refuses the write.
 */
class ViewCounterTests {

	@Test
	void aViewIsCountedWhenItsCountIsWrittenBehind() {
		Catalogue catalogue = new Catalogue(41, false);
		assertThat(new ViewCounter(catalogue).count(7)).isEqualTo(new ViewCounter.Views(42, true));
		assertThat(catalogue.saved).containsExactly(42L);
	}

	@Test
	void aViewWhoseCountTiercacheRefusesIsNotCountedAndDoesNotFail() {
		Catalogue catalogue = new Catalogue(41, true);
		assertThat(new ViewCounter(catalogue).count(7)).isEqualTo(new ViewCounter.Views(41, false));
		assertThat(catalogue.saved).isEmpty();
	}

	/** A catalogue whose view count is fixed and whose write-behind Redis may refuse. */
	private static final class Catalogue extends CatalogueService {

		private final long views;

		private final boolean refusing;

		private final List<Long> saved = new ArrayList<>();

		Catalogue(long views, boolean refusing) {
			super(null, Duration.ZERO);
			this.views = views;
			this.refusing = refusing;
		}

		@Override
		public Long views(long id) {
			return this.views;
		}

		@Override
		public void saveViews(long id, long views) {
			if (this.refusing) {
				throw new WriteBehindUnavailableException("Redis is down", "views", id, false, null);
			}
			this.saved.add(views);
		}

	}

}
