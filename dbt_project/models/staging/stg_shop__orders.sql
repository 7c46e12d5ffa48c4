with source as (
    select * from {{ read_landing(source('shop', 'orders')) }}
),

typed as (
    select
        {{ typed_columns({
            'order_id':    'string',
            'customer_id': 'string',
            'product_id':  'string',
            'order_ts':    'timestamp',
            'quantity':    'integer',
            'unit_price':  'double',
            'amount':      'double',
            'status':      'string',
            'channel':     'string'
        }) }}
    from source
),

final as (
    select
        *,
        cast(order_ts as date) as order_date
    from typed
)

select * from final
