{{ config(materialized='incremental', on_schema_change='fail',
          **partitioned_incremental('sales_date')) }}
-- One row per sales date and customer region: the grain at which distinct customers add up
-- (seed 000's "distinct customers by date and region").
with transactions as (
    select * from {{ ref('int_sales__transactions_enriched') }}
    where {{ in_partition_window('transaction_date') }}
),

final as (
    select
        transaction_date as sales_date,
        region,
        {{ sales_measures() }}
    from transactions
    group by transaction_date, region
)

select * from final
