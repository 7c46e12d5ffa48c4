-- For each vendor, category and month with spend: the vendor-category's own trailing history,
-- i.e. its months with spend among the var('spend_anomaly').history_months calendar months
-- before, as the median and median absolute deviation of log monthly spend (robust to the
-- anomalies themselves).
{%- set window_months = var('spend_anomaly')['history_months'] %}
with months as (
    select vendor_id, category, spend_month, total_spend
    from {{ ref('int_procurement__vendor_months') }}
    where total_spend > 0
),

history as (
    select
        current_month.vendor_id,
        current_month.category,
        current_month.spend_month,
        ln(past.total_spend) as log_spend
    from months as current_month
    inner join months as past
        on past.vendor_id = current_month.vendor_id
        and past.category = current_month.category
        and past.spend_month < current_month.spend_month
        and past.spend_month >= cast({{ dbt.dateadd('month', -window_months, 'current_month.spend_month') }} as date)
),

center as (
    select vendor_id, category, spend_month, count(*) as history_months, median(log_spend) as median_log_spend
    from history
    group by vendor_id, category, spend_month
),

spread as (
    select
        history.vendor_id,
        history.category,
        history.spend_month,
        median(abs(history.log_spend - center.median_log_spend)) as mad_log_spend
    from history
    inner join center
        on history.vendor_id = center.vendor_id
        and history.category = center.category
        and history.spend_month = center.spend_month
    group by history.vendor_id, history.category, history.spend_month
),

final as (
    select center.*, spread.mad_log_spend
    from center
    inner join spread
        on center.vendor_id = spread.vendor_id
        and center.category = spread.category
        and center.spend_month = spread.spend_month
)

select * from final
