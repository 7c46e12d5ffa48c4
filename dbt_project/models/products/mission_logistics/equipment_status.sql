-- One row per piece of equipment at the as-of instant: exactly one status, the region's weather in
-- effect and a risk score.
-- Status: 'maintenance' if a maintenance event is open, else 'in-use' if a mission is ongoing,
-- else 'available'. Risk score (0-100), documented in equipment_status.yml:
--   40 * weather factor + 30 * maintenance factor + 20 * age factor + 10 * stale-position factor.
with equipment as (
    select * from {{ ref('stg_fleet__equipment') }}
),

activity as (
    select * from {{ ref('int_logistics__equipment_activity') }}
),

weather_in_effect as (
    -- Each region's newest observation on or before the as-of day, not the newest row overall.
    select weather.*
    from {{ ref('stg_meteo__weather') }} as weather
    inner join (
        select observed.region, max(observed.observed_date) as observed_date
        from {{ ref('stg_meteo__weather') }} as observed
        cross join (select max(as_of_ts) as as_of_ts from activity) as as_of
        where observed.observed_date <= cast(as_of.as_of_ts as date)
        group by observed.region
    ) as newest
        on weather.region = newest.region and weather.observed_date = newest.observed_date
),

joined as (
    select
        equipment.*,
        activity.as_of_ts,
        activity.current_mission_id,
        activity.in_maintenance,
        activity.maintenance_events_90d,
        weather_in_effect.observed_date as weather_date,
        weather_in_effect.temperature_c,
        weather_in_effect.wind_kph,
        weather_in_effect.precipitation_mm,
        weather_in_effect.visibility_km,
        coalesce(weather_in_effect.severe_weather, false) as severe_weather,
        {{ dbt.datediff('equipment.last_ping_ts', 'activity.as_of_ts', 'minute') }} as minutes_since_ping,
        cast({{ dbt.datediff('equipment.commissioned_on', 'cast(activity.as_of_ts as date)', 'day') }} as double) / 365.25 as age_years
    from equipment
    inner join activity on equipment.equipment_id = activity.equipment_id
    left join weather_in_effect on equipment.region = weather_in_effect.region
),

factors as (
    select
        *,
        case
            when severe_weather then 1.0
            else least(1.0, coalesce(wind_kph, 0) / 100.0 + coalesce(precipitation_mm, 0) / 50.0)
        end as weather_factor,
        least(1.0, maintenance_events_90d / 4.0) as maintenance_factor,
        least(1.0, greatest(age_years, 0) / 25.0) as age_factor,
        case when minutes_since_ping > 60 then 1.0 else 0.0 end as stale_position_factor
    from joined
),

final as (
    select
        equipment_id,
        equipment_type,
        region,
        base,
        latitude,
        longitude,
        case
            when in_maintenance then 'maintenance'
            when current_mission_id is not null then 'in-use'
            else 'available'
        end as status,
        current_mission_id,
        last_ping_ts,
        cast(minutes_since_ping as bigint) as minutes_since_ping,
        cast(maintenance_events_90d as integer) as maintenance_events_90d,
        cast(age_years as double) as age_years,
        weather_date,
        temperature_c,
        wind_kph,
        precipitation_mm,
        visibility_km,
        severe_weather,
        cast(round(40 * weather_factor + 30 * maintenance_factor + 20 * age_factor + 10 * stale_position_factor, 1) as double)
            as risk_score,
        as_of_ts
    from factors
)

select * from final
