with source as (
    select * from {{ read_landing(source('procurement', 'spend')) }}
),

final as (
    select
        {{ typed_columns({
            'spend_id':       'string',
            'contract_id':    'string',
            'vendor_id':      'string',
            'category':       'string',
            'spend_date':     'date',
            'amount':         'double',
            'cost_center':    'string',
            'invoice_number': 'string'
        }) }}
    from source
)

select * from final
