{{ config(materialized='incremental', on_schema_change='fail',
          **partitioned_incremental('revenue_month')) }}
-- Monthly revenue per customer country (country from the customer_360 product), with growth
-- between complete months only. Revenue rules: int_orders__revenue.
with orders as (
    -- The window's months and the month before each (growth compares with it).
    select * from {{ ref('int_orders__revenue') }}
    where {{ in_partition_window('revenue_month', lookback_months=1) }}
),

customers as (
    select customer_id, country from {{ ref('customer_360') }}
),

coverage as (
    -- Orders are loaded from this day on; a month starting earlier is only partly covered.
    select min(order_date) as first_order_date, {{ as_of_timestamp() }} as as_of_ts
    from {{ ref('int_orders__revenue') }}
),

monthly as (
    select
        orders.revenue_month,
        coalesce(customers.country, 'unknown') as country,
        sum(case when orders.is_recognized then 1 else 0 end) as order_count,
        count(distinct case when orders.is_recognized then orders.customer_id end) as paying_customers,
        sum(orders.gross_revenue) as gross_revenue,
        sum(orders.refund_amount) as refunded_amount,
        sum(orders.net_revenue) as net_revenue
    from orders
    left join customers on orders.customer_id = customers.customer_id
    group by orders.revenue_month, coalesce(customers.country, 'unknown')
),

completeness as (
    select
        monthly.*,
        coverage.first_order_date <= monthly.revenue_month
            and {{ dbt.dateadd('month', 1, 'monthly.revenue_month') }} <= coverage.as_of_ts as is_complete_month
    from monthly
    cross join coverage
),

with_previous as (
    -- The calendar month before, not the previous row: a month without orders leaves growth null.
    select
        current_month.*,
        previous_month.net_revenue as prev_month_net_revenue,
        previous_month.is_complete_month as prev_is_complete_month
    from completeness as current_month
    left join completeness as previous_month
        on previous_month.country = current_month.country
        and previous_month.revenue_month = cast({{ dbt.dateadd('month', -1, 'current_month.revenue_month') }} as date)
),

final as (
    select
        revenue_month,
        country,
        is_complete_month,
        cast(order_count as bigint) as order_count,
        cast(paying_customers as bigint) as paying_customers,
        cast(gross_revenue as decimal(18, 2)) as gross_revenue,
        cast(refunded_amount as decimal(18, 2)) as refunded_amount,
        cast(net_revenue as decimal(18, 2)) as net_revenue,
        cast(prev_month_net_revenue as decimal(18, 2)) as prev_month_net_revenue,
        case when is_complete_month and prev_is_complete_month then
            100 * {{ safe_divide('net_revenue - prev_month_net_revenue', 'prev_month_net_revenue') }}
        end as mom_growth_pct
    from with_previous
    where {{ in_partition_window('revenue_month') }}
)

select * from final
