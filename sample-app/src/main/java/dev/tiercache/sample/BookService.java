package dev.tiercache.sample;

import java.util.Optional;

import org.springframework.stereotype.Service;

import dev.tiercache.annotation.CacheAside;

/**
 * Reads books through the cache: one catalogue look-up per book across every running instance until
 * the entry expires; unknown ids are cached as "not found" for the cache's null TTL.
 */
@Service
public class BookService {

	private final BookCatalogue catalogue;

	public BookService(BookCatalogue catalogue) {
		this.catalogue = catalogue;
	}

	@CacheAside(cache = "books", key = "#id")
	public Optional<Book> find(long id) throws InterruptedException {
		return Optional.ofNullable(this.catalogue.find(id));
	}

}
