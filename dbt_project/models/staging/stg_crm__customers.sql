with source as (
    select * from {{ read_landing(source('crm', 'customers')) }}
),

final as (
    select
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(first_name as {{ dbt.type_string() }}) as first_name,
        cast(last_name as {{ dbt.type_string() }}) as last_name,
        cast(email as {{ dbt.type_string() }}) as email,
        cast(phone_number as {{ dbt.type_string() }}) as phone_number,
        cast(date_of_birth as date) as date_of_birth,
        cast(street_address as {{ dbt.type_string() }}) as street_address,
        cast(city as {{ dbt.type_string() }}) as city,
        cast(postal_code as {{ dbt.type_string() }}) as postal_code,
        cast(country as {{ dbt.type_string() }}) as country,
        cast(region as {{ dbt.type_string() }}) as region,
        cast(account_status as {{ dbt.type_string() }}) as account_status,
        cast(customer_since as date) as customer_since,
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at
    from source
)

select * from final
