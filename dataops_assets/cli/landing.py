"""`dataops landing import`: files from elsewhere into the landing zone, typed by the landing contract."""

from __future__ import annotations

import json
from pathlib import Path

import click

from dataops_assets.settings import load_settings


@click.group()
def landing() -> None:
    """The landing zone ($DATAOPS_HOME/landing/<source>/<table>/*.parquet)."""


@landing.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--source", required=True, help="The landing source (dbt source name), e.g. jaffle.")
@click.option("--table", required=True, help="The table within the source, e.g. customers.")
@click.option("--format", "file_format", type=click.Choice(["csv", "json", "parquet"]), default=None,
              help="The files' format. Default: from the suffix (csv, json/jsonl/ndjson, parquet).")
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
def import_(path: Path, source: str, table: str, file_format: str | None, as_json: bool) -> None:
    """Convert PATH (a file, or a folder of files) into typed Parquet in the landing zone, replacing the
    table's files. A declared table (dbt sources YAML) is held to its contract; an undeclared one is
    typed as DuckDB reads it, and a contract is proposed for it (printed as YAML)."""
    from dataops_assets.sources.landing_contract import load_landing_contract
    from dataops_assets.sources.landing_import import import_landing
    from dataops_assets.sources.landing_proposal import propose_table, sources_yaml

    settings = load_settings()
    try:
        declared = load_landing_contract(settings).get((source, table))
        result = import_landing(path, settings.landing_dir, source, table, file_format, declared)
        proposal = None if declared else propose_table(settings.landing_dir, source, table)
    except (ValueError, RuntimeError) as exc:  # bad files or names, the contract (SpecError), dbt parse
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps({
            "source": source, "table": table, "folder": str(result.folder), "rows": result.rows,
            "files": [str(f) for f in result.files], "declared": result.declared,
            "columns": [{"name": c, "data_type": t} for c, t in result.columns],
            "proposed_contract": sources_yaml(source, [proposal]) if proposal else None,
        }, indent=2))
        return
    how = "typed by its declared contract" if declared else "no contract declared: typed as DuckDB read them"
    click.echo(f"{source}.{table}: {result.rows:,} rows from {len(result.files)} file(s) -> {result.folder}; {how}")
    if proposal:
        click.echo(f"\n# Proposed landing contract for {source}.{table}. `dataops product create ... --from "
                   f"{source}.{table}` writes it, or add it to dbt_project/models/staging/_sources_{source}.yml:")
        click.echo(sources_yaml(source, [proposal]), nl=False)
