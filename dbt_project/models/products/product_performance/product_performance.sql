-- One row per product: every catalog product, plus any product that was ordered but is missing
-- from the catalog (name and category 'unknown'), so no sale disappears from the totals.
with products as (
    select * from {{ ref('stg_catalog__products') }}
),

activity as (
    select * from {{ ref('int_product__sales_and_returns') }}
),

measures as (
    select
        coalesce(products.product_id, activity.product_id) as product_id,
        coalesce(products.product_name, 'unknown') as product_name,
        coalesce(products.category, 'unknown') as category,
        products.brand,
        products.is_active,
        coalesce(activity.order_count, 0) as order_count,
        coalesce(activity.units_sold, 0) as units_sold,
        coalesce(activity.units_returned, 0) as units_returned,
        coalesce(activity.gross_revenue, 0) as gross_revenue,
        coalesce(activity.refund_amount, 0) as refund_amount,
        coalesce(activity.net_revenue, 0) as net_revenue,
        (coalesce(activity.units_sold, 0) - coalesce(activity.units_returned, 0)) * products.unit_cost as cost_of_goods
    from products
    full outer join activity on products.product_id = activity.product_id
),

final as (
    select
        product_id,
        product_name,
        category,
        brand,
        is_active,
        cast(order_count as bigint) as order_count,
        cast(units_sold as bigint) as units_sold,
        cast(units_returned as bigint) as units_returned,
        cast(gross_revenue as decimal(18, 2)) as gross_revenue,
        cast(refund_amount as decimal(18, 2)) as refund_amount,
        cast(net_revenue as decimal(18, 2)) as net_revenue,
        cast(cost_of_goods as decimal(18, 2)) as cost_of_goods,
        cast(net_revenue - cost_of_goods as decimal(18, 2)) as gross_margin,
        {{ safe_divide('net_revenue - cost_of_goods', 'net_revenue') }} as margin_pct,
        {{ safe_divide('units_returned', 'units_sold') }} as return_rate
    from measures
)

select * from final
