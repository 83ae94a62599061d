-- Each order with what was paid for it: 'paid', 'partial', 'unpaid' or 'overpaid'.
SELECT
    o.order_id,
    o.customer_id,
    o.order_date,
    o.amount AS order_amount,
    COALESCE(p.captured_amount, 0) AS captured_amount,
    CASE
        WHEN p.captured_amount IS NULL OR p.captured_amount = 0 THEN 'unpaid'
        WHEN p.captured_amount < o.amount THEN 'partial'
        WHEN p.captured_amount = o.amount THEN 'paid'
        ELSE 'overpaid'
    END AS payment_status
FROM iceberg_curated_db.orders AS o
LEFT JOIN (
    SELECT
        order_id,
        SUM(CASE WHEN captured THEN amount ELSE 0 END) AS captured_amount
    FROM iceberg_curated_db.payments
    GROUP BY order_id
) AS p
    ON o.order_id = p.order_id
