with source as (
    select * from {{ read_landing(source('pos', 'transactions')) }}
),

final as (
    select
        cast(transaction_id as {{ dbt.type_string() }}) as transaction_id,
        cast(transaction_ts as timestamp) as transaction_ts,
        cast(transaction_ts as date) as transaction_date,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(product_id as {{ dbt.type_string() }}) as product_id,
        cast(quantity as integer) as quantity,
        cast(unit_price as double) as unit_price,
        cast(discount_pct as double) as discount_pct,
        cast(amount as double) as amount,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(store_id as {{ dbt.type_string() }}) as store_id
    from source
)

select * from final
