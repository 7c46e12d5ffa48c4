"""What `summary` and `quality report` both read: the products, their suites, the asset graph, the instance."""

from __future__ import annotations

from dataclasses import dataclass

import click
import dagster as dg

from dataops_assets.catalog.products import DataProduct
from dataops_assets.dbt.translator import PLATFORM_GROUP
from dataops_assets.quality.report import ModelGroup
from dataops_assets.quality.suite import Suite
from dataops_assets.project import LOAD_ERRORS, load_project
from dataops_assets.settings import Settings


@dataclass(frozen=True)
class ProjectView:
    products: dict[str, DataProduct]
    suites: dict[str, Suite]
    asset_graph: object  # the Definitions' resolved asset graph: which checks exist on which asset
    platform: ModelGroup  # the staging models every product reads


def load_project_view(settings: Settings) -> ProjectView:
    from dataops_assets.definitions import build_definitions

    try:
        project = load_project(settings)
        asset_graph = build_definitions(settings).resolve_asset_graph()
    except LOAD_ERRORS as exc:
        raise click.ClickException(str(exc)) from None
    return ProjectView(products=project.products, suites=project.suites, asset_graph=asset_graph,
                       platform=ModelGroup.of_dbt_group(PLATFORM_GROUP, project.models))


def select_products(view: ProjectView, product_id: str | None) -> dict[str, DataProduct]:
    """Every product, or the one `--product` names (a usage error naming the known ids otherwise)."""
    if product_id is None:
        return view.products
    if product_id not in view.products:
        raise click.BadParameter(f"unknown product {product_id!r}; expected one of {', '.join(view.products)}",
                                 param_hint="--product")
    return {product_id: view.products[product_id]}


def open_instance(settings: Settings) -> dg.DagsterInstance:
    """The run history to read; a one-line error when nothing has been materialized there yet."""
    if not settings.instance_dir.exists():
        raise click.ClickException(f"{settings.instance_dir}: no Dagster instance; expected `make materialize` first")
    return dg.DagsterInstance.from_config(str(settings.instance_dir))
