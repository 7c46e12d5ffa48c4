-- One row per sales date and customer region: the grain at which distinct customers add up
-- (seed 000's "distinct customers by date and region").
with transactions as (
    select * from {{ ref('int_sales__transactions_enriched') }}
),

final as (
    select
        transaction_date as sales_date,
        region,
        count(*) as transaction_count,
        cast(sum(quantity) as bigint) as units_sold,
        count(distinct customer_id) as unique_customers,
        cast(sum(amount) as decimal(18, 2)) as revenue,
        cast(sum(amount) / count(*) as decimal(18, 2)) as avg_order_value
    from transactions
    group by transaction_date, region
)

select * from final
