with source as (
    select * from {{ read_landing(source('fleet', 'equipment')) }}
),

final as (
    select
        cast(equipment_id as {{ dbt.type_string() }}) as equipment_id,
        cast(serial_number as {{ dbt.type_string() }}) as serial_number,
        cast(equipment_type as {{ dbt.type_string() }}) as equipment_type,
        cast(region as {{ dbt.type_string() }}) as region,
        cast(base as {{ dbt.type_string() }}) as base,
        cast(latitude as double) as latitude,
        cast(longitude as double) as longitude,
        cast(commissioned_on as date) as commissioned_on,
        cast(operational_hours as integer) as operational_hours,
        cast(last_ping_ts as timestamp) as last_ping_ts
    from source
)

select * from final
