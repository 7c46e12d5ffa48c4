-- One row per customer, following the customer-360 data contract; PII masked as the product spec says for
-- customer_360_v2 (pii_fields): the email a token, the phone number its last four digits.
select {{ masked_columns(ref('customer_360_unmasked')) }}
from {{ ref('customer_360_unmasked') }}
