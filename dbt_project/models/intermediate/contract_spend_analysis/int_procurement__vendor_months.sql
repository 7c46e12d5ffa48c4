-- Spend per vendor, category and month, split on and off contract.
with spend as (
    select * from {{ ref('stg_procurement__spend') }}
),

final as (
    select
        cast({{ dbt.date_trunc('month', 'spend_date') }} as date) as spend_month,
        vendor_id,
        category,
        count(*) as invoice_count,
        sum(cast(amount as decimal(18, 2))) as total_spend,
        sum(case when contract_id is not null then cast(amount as decimal(18, 2)) else 0 end) as on_contract_spend,
        sum(case when contract_id is null then cast(amount as decimal(18, 2)) else 0 end) as off_contract_spend,
        max(amount) as max_invoice_amount
    from spend
    group by 1, 2, 3
)

select * from final
