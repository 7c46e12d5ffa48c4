{#- The partition window a run builds: [var('partition_start'), var('partition_end')), dates, the
    end excluded. Dagster passes the window of the partition(s) it runs through DATAOPS_WINDOW_START
    and DATAOPS_WINDOW_END (dbt_project.yml); both empty means every partition (a plain `dbt build`). -#}

{% macro partition_window_is_set() -%}
  {%- set start, end = var('partition_start'), var('partition_end') -%}
  {%- if (start and not end) or (end and not start) -%}
    {{ exceptions.raise_compiler_error("partition window: expected both partition_start and partition_end or neither, got start=" ~ start ~ " end=" ~ end) }}
  {%- endif -%}
  {{ return(start != '') }}
{%- endmacro %}

{#- Rows whose `column` (a date) falls in the window; `lookback_months` widens the window backwards for
    models that compare a partition with the months before it. True when no window is set. -#}
{% macro in_partition_window(column, lookback_months=0) -%}
  {%- if partition_window_is_set() -%}
    {%- set start = "cast('" ~ var('partition_start') ~ "' as date)" -%}
    {%- if lookback_months -%}{%- set start = "cast(" ~ dbt.dateadd('month', -lookback_months, start) ~ " as date)" -%}{%- endif -%}
    ({{ column }} >= {{ start }} and {{ column }} < cast('{{ var('partition_end') }}' as date))
  {%- else -%}
    true
  {%- endif -%}
{%- endmacro %}

{#- Incremental strategy `replace_window` (config: incremental_strategy='replace_window',
    partition_column='<date column>'): delete the window's rows, insert the new build's rows of the
    window. A run rewrites exactly its partitions, including ones that now have no rows; rows the
    model produced outside the window are not inserted. -#}
{% macro get_incremental_replace_window_sql(arg_dict) -%}
  {%- set column = config.get('partition_column') -%}
  {%- if not column -%}
    {{ exceptions.raise_compiler_error("model " ~ model.name ~ ": incremental_strategy 'replace_window' needs config partition_column") }}
  {%- endif -%}
  {%- set target, source = arg_dict['target_relation'], arg_dict['temp_relation'] -%}
  {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
  delete from {{ target }} where {{ in_partition_window(adapter.quote(column)) }};
  insert into {{ target }} ({{ columns }})
  select {{ columns }} from {{ source }} where {{ in_partition_window(adapter.quote(column)) }}
{%- endmacro %}

{#- The incremental config of a model partitioned by `column` (a date), per adapter: the caller spreads it into
    config(), `{{ config(materialized='incremental', **partitioned_incremental('sales_date')) }}`.
    DuckDB: replace_window above. Spark (plain Parquet tables have no DELETE or MERGE): insert_overwrite of the
    partitions the run's rows fall in, the table partitioned by `column`; the model selects only its window's
    rows, so no partition outside it is touched. Unlike replace_window, a partition of the window that now has
    no rows at all keeps its previous rows. -#}
{% macro partitioned_incremental(column) -%}
  {%- if target.type == 'spark' -%}
    {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': [column], 'file_format': 'parquet',
               'partition_column': column}) }}
  {%- else -%}
    {{ return({'incremental_strategy': 'replace_window', 'partition_column': column}) }}
  {%- endif -%}
{%- endmacro %}
