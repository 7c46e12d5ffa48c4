-- Per piece of equipment at the as-of instant (var `as_of`, default the run's start; UTC like
-- every fleet timestamp): its ongoing mission, whether it is in maintenance, and how much
-- maintenance it needed in the last 90 days.
with equipment as (
    select * from {{ ref('stg_fleet__equipment') }}
),

as_of as (
    select {{ as_of_timestamp() }} as as_of_ts
),

assignments as (
    select assignments.*
    from {{ ref('stg_fleet__assignments') }} as assignments
    cross join as_of
    where assignments.start_ts <= as_of.as_of_ts
      and (assignments.end_ts is null or assignments.end_ts > as_of.as_of_ts)
),

current_mission as (
    select equipment_id, max(mission_id) as current_mission_id
    from assignments
    group by equipment_id
),

maintenance as (
    select maintenance.*, as_of.as_of_ts
    from {{ ref('stg_fleet__maintenance') }} as maintenance
    cross join as_of
),

maintenance_summary as (
    select
        equipment_id,
        max(case when start_ts <= as_of_ts and (end_ts is null or end_ts > as_of_ts) then 1 else 0 end)
            as in_maintenance,
        sum(case when start_ts > {{ dbt.dateadd('day', -90, 'as_of_ts') }} and start_ts <= as_of_ts then 1 else 0 end)
            as maintenance_events_90d
    from maintenance
    group by equipment_id
),

final as (
    select
        equipment.equipment_id,
        as_of.as_of_ts,
        current_mission.current_mission_id,
        coalesce(maintenance_summary.in_maintenance, 0) = 1 as in_maintenance,
        coalesce(maintenance_summary.maintenance_events_90d, 0) as maintenance_events_90d
    from equipment
    cross join as_of
    left join current_mission on equipment.equipment_id = current_mission.equipment_id
    left join maintenance_summary on equipment.equipment_id = maintenance_summary.equipment_id
)

select * from final
