-- Monthly revenue per customer country, with month-over-month growth.
-- Country comes from the customer_360 product (a cross-product dependency on its public model).
with order_payments as (
    select * from {{ ref('int_revenue__order_payments') }}
),

customers as (
    select customer_id, country from {{ ref('customer_360') }}
),

monthly as (
    select
        order_payments.revenue_month,
        coalesce(customers.country, 'unknown') as country,
        count(*) as order_count,
        count(distinct case when order_payments.gross_amount > 0 then order_payments.customer_id end) as paying_customers,
        sum(order_payments.gross_amount) as gross_revenue,
        sum(order_payments.refunded_amount) as refunded_amount
    from order_payments
    left join customers on order_payments.customer_id = customers.customer_id
    group by order_payments.revenue_month, coalesce(customers.country, 'unknown')
),

with_previous as (
    select
        *,
        gross_revenue - refunded_amount as net_revenue,
        lag(gross_revenue - refunded_amount) over (partition by country order by revenue_month) as prev_month_net_revenue
    from monthly
),

final as (
    select
        revenue_month,
        country,
        cast(order_count as bigint) as order_count,
        cast(paying_customers as bigint) as paying_customers,
        cast(gross_revenue as decimal(18, 2)) as gross_revenue,
        cast(refunded_amount as decimal(18, 2)) as refunded_amount,
        cast(net_revenue as decimal(18, 2)) as net_revenue,
        cast(prev_month_net_revenue as decimal(18, 2)) as prev_month_net_revenue,
        100 * {{ safe_divide('net_revenue - prev_month_net_revenue', 'prev_month_net_revenue') }} as mom_growth_pct
    from with_previous
)

select * from final
