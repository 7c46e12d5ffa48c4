"""Settings read from the environment: the as-of instant reaches dbt as naive UTC."""

from __future__ import annotations

import datetime as dt

import pytest

from dataops_assets.governance.masking import hmac_pads
from dataops_assets.settings import load_settings, parse_as_of


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-26T14:30:00Z", dt.datetime(2026, 11, 26, 14, 30)),
        ("2026-11-26 16:30:00+02:00", dt.datetime(2026, 11, 26, 14, 30)),
        ("2026-11-26T14:30:00.75", dt.datetime(2026, 11, 26, 14, 30)),
        ("", None),
    ],
)
def test_as_of_is_naive_utc(text, expected):
    assert parse_as_of(text) == expected


def test_as_of_reaches_dbt_or_stays_empty(tmp_path):
    pinned = load_settings({"DATAOPS_HOME": str(tmp_path), "DATAOPS_AS_OF": "2026-11-26T14:30:00Z"})
    assert pinned.dbt_env()["DATAOPS_AS_OF"] == "2026-11-26 14:30:00"
    assert load_settings({"DATAOPS_HOME": str(tmp_path)}).dbt_env()["DATAOPS_AS_OF"] == ""


def test_malformed_as_of_names_the_variable():
    with pytest.raises(ValueError, match=r"^DATAOPS_AS_OF: expected an ISO 8601 instant .*, got 'noon'$"):
        parse_as_of("noon")


def test_duckdb_settings_reach_dbt_and_the_resource(tmp_path):
    settings = load_settings({"DATAOPS_HOME": str(tmp_path), "DATAOPS_DUCKDB_MEMORY_LIMIT": "512MiB",
                              "DATAOPS_DUCKDB_THREADS": "3"})
    assert settings.duckdb_config == {"memory_limit": "512MiB", "threads": 3,
                                      "temp_directory": str(tmp_path / "duckdb_tmp")}
    env = settings.dbt_env()
    assert (env["DATAOPS_DUCKDB_MEMORY_LIMIT"], env["DATAOPS_DUCKDB_THREADS"], env["DATAOPS_DUCKDB_TEMP_DIR"]) == (
        "512MiB", "3", str(tmp_path / "duckdb_tmp"))
    defaults = load_settings({"DATAOPS_HOME": str(tmp_path)})
    assert (defaults.duckdb_config["memory_limit"], defaults.keep_versions, defaults.first_partition) == ("1GB", 5, None)
    assert defaults.serving_duckdb_config == {**defaults.duckdb_config, "memory_limit": "4GB"}
    served = load_settings({"DATAOPS_HOME": str(tmp_path), "DATAOPS_SERVE_MEMORY_LIMIT": "8GiB"})
    assert served.serving_duckdb_config["memory_limit"] == "8GiB" and served.duckdb_config["memory_limit"] == "1GB"


@pytest.mark.parametrize(("name", "value", "message"), [
    ("DATAOPS_DUCKDB_MEMORY_LIMIT", "lots", "DATAOPS_DUCKDB_MEMORY_LIMIT: expected a size such as 1GB or 512MiB, got 'lots'"),
    ("DATAOPS_DUCKDB_THREADS", "0", "DATAOPS_DUCKDB_THREADS: expected a whole number >= 1, got '0'"),
    ("DATAOPS_SERVE_MEMORY_LIMIT", "4", "DATAOPS_SERVE_MEMORY_LIMIT: expected a size such as 1GB or 512MiB, got '4'"),
    ("DATAOPS_KEEP_VERSIONS", "five", "DATAOPS_KEEP_VERSIONS: expected a whole number >= 1, got 'five'"),
    ("DATAOPS_FIRST_PARTITION", "2026-13-01", "DATAOPS_FIRST_PARTITION: expected a date YYYY-MM-DD, got '2026-13-01'"),
    ("DATAOPS_TARGET", "postgres", "DATAOPS_TARGET: expected one of duckdb, spark, got 'postgres'"),
    ("DATAOPS_SPARK_MASTER", "local[two]", "DATAOPS_SPARK_MASTER: expected a Spark master URL such as local[2], "
                                           "local[*] or spark://host:7077, got 'local[two]'"),
    ("DATAOPS_SPARK_DRIVER_MEMORY", "2GB", "DATAOPS_SPARK_DRIVER_MEMORY: expected a JVM size such as 2g or 1536m, got '2GB'"),
    ("DATAOPS_SPARK_SHUFFLE_PARTITIONS", "0", "DATAOPS_SPARK_SHUFFLE_PARTITIONS: expected a whole number >= 1, got '0'"),
])
def test_malformed_run_settings_name_the_variable(tmp_path, name, value, message):
    with pytest.raises(ValueError) as excinfo:
        load_settings({"DATAOPS_HOME": str(tmp_path), name: value})
    assert str(excinfo.value) == message


def test_the_target_and_spark_settings_reach_dbt(tmp_path):
    default = load_settings({"DATAOPS_HOME": str(tmp_path)})
    env = default.dbt_env()
    assert (default.target, env["DATAOPS_TARGET"], default.write_zone) == ("duckdb", "duckdb", tmp_path / "warehouse.duckdb")
    assert not any(name.startswith("DBT_ENV_SECRET_") for name in env)  # DuckDB gets the key through its plugin
    spark = load_settings({"DATAOPS_HOME": str(tmp_path), "DATAOPS_TARGET": "spark", "DATAOPS_SPARK_MASTER": "local[*]",
                           "DATAOPS_SPARK_DRIVER_MEMORY": "3g", "DATAOPS_SPARK_SHUFFLE_PARTITIONS": "8",
                           "DATAOPS_MASKING_KEY": "k" * 32})
    env = spark.dbt_env()
    assert {k: env[k] for k in env if k.startswith("DATAOPS_SPARK_") or k == "DATAOPS_TARGET"} == {
        "DATAOPS_TARGET": "spark", "DATAOPS_SPARK_MASTER": "local[*]", "DATAOPS_SPARK_DRIVER_MEMORY": "3g",
        "DATAOPS_SPARK_SHUFFLE_PARTITIONS": "8", "DATAOPS_SPARK_TIMEZONE": "UTC"}
    assert spark.write_zone == tmp_path / "spark" / "warehouse"
    # The key's HMAC pads, in variables dbt keeps out of its logs; never the key itself.
    inner, outer = hmac_pads(b"k" * 32)
    assert (env["DBT_ENV_SECRET_DATAOPS_HMAC_INNER"], env["DBT_ENV_SECRET_DATAOPS_HMAC_OUTER"]) == (inner.hex(), outer.hex())
    assert env["DATAOPS_MASKING_ERROR"] == ""


def test_spark_without_a_masking_key_fails_on_the_first_masked_value(tmp_path):
    env = load_settings({"DATAOPS_HOME": str(tmp_path), "DATAOPS_TARGET": "spark"}).dbt_env()
    assert env["DBT_ENV_SECRET_DATAOPS_HMAC_INNER"] == ""
    assert "masking key" in env["DATAOPS_MASKING_ERROR"] and "'" not in env["DATAOPS_MASKING_ERROR"]
