"""A new product from CSV files, as the README's "Add a product" says: import, scaffold, one line of logic,
materialize; every check passes, the catalog has one product more, and its suite fails on bad rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.sandbox import (
    PRODUCT_IDS, check_evaluation, copy_repo, dataops, init_instance, materialize, published_version,
)

JAFFLE = Path(__file__).parent.parent / "fixtures" / "jaffle"
FIXTURES = "tests/fixtures/jaffle"  # in the project: imported from there, each file becomes its table's sample
# Names no product or source of the project uses, so the test runs the same once a project has its own
# jaffle_shop (as the README's example creates).
SOURCE, PRODUCT = "jaffle_csv", "jaffle_csv_shop"
SELECT = f'+key:"published_{PRODUCT}"'  # the product and everything upstream of it


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> tuple[Path, Path]:
    repo = copy_repo(tmp_path_factory.mktemp("repo"))
    home = tmp_path_factory.mktemp("home")
    init_instance(home)
    return repo, home


@pytest.fixture(scope="module")
def created(project) -> tuple[Path, Path]:
    repo, home = project
    for table in ("customers", "products", "stores"):
        imported = dataops(repo, home, "landing", "import", str(repo / FIXTURES / f"{table}.csv"), "--source",
                           SOURCE, "--table", table)
        assert imported.returncode == 0, imported.stderr
        assert f"# Proposed landing contract for {SOURCE}." in imported.stdout
    result = dataops(repo, home, "product", "create", PRODUCT, "--domain", "retail", "--owner-email",
                     "jaffle-data@example.com", "--classification", "U", "--from",
                     f"{SOURCE}.customers,{SOURCE}.products,{SOURCE}.stores")
    assert result.returncode == 0, result.stderr
    assert f"wrote dbt_project/models/products/{PRODUCT}/{PRODUCT}.sql" in result.stdout
    sources = (repo / f"dbt_project/models/staging/_sources_{SOURCE}.yml").read_text()
    assert f"meta: {{generator: sample, sample: {FIXTURES}/customers.csv, primary_key: [id]}}" in sources
    model = repo / f"dbt_project/models/products/{PRODUCT}/{PRODUCT}.sql"
    model.write_text(model.read_text().replace("from customers\n", "from customers\nwhere name not like 'Test %'\n"))
    return repo, home


@pytest.fixture(scope="module")
def materialized(created) -> tuple[Path, Path]:
    repo, home = created
    run = materialize(home, select=SELECT, repo=repo)
    assert run.returncode == 0, run.output[-3000:]
    return repo, home


def test_imported_csvs_become_a_product_that_materializes_with_every_check_passing(materialized):
    repo, home = materialized
    suite = json.loads((repo / f"quality_suites/{PRODUCT}/{PRODUCT}.json").read_text())
    assert len(suite["expectations"]) >= 3
    report = json.loads(dataops(repo, home, "quality", "report", "--product", PRODUCT, "--json").stdout)
    [product] = report["products"]
    staging = [m for m in report["platform"]["models"] if m["model"].startswith(f"stg_{SOURCE}__")]
    assert len(staging) == 3
    checks = [c for m in [*product["models"], *staging] for c in m["checks"]]
    assert checks and all(c["passed"] for c in checks), [c for c in checks if not c["passed"]]
    assert published_version(home, PRODUCT, PRODUCT) == 1
    listed = json.loads(dataops(repo, home, "products", "list", "--json").stdout)["products"]
    assert len(listed) == len(PRODUCT_IDS) + 1 and PRODUCT in {p["id"] for p in listed}


def test_dataops_generate_fills_the_new_tables_from_their_samples(created, tmp_path):
    repo, _ = created
    home = tmp_path / "fresh"
    result = dataops(repo, home, "generate", "--scale", "0.001", "--days", "3", "--json")
    assert result.returncode == 0, result.stderr
    tables = json.loads(result.stdout)["tables"]
    assert [tables[f"{SOURCE}/{t}"] for t in ("customers", "products", "stores")] == [20, 10, 4]


def test_the_starter_suite_fails_on_a_duplicate_key_and_nothing_is_published(materialized, tmp_path):
    repo, home = materialized
    rows = (JAFFLE / "customers.csv").read_text().splitlines()
    (tmp_path / "customers.csv").write_text("\n".join([*rows, rows[1]]) + "\n")  # the first customer twice
    imported = dataops(repo, home, "landing", "import", str(tmp_path / "customers.csv"), "--source", SOURCE,
                       "--table", "customers")
    assert imported.returncode == 0, imported.stderr
    assert "typed by its declared contract" in imported.stdout  # the scaffold declared it
    before = published_version(home, PRODUCT, PRODUCT)
    run = materialize(home, select=SELECT, repo=repo)
    assert run.returncode != 0
    assert check_evaluation(home, f"stg_{SOURCE}__customers", f"unique_stg_{SOURCE}__customers_customer_id")[0] is False
    assert published_version(home, PRODUCT, PRODUCT) == before


def test_dry_run_writes_nothing_and_an_existing_product_is_refused_in_one_line(created):
    repo, home = created
    args = ("--domain", "retail", "--owner-email", "jaffle-data@example.com", "--classification", "U",
            "--from", f"{SOURCE}.stores")
    dry = dataops(repo, home, "product", "create", "store_directory", *args, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would write dbt_project/models/products/store_directory/_product.yml" in dry.stdout
    assert dry.stdout.rstrip().endswith("dry run: nothing written")
    assert not (repo / "dbt_project/models/products/store_directory").exists()
    again = dataops(repo, home, "product", "create", PRODUCT, *args)
    assert again.returncode == 1
    assert again.stderr == f"Error: ID: a dbt group {PRODUCT!r} exists already; expected a new product id\n"
