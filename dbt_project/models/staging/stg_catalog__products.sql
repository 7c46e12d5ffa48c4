with source as (
    select * from {{ read_landing(source('catalog', 'products')) }}
),

final as (
    select
        {{ typed_columns({
            'product_id':   'string',
            'product_name': 'string',
            'category':     'string',
            'brand':        'string',
            'unit_cost':    'double',
            'list_price':   'double',
            'launched_on':  'date',
            'is_active':    'boolean'
        }) }}
    from source
)

select * from final
