{#- PII masking: what a public model shows instead of a PII value. The product spec names each PII column's
    strategy (pii_fields); a public model selects masked_columns(<its unmasked model>) and so applies the spec.
    Keyed strategies (hash, tokenize) use HMAC-SHA-256 with the platform's masking key, which reaches the engine
    outside the SQL (DuckDB: the dbt-duckdb plugin dataops_assets.governance.dbt_plugin sets it as session
    variables), so no compiled file or log holds it. The Python twin, for check examples, is
    dataops_assets/governance/masking.py; tests hold both equal. -#}

{% macro masked_columns(unmasked) -%}
  {#- Every contract column of the calling public model, read from `unmasked`, its PII columns masked as the
      product spec says. -#}
  {%- if not execute -%}
    *
  {%- else -%}
    {%- if not model.columns -%}
      {{ exceptions.raise_compiler_error("masked_columns in model '" ~ model_id(model) ~ "': expected its contract columns in its YAML (the columns it selects)") }}
    {%- endif -%}
    {%- set strategies = pii_strategies(model.group, model_id(model)) -%}
    {%- set unknown = strategies.keys() | reject('in', model.columns.keys()) | list -%}
    {%- if unknown -%}
      {{ exceptions.raise_compiler_error("pii_fields of product '" ~ model.group ~ "': column(s) " ~ unknown | join(', ')
         ~ " of model '" ~ model_id(model) ~ "' are not in its contract") }}
    {%- endif -%}
    {%- for name, column in model.columns.items() %}
    {% if name in strategies -%}
      {{ mask(adapter.quote(name), strategies[name], column.data_type) }} as {{ adapter.quote(name) }}
    {%- else -%}
      {{ adapter.quote(name) }}
    {%- endif -%}{{ ',' if not loop.last }}
    {%- endfor %}
  {%- endif -%}
{%- endmacro %}

{#- The platform's name for a model (catalog/products.py model_id): a version of a versioned model goes by its
    relation's alias (customer_360_v2, or customer_360 for a version keeping the unversioned name). -#}
{% macro model_id(node) -%}
  {{ return(node.alias if node.version is not none else node.name) }}
{%- endmacro %}

{% macro pii_strategies(group_name, model_name=none) -%}
  {#- Column -> strategy from the spec of product `group_name` (its group's meta.data_product.pii_fields);
      only those of `model_name` when given. -#}
  {%- set group = graph.groups.get('group.' ~ project_name ~ '.' ~ group_name) -%}
  {%- if group is none -%}
    {{ exceptions.raise_compiler_error("masking: model '" ~ model.name ~ "' is in no product group; expected one in models/products/<product>/_product.yml") }}
  {%- endif -%}
  {%- set spec = (group.config.meta or {}).get('data_product', {}) -%}
  {%- set strategies = {} -%}
  {%- for field in spec.get('pii_fields', []) if model_name is none or field.model == model_name -%}
    {%- do strategies.update({field.column: field.masking}) -%}
  {%- endfor -%}
  {{ return(strategies) }}
{%- endmacro %}

{% macro mask(column, strategy, data_type) -%}
  {%- if strategy not in ['redact', 'hash', 'tokenize', 'partial'] -%}
    {{ exceptions.raise_compiler_error("masking strategy of " ~ column ~ ": expected one of redact, hash, tokenize, partial, got '" ~ strategy ~ "'") }}
  {%- endif -%}
  {%- set masked = {'redact': mask_redact, 'hash': mask_hash, 'tokenize': mask_tokenize, 'partial': mask_partial}[strategy] -%}
  case when {{ column }} is null then null else {{ masked(column, data_type) }} end
{%- endmacro %}

{% macro mask_redact(column, data_type) -%}
  {{ return(adapter.dispatch('mask_redact', 'dataops')(column, data_type)) }}
{%- endmacro %}
{% macro mask_hash(column, data_type) -%}
  {{ return(adapter.dispatch('mask_hash', 'dataops')(column, data_type)) }}
{%- endmacro %}
{% macro mask_tokenize(column, data_type) -%}
  {{ return(adapter.dispatch('mask_tokenize', 'dataops')(column, data_type)) }}
{%- endmacro %}
{% macro mask_partial(column, data_type) -%}
  {{ return(adapter.dispatch('mask_partial', 'dataops')(column, data_type)) }}
{%- endmacro %}

{#- redact: a fixed token for text, NULL for every other type. -#}
{% macro default__mask_redact(column, data_type) -%}
  {%- if modules.re.match('^(varchar|string|text|char)', (data_type or 'varchar') | lower) -%} '***'
  {%- else -%} cast(null as {{ data_type }})
  {%- endif -%}
{%- endmacro %}

{#- hash: hex HMAC-SHA-256 of the value's text. -#}
{% macro default__mask_hash(column, data_type) -%}
  {{ hmac_sha256_hex(as_text(column)) }}
{%- endmacro %}

{#- tokenize: 'tok_' and 16 hex digits of a keyed HMAC in its own domain (a token is not the hash of the value);
    token_vault() keeps token -> value for holders of a PII grant. -#}
{% macro default__mask_tokenize(column, data_type) -%}
  'tok_' || left({{ hmac_sha256_hex("'tokenize:' || " ~ as_text(column)) }}, 16)
{%- endmacro %}

{#- partial: j***@example.com for an email (the domain stays), ***-***-1234 for a phone number (every digit
    but the last four, from 7 digits), J*** for anything else. -#}
{% macro default__mask_partial(column, data_type) -%}
  {{ exceptions.raise_compiler_error("masking: partial has no implementation for adapter '" ~ adapter.type() ~ "'; expected a macro " ~ adapter.type() ~ "__mask_partial (macros/masking.sql)") }}
{%- endmacro %}
{% macro duckdb__mask_partial(column, data_type) -%}
  {%- set value = as_text(column) -%}
  {%- set last_four = "regexp_extract(reverse(" ~ value ~ "), '^((?:[^0-9]*[0-9]){0,4})', 1)" -%}
  case when {{ value }} like '%@%'
         then left({{ value }}, 1) || '***@' || regexp_extract({{ value }}, '@([^@]*)$', 1)
       when length(regexp_replace({{ value }}, '[^0-9]', '', 'g')) >= 7
         then reverse({{ last_four }} || regexp_replace(substr(reverse({{ value }}), length({{ last_four }}) + 1), '[0-9]', '*', 'g'))
       else left({{ value }}, 1) || '***' end
{%- endmacro %}
{% macro spark__mask_partial(column, data_type) -%}
  {#- Spark's regexp_replace replaces every match (DuckDB's needs 'g'); the patterns have no backslash. -#}
  {%- set value = as_text(column) -%}
  {%- set last_four = "regexp_extract(reverse(" ~ value ~ "), '^((?:[^0-9]*[0-9]){0,4})', 1)" -%}
  case when {{ value }} like '%@%'
         then left({{ value }}, 1) || '***@' || regexp_extract({{ value }}, '@([^@]*)$', 1)
       when length(regexp_replace({{ value }}, '[^0-9]', '')) >= 7
         then reverse({{ last_four }} || regexp_replace(substr(reverse({{ value }}), length({{ last_four }}) + 1), '[0-9]', '*'))
       else left({{ value }}, 1) || '***' end
{%- endmacro %}
{% macro as_text(column) -%} cast({{ column }} as {{ dbt.type_string() }}) {%- endmacro %}

{#- HMAC-SHA-256 (RFC 2104) of a text expression, as 64 lower-case hex digits. The key's inner and outer pads
    come from the engine session, never from the SQL text. -#}
{% macro hmac_sha256_hex(message) -%}
  {{ return(adapter.dispatch('hmac_sha256_hex', 'dataops')(message)) }}
{%- endmacro %}
{% macro default__hmac_sha256_hex(message) -%}
  {{ exceptions.raise_compiler_error("masking: hash and tokenize have no HMAC for adapter '" ~ adapter.type() ~ "'; expected a macro " ~ adapter.type() ~ "__hmac_sha256_hex (macros/masking.sql)") }}
{%- endmacro %}
{% macro duckdb__hmac_sha256_hex(message) -%}
  {%- set missing = "error(coalesce(getvariable('dataops_masking_error'), 'masking key: not set; expected DATAOPS_MASKING_KEY or $DATAOPS_HOME/masking.key'))" -%}
  sha256(coalesce(cast(getvariable('dataops_hmac_outer') as blob), {{ missing }})
         || unhex(sha256(coalesce(cast(getvariable('dataops_hmac_inner') as blob), {{ missing }}) || encode({{ message }}))))
{%- endmacro %}

{#- Spark: the pads are the session's configuration (spark.dataops.hmac_inner/outer, hex, from the profile's
    server_side_parameters, which read them from DBT_ENV_SECRET_ variables dbt keeps out of its logs); Spark
    substitutes ${...} when it parses the statement, so the compiled SQL holds only the names. -#}
{% macro spark__hmac_sha256_hex(message) -%}
  {%- set missing = "raise_error(nvl(nullif('${spark.dataops.masking_error}', ''), 'masking key: not set; expected DATAOPS_MASKING_KEY or $DATAOPS_HOME/masking.key'))" -%}
  sha2(concat(coalesce(unhex(nullif('${spark.dataops.hmac_outer}', '')), {{ missing }}),
              unhex(sha2(concat(coalesce(unhex(nullif('${spark.dataops.hmac_inner}', '')), {{ missing }}),
                                encode({{ message }}, 'UTF-8')), 256))), 256)
{%- endmacro %}

{#- One row per token a run issued for the product's tokenized columns: token -> value. Only a non-public model
    of the product may select it; detokenizing takes a PII grant (dataops pii detokenize). -#}
{% macro token_vault(unmasked) -%}
  {%- set columns = [] -%}
  {%- if execute -%}
    {%- for column, strategy in pii_strategies(model.group).items() if strategy == 'tokenize' -%}
      {%- do columns.append(column) -%}
    {%- endfor -%}
  {%- endif -%}
  with issued as (
  {%- for column in columns %}
    select distinct {{ mask(adapter.quote(column), 'tokenize', 'varchar') }} as token, {{ as_text(adapter.quote(column)) }} as value
    from {{ unmasked }} where {{ adapter.quote(column) }} is not null
    {{ 'union' if not loop.last }}
  {%- else %}
    select cast(null as {{ dbt.type_string() }}) as token, cast(null as {{ dbt.type_string() }}) as value where 1 = 0
  {%- endfor %}
  )
  select token, value from issued
  {%- if is_incremental() %} where token not in (select token from {{ this }}){% endif %}
{%- endmacro %}
