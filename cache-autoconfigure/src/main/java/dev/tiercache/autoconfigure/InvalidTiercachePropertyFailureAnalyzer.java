package dev.tiercache.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns an {@link InvalidTiercachePropertyException} into a start-up report that names the property
 * to change.
 */
final class InvalidTiercachePropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidTiercachePropertyException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidTiercachePropertyException cause) {
		return new FailureAnalysis(cause.getMessage(),
				"Review the value of the property '" + cause.getProperty() + "'.", cause);
	}

}
