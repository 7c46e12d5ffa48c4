-- Each contract's value spread over the months of its term in proportion to its days in each
-- month (so the months of a term add up to the contract value), summed per vendor, category and
-- month, for the months the spend data covers.
with contracts as (
    select
        vendor_id,
        category,
        start_date,
        end_date,
        contract_value,
        {{ dbt.datediff('start_date', 'end_date', 'day') }} + 1 as term_days
    from {{ ref('stg_procurement__contracts') }}
    where end_date >= start_date
),

months as (
    select distinct spend_month from {{ ref('int_procurement__vendor_months') }}
),

prorated as (
    select
        contracts.vendor_id,
        contracts.category,
        months.spend_month,
        contracts.contract_value
            * ({{ dbt.datediff(
                'greatest(contracts.start_date, months.spend_month)',
                'least(contracts.end_date, cast(' ~ dbt.last_day('months.spend_month', 'month') ~ ' as date))',
                'day') }} + 1)
            / contracts.term_days as prorated_value
    from contracts
    inner join months
        on contracts.start_date <= cast({{ dbt.last_day('months.spend_month', 'month') }} as date)
        and contracts.end_date >= months.spend_month
),

final as (
    select vendor_id, category, spend_month, sum(prorated_value) as prorated_contract_value
    from prorated
    group by vendor_id, category, spend_month
)

select * from final
