with source as (
    select * from {{ read_landing(source('fleet', 'maintenance')) }}
),

final as (
    select
        cast(maintenance_id as {{ dbt.type_string() }}) as maintenance_id,
        cast(equipment_id as {{ dbt.type_string() }}) as equipment_id,
        cast(maintenance_type as {{ dbt.type_string() }}) as maintenance_type,
        cast(start_ts as timestamp) as start_ts,
        cast(end_ts as timestamp) as end_ts,
        cast(cost as double) as cost
    from source
)

select * from final
