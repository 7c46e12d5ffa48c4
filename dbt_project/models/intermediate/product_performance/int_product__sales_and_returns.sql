-- Per product: what was sold (completed or later refunded orders) and what came back.
with orders as (
    select * from {{ ref('stg_shop__orders') }}
    where status in ('completed', 'refunded')
),

returns as (
    select * from {{ ref('stg_shop__returns') }}
),

sold as (
    select
        product_id,
        count(*) as order_count,
        sum(quantity) as units_sold,
        sum(amount) as gross_revenue
    from orders
    group by product_id
),

returned as (
    select
        product_id,
        sum(quantity) as units_returned,
        sum(refund_amount) as refund_amount
    from returns
    group by product_id
),

final as (
    select
        coalesce(sold.product_id, returned.product_id) as product_id,
        coalesce(sold.order_count, 0) as order_count,
        coalesce(sold.units_sold, 0) as units_sold,
        coalesce(sold.gross_revenue, 0) as gross_revenue,
        coalesce(returned.units_returned, 0) as units_returned,
        coalesce(returned.refund_amount, 0) as refund_amount
    from sold
    full outer join returned on sold.product_id = returned.product_id
)

select * from final
