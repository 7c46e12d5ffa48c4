{{ config(materialized='incremental', on_schema_change='fail', cluster_by=['region', 'sales_date'],
          **partitioned_incremental('sales_date')) }}
-- cluster_by: the served copy is ordered by region, then day, so the dashboards' reads (one region, recent
-- days) skip the row groups of other regions and older days (README, "`cluster_by`").
with transactions as (
    select * from {{ ref('int_sales__transactions_enriched') }}
    where {{ in_partition_window('transaction_date') }}
),

final as (
    select
        transaction_date as sales_date,
        region,
        product_id,
        product_name,
        category,
        {{ sales_measures() }}
    from transactions
    group by transaction_date, region, product_id, product_name, category
)

select * from final
