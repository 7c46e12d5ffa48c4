-- Per customer: support tickets raised, still open, and the average satisfaction score.
with tickets as (
    select * from {{ ref('stg_helpdesk__support_tickets') }}
),

final as (
    select
        customer_id,
        count(*) as support_tickets,
        sum(case when status in ('open', 'pending') then 1 else 0 end) as open_support_tickets,
        avg(csat_score) as avg_csat_score
    from tickets
    group by customer_id
)

select * from final
