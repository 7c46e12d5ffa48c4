"""`dataops impact`: what a change to a landing table, a model or a column reaches downstream."""

from __future__ import annotations

import json

import click


@click.command()
@click.argument("target", metavar="ASSET[.COLUMN]")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document instead of text.")
def impact(target: str, as_json: bool) -> None:
    """Every downstream model, column, publication, product, owner and consumer TARGET reaches, e.g.
    `crm.customers.email` (a landing column), `stg_crm__customers.email` or `customer_360`."""
    from dataops_assets.cli.products import load_project_or_exit
    from dataops_assets.definitions import build_definitions
    from dataops_assets.governance.impact import ImpactError, impact as analyse, project_columns, resolve_target
    from dataops_assets.project import LOAD_ERRORS
    from dataops_assets.settings import load_settings

    import dagster as dg

    settings = load_settings()
    project = load_project_or_exit()
    products = project.products
    columns_of = project_columns(project.models, project.landing.values())
    try:
        asset_graph = build_definitions(settings).resolve_asset_graph()
    except LOAD_ERRORS as exc:
        raise click.ClickException(str(exc)) from None
    try:
        resolved = resolve_target(target, asset_graph, columns_of)
    except ImpactError as exc:
        raise click.BadParameter(str(exc), param_hint="ASSET[.COLUMN]") from None
    if (settings.instance_dir / "storage").exists():  # the run and event storage: something ran here
        with dg.DagsterInstance.from_config(str(settings.instance_dir)) as instance:
            found = analyse(resolved, asset_graph, instance, products, columns_of)
    else:
        found = analyse(resolved, asset_graph, None, products, columns_of)
    if as_json:
        click.echo(json.dumps(found, indent=2))
        return
    _echo(found)


def _echo(found: dict) -> None:
    target = found["target"]["asset"] + (f".{found['target']['column']}" if found["target"]["column"] else "")
    click.echo(f"{target} reaches {len(found['assets'])} assets in {len(found['products'])} products "
               f"(column lineage: {found['column_lineage']})")
    for asset in found["assets"]:
        columns = "" if "columns" not in asset else (
            " columns unknown (never materialized)" if asset["columns"] is None else f" [{', '.join(asset['columns'])}]")
        click.echo(f"  {asset['asset']:40} {asset['group']:26}{columns}")
    for product in found["products"]:
        click.echo(f"product {product['id']} [{product['classification']}]: owner {product['owner']} "
                   f"(team {product['team']}), steward {product['steward']}, consumers: "
                   f"{', '.join(product['consumers']) or '-'}")
