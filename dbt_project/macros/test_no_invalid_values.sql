{#- Generic test on a staging model built with typed_columns: its failure count is the number
    of landing values that did not parse as their declared type (they were read as null). A
    warning, not an error: the other rows build on. -#}
{% test no_invalid_values(model) %}
{{ config(severity='warn', fail_calc='coalesce(sum(_invalid_values), 0)', meta={'dimension': 'validity'}) }}
select _invalid_values
from {{ model }}
where _invalid_values > 0
{% endtest %}
