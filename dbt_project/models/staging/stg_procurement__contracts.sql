with source as (
    select * from {{ read_landing(source('procurement', 'contracts')) }}
),

final as (
    select
        cast(contract_id as {{ dbt.type_string() }}) as contract_id,
        cast(vendor_id as {{ dbt.type_string() }}) as vendor_id,
        cast(category as {{ dbt.type_string() }}) as category,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        cast(contract_value as double) as contract_value,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(status as {{ dbt.type_string() }}) as status
    from source
)

select * from final
