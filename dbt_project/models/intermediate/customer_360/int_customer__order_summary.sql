-- Per customer: orders placed, lifetime value (net revenue of their orders) and last purchase.
with orders as (
    select * from {{ ref('int_orders__revenue') }}
),

final as (
    select
        customer_id,
        count(*) as total_orders,
        sum(net_revenue) as lifetime_value,
        max(case when is_recognized then order_date end) as last_purchase_date
    from orders
    group by customer_id
)

select * from final
