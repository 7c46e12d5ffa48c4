with source as (
    select * from {{ read_landing(source('crm', 'customers')) }}
),

final as (
    select
        {{ typed_columns({
            'customer_id':    'string',
            'first_name':     'string',
            'last_name':      'string',
            'email':          'string',
            'phone_number':   'string',
            'date_of_birth':  'date',
            'street_address': 'string',
            'city':           'string',
            'postal_code':    'string',
            'country':        'string',
            'region':         'string',
            'account_status': 'string',
            'customer_since': 'date',
            'created_at':     'timestamp',
            'updated_at':     'timestamp'
        }) }}
    from source
)

select * from final
