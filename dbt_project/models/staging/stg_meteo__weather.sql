with source as (
    select * from {{ read_landing(source('meteo', 'weather')) }}
),

final as (
    select
        {{ typed_columns({
            'region':           'string',
            'observed_date':    'date',
            'temperature_c':    'double',
            'wind_kph':         'double',
            'precipitation_mm': 'double',
            'visibility_km':    'double',
            'severe_weather':   'boolean'
        }) }}
    from source
)

select * from final
