with transactions as (
    select * from {{ ref('int_sales__transactions_enriched') }}
),

final as (
    select
        transaction_date as sales_date,
        region,
        product_id,
        product_name,
        category,
        {{ sales_measures() }}
    from transactions
    group by transaction_date, region, product_id, product_name, category
)

select * from final
