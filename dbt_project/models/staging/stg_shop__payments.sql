with source as (
    select * from {{ read_landing(source('shop', 'payments')) }}
),

final as (
    select
        {{ typed_columns({
            'payment_id':     'string',
            'order_id':       'string',
            'payment_ts':     'timestamp',
            'amount':         'double',
            'payment_method': ['method', 'string'],
            'payment_status': ['status', 'string']
        }) }}
    from source
)

select * from final
