{#- The select list of a staging model: each landing column read as its declared type with
    try_cast, so one unparseable value becomes null instead of aborting the build, plus
    `_invalid_values`, how many of the row's values were present but did not parse (the
    `no_invalid_values` test reports them as a failed validity check).

    columns: {output name: type} or {output name: [landing column, type]}; 'string' is the
    engine's string type. -#}
{% macro typed_columns(columns) -%}
  {%- set failures = [] -%}
  {%- for name, spec in columns.items() -%}
    {%- set landing_column, data_type = (spec if spec is not string else [name, spec]) -%}
    {%- if data_type == 'string' -%}
    cast({{ landing_column }} as {{ dbt.type_string() }}) as {{ name }},
    {% else -%}
    {{ try_cast(landing_column, data_type) }} as {{ name }},
    {% do failures.append(
        'case when ' ~ landing_column ~ ' is not null and ' ~ try_cast(landing_column, data_type)
        ~ ' is null then 1 else 0 end') -%}
    {%- endif -%}
  {%- endfor %}
    {{ failures | join('\n      + ') if failures else '0' }} as _invalid_values
{%- endmacro %}
