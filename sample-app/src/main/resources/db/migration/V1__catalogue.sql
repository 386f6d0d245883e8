create table product (
  id bigint primary key,
  sku varchar(32) not null unique,
  name varchar(200) not null,
  category varchar(50) not null,
  price_cents bigint not null check (price_cents >= 0),
  stock integer not null check (stock >= 0)
);

create table product_views (
  product_id bigint primary key references product (id),
  views bigint not null
);

insert into product (id, sku, name, category, price_cents, stock)
select n, 'SKU-' || lpad(n::text, 5, '0'),
       (array['Trail', 'Road', 'City', 'Cargo', 'Gravel'])[1 + n % 5] || ' bike ' || n,
       (array['bikes', 'parts', 'clothing', 'tools'])[1 + n % 4],
       1000 + (n * 7919) % 90000,
       (n * 31) % 200
from generate_series(1, 500) as n;
