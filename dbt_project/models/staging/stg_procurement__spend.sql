with source as (
    select * from {{ read_landing(source('procurement', 'spend')) }}
),

final as (
    select
        cast(spend_id as {{ dbt.type_string() }}) as spend_id,
        cast(contract_id as {{ dbt.type_string() }}) as contract_id,
        cast(vendor_id as {{ dbt.type_string() }}) as vendor_id,
        cast(category as {{ dbt.type_string() }}) as category,
        cast(spend_date as date) as spend_date,
        cast(amount as double) as amount,
        cast(cost_center as {{ dbt.type_string() }}) as cost_center,
        cast(invoice_number as {{ dbt.type_string() }}) as invoice_number
    from source
)

select * from final
