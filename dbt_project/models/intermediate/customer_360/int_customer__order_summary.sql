-- Per customer: orders placed, lifetime value (completed orders less refunds) and last purchase.
with orders as (
    select * from {{ ref('stg_shop__orders') }}
),

refunds as (
    select order_id, sum(refund_amount) as refund_amount
    from {{ ref('stg_shop__returns') }}
    group by order_id
),

final as (
    select
        orders.customer_id,
        count(*) as total_orders,
        sum(case when orders.status in ('completed', 'refunded') then orders.amount else 0 end)
            - sum(coalesce(refunds.refund_amount, 0)) as lifetime_value,
        max(case when orders.status in ('completed', 'refunded') then orders.order_date end) as last_purchase_date
    from orders
    left join refunds on orders.order_id = refunds.order_id
    group by orders.customer_id
)

select * from final
