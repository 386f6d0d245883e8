package dev.tiercache.benchmarks;

/**
 * The cached value of every benchmark: a small DTO, about 60 bytes of JSON.
 *
 * @param id its identifier
 * @param title its title
 * @param author who wrote it
 * @param year when it came out
 */
public record Book(long id, String title, String author, int year) {

	static Book of(long id) {
		return new Book(id, "Title " + id, "Author " + (id % 97), 1900 + (int) (id % 120));
	}

}
