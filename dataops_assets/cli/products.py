"""`dataops products`: read the catalog of data products from the dbt project."""

from __future__ import annotations

import json

import click

from dataops_assets.catalog.products import DataProduct, product_detail, product_summary
from dataops_assets.cli.table import echo_table
from dataops_assets.project import LOAD_ERRORS, Project, load_project
from dataops_assets.settings import load_settings


def load_catalog() -> dict[str, DataProduct]:
    """The products of the dbt project; a bad spec or manifest is a one-line CLI error."""
    return load_catalog_and_models()[0]


def load_catalog_and_models() -> tuple[dict[str, DataProduct], dict[str, dict]]:
    """The products and the manifest's models by name, from one read of the manifest."""
    project = load_project_or_exit()
    return project.products, project.models


def load_project_or_exit() -> Project:
    """The whole project (specs, suites, landing contract) validated; any problem is a one-line CLI error."""
    try:
        return load_project(load_settings())
    except LOAD_ERRORS as exc:
        raise click.ClickException(str(exc)) from None


def require_product(catalog: dict[str, DataProduct], product_id: str, param_hint: str) -> DataProduct:
    """The product named on the command line; a usage error listing the known ids otherwise."""
    if product_id not in catalog:
        raise click.BadParameter(f"unknown product {product_id!r}; expected one of {', '.join(catalog)}",
                                 param_hint=param_hint)
    return catalog[product_id]


def _registry_statuses() -> dict[str, str]:
    """Product -> status as the registry records it (the spec's `status` is only the initial one)."""
    from dataops_assets.cli.datasets import registry_or_exit

    return registry_or_exit().product_statuses()


@click.group()
def products() -> None:
    """List and inspect data products."""


@products.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document instead of a table.")
def list_products(as_json: bool) -> None:
    """One line per product: id, domain, classification, status, owner."""
    statuses = _registry_statuses()
    entries = [{**e, "status": statuses.get(e["id"], e["status"])}
               for e in (product_summary(p) for p in load_catalog().values())]
    if as_json:
        click.echo(json.dumps({"products": entries}, indent=2))
        return
    header = ("ID", "DOMAIN", "CLASS", "STATUS", "VERSION", "OWNER")
    rows = [(e["id"], e["domain"], e["classification"], e["status"], e["version"], e["owner"]) for e in entries]
    echo_table(header, rows)


@products.command("show")
@click.argument("product_id")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document instead of text.")
def show_product(product_id: str, as_json: bool) -> None:
    """Spec, models, owners and upstream/downstream products of PRODUCT_ID."""
    catalog = load_catalog()
    require_product(catalog, product_id, "PRODUCT_ID")
    detail = product_detail(catalog, product_id)
    detail["status"] = _registry_statuses().get(product_id, detail["status"])
    if as_json:
        click.echo(json.dumps(detail, indent=2))
        return
    spec = detail["spec"]
    slos, retries = spec["slos"], spec["retry_policy"]
    pii = ", ".join(f"{p['model']}.{p['column']} ({p['masking']})" for p in spec["pii_fields"])
    lines = [
        f"{detail['id']}  {detail['name']} v{detail['version']}  [{detail['classification']}] {detail['status']}",
        f"  domain:      {detail['domain']}",
        f"  owners:      {', '.join(detail['owners'])} (steward {spec['steward']})",
        f"  description: {spec['description'].strip()}",
        f"  SLOs:        availability {slos['availability_pct']:g}%, latency p50/p95/p99 {slos['latency_p50_ms']:g}/"
        f"{slos['latency_p95_ms']:g}/{slos['latency_p99_ms']:g} ms, freshness {slos['freshness_minutes']:g} min, "
        f"completeness {slos['completeness_pct']:g}%",
        f"  refresh:     {detail['refresh_schedule']} (UTC){'' if spec['refresh_schedule'] else ', derived from freshness'}",
        f"  retries:     {retries['max_retries']}, first after {retries['delay_seconds']:g} s, {retries['backoff']} backoff",
        f"  PII:         {pii or '-'}",
        f"  public:      {', '.join(detail['public_models'])}",
        f"  models:      {', '.join(detail['models'])}",
        f"  sources:     {', '.join(detail['sources']) or '-'}",
        f"  upstream:    {', '.join(detail['upstream_products']) or '-'}",
        f"  downstream:  {', '.join(detail['downstream_products']) or '-'}",
        f"  consumers:   {', '.join(spec['consumers']) or '-'}",
        f"  spec file:   dbt_project/{detail['spec_file']}",
    ]
    click.echo("\n".join(lines))


@products.command("promote")
@click.argument("product_id")
@click.option("--json", "as_json", is_flag=True, help="Print the promotion as JSON.")
def promote_product(product_id: str, as_json: bool) -> None:
    """Move PRODUCT_ID one status up (draft, dev, staging, production, deprecated) in the registry: only
    with a READY dataset in the stage below and a compatible contract (or a new major version)."""
    from dataops_assets.cli.datasets import actor, registry_or_exit
    from dataops_assets.lifecycle.promotion import PromotionRefused, promote
    from dataops_assets.lifecycle.states import TransitionError

    catalog, models = load_catalog_and_models()
    product = require_product(catalog, product_id, "PRODUCT_ID")
    try:
        done = promote(registry_or_exit(), product, models, actor())
    except (PromotionRefused, TransitionError) as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(done.to_json(), indent=2))
        return
    click.echo(f"{product_id}: {done.from_status.value} -> {done.to_status.value} (contract {done.change.kind}"
               + (f", READY dataset {done.evidence}" if done.evidence else "") + ")")
