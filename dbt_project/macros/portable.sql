{#- Functions whose spelling differs between engines; models call these, never the engine's own. -#}

{% macro median(expression) -%}
  {{ return(adapter.dispatch('median', 'dataops')(expression)) }}
{%- endmacro %}
{% macro default__median(expression) -%} median({{ expression }}) {%- endmacro %}
{% macro spark__median(expression) -%} percentile_approx({{ expression }}, 0.5) {%- endmacro %}

{#- The instant "current state" models are evaluated at: var('as_of') when given,
    else `fallback` (a data-derived instant, so replaying old data gives the same answer). -#}
{% macro as_of_timestamp(fallback) -%}
  {%- if var('as_of') -%} cast('{{ var("as_of") }}' as timestamp)
  {%- else -%} cast({{ fallback }} as timestamp)
  {%- endif -%}
{%- endmacro %}

{% macro safe_divide(numerator, denominator) -%}
  case when {{ denominator }} = 0 or {{ denominator }} is null then null
       else cast({{ numerator }} as double) / {{ denominator }} end
{%- endmacro %}
