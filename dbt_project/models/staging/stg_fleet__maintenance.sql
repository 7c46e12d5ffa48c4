with source as (
    select * from {{ read_landing(source('fleet', 'maintenance')) }}
),

final as (
    select
        {{ typed_columns({
            'maintenance_id':   'string',
            'equipment_id':     'string',
            'maintenance_type': 'string',
            'start_ts':         'timestamp',
            'end_ts':           'timestamp',
            'cost':             'double'
        }) }}
    from source
)

select * from final
