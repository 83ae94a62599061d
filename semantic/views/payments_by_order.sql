-- Payments per order: captured amount, payment count and currencies (latest version of each payment).
SELECT
    order_id,
    COUNT(*) AS payments,
    SUM(CASE WHEN captured THEN amount ELSE 0 END) AS captured_amount,
    SUM(amount) AS total_amount,
    MIN(currency) AS currency,
    COUNT(DISTINCT currency) AS currencies,
    MAX(captured_at) AS last_captured_at
FROM iceberg_curated_db.payments
GROUP BY order_id
