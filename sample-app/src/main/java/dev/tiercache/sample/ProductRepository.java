package dev.tiercache.sample;

import java.util.List;

import org.springframework.data.jdbc.repository.query.Modifying;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;

/** The catalogue's table, through Spring Data JDBC. */
public interface ProductRepository extends ListCrudRepository<Product, Long> {

	@Query("select distinct category from product order by category")
	List<String> categories();

	@Modifying
	@Query("update product set price_cents = :priceCents where id = :id")
	int updatePrice(long id, long priceCents);

	@Modifying
	@Query("update product set price_cents = price_cents * (100 + :percent) / 100")
	int repriceAll(int percent);

	@Modifying
	@Query("insert into product (id, sku, name, category, price_cents, stock) values (:id, :sku, :name, :category, :priceCents, :stock) "
			+ "on conflict (id) do update set sku = excluded.sku, name = excluded.name, category = excluded.category, "
			+ "price_cents = excluded.price_cents, stock = excluded.stock")
	void upsert(long id, String sku, String name, String category, long priceCents, int stock);

	@Query("select coalesce((select views from product_views where product_id = :id), 0)")
	long views(long id);

	@Modifying
	@Query("insert into product_views (product_id, views) values (:id, :views) "
			+ "on conflict (product_id) do update set views = greatest(product_views.views, excluded.views)")
	void saveViews(long id, long views);

}
