"""`dataops product create`: a new data product scaffolded from declared landing tables."""
