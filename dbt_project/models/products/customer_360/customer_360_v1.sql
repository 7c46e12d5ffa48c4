-- Version 1 of customer_360, kept under its unversioned name so its consumers read on until they move to v2:
-- PII masked as the product spec says for customer_360 (pii_fields), the email partially, the phone redacted.
select {{ masked_columns(ref('customer_360_unmasked')) }}
from {{ ref('customer_360_unmasked') }}
