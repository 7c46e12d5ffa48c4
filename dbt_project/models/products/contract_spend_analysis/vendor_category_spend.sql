{{ config(materialized='incremental', on_schema_change='fail',
          **partitioned_incremental('spend_month')) }}
-- Monthly spend per vendor and category, on and off contract, against the contract value
-- prorated to the month, with anomalies judged against the vendor's own history and contract.
-- Rules and thresholds: vendor_category_spend.yml (thresholds are the spend_anomaly vars).
{%- set rules = var('spend_anomaly') %}
with spend as (
    select * from {{ ref('int_procurement__vendor_months') }}
),

contract_months as (
    select * from {{ ref('int_procurement__contract_months') }}
),

history as (
    select * from {{ ref('int_procurement__spend_history') }}
),

vendors as (
    select vendor_id, vendor_name, risk_rating from {{ ref('stg_procurement__vendors') }}
),

vendor_months as (
    -- Months with spend, and months inside a contract's term without any (spend 0).
    select
        coalesce(spend.spend_month, contract_months.spend_month) as spend_month,
        coalesce(spend.vendor_id, contract_months.vendor_id) as vendor_id,
        coalesce(spend.category, contract_months.category) as category,
        coalesce(spend.invoice_count, 0) as invoice_count,
        coalesce(spend.total_spend, 0) as total_spend,
        coalesce(spend.on_contract_spend, 0) as on_contract_spend,
        coalesce(spend.off_contract_spend, 0) as off_contract_spend,
        spend.max_invoice_amount,
        coalesce(contract_months.prorated_contract_value, 0) as prorated_contract_value
    from spend
    full outer join contract_months
        on spend.vendor_id = contract_months.vendor_id
        and spend.category = contract_months.category
        and spend.spend_month = contract_months.spend_month
),

scored as (
    select
        vendor_months.*,
        coalesce(history.history_months, 0) as history_months,
        exp(history.median_log_spend) as trailing_median_spend,
        case
            when history.history_months >= {{ rules['min_history_months'] }} and vendor_months.total_spend > 0
            then (ln(vendor_months.total_spend) - history.median_log_spend)
                / greatest(1.4826 * history.mad_log_spend, {{ rules['min_spread'] }})
        end as spend_zscore
    from vendor_months
    left join history
        on vendor_months.vendor_id = history.vendor_id
        and vendor_months.category = history.category
        and vendor_months.spend_month = history.spend_month
),

flagged as (
    select
        *,
        off_contract_spend > {{ rules['off_contract_share'] }} * prorated_contract_value
            and off_contract_spend > 0 as is_off_contract_anomaly,
        coalesce(
            spend_zscore >= {{ rules['spike_zscore'] }}
            and total_spend >= {{ rules['spike_ratio'] }} * trailing_median_spend,
            false
        ) as is_spend_spike
    from scored
),

final as (
    select
        flagged.spend_month,
        flagged.vendor_id,
        coalesce(vendors.vendor_name, 'unknown') as vendor_name,
        coalesce(vendors.risk_rating, 'unknown') as vendor_risk_rating,
        flagged.category,
        cast(flagged.invoice_count as bigint) as invoice_count,
        cast(flagged.total_spend as decimal(18, 2)) as total_spend,
        cast(flagged.on_contract_spend as decimal(18, 2)) as on_contract_spend,
        cast(flagged.off_contract_spend as decimal(18, 2)) as off_contract_spend,
        cast(flagged.prorated_contract_value as decimal(18, 2)) as prorated_contract_value,
        cast(flagged.max_invoice_amount as decimal(18, 2)) as max_invoice_amount,
        cast(flagged.history_months as integer) as history_months,
        cast(flagged.trailing_median_spend as decimal(18, 2)) as trailing_median_spend,
        cast(flagged.spend_zscore as double) as spend_zscore,
        flagged.is_off_contract_anomaly or flagged.is_spend_spike as is_anomaly,
        case
            when flagged.is_off_contract_anomaly then 'off_contract_spend'
            when flagged.is_spend_spike then 'spend_spike'
        end as anomaly_reason
    from flagged
    left join vendors on flagged.vendor_id = vendors.vendor_id
    where {{ in_partition_window('flagged.spend_month') }}
)

select * from final
