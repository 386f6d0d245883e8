package dev.tiercache.sample;

import java.util.List;
import java.util.Map;

import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The catalogue's REST API under {@code /api}.
 * <ul>
 * <li>{@code GET /products/{id}}: a product (404 if none)</li>
 * <li>{@code PUT /products/{id}/price} with {@code {"priceCents": …}}: changes its price</li>
 * <li>{@code POST /products/{id}/views}: counts a view, returns the count and whether the view was
 * counted (not while Redis cannot take the new count: see {@link ViewCounter})</li>
 * <li>{@code POST /products/import} with a list of products: inserts or replaces them</li>
 * <li>{@code POST /prices/reprice} with {@code {"percent": …}}: changes every price</li>
 * <li>{@code GET /categories}</li>
 * <li>{@code POST /load}: runs the dashboard's short built-in load</li>
 * </ul>
 */
@RestController
@RequestMapping("/api")
public class CatalogueController {

	private final CatalogueService catalogue;

	private final ViewCounter views;

	private final DemoLoad demoLoad;

	public CatalogueController(CatalogueService catalogue, ViewCounter views, DemoLoad demoLoad) {
		this.catalogue = catalogue;
		this.views = views;
		this.demoLoad = demoLoad;
	}

	@GetMapping("/products/{id}")
	public Product product(@PathVariable long id) throws InterruptedException {
		return this.catalogue.find(id).orElseThrow(() -> new ProductNotFoundException(id));
	}

	@PutMapping("/products/{id}/price")
	public Product changePrice(@PathVariable long id, @RequestBody PriceChange change) {
		return this.catalogue.changePrice(id, change.priceCents());
	}

	@PostMapping("/products/{id}/views")
	public ViewCounter.Views view(@PathVariable long id) throws InterruptedException {
		product(id);
		return this.views.count(id);
	}

	@PostMapping("/products/import")
	public Map<String, Integer> importProducts(@RequestBody List<Product> products) {
		products.forEach(this.catalogue::importProduct);
		return Map.of("imported", products.size());
	}

	@PostMapping("/prices/reprice")
	public Map<String, Integer> reprice(@RequestBody Reprice reprice) {
		return Map.of("repriced", this.catalogue.repriceAll(reprice.percent()));
	}

	@PostMapping("/load")
	public DemoLoad.Summary load() throws Exception {
		return this.demoLoad.run();
	}

	@GetMapping("/categories")
	public List<String> categories() {
		return this.catalogue.categories();
	}

	/** A new price. */
	public record PriceChange(long priceCents) {
	}

	/** A change of every price, in percent (negative for a discount). */
	public record Reprice(int percent) {
	}

}
