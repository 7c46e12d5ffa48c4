"""Bad landing data fails the run loudly, blocks what depends on it, and leaves earlier outputs intact."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.sandbox import generate, materialize, rewrite_landing, warehouse_scalar

pytestmark = pytest.mark.integration

FINGERPRINT = "select count(*) || ':' || sum(lifetime_value) from main.customer_360"


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("baseline")
    generate(home, scale=0.002, seed=11)
    result = materialize(home)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return home


@pytest.fixture
def home(baseline, tmp_path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(baseline, copy)
    return copy


def test_dropped_column_fails_and_keeps_published_tables(home):
    before = warehouse_scalar(home, FINGERPRINT)
    rewrite_landing(home, "crm", "customers", "select * exclude (email) from landing")
    result = materialize(home)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "landing/crm/customers/part-0000.parquet: column 'email' is missing, expected VARCHAR" in output
    assert warehouse_scalar(home, FINGERPRINT) == before


def test_missing_landing_table_fails_naming_the_path(home):
    shutil.rmtree(home / "landing" / "shop" / "payments")
    result = materialize(home)
    assert result.returncode != 0
    assert "landing/shop/payments" in result.stdout + result.stderr


def test_duplicate_keys_fail_a_blocking_check_and_skip_downstream(home):
    rewrite_landing(home, "crm", "customers", "select * from landing union all (select * from landing limit 3)")
    before = warehouse_scalar(home, FINGERPRINT)
    result = materialize(home)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "unique_stg_crm__customers_customer_id" in output
    # customer_360 reads stg_crm__customers: a failed blocking check there must stop it.
    assert warehouse_scalar(home, FINGERPRINT) == before
