package dev.tiercache.sample;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import dev.tiercache.stats.CacheStats;
import dev.tiercache.tier.TieredCacheManager;

/**
 * {@code GET /books/{id}} reads a book through the cache; {@code GET /caches/{name}} shows a cache's
 * counters.
 */
@RestController
public class BookController {

	private final BookService books;

	private final BookCatalogue catalogue;

	private final TieredCacheManager caches;

	public BookController(BookService books, BookCatalogue catalogue, TieredCacheManager caches) {
		this.books = books;
		this.catalogue = catalogue;
		this.caches = caches;
	}

	@GetMapping("/books/{id}")
	public ResponseEntity<Book> book(@PathVariable long id) throws InterruptedException {
		return ResponseEntity.of(this.books.find(id));
	}

	@GetMapping("/caches/{name}")
	public Map<String, Object> cache(@PathVariable String name) {
		CacheStats stats = this.caches.getTieredCache(name).stats();
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("localHits", stats.localHits() + stats.localNullHits());
		view.put("remoteHits", stats.remoteHits() + stats.remoteNullHits());
		view.put("loads", stats.loads());
		view.put("remoteErrors", stats.remoteErrors());
		view.put("catalogueLookups", this.catalogue.lookups());
		return view;
	}

}
