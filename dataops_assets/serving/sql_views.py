"""SQL access: a DuckDB schema `dataproducts` with one view per published public model over its `current`
masked snapshot (and one named as the product, for its default model, when no model has that name).

A view lists the files of the version current when it was made: it reads that version whatever is
published later, until retention removes it (DATAOPS_KEEP_VERSIONS publications on); open or export again
for newer data. The unmasked variants (restricted/) are never in a view.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import duckdb

from dataops_assets.publish.records import current_files, current_publication
from dataops_assets.serving.catalog import ServedProduct
from dataops_assets.sql_text import published_files, quote

SCHEMA = "dataproducts"


def view_statements(published_dir: Path, products: Mapping[str, ServedProduct]) -> list[str]:
    """`create schema` and one `create view` per published public model (unpublished ones are skipped)."""
    statements = [f"create schema if not exists {SCHEMA}"]
    names = {m for p in products.values() for m in p.models}
    for product in products.values():
        for model in product.models:
            publication = current_publication(published_dir, product.id, model)
            files = current_files(publication) if publication else []
            if not files:
                continue
            statements.append(f"create or replace view {SCHEMA}.{quote(model)} as select * from {published_files(files)}")
            if model == product.default_model and product.id not in names:
                statements.append(f"create or replace view {SCHEMA}.{quote(product.id)} as "
                                  f"select * from {SCHEMA}.{quote(model)}")
    return statements


def open_views(published_dir: Path, products: Mapping[str, ServedProduct], database: str = ":memory:",
               ) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(database)
    for statement in view_statements(published_dir, products):
        con.execute(statement)
    return con


def views(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("select view_name from duckdb_views() where schema_name = ? order by 1",
                                      [SCHEMA]).fetchall()]
