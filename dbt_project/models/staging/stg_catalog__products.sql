with source as (
    select * from {{ read_landing(source('catalog', 'products')) }}
),

final as (
    select
        cast(product_id as {{ dbt.type_string() }}) as product_id,
        cast(product_name as {{ dbt.type_string() }}) as product_name,
        cast(category as {{ dbt.type_string() }}) as category,
        cast(brand as {{ dbt.type_string() }}) as brand,
        cast(unit_cost as double) as unit_cost,
        cast(list_price as double) as list_price,
        cast(launched_on as date) as launched_on,
        cast(is_active as boolean) as is_active
    from source
)

select * from final
