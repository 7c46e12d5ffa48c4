-- Invoices with their vendor and contract, flagged when far above the category's typical invoice.
with spend as (
    select * from {{ ref('stg_procurement__spend') }}
),

vendors as (
    select vendor_id, vendor_name, risk_rating from {{ ref('stg_procurement__vendors') }}
),

category_typical as (
    select category, {{ median('amount') }} as median_invoice_amount
    from spend
    group by category
),

final as (
    select
        spend.spend_id,
        spend.vendor_id,
        coalesce(vendors.vendor_name, 'unknown') as vendor_name,
        coalesce(vendors.risk_rating, 'unknown') as vendor_risk_rating,
        spend.category,
        spend.contract_id,
        cast({{ dbt.date_trunc('month', 'spend.spend_date') }} as date) as spend_month,
        spend.amount,
        -- An invoice over 10x the category median is what an analyst would chase first.
        spend.amount > 10 * category_typical.median_invoice_amount as is_outlier_invoice
    from spend
    left join vendors on spend.vendor_id = vendors.vendor_id
    left join category_typical on spend.category = category_typical.category
)

select * from final
