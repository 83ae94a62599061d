-- Daily order revenue: one row per order date (latest version of each order, from curated).
SELECT
    order_date,
    COUNT(*) AS orders,
    COUNT(DISTINCT customer_id) AS customers,
    SUM(amount) AS revenue,
    SUM(COALESCE(quantity, 0)) AS items,
    SUM(CASE WHEN gift THEN 1 ELSE 0 END) AS gift_orders
FROM iceberg_curated_db.orders
GROUP BY order_date
