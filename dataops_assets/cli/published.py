"""`dataops published`: what consumers can read now, per public model."""

from __future__ import annotations

import json

import click

from dataops_assets.cli.table import echo_table
from dataops_assets.publish.records import list_publications
from dataops_assets.settings import load_settings


@click.group()
def published() -> None:
    """Published snapshots ($DATAOPS_HOME/published/<product>/<model>/v=<n>)."""


@published.command("list")
@click.option("--product", "product_id", default=None, metavar="ID", help="Only this product's models.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document instead of a table.")
def list_published(product_id: str | None, as_json: bool) -> None:
    """Each public model's current version: partitions, rows, publish time and source run."""
    settings = load_settings()
    try:
        publications = list_publications(settings.published_dir, product_id)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if product_id is not None and not publications:
        known = _product_ids()
        if product_id not in known:
            raise click.ClickException(f"--product: expected a product id ({', '.join(known)}), got {product_id!r}")
    entries = [_entry(p) for p in publications]
    if as_json:
        click.echo(json.dumps({"published_dir": str(settings.published_dir), "models": entries}, indent=2))
        return
    if not entries:
        click.echo(f"nothing published under {settings.published_dir} yet; run `make materialize`")
        return
    header = ("PRODUCT", "MODEL", "VERSION", "PARTITIONS", "ROWS", "PUBLISHED", "RUN")
    rows = [(e["product"], e["model"], f"v={e['version']}", _partitions_text(e["partitions"]), f"{e['rows']:,}",
             e["published_at"], e["run_id"][:8]) for e in entries]
    echo_table(header, rows)


def _entry(publication) -> dict:
    return {
        "product": publication.product,
        "model": publication.model,
        "version": publication.version,
        "path": str(publication.path),
        "partition_column": publication.partition_column,
        "partitions": sorted(publication.partition_rows),
        "rows": publication.rows,
        "published_at": publication.published_at,
        "run_id": publication.run_id,
    }


def _partitions_text(partitions: list[str]) -> str:
    if not partitions:
        return "-"
    return partitions[0] if len(partitions) == 1 else f"{partitions[0]}..{partitions[-1]} ({len(partitions)})"


def _product_ids() -> list[str]:
    from dataops_assets.cli.products import load_catalog

    return sorted(load_catalog())
