"""`dataops contract`: a product's contract in standard formats."""

from __future__ import annotations

from pathlib import Path

import click

FORMATS = ("odcs",)


@click.group()
def contract() -> None:
    """Product contracts: the public models' schema, quality rules, SLA and ownership."""


@contract.command("export")
@click.argument("product_id", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="odcs", show_default=True,
              help="odcs: Open Data Contract Standard v3.1.0 YAML.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
def export(product_id: str, fmt: str, output: Path | None) -> None:
    """Write the product's contract, validated against the format's schema first."""
    from dataops_assets.cli.products import load_project_or_exit, require_product
    from dataops_assets.governance.odcs import OdcsError, odcs_contract, to_yaml, validate_odcs

    project = load_project_or_exit()
    product = require_product(project.products, product_id, "ID")
    try:
        document = odcs_contract(product, project.models, project.suites)
        validate_odcs(document)
    except OdcsError as exc:
        raise click.ClickException(f"{product_id}: {exc}") from None
    text = to_yaml(document)
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text)
    click.echo(f"{product_id}: ODCS {document['apiVersion']} contract written to {output}", err=True)


@contract.command("diff")
@click.option("--base", "base", default=None, metavar="GIT_REF",
              help="Compare with the contracts at this ref (default: the merge base with main).")
@click.option("--repo", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="The git repository of the project (default: this one).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document instead of one line per change.")
def diff_command(base: str | None, repo: Path | None, as_json: bool) -> None:
    """Classify every contract change since GIT_REF as breaking or not (seed 002); exit 1 when a product
    has a breaking change without a major version bump, or a public model changed shape in place instead
    of in a new dbt model version."""
    import json

    from dataops_assets.governance.contract_diff import (
        ContractDiffError,
        contracts,
        default_base,
        diff,
        git_reader,
        product_ids,
        working_tree_reader,
    )
    from dataops_assets.settings import REPO_ROOT

    repo = repo or REPO_ROOT
    try:
        ref = base or default_base(repo)
        before, now = git_reader(repo, ref), working_tree_reader(repo)
        result = diff(contracts(before, product_ids(before)), contracts(now, product_ids(now)))
    except ContractDiffError as exc:
        raise click.ClickException(str(exc)) from None
    result = {"base": ref, **result}
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        for change in result["changes"]:
            click.echo(f"{change['kind']:13} {change['product']}: {change['detail']} [{change['rule']}]")
        for product in result["unversioned_breaking"]:
            click.echo(f"{product['product']}: breaking changes need a major version bump "
                       f"(version {product['from_version']} -> {product['to_version']})", err=True)
        for model in result["unversioned_models"]:
            click.echo(f"{model['product']}: public model {model['model']} changed shape in place; consumers of it "
                       f"break: {model['expected']}", err=True)
        if not result["changes"]:
            click.echo(f"no contract changes since {ref[:12]}")
    if result["unversioned_breaking"] or result["unversioned_models"]:
        raise SystemExit(1)
