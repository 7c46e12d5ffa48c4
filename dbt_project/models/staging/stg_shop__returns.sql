with source as (
    select * from {{ read_landing(source('shop', 'returns')) }}
),

final as (
    select
        cast(return_id as {{ dbt.type_string() }}) as return_id,
        cast(order_id as {{ dbt.type_string() }}) as order_id,
        cast(product_id as {{ dbt.type_string() }}) as product_id,
        cast(return_ts as timestamp) as return_ts,
        cast(quantity as integer) as quantity,
        cast(refund_amount as double) as refund_amount,
        cast(reason as {{ dbt.type_string() }}) as reason
    from source
)

select * from final
