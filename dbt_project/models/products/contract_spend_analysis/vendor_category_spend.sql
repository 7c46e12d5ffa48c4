-- Monthly spend per vendor and category, on and off contract, with an anomaly flag:
-- 'outlier_invoice' when an invoice is over 10x the category median, 'spend_spike' when the
-- vendor's month is more than 3 standard deviations above the category's vendor-month mean.
with spend as (
    select * from {{ ref('int_procurement__spend_enriched') }}
),

contracts as (
    select vendor_id, category, sum(contract_value) as active_contract_value
    from {{ ref('stg_procurement__contracts') }}
    where status = 'active'
    group by vendor_id, category
),

monthly as (
    select
        spend_month,
        vendor_id,
        vendor_name,
        vendor_risk_rating,
        category,
        count(*) as invoice_count,
        sum(amount) as total_spend,
        sum(case when contract_id is not null then amount else 0 end) as on_contract_spend,
        sum(case when contract_id is null then amount else 0 end) as off_contract_spend,
        max(amount) as max_invoice_amount,
        sum(case when is_outlier_invoice then 1 else 0 end) as outlier_invoice_count
    from spend
    group by spend_month, vendor_id, vendor_name, vendor_risk_rating, category
),

scored as (
    select
        monthly.*,
        (total_spend - avg(total_spend) over (partition by category))
            / nullif(stddev_samp(total_spend) over (partition by category), 0) as spend_zscore
    from monthly
),

final as (
    select
        scored.spend_month,
        scored.vendor_id,
        scored.vendor_name,
        scored.vendor_risk_rating,
        scored.category,
        cast(scored.invoice_count as bigint) as invoice_count,
        cast(scored.total_spend as decimal(18, 2)) as total_spend,
        cast(scored.on_contract_spend as decimal(18, 2)) as on_contract_spend,
        cast(scored.off_contract_spend as decimal(18, 2)) as off_contract_spend,
        cast(coalesce(contracts.active_contract_value, 0) as decimal(18, 2)) as active_contract_value,
        cast(scored.max_invoice_amount as decimal(18, 2)) as max_invoice_amount,
        cast(scored.spend_zscore as double) as spend_zscore,
        scored.outlier_invoice_count > 0 or coalesce(scored.spend_zscore, 0) > 3 as is_anomaly,
        case
            when scored.outlier_invoice_count > 0 then 'outlier_invoice'
            when coalesce(scored.spend_zscore, 0) > 3 then 'spend_spike'
        end as anomaly_reason
    from scored
    left join contracts
        on scored.vendor_id = contracts.vendor_id and scored.category = contracts.category
)

select * from final
