package dev.tiercache.coherence;

/** Tag reports for tests of L1 coherence that tag nothing: ignored. */
final class IgnoredTags implements TagReports {

	@Override
	public void tagChanged(String cacheName, String tag) {
	}

	@Override
	public void forgetTags() {
	}

}
