with source as (
    select * from {{ read_landing(source('procurement', 'contracts')) }}
),

final as (
    select
        {{ typed_columns({
            'contract_id':    'string',
            'vendor_id':      'string',
            'category':       'string',
            'start_date':     'date',
            'end_date':       'date',
            'contract_value': 'double',
            'currency':       'string',
            'status':         'string'
        }) }}
    from source
)

select * from final
