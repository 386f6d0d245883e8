package dev.tiercache.sample;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A product of the catalogue.
 *
 * @param id the product's id
 * @param sku the stock-keeping unit
 * @param name what customers see
 * @param category one of a few categories
 * @param priceCents the price in cents
 * @param stock units in stock
 */
@Table("product")
public record Product(@Id Long id, String sku, String name, String category, long priceCents, int stock) {

	public Product withPriceCents(long priceCents) {
		return new Product(this.id, this.sku, this.name, this.category, priceCents, this.stock);
	}

}
