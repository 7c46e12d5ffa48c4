with source as (
    select * from {{ read_landing(source('fleet', 'assignments')) }}
),

final as (
    select
        cast(assignment_id as {{ dbt.type_string() }}) as assignment_id,
        cast(equipment_id as {{ dbt.type_string() }}) as equipment_id,
        cast(mission_id as {{ dbt.type_string() }}) as mission_id,
        cast(start_ts as timestamp) as start_ts,
        cast(end_ts as timestamp) as end_ts,
        cast(priority as {{ dbt.type_string() }}) as priority
    from source
)

select * from final
