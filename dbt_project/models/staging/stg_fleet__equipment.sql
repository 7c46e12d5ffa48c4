with source as (
    select * from {{ read_landing(source('fleet', 'equipment')) }}
),

final as (
    select
        {{ typed_columns({
            'equipment_id':      'string',
            'serial_number':     'string',
            'equipment_type':    'string',
            'region':            'string',
            'base':              'string',
            'latitude':          'double',
            'longitude':         'double',
            'commissioned_on':   'date',
            'operational_hours': 'integer',
            'last_ping_ts':      'timestamp'
        }) }}
    from source
)

select * from final
