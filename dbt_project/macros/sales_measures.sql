{#- The sales KPIs of one group of transactions (int_sales__transactions_enriched), the same at
    every grain so sales_daily_metrics and sales_daily_region_metrics reconcile. -#}
{% macro sales_measures() -%}
        count(*) as transaction_count,
        cast(sum(quantity) as bigint) as units_sold,
        count(distinct customer_id) as unique_customers,
        cast(sum(amount) as decimal(18, 2)) as revenue,
        {{ divide_to_cents('sum(amount)', 'count(*)') }} as avg_order_value
{%- endmacro %}
