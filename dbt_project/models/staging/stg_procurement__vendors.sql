with source as (
    select * from {{ read_landing(source('procurement', 'vendors')) }}
),

final as (
    select
        cast(vendor_id as {{ dbt.type_string() }}) as vendor_id,
        cast(vendor_name as {{ dbt.type_string() }}) as vendor_name,
        cast(category as {{ dbt.type_string() }}) as category,
        cast(country as {{ dbt.type_string() }}) as country,
        cast(risk_rating as {{ dbt.type_string() }}) as risk_rating,
        cast(onboarded_on as date) as onboarded_on
    from source
)

select * from final
