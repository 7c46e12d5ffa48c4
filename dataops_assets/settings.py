"""Paths and environment in one place: the only module that reads os.environ."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
QUALITY_SUITES_DIR = REPO_ROOT / "quality_suites"

DEFAULT_HOME = ".dataops"
# Every step that opens the DuckDB warehouse claims this Dagster pool (limit 1 in dagster.yaml).
DUCKDB_POOL = "duckdb"
STAGES = ("sandbox", "pilot", "production")
DEFAULT_DUCKDB_MEMORY_LIMIT = "1GB"
DEFAULT_DUCKDB_THREADS = 2
DEFAULT_KEEP_VERSIONS = 5
# Seed 004: archived datasets are kept at least 90 days; a setting may lengthen it, never shorten it.
MIN_ARCHIVE_RETENTION_DAYS = 90
# Serving: requests per key per minute, and how many may come at once (a token bucket).
DEFAULT_RATE_PER_MINUTE = 600
DEFAULT_RATE_BURST = 60
# The dbt output a run builds with (profiles.yml): DuckDB embedded, or Apache Spark (`pip install -e '.[spark]'`).
TARGETS = ("duckdb", "spark")
# Spark: every statement's clock is UTC, like DuckDB's naive timestamps (dates of timestamps stay the same).
SPARK_TIMEZONE = "UTC"
_SPARK_MEMORY = re.compile(r"^\d+[kmgt]?$", re.IGNORECASE)
_SPARK_MASTER = re.compile(r"^(local(\[(\d+|\*)\])?|(spark|yarn|k8s)(://\S+)?)$")
# Serving: DuckDB's memory cap for the versions `dataops serve` holds in memory (one per model).
DEFAULT_SERVE_MEMORY_LIMIT = "4GB"
_MEMORY_LIMIT = re.compile(r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$")


@dataclass(frozen=True)
class DuckDBSettings:
    """DuckDB's memory cap, threads and spill folder: the same for dbt's profile and Python reads."""

    memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT
    threads: int = DEFAULT_DUCKDB_THREADS
    temp_directory: Path | None = None  # None: <home>/duckdb_tmp (DuckDB creates the last folder only)

    def connection_config(self, home: Path) -> dict[str, str | int]:
        return {"memory_limit": self.memory_limit, "threads": self.threads,
                "temp_directory": str(self.temp_directory or home / "duckdb_tmp")}


@dataclass(frozen=True)
class SparkSettings:
    """The Spark session dbt starts on the spark target (profiles.yml reads these through dbt_env)."""

    master: str = "local[2]"
    driver_memory: str = "2g"
    shuffle_partitions: int = 4  # Spark's default 200 is one task per partition: far too many on 2 cores


@dataclass(frozen=True)
class Settings:
    """Where a run reads and writes; every path derives from `home`."""

    home: Path
    stage: str = "sandbox"
    dagster_home: Path | None = None
    # The UTC instant current-state models are evaluated at; None: each dbt run's start.
    as_of: dt.datetime | None = None
    duckdb: DuckDBSettings = DuckDBSettings()
    target: str = "duckdb"
    spark: SparkSettings = SparkSettings()
    # The first day of the daily and monthly partitions; None: the generated landing window's.
    first_partition: dt.date | None = None
    # Published versions kept per model (the current one always among them).
    keep_versions: int = DEFAULT_KEEP_VERSIONS
    # Product schedules start running with `dagster dev` (else: stopped until turned on in the UI).
    schedules_running: bool = False
    # One cron for every product schedule instead of its spec's (demos and tests); None: the spec's.
    schedule_cron: str | None = None
    # Where SLO breach and recovery alerts are also POSTed (JSON); None: only alerts.jsonl.
    alert_webhook_url: str | None = None
    # The dataset registry (SQLAlchemy URL); None: the SQLite file <home>/registry.db.
    registry_url_override: str | None = None
    archive_retention_days: int = MIN_ARCHIVE_RETENTION_DAYS
    # The PII masking key (DATAOPS_MASKING_KEY); None: the file <home>/masking.key.
    masking_key_text: str | None = field(default=None, repr=False)
    # Serving: the API keys' store as JSON (DATAOPS_API_KEYS, hashes only); None: <home>/api_keys.json.
    api_keys_json: str | None = field(default=None, repr=False)
    rate_per_minute: int = DEFAULT_RATE_PER_MINUTE
    rate_burst: int = DEFAULT_RATE_BURST
    serve_memory_limit: str = DEFAULT_SERVE_MEMORY_LIMIT

    def masking_key(self) -> bytes:
        """The key keyed masking (hash, tokenize) uses; MaskingKeyError, one line, when there is none."""
        from dataops_assets.governance.masking import read_masking_key

        return read_masking_key(self.home, self.masking_key_text)

    @property
    def registry_url(self) -> str:
        return self.registry_url_override or f"sqlite:///{self.home / 'registry.db'}"

    @property
    def landing_dir(self) -> Path:
        return self.home / "landing"

    @property
    def warehouse_path(self) -> Path:
        # dbt freezes the file stem into the manifest as the database name: keep it fixed.
        return self.home / "warehouse.duckdb"

    @property
    def write_zone(self) -> Path:
        """Where dbt builds (no consumer reads it): the DuckDB file, or Spark's warehouse folder."""
        return self.spark_warehouse_dir if self.target == "spark" else self.warehouse_path

    @property
    def spark_warehouse_dir(self) -> Path:
        """The spark target's tables: warehouse/<schema>.db/<table>/, Parquet (its Derby catalog is beside it,
        profiles.yml)."""
        return self.home / "spark" / "warehouse"

    @property
    def published_dir(self) -> Path:
        return self.home / "published"

    @property
    def restricted_dir(self) -> Path:
        """The unmasked variant of each published version of a model with PII (owner-only), for callers
        holding the product's PII grant; never read by the SQL views or exported."""
        return self.home / "restricted"

    @property
    def api_keys_path(self) -> Path:
        return self.home / "api_keys.json"

    @property
    def duckdb_config(self) -> dict[str, str | int]:
        return self.duckdb.connection_config(self.home)

    @property
    def serving_duckdb_config(self) -> dict[str, str | int]:
        """The serving reader's DuckDB: its own memory cap (it holds versions in memory, apart from a run's)."""
        return {**self.duckdb_config, "memory_limit": self.serve_memory_limit}

    @property
    def alerts_path(self) -> Path:
        """Every SLO breach and recovery alert, one JSON object a line."""
        return self.home / "alerts.jsonl"

    @property
    def serving_requests_path(self) -> Path:
        """Requests the serving layer answered (product, milliseconds, time), one JSON object a line."""
        return self.home / "serving" / "requests.jsonl"

    @property
    def archive_dir(self) -> Path:
        return self.home / "archive"

    @property
    def instance_dir(self) -> Path:
        """DAGSTER_HOME: the Dagster instance (runs, events, check results)."""
        return self.dagster_home or self.home / "dagster"

    def dbt_env(self) -> dict[str, str]:
        """Variables dbt subprocesses read: the profile's paths, and how tests follow a selection.

        `buildable` runs a test in the step that builds the last of its parents, so a product's
        relationship test to a staging model runs with the product, not with the staging layer.
        DATAOPS_AS_OF reaches dbt as the `as_of` var (dbt_project.yml); empty means the run's start.
        The DuckDB settings reach the profile (profiles.yml) the same way, and the masking key its plugin
        (empty: the plugin reads <home>/masking.key); so do the target and the Spark settings, and on Spark
        the masking key's HMAC pads (spark_masking_env).
        """
        duckdb = self.duckdb_config
        return {
            "DATAOPS_TARGET": self.target,
            "DATAOPS_SPARK_MASTER": self.spark.master,
            "DATAOPS_SPARK_DRIVER_MEMORY": self.spark.driver_memory,
            "DATAOPS_SPARK_SHUFFLE_PARTITIONS": str(self.spark.shuffle_partitions),
            "DATAOPS_SPARK_TIMEZONE": SPARK_TIMEZONE,
            **(self.spark_masking_env() if self.target == "spark" else {}),
            "DATAOPS_HOME": str(self.home),
            "DBT_INDIRECT_SELECTION": "buildable",
            "DATAOPS_AS_OF": self.as_of.strftime("%Y-%m-%d %H:%M:%S") if self.as_of else "",
            "DATAOPS_DUCKDB_MEMORY_LIMIT": str(duckdb["memory_limit"]),
            "DATAOPS_DUCKDB_THREADS": str(duckdb["threads"]),
            "DATAOPS_DUCKDB_TEMP_DIR": str(duckdb["temp_directory"]),
            "DATAOPS_MASKING_KEY": self.masking_key_text or "",
        }

    def spark_masking_env(self) -> dict[str, str]:
        """The masking key's HMAC pads as hex for the Spark session's configuration (profiles.yml), in
        variables dbt scrubs from its logs; without a key, the one-line reason the first masked value fails with."""
        from dataops_assets.governance.masking import MaskingKeyError, hmac_pads

        try:
            inner, outer = hmac_pads(self.masking_key())
        except MaskingKeyError as exc:
            return {"DBT_ENV_SECRET_DATAOPS_HMAC_INNER": "", "DBT_ENV_SECRET_DATAOPS_HMAC_OUTER": "",
                    "DATAOPS_MASKING_ERROR": str(exc).replace("'", "")}
        return {"DBT_ENV_SECRET_DATAOPS_HMAC_INNER": inner.hex(), "DBT_ENV_SECRET_DATAOPS_HMAC_OUTER": outer.hex(),
                "DATAOPS_MASKING_ERROR": ""}


def process_env(overrides: dict[str, str]) -> dict[str, str]:
    """This process's environment with `overrides`: what a subprocess (dbt) gets."""
    return {**os.environ, **overrides}


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Settings from the environment; defaults only where a variable is unset."""
    env = os.environ if environ is None else environ
    home = Path(env.get("DATAOPS_HOME") or DEFAULT_HOME).expanduser().resolve()
    stage = env.get("DATAOPS_STAGE") or "sandbox"
    if stage not in STAGES:
        raise ValueError(f"DATAOPS_STAGE: expected one of {', '.join(STAGES)}, got {stage!r}")
    dagster_home = env.get("DAGSTER_HOME")
    temp_dir = env.get("DATAOPS_DUCKDB_TEMP_DIR")
    return Settings(
        home=home,
        stage=stage,
        dagster_home=Path(dagster_home).expanduser().resolve() if dagster_home else None,
        as_of=parse_as_of(env.get("DATAOPS_AS_OF") or ""),
        duckdb=DuckDBSettings(
            memory_limit=_memory_limit("DATAOPS_DUCKDB_MEMORY_LIMIT",
                                       env.get("DATAOPS_DUCKDB_MEMORY_LIMIT") or DEFAULT_DUCKDB_MEMORY_LIMIT),
            threads=_positive_int("DATAOPS_DUCKDB_THREADS", env.get("DATAOPS_DUCKDB_THREADS"), DEFAULT_DUCKDB_THREADS),
            temp_directory=Path(temp_dir).expanduser().resolve() if temp_dir else None,
        ),
        target=_choice("DATAOPS_TARGET", env.get("DATAOPS_TARGET") or "duckdb", TARGETS),
        spark=SparkSettings(
            master=_spark_master(env.get("DATAOPS_SPARK_MASTER") or SparkSettings.master),
            driver_memory=_spark_memory(env.get("DATAOPS_SPARK_DRIVER_MEMORY") or SparkSettings.driver_memory),
            shuffle_partitions=_positive_int("DATAOPS_SPARK_SHUFFLE_PARTITIONS",
                                             env.get("DATAOPS_SPARK_SHUFFLE_PARTITIONS"), SparkSettings.shuffle_partitions),
        ),
        first_partition=_date("DATAOPS_FIRST_PARTITION", env.get("DATAOPS_FIRST_PARTITION") or ""),
        keep_versions=_positive_int("DATAOPS_KEEP_VERSIONS", env.get("DATAOPS_KEEP_VERSIONS"), DEFAULT_KEEP_VERSIONS),
        schedules_running=_switch("DATAOPS_SCHEDULES", env.get("DATAOPS_SCHEDULES") or "off"),
        schedule_cron=_cron("DATAOPS_SCHEDULE_CRON", env.get("DATAOPS_SCHEDULE_CRON") or ""),
        alert_webhook_url=_url("DATAOPS_ALERT_WEBHOOK_URL", env.get("DATAOPS_ALERT_WEBHOOK_URL") or ""),
        registry_url_override=_registry_url(env.get("DATAOPS_REGISTRY_URL") or ""),
        archive_retention_days=_retention(env.get("DATAOPS_ARCHIVE_RETENTION_DAYS") or ""),
        masking_key_text=_masking_key(env.get("DATAOPS_MASKING_KEY") or ""),
        api_keys_json=env.get("DATAOPS_API_KEYS") or None,
        rate_per_minute=_positive_int("DATAOPS_RATE_LIMIT", env.get("DATAOPS_RATE_LIMIT"), DEFAULT_RATE_PER_MINUTE),
        rate_burst=_positive_int("DATAOPS_RATE_BURST", env.get("DATAOPS_RATE_BURST"), DEFAULT_RATE_BURST),
        serve_memory_limit=_memory_limit("DATAOPS_SERVE_MEMORY_LIMIT",
                                         env.get("DATAOPS_SERVE_MEMORY_LIMIT") or DEFAULT_SERVE_MEMORY_LIMIT),
    )


def _choice(name: str, text: str, choices: tuple[str, ...]) -> str:
    if text.strip() not in choices:
        raise ValueError(f"{name}: expected one of {', '.join(choices)}, got {text!r}")
    return text.strip()


def _spark_master(text: str) -> str:
    if not _SPARK_MASTER.match(text.strip()):
        raise ValueError(f"DATAOPS_SPARK_MASTER: expected a Spark master URL such as local[2], local[*] or "
                         f"spark://host:7077, got {text!r}")
    return text.strip()


def _spark_memory(text: str) -> str:
    if not _SPARK_MEMORY.match(text.strip()):
        raise ValueError(f"DATAOPS_SPARK_DRIVER_MEMORY: expected a JVM size such as 2g or 1536m, got {text!r}")
    return text.strip()


def _masking_key(text: str) -> str | None:
    from dataops_assets.governance.masking import MIN_KEY_LENGTH

    if not text:
        return None
    if len(text) < MIN_KEY_LENGTH:
        raise ValueError(f"DATAOPS_MASKING_KEY: expected at least {MIN_KEY_LENGTH} characters, got {len(text)}")
    return text


def _registry_url(text: str) -> str | None:
    if not text.strip():
        return None
    if not re.match(r"^[a-z][a-z0-9+]*://", text.strip()):
        raise ValueError(f"DATAOPS_REGISTRY_URL: expected a SQLAlchemy URL such as sqlite:////abs/registry.db or "
                         f"postgresql://user@host/db, got {text!r}")
    return text.strip()


def _retention(text: str) -> int:
    days = _positive_int("DATAOPS_ARCHIVE_RETENTION_DAYS", text, MIN_ARCHIVE_RETENTION_DAYS)
    if days < MIN_ARCHIVE_RETENTION_DAYS:
        raise ValueError(f"DATAOPS_ARCHIVE_RETENTION_DAYS: expected at least {MIN_ARCHIVE_RETENTION_DAYS} days "
                         f"(seed 004's minimum), got {text!r}")
    return days


def _switch(name: str, text: str) -> bool:
    value = text.strip().lower()
    if value not in ("on", "off"):
        raise ValueError(f"{name}: expected on or off, got {text!r}")
    return value == "on"


def _cron(name: str, text: str) -> str | None:
    if not text.strip():
        return None
    from dataops_assets.slo.cadence import is_cron

    if not is_cron(text.strip()):
        raise ValueError(f"{name}: expected a 5-field cron expression such as '*/5 * * * *', got {text!r}")
    return text.strip()


def _url(name: str, text: str) -> str | None:
    if not text.strip():
        return None
    if not re.match(r"^https?://[^\s/]+", text.strip()):
        raise ValueError(f"{name}: expected an http(s) URL, got {text!r}")
    return text.strip()


def _memory_limit(name: str, text: str) -> str:
    if not _MEMORY_LIMIT.match(text.strip()):
        raise ValueError(f"{name}: expected a size such as 1GB or 512MiB, got {text!r}")
    return text.strip()


def _positive_int(name: str, text: str | None, default: int) -> int:
    if not (text or "").strip():
        return default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"{name}: expected a whole number >= 1, got {text!r}")
    return value


def _date(name: str, text: str) -> dt.date | None:
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{name}: expected a date YYYY-MM-DD, got {text!r}") from None


def parse_as_of(text: str) -> dt.datetime | None:
    """DATAOPS_AS_OF as a naive UTC instant: ISO 8601, a UTC offset is converted, none means UTC."""
    if not text.strip():
        return None
    try:
        instant = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"DATAOPS_AS_OF: expected an ISO 8601 instant such as 2026-11-26T14:30:00Z, got {text!r}"
        ) from None
    if instant.tzinfo is not None:
        instant = instant.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return instant.replace(microsecond=0)


if __name__ == "__main__":  # `eval "$(python -m dataops_assets.settings)"`: what a hand-run `dbt` needs
    for name, value in load_settings().dbt_env().items():
        if name != "DATAOPS_MASKING_KEY" and "SECRET" not in name:  # secrets are not printed; a shell that has them keeps them
            print(f"export {name}={value!r}")
