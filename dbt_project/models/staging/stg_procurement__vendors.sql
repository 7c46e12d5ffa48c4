with source as (
    select * from {{ read_landing(source('procurement', 'vendors')) }}
),

final as (
    select
        {{ typed_columns({
            'vendor_id':    'string',
            'vendor_name':  'string',
            'category':     'string',
            'country':      'string',
            'risk_rating':  'string',
            'onboarded_on': 'date'
        }) }}
    from source
)

select * from final
