-- One row per shop order with its revenue: the one definition every revenue figure reads
-- (rules in int_orders__revenue.yml).
with orders as (
    select * from {{ ref('stg_shop__orders') }}
),

refund_payments as (
    select order_id, sum(amount) as refunded
    from {{ ref('stg_shop__payments') }}
    where payment_status = 'refunded'
    group by order_id
),

returns as (
    select order_id, sum(quantity) as units_returned, sum(refund_amount) as refunded
    from {{ ref('stg_shop__returns') }}
    group by order_id
),

recognized as (
    select
        orders.*,
        orders.status in ('completed', 'refunded') as is_recognized,
        -- A refund recorded both as a refund payment and on a return is the same money: count it once.
        greatest(coalesce(refund_payments.refunded, 0), coalesce(returns.refunded, 0)) as refunded,
        coalesce(returns.units_returned, 0) as units_returned
    from orders
    left join refund_payments on orders.order_id = refund_payments.order_id
    left join returns on orders.order_id = returns.order_id
),

amounts as (
    select
        *,
        cast(case when is_recognized then amount else 0 end as decimal(18, 2)) as gross_revenue,
        cast(case when is_recognized then refunded else 0 end as decimal(18, 2)) as refund_amount
    from recognized
),

final as (
    select
        order_id,
        customer_id,
        product_id,
        order_ts,
        order_date,
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as revenue_month,
        status,
        is_recognized,
        case when is_recognized then quantity else 0 end as units_sold,
        units_returned,
        gross_revenue,
        refund_amount,
        gross_revenue - refund_amount as net_revenue
    from amounts
)

select * from final
