package dev.tiercache.sample;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.tiercache.annotation.CacheAside;
import dev.tiercache.annotation.CacheInvalidate;
import dev.tiercache.annotation.WriteAround;
import dev.tiercache.annotation.WriteBehind;
import dev.tiercache.annotation.WriteThrough;

/**
 * The catalogue, with every Tiercache pattern where it fits:
 * <ul>
 * <li>product reads are cache-aside, refreshed ahead of expiry ({@code application.yml});</li>
 * <li>price changes are written through to the cache after the database;</li>
 * <li>view counters are written behind: the cache takes the new count at once, the database later,
 * coalesced;</li>
 * <li>bulk imports write around the cache, which drops the imported keys;</li>
 * <li>a re-pricing of everything invalidates the whole cache in one step;</li>
 * <li>the category list uses Spring's plain {@code @Cacheable} on the same cache manager.</li>
 * </ul>
 */
@Service
public class CatalogueService {

	private final ProductRepository products;

	private final Duration readLatency;

	public CatalogueService(ProductRepository products, @Value("${sample.read-latency:0ms}") Duration readLatency) {
		this.products = products;
		this.readLatency = readLatency;
	}

	@CacheAside(cache = "products", key = "#id")
	public Optional<Product> find(long id) throws InterruptedException {
		Thread.sleep(this.readLatency.toMillis()); // the simulated cost of a real query
		return this.products.findById(id);
	}

	/**
	 * @throws ProductNotFoundException if there is no such product
	 */
	@Transactional
	@WriteThrough(cache = "products", key = "#id")
	public Product changePrice(long id, long priceCents) {
		if (this.products.updatePrice(id, priceCents) == 0) {
			throw new ProductNotFoundException(id);
		}
		return this.products.findById(id).orElseThrow(() -> new ProductNotFoundException(id));
	}

	@CacheAside(cache = "views", key = "#id")
	public Long views(long id) {
		return this.products.views(id);
	}

	/** Queued: the cache holds the new count when this returns; the database gets it later. */
	@WriteBehind(cache = "views", key = "#id", value = "#views")
	public void saveViews(long id, long views) {
		this.products.saveViews(id, views);
	}

	@WriteAround(cache = "products", key = "#product.id()")
	public void importProduct(Product product) {
		this.products.upsert(product.id(), product.sku(), product.name(), product.category(), product.priceCents(),
				product.stock());
	}

	@Transactional
	@CacheInvalidate(cache = "products", allEntries = true)
	public int repriceAll(int percent) {
		return this.products.repriceAll(percent);
	}

	@Cacheable("categories")
	public List<String> categories() {
		return this.products.categories();
	}

}
