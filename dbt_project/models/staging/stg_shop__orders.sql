with source as (
    select * from {{ read_landing(source('shop', 'orders')) }}
),

final as (
    select
        cast(order_id as {{ dbt.type_string() }}) as order_id,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(product_id as {{ dbt.type_string() }}) as product_id,
        cast(order_ts as timestamp) as order_ts,
        cast(order_ts as date) as order_date,
        cast(quantity as integer) as quantity,
        cast(unit_price as double) as unit_price,
        cast(amount as double) as amount,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(channel as {{ dbt.type_string() }}) as channel
    from source
)

select * from final
