package dev.tiercache.sample;

import java.time.Year;

/**
 * A book of the catalogue.
 *
 * @param id its identifier
 * @param title its title
 * @param author who wrote it
 * @param published the year it came out
 */
public record Book(long id, String title, String author, Year published) {
}
