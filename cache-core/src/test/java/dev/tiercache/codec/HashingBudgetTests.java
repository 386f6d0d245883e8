package dev.tiercache.codec;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * {@link HashingBudget}: how many hashing steps and how much nesting reading one payload may spend.
 */
class HashingBudgetTests {

	@Test
	void aSmallPayloadGetsTheMinimumBudget() {
		assertThat(new HashingBudget(10).steps()).isEqualTo(HashingBudget.MIN_BUDGET);
	}

	@Test
	void aLargePayloadGetsItsBudgetPerByte() {
		int length = 10 * (int) (HashingBudget.MIN_BUDGET / HashingBudget.BUDGET_PER_BYTE);
		assertThat(new HashingBudget(length).steps()).isEqualTo(HashingBudget.BUDGET_PER_BYTE * length);
	}

	@Test
	void spendingTheWholeBudgetIsAllowedAndOneStepMoreIsRefused() {
		HashingBudget budget = new HashingBudget(0);
		budget.spend(HashingBudget.MIN_BUDGET - 1);
		assertThatNoException().isThrownBy(() -> budget.spend(1));
		assertThatExceptionOfType(HashingRefused.class).isThrownBy(() -> budget.spend(1))
			.withMessageContaining("hash codes take more than " + HashingBudget.MIN_BUDGET + " steps");
	}

	@Test
	void sizesSaturateJustAboveTheBudgetInsteadOfOverflowing() {
		HashingBudget budget = new HashingBudget(0);
		assertThat(budget.grow(1, 2)).isEqualTo(3);
		assertThat(budget.grow(Long.MAX_VALUE / 2, Long.MAX_VALUE / 2)).isEqualTo(HashingBudget.MIN_BUDGET + 1);
	}

	@Test
	void nestingUpToMaxDepthIsAllowedAndOneLevelMoreIsRefused() {
		HashingBudget budget = new HashingBudget(0);
		for (long level = 0; level < SerializationAllowList.MAX_DEPTH; level++) {
			budget.enter();
		}
		assertThatExceptionOfType(HashingRefused.class).isThrownBy(budget::enter)
			.withMessageContaining("deeper than " + SerializationAllowList.MAX_DEPTH);
	}

	@Test
	void leavingALevelMakesRoomForAnother() {
		HashingBudget budget = new HashingBudget(0);
		for (long level = 0; level < SerializationAllowList.MAX_DEPTH; level++) {
			budget.enter();
		}
		budget.leave();
		assertThatNoException().isThrownBy(budget::enter);
	}

}
