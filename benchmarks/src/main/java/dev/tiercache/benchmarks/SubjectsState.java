package dev.tiercache.benchmarks;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Base of the JMH states that build subjects: owns the {@link Subjects} and closes them after the
 * trial. Subclasses carry {@code @State} and build the one subject their benchmark measures.
 */
public abstract class SubjectsState {

	protected final Subjects subjects = new Subjects();

	@TearDown(Level.Trial)
	public void closeSubjects() {
		this.subjects.close();
	}

}
