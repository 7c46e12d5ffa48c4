-- Transactions with the customer's region and the product's name and category.
-- Left joins keep every transaction so revenue totals match the source; orphans get region 'unknown'.
-- Amounts are cents (decimal) per transaction, so sums at any grain agree exactly.
with transactions as (
    select * from {{ ref('stg_pos__transactions') }}
),

customers as (
    select customer_id, region from {{ ref('stg_crm__customers') }}
),

products as (
    select product_id, product_name, category from {{ ref('stg_catalog__products') }}
),

final as (
    select
        transactions.transaction_id,
        transactions.transaction_date,
        transactions.customer_id,
        transactions.product_id,
        coalesce(products.product_name, 'unknown') as product_name,
        coalesce(products.category, 'unknown') as category,
        coalesce(customers.region, 'unknown') as region,
        transactions.quantity,
        cast(transactions.amount as decimal(18, 2)) as amount
    from transactions
    left join customers on transactions.customer_id = customers.customer_id
    left join products on transactions.product_id = products.product_id
)

select * from final
