"""Serving published products to consumers: `dataops serve` (app.py: REST, GraphQL, OpenAPI) and `dataops sql`
(sql_views.py). keys.py and access.py decide who reads what, catalog.py what is offered, query.py and
reader.py how a read becomes DuckDB over published snapshots, documents.py and graphql_api.py the answers,
requests_log.py and insights.py the figures (latency, quality, SLIs) around them."""
