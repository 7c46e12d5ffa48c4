with source as (
    select * from {{ read_landing(source('shop', 'returns')) }}
),

final as (
    select
        {{ typed_columns({
            'return_id':     'string',
            'order_id':      'string',
            'product_id':    'string',
            'return_ts':     'timestamp',
            'quantity':      'integer',
            'refund_amount': 'double',
            'reason':        'string'
        }) }}
    from source
)

select * from final
