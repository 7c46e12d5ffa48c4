with source as (
    select * from {{ read_landing(source('shop', 'payments')) }}
),

final as (
    select
        cast(payment_id as {{ dbt.type_string() }}) as payment_id,
        cast(order_id as {{ dbt.type_string() }}) as order_id,
        cast(payment_ts as timestamp) as payment_ts,
        cast(amount as double) as amount,
        cast(method as {{ dbt.type_string() }}) as payment_method,
        cast(status as {{ dbt.type_string() }}) as payment_status
    from source
)

select * from final
