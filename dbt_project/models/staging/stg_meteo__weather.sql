with source as (
    select * from {{ read_landing(source('meteo', 'weather')) }}
),

final as (
    select
        cast(region as {{ dbt.type_string() }}) as region,
        cast(observed_date as date) as observed_date,
        cast(temperature_c as double) as temperature_c,
        cast(wind_kph as double) as wind_kph,
        cast(precipitation_mm as double) as precipitation_mm,
        cast(visibility_km as double) as visibility_km,
        cast(severe_weather as boolean) as severe_weather
    from source
)

select * from final
