"""The `dataops` command as a user runs it: outputs, JSON shapes and one-line errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dataops_assets.cli.main import cli
from tests.sandbox import public_models, PRODUCT_IDS


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("DATAOPS_HOME", str(tmp_path))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)  # `make test` exports the user's

    def invoke(*args: str):
        return CliRunner().invoke(cli, list(args))

    return invoke


def test_products_list_json(run):
    result = run("products", "list", "--json")
    assert result.exit_code == 0, result.output
    products = {p["id"]: p for p in json.loads(result.output)["products"]}
    assert set(products) == PRODUCT_IDS
    assert products["mission_logistics"]["classification"] == "S"
    assert products["customer_360"]["owner"] == "marketing-data@example.com"
    assert set(products["customer_360"]) == {
        "id", "name", "domain", "version", "owner", "team", "classification", "status", "public_models",
        "partitions",
    }


def test_products_list_table(run):
    result = run("products", "list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["ID", "DOMAIN", "CLASS", "STATUS", "VERSION", "OWNER"]
    assert len(lines) == 1 + len(PRODUCT_IDS)


def test_products_show_json_has_lineage(run):
    result = run("products", "show", "customer_360", "--json")
    assert result.exit_code == 0, result.output
    detail = json.loads(result.output)
    assert detail["downstream_products"] == ["revenue_analytics"]
    assert detail["owners"] == ["marketing-data@example.com", "team:marketing-data"]
    assert "customer_360" in detail["models"]
    assert detail["spec"]["slos"]["availability_pct"] == 99.9


def test_products_show_text(run):
    result = run("products", "show", "revenue_analytics")
    assert result.exit_code == 0
    assert "upstream:    customer_360" in result.output


def test_products_show_unknown_id(run):
    result = run("products", "show", "no_such_product")
    assert result.exit_code == 2
    assert "unknown product 'no_such_product'; expected one of contract_spend_analysis" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scale", "0"], "Invalid value for --scale: expected a number > 0, got 0.0"),
        (["--scale", "abc"], "Invalid value for '--scale': 'abc' is not a valid float"),
        (["--days", "0"], "Invalid value for --days: expected a whole number >= 1, got 0"),
        (["--end-date", "2026-13-01"], "Invalid value for '--end-date'"),
    ],
)
def test_generate_rejects_bad_arguments(run, tmp_path, args, message):
    result = run("generate", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "landing").exists()


def test_generate_json(run, tmp_path):
    result = run("generate", "--scale", "0.001", "--seed", "3", "--end-date", "2026-01-31", "--days", "10", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["landing_dir"] == str(tmp_path / "landing")
    assert payload["tables"]["meteo/weather"] == 5 * 10
    assert (tmp_path / "landing" / "pos" / "transactions").is_dir()


def test_summary_without_instance_is_one_line_error(run):
    result = run("summary")
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: ")
    assert "expected `make materialize` first" in result.output


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DATAOPS_AS_OF", "yesterday", "DATAOPS_AS_OF: expected an ISO 8601 instant such as 2026-11-26T14:30:00Z, got 'yesterday'"),
        ("DATAOPS_STAGE", "qa", "DATAOPS_STAGE: expected one of sandbox, pilot, production, got 'qa'"),
        ("DATAOPS_DUCKDB_MEMORY_LIMIT", "all of it",
         "DATAOPS_DUCKDB_MEMORY_LIMIT: expected a size such as 1GB or 512MiB, got 'all of it'"),
        ("DATAOPS_KEEP_VERSIONS", "0", "DATAOPS_KEEP_VERSIONS: expected a whole number >= 1, got '0'"),
    ],
)
def test_malformed_setting_is_one_line_error(run, monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    result = run("products", "list")
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {message}"


def test_published_list_before_any_publication(run):
    result = run("published", "list")
    assert result.exit_code == 0
    assert "nothing published under " in result.output
    assert json.loads(run("published", "list", "--json").output)["models"] == []


def test_published_list_unknown_product_is_one_line_error(run):
    result = run("published", "list", "--product", "nope")
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: --product: expected a product id (contract_spend_analysis, ")
    assert result.output.strip().endswith("got 'nope'")


def test_published_list_of_the_materialized_home(materialized_home, monkeypatch):
    monkeypatch.setenv("DATAOPS_HOME", str(materialized_home))
    result = CliRunner().invoke(cli, ["published", "list", "--product", "sales_daily_metrics", "--json"])
    assert result.exit_code == 0, result.output
    models = {m["model"]: m for m in json.loads(result.output)["models"]}
    assert set(models) == {"sales_daily_metrics", "sales_daily_region_metrics"}
    daily = models["sales_daily_metrics"]
    assert set(daily) == {"product", "model", "version", "path", "partition_column", "partitions", "rows",
                          "published_at", "run_id"}
    assert (daily["version"], daily["partition_column"], len(daily["partitions"])) == (1, "sales_date", 90)
    table = CliRunner().invoke(cli, ["published", "list"]).output.splitlines()
    assert table[0].split() == ["PRODUCT", "MODEL", "VERSION", "PARTITIONS", "ROWS", "PUBLISHED", "RUN"]
    assert len(table) == 1 + len(public_models())  # every public model (each version of customer_360)


@pytest.mark.parametrize(("args", "message"), [
    (("--partition", "someday"), "Error: PARTITION: expected a day YYYY-MM-DD, got 'someday'"),
    (("--partition-range", "2026-01-01"), "Error: PARTITION_RANGE: expected START...END (YYYY-MM-DD...YYYY-MM-DD) or all, got '2026-01-01'"),
    (("--partition", "2026-11-01", "--partition-range", "all"), "Error: PARTITION and PARTITION_RANGE: expected one of them, got both"),
])
def test_materialize_rejects_bad_partitions_before_running_anything(run, args, message):
    result = run("materialize", *args)
    assert result.exit_code == 1
    assert result.output.strip() == message


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("DATAOPS_SCHEDULES", "sometimes", "DATAOPS_SCHEDULES: expected on or off, got 'sometimes'"),
    ("DATAOPS_SCHEDULE_CRON", "hourly", "DATAOPS_SCHEDULE_CRON: expected a 5-field cron expression such as "
                                        "'*/5 * * * *', got 'hourly'"),
    ("DATAOPS_ALERT_WEBHOOK_URL", "ftp://x", "DATAOPS_ALERT_WEBHOOK_URL: expected an http(s) URL, got 'ftp://x'"),
])
def test_malformed_slo_setting_is_one_line_error(run, monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    result = run("slo", "report")
    assert (result.exit_code, result.output.strip()) == (1, f"Error: {message}")


def test_slo_report_of_the_materialized_home(materialized_home, monkeypatch):
    monkeypatch.setenv("DATAOPS_HOME", str(materialized_home))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    result = CliRunner().invoke(cli, ["slo", "report", "--json", "--window", "7"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["window_days"] == 7
    products = {p["id"]: p for p in document["products"]}
    assert set(products) == PRODUCT_IDS
    slis = {s["slo"]: s for s in products["sales_daily_metrics"]["slis"]}
    assert list(slis) == ["availability", "freshness", "completeness", "latency_p50", "latency_p95", "latency_p99"]
    assert slis["freshness"]["target"] == 60 and slis["freshness"]["observed"] is not None
    assert slis["completeness"]["observed"] is not None
    assert slis["latency_p99"]["reason"] == "no requests recorded by the serving layer in the window"
    text = CliRunner().invoke(cli, ["slo", "report", "--product", "mission_logistics"]).output
    assert "mission_logistics: " in text and "freshness" in text and "customer_360" not in text


@pytest.mark.parametrize(("args", "message"), [
    (("--product", "nope"), "Invalid value for --product: unknown product 'nope'; expected one of contract_spend"),
    (("--window", "0"), "Invalid value for '--window': 0 is not in the range 1<=x<=3650."),
])
def test_slo_report_rejects_bad_arguments(materialized_home, monkeypatch, args, message):
    monkeypatch.setenv("DATAOPS_HOME", str(materialized_home))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    result = CliRunner().invoke(cli, ["slo", "report", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_datasets_provision_records_a_request_and_audit_shows_it(run):
    result = run("datasets", "provision", "--product", "customer_360", "--stage", "sandbox", "--client", "acme",
                 "--json")
    assert result.exit_code == 0, result.output
    dataset = json.loads(result.output)
    assert (dataset["product"], dataset["stage"], dataset["client"], dataset["status"], dataset["data_source"]) == (
        "customer_360", "sandbox", "acme", "provisioning", "mock_template")
    listed = json.loads(run("datasets", "list", "--status", "provisioning", "--json").output)["datasets"]
    assert [d["dataset_id"] for d in listed] == [dataset["dataset_id"]]
    [event] = json.loads(run("audit", "--dataset", dataset["dataset_id"], "--json").output)["events"]
    assert (event["event"], event["to_state"], event["actor"].startswith("cli:")) == (
        "dataset_created", "provisioning", True)
    refused = run("datasets", "teardown", dataset["dataset_id"])
    assert refused.exit_code == 1
    assert refused.output.strip() == (f"Error: dataset {dataset['dataset_id']}: cannot move from provisioning to "
                                      "teardown; allowed from provisioning: failed, validating")


@pytest.mark.parametrize(("args", "message"), [
    (("datasets", "provision", "--product", "nope", "--stage", "sandbox"),
     "Invalid value for --product: unknown product 'nope'; expected one of contract_spend_analysis"),
    (("datasets", "provision", "--product", "customer_360", "--stage", "qa"),
     "Invalid value for '--stage': 'qa' is not one of 'sandbox', 'pilot', 'production'."),
    (("datasets", "show", "nope"), "Error: dataset 'nope': not in the registry"),
    (("datasets", "list", "--status", "done"), "Invalid value for '--status': 'done' is not one of"),
])
def test_datasets_commands_reject_bad_arguments(run, args, message):
    result = run(*args)
    assert result.exit_code != 0
    assert message in result.output


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("DATAOPS_ARCHIVE_RETENTION_DAYS", "30",
     "DATAOPS_ARCHIVE_RETENTION_DAYS: expected at least 90 days (seed 004's minimum), got '30'"),
    ("DATAOPS_REGISTRY_URL", "registry.db", "DATAOPS_REGISTRY_URL: expected a SQLAlchemy URL such as "
                                            "sqlite:////abs/registry.db or postgresql://user@host/db, got 'registry.db'"),
])
def test_malformed_lifecycle_setting_is_one_line_error(run, monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    result = run("datasets", "list")
    assert (result.exit_code, result.output.strip()) == (1, f"Error: {message}")


def test_products_promote_moves_the_registry_status_one_step(run):
    result = run("products", "promote", "customer_360")
    assert (result.exit_code, result.output.strip()) == (0, "customer_360: production -> deprecated (contract unchanged)")
    products = {p["id"]: p for p in json.loads(run("products", "list", "--json").output)["products"]}
    assert products["customer_360"]["status"] == "deprecated" and products["sales_daily_metrics"]["status"] == "production"
    again = run("products", "promote", "customer_360")
    assert (again.exit_code, again.output.strip()) == (
        1, "Error: product customer_360: deprecated is the last status; nothing to promote to")
    unknown = run("products", "promote", "nope")
    assert unknown.exit_code == 2 and "unknown product 'nope'" in unknown.output


def test_datasets_retry_only_from_failed(run):
    dataset = json.loads(run("datasets", "provision", "--product", "customer_360", "--stage", "sandbox",
                             "--json").output)
    refused = run("datasets", "retry", dataset["dataset_id"])
    assert refused.exit_code == 1
    assert refused.output.strip() == (f"Error: dataset {dataset['dataset_id']}: is provisioning, no longer failed; "
                                      "not moved to provisioning")
    from dataops_assets.lifecycle.registry import Registry
    from dataops_assets.lifecycle.states import DatasetState
    from dataops_assets.settings import load_settings

    Registry(load_settings().registry_url).transition(dataset["dataset_id"], DatasetState.FAILED, "test",
                                                      error_message="boom")
    retried = json.loads(run("datasets", "retry", dataset["dataset_id"], "--json").output)
    assert (retried["status"], retried["attempt"], retried["error_message"]) == ("provisioning", 2, None)


def test_policy_check_passes_on_the_project(run):
    result = run("policy", "check")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"5 policies over {len(PRODUCT_IDS)} products: no violations"
    document = json.loads(run("policy", "check", "--json").output)
    assert set(document["products"]) == PRODUCT_IDS and document["violations"] == []
