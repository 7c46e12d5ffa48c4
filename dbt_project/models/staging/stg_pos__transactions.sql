with source as (
    select * from {{ read_landing(source('pos', 'transactions')) }}
),

typed as (
    select
        {{ typed_columns({
            'transaction_id': 'string',
            'transaction_ts': 'timestamp',
            'customer_id':    'string',
            'product_id':     'string',
            'quantity':       'integer',
            'unit_price':     'double',
            'discount_pct':   'double',
            'amount':         'double',
            'channel':        'string',
            'store_id':       'string'
        }) }}
    from source
),

final as (
    select
        *,
        cast(transaction_ts as date) as transaction_date
    from typed
)

select * from final
