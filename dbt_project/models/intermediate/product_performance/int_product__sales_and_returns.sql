-- Per product that had orders: what was sold and refunded (int_orders__revenue) and what came back.
with orders as (
    select * from {{ ref('int_orders__revenue') }}
),

final as (
    select
        product_id,
        sum(case when is_recognized then 1 else 0 end) as order_count,
        sum(units_sold) as units_sold,
        sum(units_returned) as units_returned,
        sum(gross_revenue) as gross_revenue,
        sum(refund_amount) as refund_amount,
        sum(net_revenue) as net_revenue
    from orders
    group by product_id
)

select * from final
