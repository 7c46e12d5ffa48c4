-- One row per customer, following the customer-360 data contract.
with customers as (
    select * from {{ ref('stg_crm__customers') }}
),

orders as (
    select * from {{ ref('int_customer__order_summary') }}
),

support as (
    select * from {{ ref('int_customer__support_summary') }}
),

final as (
    select
        customers.customer_id,
        customers.email,
        customers.first_name,
        customers.last_name,
        customers.phone_number,
        customers.date_of_birth,
        customers.country,
        customers.region,
        customers.account_status,
        customers.customer_since,
        cast(coalesce(orders.lifetime_value, 0) as decimal(10, 2)) as lifetime_value,
        orders.last_purchase_date,
        cast(coalesce(orders.total_orders, 0) as integer) as total_orders,
        cast(coalesce(support.support_tickets, 0) as integer) as support_tickets,
        cast(coalesce(support.open_support_tickets, 0) as integer) as open_support_tickets,
        cast(support.avg_csat_score as double) as avg_csat_score,
        customers.created_at,
        customers.updated_at
    from customers
    left join orders on customers.customer_id = orders.customer_id
    left join support on customers.customer_id = support.customer_id
)

select * from final
