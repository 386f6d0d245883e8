package dev.tiercache.test;

import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Spring transactions over no resource: a real {@link AbstractPlatformTransactionManager} whose
 * begin, commit and rollback touch nothing, so that tests see the transaction synchronization that
 * every Spring transaction manager opens, and its callbacks on commit and rollback.
 */
public final class TestTransactions {

	private TestTransactions() {
	}

	/** A template whose transactions touch no resource. */
	public static TransactionTemplate template() {
		return new TransactionTemplate(new ResourcelessTransactionManager());
	}

	private static final class ResourcelessTransactionManager extends AbstractPlatformTransactionManager {

		@Override
		protected Object doGetTransaction() {
			return new Object();
		}

		@Override
		protected void doBegin(Object transaction, TransactionDefinition definition) {
		}

		@Override
		protected void doCommit(DefaultTransactionStatus status) {
		}

		@Override
		protected void doRollback(DefaultTransactionStatus status) {
		}

	}

}
