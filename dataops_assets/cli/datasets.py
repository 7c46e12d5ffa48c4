"""`dataops datasets` and `dataops audit`: the dataset lifecycle as the registry records it.

`provision` and `teardown` only record requests; the lifecycle sensors carry them out.
"""

from __future__ import annotations

import getpass
import json

import click

from dataops_assets.cli.table import echo_table
from dataops_assets.lifecycle.registry import STAGES, Registry, RegistryError
from dataops_assets.lifecycle.states import DatasetState, TransitionError
from dataops_assets.settings import load_settings


def registry_or_exit() -> Registry:
    """The registry of the settings; a one-line error if it cannot be opened."""
    settings = load_settings()
    try:
        return Registry(settings.registry_url)
    except RegistryError as exc:
        raise click.ClickException(str(exc)) from None


def actor() -> str:
    return f"cli:{getpass.getuser()}"


@click.group()
def datasets() -> None:
    """Datasets: one product provisioned in one stage for one client (registry: DATAOPS_REGISTRY_URL)."""


@datasets.command("provision")
@click.option("--product", "product_id", required=True, metavar="ID", help="The product to provision.")
@click.option("--stage", type=click.Choice(STAGES), required=True, help="sandbox, pilot or production.")
@click.option("--client", default="default", show_default=True, help="The client the dataset is for.")
@click.option("--json", "as_json", is_flag=True, help="Print the registry entry as JSON.")
def provision(product_id: str, stage: str, client: str, as_json: bool) -> None:
    """Record a provisioning request; the lifecycle sensor launches its run."""
    from dataops_assets.cli.products import load_catalog, require_product

    require_product(load_catalog(), product_id, "--product")
    if not client.strip():
        raise click.BadParameter("expected a client name, got an empty one", param_hint="--client")
    try:
        dataset = registry_or_exit().request_provisioning(product_id, stage, client.strip(), actor())
    except RegistryError as exc:
        raise click.ClickException(str(exc)) from None
    _echo(dataset.to_json(), as_json, f"{dataset.dataset_id}: provisioning requested ({product_id}, {stage}, "
                                      f"client {dataset.client})")


@datasets.command("teardown")
@click.argument("dataset_id")
@click.option("--json", "as_json", is_flag=True, help="Print the registry entry as JSON.")
def teardown(dataset_id: str, as_json: bool) -> None:
    """Record a teardown request for a READY or FAILED dataset; the teardown sensor archives and drops it."""
    try:
        dataset = registry_or_exit().request_teardown(dataset_id, actor())
    except (RegistryError, TransitionError) as exc:
        raise click.ClickException(str(exc)) from None
    _echo(dataset.to_json(), as_json, f"{dataset.dataset_id}: teardown requested (now {dataset.status.value})")


@datasets.command("retry")
@click.argument("dataset_id")
@click.option("--json", "as_json", is_flag=True, help="Print the registry entry as JSON.")
def retry(dataset_id: str, as_json: bool) -> None:
    """Move a FAILED dataset back to PROVISIONING; the lifecycle sensor launches a new attempt from scratch."""
    try:
        dataset = registry_or_exit().transition(dataset_id, DatasetState.PROVISIONING, actor(), "retry requested",
                                                expected=DatasetState.FAILED, error_message=None)
    except (RegistryError, TransitionError) as exc:
        raise click.ClickException(str(exc)) from None
    _echo(dataset.to_json(), as_json, f"{dataset.dataset_id}: retry requested (attempt {dataset.attempt})")


@datasets.command("list")
@click.option("--stage", type=click.Choice(STAGES), default=None, help="Only this stage.")
@click.option("--status", type=click.Choice([s.value for s in DatasetState]), default=None, help="Only this status.")
@click.option("--product", "product_id", default=None, metavar="ID", help="Only this product.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document instead of a table.")
def list_datasets(stage: str | None, status: str | None, product_id: str | None, as_json: bool) -> None:
    """Every dataset in the registry, oldest first."""
    found = registry_or_exit().datasets(stage=stage, status=DatasetState(status) if status else None, product=product_id)
    if as_json:
        click.echo(json.dumps({"datasets": [d.to_json() for d in found]}, indent=2))
        return
    if not found:
        click.echo("no datasets; `dataops datasets provision --product ID --stage sandbox` requests one")
        return
    echo_table(("DATASET", "PRODUCT", "STAGE", "CLIENT", "STATUS", "SCORE", "CREATED"),
               [(d.dataset_id, d.product, d.stage, d.client, d.status.value,
                 "-" if d.quality_score is None else f"{d.quality_score:g}", f"{d.created_at:%Y-%m-%d %H:%M:%S}Z")
                for d in found])


@datasets.command("show")
@click.argument("dataset_id")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document instead of text.")
def show(dataset_id: str, as_json: bool) -> None:
    """A dataset's registry entry and its audit trail."""
    registry = registry_or_exit()
    try:
        dataset = registry.get(dataset_id)
    except RegistryError as exc:
        raise click.ClickException(str(exc)) from None
    events = [e.to_json() for e in registry.audit_trail(dataset_id=dataset_id)]
    if as_json:
        click.echo(json.dumps({**dataset.to_json(), "audit": events}, indent=2))
        return
    for key, value in dataset.to_json().items():
        click.echo(f"{key + ':':24} {'-' if value is None else value}")
    _echo_events(events)


@click.command("audit")
@click.option("--dataset", "dataset_id", default=None, metavar="ID", help="Only this dataset's events.")
@click.option("--product", "product_id", default=None, metavar="ID", help="Only this product's events.")
@click.option("--after", type=click.IntRange(min=0), default=None, metavar="EVENT_ID",
              help="Only events after this one (page through a long trail).")
@click.option("--limit", type=click.IntRange(min=1), default=None, metavar="N", help="At most N events.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document instead of text.")
def audit(dataset_id: str | None, product_id: str | None, after: int | None, limit: int | None,
          as_json: bool) -> None:
    """The append-only audit trail: time, event, actor, from/to state, reason."""
    events = [e.to_json() for e in registry_or_exit().audit_trail(dataset_id=dataset_id, product=product_id, after=after,
                                                           limit=limit)]
    if as_json:
        click.echo(json.dumps({"events": events}, indent=2))
        return
    if not events:
        click.echo("no audit events")
        return
    _echo_events(events)


def _echo_events(events: list[dict]) -> None:
    for e in events:
        move = f"{e['from_state'] or '-'} -> {e['to_state'] or '-'}"
        click.echo(f"{e['at']}  {e['event']:24} {e['dataset_id'] or '-':36} {move:26} {e['actor']:20} "
                   f"{e['reason'] or ''}".rstrip())


def _echo(document: dict, as_json: bool, text: str) -> None:
    click.echo(json.dumps(document, indent=2) if as_json else text)
