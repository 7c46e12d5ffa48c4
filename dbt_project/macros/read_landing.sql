{#- Landing files are Parquet under $DATAOPS_HOME/landing/<source>/<table>/.
    Staging models call this on a `source()` relation so lineage still starts at the source. -#}
{% macro read_landing(source_relation) -%}
  {{ return(adapter.dispatch('read_landing', 'dataops')(source_relation)) }}
{%- endmacro %}

{% macro landing_path(source_relation) -%}
  {{ env_var('DATAOPS_HOME') }}/landing/{{ source_relation.schema }}/{{ source_relation.identifier }}
{%- endmacro %}

{% macro default__read_landing(source_relation) -%}
  read_parquet('{{ landing_path(source_relation) }}/*.parquet')
{%- endmacro %}

{% macro spark__read_landing(source_relation) -%}
  parquet.`{{ landing_path(source_relation) }}`
{%- endmacro %}
