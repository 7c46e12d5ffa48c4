{#- Functions whose spelling differs between engines; models call these, never the engine's own. -#}

{#- A cast that yields null instead of aborting the query when the value does not parse
    (dbt's own safe_cast is a plain cast on DuckDB). -#}
{% macro try_cast(expression, data_type) -%}
  {{ return(adapter.dispatch('try_cast', 'dataops')(expression, data_type)) }}
{%- endmacro %}
{% macro default__try_cast(expression, data_type) -%} try_cast({{ expression }} as {{ data_type }}) {%- endmacro %}

{#- The instant "current state" models are evaluated at, as a naive UTC timestamp: var('as_of')
    when given (settings pass DATAOPS_AS_OF), else the start of this dbt invocation (UTC). -#}
{% macro as_of_timestamp() -%}
  {%- set as_of = var('as_of') or run_started_at.strftime('%Y-%m-%d %H:%M:%S') -%}
  cast('{{ as_of }}' as timestamp)
{%- endmacro %}

{#- numerator / denominator as decimal(18, 2), rounded half up: both are made doubles first, so the division
    and the rounding are the same IEEE arithmetic on every engine. (DuckDB divides decimals as doubles, Spark
    exactly to 6 places and casts half up: 129.95 / 2 rounded down on one and up on the other.) -#}
{% macro divide_to_cents(numerator, denominator) -%}
  cast(floor(cast({{ numerator }} as double) / cast({{ denominator }} as double) * 100 + 0.5) / 100 as decimal(18, 2))
{%- endmacro %}

{% macro safe_divide(numerator, denominator) -%}
  case when {{ denominator }} = 0 or {{ denominator }} is null then null
       else cast({{ numerator }} as double) / {{ denominator }} end
{%- endmacro %}

{#- dbt's cast on Spark, which has no length-free VARCHAR: contracts and models say varchar (DuckDB's
    name), Spark reads it as string. dbt's contract check casts null to each contract type through this. -#}
{% macro spark__cast(field, type) -%}
  cast({{ field }} as {{ 'string' if type | trim | lower in ('varchar', 'text') else type }})
{%- endmacro %}

{#- dbt's date arithmetic on Spark with DuckDB's meaning (dbt-spark's own goes through unix seconds and
    session-zone timestamps, and counts a minute difference differently): dateadd adds calendar units;
    datediff counts the unit's boundaries crossed from `first` to `second`, as DuckDB's date_diff does. -#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
  timestampadd({{ datepart }}, {{ interval }}, {{ from_date_or_timestamp }})
{%- endmacro %}
{% macro spark__datediff(first_date, second_date, datepart) -%}
  timestampdiff({{ datepart }}, date_trunc('{{ datepart }}', {{ first_date }}), date_trunc('{{ datepart }}', {{ second_date }}))
{%- endmacro %}
