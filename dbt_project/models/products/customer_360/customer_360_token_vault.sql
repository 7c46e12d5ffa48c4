-- Every token customer_360 has shown for a tokenized column, with its value: kept across runs, so a token in
-- an older published version still detokenizes. Private and never published; read only through a PII grant.
{{ config(materialized='incremental', unique_key='token', contract={'enforced': false}) }}
{{ token_vault(ref('customer_360_unmasked')) }}
