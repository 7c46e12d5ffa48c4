"""`dataops sql`: DuckDB with a `dataproducts` schema of views over the published (masked) snapshots."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
import duckdb


@click.command()
@click.option("--query", "-q", "query", default=None, help="Run this SQL and print the result (else read "
              "statements from standard input, separated by ';').")
@click.option("--export", "export", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write a DuckDB file holding the views, for other tools (replaced if it exists).")
def sql(query: str | None, export: Path | None) -> None:
    """Query published products as `dataproducts.<model>` views (masked; see README, SQL)."""
    from dataops_assets.cli.products import load_project_or_exit
    from dataops_assets.serving.catalog import served_products
    from dataops_assets.serving.sql_views import open_views, views
    from dataops_assets.settings import load_settings

    settings = load_settings()
    products = served_products(load_project_or_exit())
    if export is not None:
        tmp = export.with_name(f".{export.name}.tmp-{os.getpid()}")
        tmp.unlink(missing_ok=True)
        try:
            con = open_views(settings.published_dir, products, str(tmp))
            names = views(con)
            con.close()
            os.replace(tmp, export)
        except (duckdb.Error, OSError) as exc:
            tmp.unlink(missing_ok=True)
            raise click.ClickException(f"--export: cannot write {export}: {str(exc).splitlines()[0]}") from None
        click.echo(f"{export}: {len(names)} views in schema dataproducts ({', '.join(names)})")
        return
    con = open_views(settings.published_dir, products)
    try:
        for statement in con.extract_statements(query if query is not None else sys.stdin.read()):
            result = con.sql(statement)
            if result is not None:
                click.echo(str(result).rstrip())
    except duckdb.Error as exc:
        raise click.ClickException(f"query: {str(exc).splitlines()[0]}") from None
