with source as (
    select * from {{ read_landing(source('helpdesk', 'support_tickets')) }}
),

final as (
    select
        cast(ticket_id as {{ dbt.type_string() }}) as ticket_id,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(opened_ts as timestamp) as opened_ts,
        cast(closed_ts as timestamp) as closed_ts,
        cast(priority as {{ dbt.type_string() }}) as priority,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(csat_score as integer) as csat_score
    from source
)

select * from final
