-- Per order: money received (captured or later refunded payments) and money refunded.
with orders as (
    select order_id, customer_id, order_ts from {{ ref('stg_shop__orders') }}
),

payments as (
    select * from {{ ref('stg_shop__payments') }}
),

paid as (
    select
        order_id,
        sum(case when payment_status in ('captured', 'refunded') then amount else 0 end) as gross_amount,
        sum(case when payment_status = 'refunded' then amount else 0 end) as refunded_amount
    from payments
    group by order_id
),

final as (
    select
        orders.order_id,
        orders.customer_id,
        cast({{ dbt.date_trunc('month', 'orders.order_ts') }} as date) as revenue_month,
        coalesce(paid.gross_amount, 0) as gross_amount,
        coalesce(paid.refunded_amount, 0) as refunded_amount
    from orders
    left join paid on orders.order_id = paid.order_id
)

select * from final
