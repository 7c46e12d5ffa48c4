-- Every token customer_360 has shown for a tokenized column, with its value: kept across runs, so a token in
-- an older published version still detokenizes. Private and never published; read only through a PII grant.
{#- token_vault() selects only tokens the vault lacks: DuckDB merges them on the key, Spark (plain Parquet, no
    MERGE) appends them. -#}
{{ config(materialized='incremental', contract={'enforced': false},
          incremental_strategy=('append' if target.type == 'spark' else 'delete+insert'),
          unique_key=(none if target.type == 'spark' else 'token')) }}
{{ token_vault(ref('customer_360_unmasked')) }}
