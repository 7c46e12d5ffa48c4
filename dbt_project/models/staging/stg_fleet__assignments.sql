with source as (
    select * from {{ read_landing(source('fleet', 'assignments')) }}
),

final as (
    select
        {{ typed_columns({
            'assignment_id': 'string',
            'equipment_id':  'string',
            'mission_id':    'string',
            'start_ts':      'timestamp',
            'end_ts':        'timestamp',
            'priority':      'string'
        }) }}
    from source
)

select * from final
