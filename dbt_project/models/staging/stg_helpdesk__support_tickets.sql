with source as (
    select * from {{ read_landing(source('helpdesk', 'support_tickets')) }}
),

final as (
    select
        {{ typed_columns({
            'ticket_id':   'string',
            'customer_id': 'string',
            'opened_ts':   'timestamp',
            'closed_ts':   'timestamp',
            'priority':    'string',
            'status':      'string',
            'channel':     'string',
            'csat_score':  'integer'
        }) }}
    from source
)

select * from final
