package dev.tiercache.internal.reflect;

import java.lang.reflect.Field;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link StateFields}: which fields hold an object's state, in which order, made accessible, and worked
 * out once per class.
 */
class StateFieldsTests {

	static class Base {

		static int instances;

		private String id = "base";

		transient Object cached;

	}

	static class Middle extends Base {

		protected long version = 2;

	}

	static final class Leaf extends Middle {

		private final String name = "leaf";

		private transient int hash;

		private static final String CONSTANT = "ignored";

	}

	record Point(int x, int y, String label) {

		static final Point ORIGIN = new Point(0, 0, "origin");

	}

	/** An inner class: its reference to the outer instance is synthetic. */
	final class Inner {

		private final int value = 1;

	}

	@Test
	void stateFieldsAreTheNonStaticNonTransientOnesSuperclassFirst() {
		assertThat(names(StateFields.of(Leaf.class))).containsExactly("id", "version", "name");
	}

	@Test
	void aRecordsStateFieldsAreItsComponentsInOrder() {
		assertThat(names(StateFields.of(Point.class))).containsExactly("x", "y", "label");
	}

	@Test
	void syntheticFieldsAreNotState() {
		assertThat(names(StateFields.of(Inner.class))).containsExactly("value");
	}

	@Test
	void theFieldsAreAccessibleEvenWhenPrivate() throws IllegalAccessException {
		Leaf leaf = new Leaf();
		List<Field> fields = StateFields.of(Leaf.class);
		assertThat(fields.get(0).get(leaf)).isEqualTo("base");
		assertThat(fields.get(1).get(leaf)).isEqualTo(2L);
		assertThat(fields.get(2).get(leaf)).isEqualTo("leaf");
	}

	@Test
	void aClassWithoutStateHasNoFieldsAndObjectIsNotWalked() {
		assertThat(StateFields.of(Object.class)).isEmpty();
		assertThat(StateFields.of(Runnable.class)).isEmpty();
	}

	@Test
	void theFieldsAreWorkedOutOncePerClassAndCannotBeChanged() {
		List<Field> fields = StateFields.of(Leaf.class);
		assertThat(StateFields.of(Leaf.class)).isSameAs(fields);
		assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(() -> fields.remove(0));
	}

	private static List<String> names(List<Field> fields) {
		return fields.stream().map(Field::getName).toList();
	}

}
