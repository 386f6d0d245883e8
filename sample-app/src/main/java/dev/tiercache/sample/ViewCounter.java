package dev.tiercache.sample;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.stereotype.Service;

import dev.tiercache.writebehind.WriteBehindUnavailableException;

/**
 * Counts views of products, best effort: the new count is written behind
 * ({@link CatalogueService#saveViews}). While Redis cannot take it, Tiercache refuses the write rather
 * than run it against the database around counts still queued (which the flusher would then write
 * over it), and the view is not counted: a lost view is cheaper than a failed page. Views of one
 * product on this instance are counted one at a time, so that none is lost to a race.
 */
@Service
public class ViewCounter {

	private static final Log logger = LogFactory.getLog(ViewCounter.class);

	private final CatalogueService catalogue;

	private final Map<Long, Object> locks = new ConcurrentHashMap<>();

	public ViewCounter(CatalogueService catalogue) {
		this.catalogue = catalogue;
	}

	/** Counts a view of a product. */
	public Views count(long id) {
		synchronized (this.locks.computeIfAbsent(id, (key) -> new Object())) {
			long views = this.catalogue.views(id);
			try {
				this.catalogue.saveViews(id, views + 1);
				return new Views(views + 1, true);
			}
			catch (WriteBehindUnavailableException ex) {
				logger.debug("A view of product " + id + " was not counted", ex);
				return new Views(views, false);
			}
		}
	}

	/**
	 * A product's view count.
	 * @param views the count
	 * @param counted whether the view just made was counted (not while Redis cannot take the count)
	 */
	public record Views(long views, boolean counted) {
	}

}
