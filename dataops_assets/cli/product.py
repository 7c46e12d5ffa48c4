"""`dataops product create`: scaffold a new data product from declared (or imported) landing tables."""

from __future__ import annotations

import json

import click

from dataops_assets.settings import REPO_ROOT, load_settings

CLASSIFICATIONS = ("U", "C", "S", "TS")


@click.group()
def product() -> None:
    """Create data products (`dataops products` lists and shows them)."""


@product.command()
@click.argument("product_id", metavar="ID")
@click.option("--domain", required=True, help="The owning business domain, e.g. retail.")
@click.option("--owner-email", required=True, help="The owner's (team's) email; also the first steward.")
@click.option("--owner-name", default=None, help="The owner's name. Default: from the email, e.g. 'Jaffle Data'.")
@click.option("--classification", type=click.Choice(CLASSIFICATIONS), required=True,
              help="U, C, S or TS; at C and above, columns named like personal data are masked.")
@click.option("--from", "inputs", required=True, metavar="SOURCE.TABLE[,SOURCE.TABLE...]",
              help="The landing tables the product reads; the public model starts from the first.")
@click.option("--dry-run", is_flag=True, help="Print the files it would write; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the files written (and notes) as JSON.")
def create(product_id: str, domain: str, owner_email: str, owner_name: str | None, classification: str,
           inputs: str, dry_run: bool, as_json: bool) -> None:
    """Scaffold product ID: the sources entry of an undeclared (imported) table, a staging model per new
    table, the product folder (spec, public model with an enforced contract), a starter quality suite and
    the folder's group mapping. It refuses to overwrite anything, checks that the project parses and loads
    with the product, and undoes everything if not."""
    from dataops_assets.create.scaffold import parse_inputs, plan_scaffold, write_plan
    from dataops_assets.project import LOAD_ERRORS, load_project

    settings = load_settings()
    name = owner_name or owner_email.split("@")[0].replace(".", " ").replace("-", " ").replace("_", " ").title()
    try:
        project = load_project(settings)  # a project broken before the scaffold is said so, not blamed on it
        plan = plan_scaffold(product_id, domain, owner_email, name, classification, parse_inputs(inputs),
                             repo_root=REPO_ROOT, manifest=project.manifest, contract=project.landing,
                             landing_dir=settings.landing_dir)
    except LOAD_ERRORS as exc:  # ScaffoldError, a spec, suite or landing declaration, dbt parse
        raise click.ClickException(str(exc)) from None
    if not dry_run:
        try:
            write_plan(plan, REPO_ROOT, verify=lambda: _loads(settings))
        except Exception as exc:  # whatever stops the project loading with the product: every file is back
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise click.ClickException(f"nothing written, the project does not load with {product_id}: {first}") from None
    written = {"product": product_id, "dry_run": dry_run, "created": [str(p) for p in sorted(plan.files)],
               "changed": [str(p) for p in sorted(plan.changed)], "notes": plan.notes}
    if as_json:
        click.echo(json.dumps(written, indent=2))
        return
    verb = "would write" if dry_run else "wrote"
    for path in plan.paths():
        click.echo(f"{verb} {path}{'  (changed)' if path in plan.changed else ''}")
    for note in plan.notes:
        click.echo(f"note: {note}")
    if dry_run:
        click.echo("dry run: nothing written")
        return
    click.echo(f"""
Next:
  1. fill in the TODO(scaffold) marks of dbt_project/models/products/{product_id}/_product.yml
  2. make materialize                 # build, check and publish every product, {product_id} included
  3. dataops products show {product_id}
  4. make ui                          # the asset graph: group {product_id}""")


def _loads(settings) -> None:
    """What must hold right after scaffolding: dbt parses the project; specs, suites and landing contract
    load; the Dagster Definitions build (what `dagster dev` and `make materialize` load)."""
    from dataops_assets.definitions import build_definitions

    build_definitions(settings).resolve_asset_graph()
