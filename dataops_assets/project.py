"""The dbt project read whole, once: manifest, products, models, quality suites and landing contract.

Everything that loads the catalog (the Definitions, every `dataops` command) goes through here, so a bad
spec, suite or landing declaration fails every one of them the same way: one line (a ValueError or,
when `dbt parse` fails, a RuntimeError) naming the file, the field and what was expected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dataops_assets.catalog.products import DataProduct, load_products, models_by_name, read_manifest, slos_by_product
from dataops_assets.dbt.manifest import ensure_manifest
from dataops_assets.quality.suite import Suite, load_suites
from dataops_assets.settings import QUALITY_SUITES_DIR, REPO_ROOT, Settings
from dataops_assets.sources.landing_contract import LandingContract, landing_contract

LOAD_ERRORS = (ValueError, RuntimeError)  # SpecError, SuiteError, LandingContractError; a failed `dbt parse`


@dataclass(frozen=True)
class Project:
    manifest: dict[str, Any]
    products: dict[str, DataProduct]
    models: dict[str, dict[str, Any]]  # model id -> manifest node
    suites: dict[str, Suite]  # model id -> its suite
    landing: LandingContract


def load_project(settings: Settings) -> Project:
    """The project as it is on disk now (parsed first if the manifest is stale), validated whole."""
    manifest = read_manifest(ensure_manifest(settings))
    products = load_products(manifest)
    models = models_by_name(manifest)
    suites = load_suites(QUALITY_SUITES_DIR, models, REPO_ROOT, product_slos=slos_by_product(products))
    return Project(manifest, products, models, suites, landing_contract(manifest))
