-- One row per customer, following the customer-360 data contract; PII masked as the product spec says.
select {{ masked_columns(ref('customer_360_unmasked')) }}
from {{ ref('customer_360_unmasked') }}
