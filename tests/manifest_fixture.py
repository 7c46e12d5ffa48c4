"""The trimmed dbt manifest unit tests read instead of running dbt (tests/fixtures/make_manifest_fixture.py)."""

from __future__ import annotations

import functools
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "manifest_products.json"


@functools.cache
def _manifest() -> dict:
    from dataops_assets.catalog.products import read_manifest

    return read_manifest(FIXTURE)


def fixture_landing() -> dict:
    """The landing contract the fixture's dbt sources declare, by (source, table)."""
    from dataops_assets.sources.landing_contract import landing_contract

    return landing_contract(_manifest())


def fixture_products() -> frozenset[str]:
    """The products (groups with a folder under models/products/) the fixture knows: a product added to the
    project since it was made has no models in it, so unit tests leave its suites alone."""
    return frozenset(g["name"] for g in _manifest()["groups"].values()
                     if g["original_file_path"].startswith("models/products/"))
