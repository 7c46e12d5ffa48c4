{#- Functions whose spelling differs between engines; models call these, never the engine's own. -#}

{% macro median(expression) -%}
  {{ return(adapter.dispatch('median', 'dataops')(expression)) }}
{%- endmacro %}
{% macro default__median(expression) -%} median({{ expression }}) {%- endmacro %}
{% macro spark__median(expression) -%} percentile_approx({{ expression }}, 0.5) {%- endmacro %}

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

{% macro safe_divide(numerator, denominator) -%}
  case when {{ denominator }} = 0 or {{ denominator }} is null then null
       else cast({{ numerator }} as double) / {{ denominator }} end
{%- endmacro %}
