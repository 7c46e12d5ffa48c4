"""`dataops policy check`: the governance policies over every product spec, contract and suite."""

from __future__ import annotations

import json

import click

from dataops_assets.governance.policies import POLICIES, Catalog, check_policies


@click.group()
def policy() -> None:
    """Governance policies (dataops_assets/governance/policies.py)."""


@policy.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document instead of one line per violation.")
def check(as_json: bool) -> None:
    """Evaluate every policy; exit 1 listing each violation (one line each), 0 when there is none."""
    from dataops_assets.cli.products import load_catalog_and_models
    from dataops_assets.settings import QUALITY_SUITES_DIR

    products, models = load_catalog_and_models()
    violations = check_policies(Catalog(products, models, QUALITY_SUITES_DIR))
    if as_json:
        click.echo(json.dumps({"policies": list(POLICIES), "products": sorted(products),
                               "violations": [v.to_json() for v in violations]}, indent=2))
    else:
        for violation in violations:
            click.echo(violation.line())
        click.echo(f"{len(POLICIES)} policies over {len(products)} products: "
                   f"{len(violations) or 'no'} violation{'' if len(violations) == 1 else 's'}",
                   err=bool(violations))
    if violations:
        raise SystemExit(1)
