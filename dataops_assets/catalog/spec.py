"""The data product spec: what a product promises, validated when it is loaded."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Classification(StrEnum):
    """Sensitivity level, lowest to highest."""

    UNCLASSIFIED = "U"
    CONFIDENTIAL = "C"
    SECRET = "S"
    TOP_SECRET = "TS"

    @property
    def rank(self) -> int:
        """0 (U) to 3 (TS): a product ranks at least as high as every product it consumes."""
        return list(Classification).index(self)


def major_version(version: str) -> int:
    """The major part of a spec `version` (MAJOR.MINOR.PATCH): a breaking contract change raises it."""
    return int(version.split(".")[0])


class MaskingStrategy(StrEnum):
    REDACT = "redact"
    HASH = "hash"
    TOKENIZE = "tokenize"
    PARTIAL = "partial"


class Partitioning(StrEnum):
    """How a product's public models are partitioned: the cadence its data arrives and is rebuilt at."""

    NONE = "none"  # a current-state snapshot, rebuilt whole
    DAILY = "daily"
    MONTHLY = "monthly"


class ProductStatus(StrEnum):
    """Product lifecycle status (the product state machine's states)."""

    DRAFT = "draft"
    DEV = "dev"
    STAGING = "staging"
    PRODUCTION = "production"
    DEPRECATED = "deprecated"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class Owner(_Strict):
    """Accountable owner, taken from the dbt group's `owner`."""

    name: str = Field(min_length=1, description="Owning team or person, as written in the dbt group.")
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="Where to reach the owner.")


class Slos(_Strict):
    """Service level objectives the product is held to (seed 000's `slos`)."""

    availability_pct: float = Field(
        gt=0, lt=100, description="Share of expected publications that must succeed, in %; below 100 so an error "
        "budget exists.")
    latency_p50_ms: float = Field(gt=0, le=600_000, description="Median serving latency, in ms.")
    latency_p95_ms: float = Field(gt=0, le=600_000, description="95th percentile serving latency, in ms.")
    latency_p99_ms: float = Field(gt=0, le=600_000, description="99th percentile serving latency, in ms.")
    freshness_minutes: float = Field(
        ge=1.25, le=525_600, description="Maximum age of the published data, in minutes; warned at 80 %, which "
        "Dagster needs to be at least a minute.")
    completeness_pct: float = Field(gt=0, le=100, description="Minimum share of non-null required values, in %.")

    @model_validator(mode="after")
    def _latencies_rise(self) -> Slos:
        if not self.latency_p50_ms <= self.latency_p95_ms <= self.latency_p99_ms:
            raise ValueError(f"expected latency_p50_ms <= latency_p95_ms <= latency_p99_ms, got {self.latency_p50_ms:g}, "
                             f"{self.latency_p95_ms:g}, {self.latency_p99_ms:g}")
        return self


class Backoff(StrEnum):
    """How the wait between retries grows (Dagster's Backoff; `none`: the same delay each time)."""

    NONE = "none"
    LINEAR = "linear"
    EXPONENTIAL = "exponential"


class RetrySpec(_Strict):
    """How often a failed step of the product's runs is retried, and how long it waits (seed 000's `retryPolicy`)."""

    max_retries: int = Field(default=2, ge=0, le=10, description="Retries after the first failed attempt.")
    delay_seconds: float = Field(default=30, ge=0, le=3600, description="Wait before the first retry, in s.")
    backoff: Backoff = Field(default=Backoff.EXPONENTIAL, description="none, linear or exponential.")

    def waits(self) -> tuple[float, ...]:
        """Seconds waited before each retry, as Dagster computes them (no jitter)."""
        factor = {Backoff.NONE: lambda n: 1, Backoff.LINEAR: lambda n: n, Backoff.EXPONENTIAL: lambda n: 2**n - 1}
        return tuple(self.delay_seconds * factor[self.backoff](n) for n in range(1, self.max_retries + 1))


class PiiField(_Strict):
    """A column holding personal data and how consumers see it unless granted."""

    model: str = Field(description="The product model the column belongs to.")
    column: str = Field(description="The column name in that model.")
    masking: MaskingStrategy = Field(description="How the value is masked for callers without a grant.")


class Deprecation(_Strict):
    """What a deprecated product's consumers move to, and when it stops."""

    replacement: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="The product id consumers move to.")
    sunset_date: dt.date = Field(description="The last day the product is served (YYYY-MM-DD).")


class DataProductSpec(_Strict):
    """A product's identity and promises: `config.meta.data_product` of its dbt group."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="The dbt group name; also the Dagster group.")
    name: str = Field(min_length=1, description="Human-readable name.")
    domain: str = Field(pattern=r"^[a-z][a-z0-9_-]*$", description="Owning business domain.")
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$", description="Semantic version of the product contract.")
    owner: Owner
    team: str = Field(min_length=1, description="Owning team slug (Dagster owner `team:<team>`).")
    steward: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="Data steward's email.")
    description: str = Field(min_length=1, description="Business purpose.")
    business_use_case: str = Field(default="", description="What problem the product solves.")
    classification: Classification
    certifications: tuple[str, ...] = Field(
        default=(), description="Accreditations the product's platform holds for it (e.g. IL5, FedRAMP-High); "
        "each a UI tag.")
    tags: tuple[str, ...] = ()
    slos: Slos
    partitions: Partitioning = Field(
        default=Partitioning.NONE,
        description="none, daily or monthly; partitioned public models are incremental with a partition_column.",
    )
    refresh_schedule: str | None = Field(
        default=None, description="Cron (UTC) of the product's scheduled refresh; unset: derived from "
        "slos.freshness_minutes (README, SLOs).")
    retry_policy: RetrySpec = RetrySpec()
    pii_fields: tuple[PiiField, ...] = ()
    status: ProductStatus
    deprecation: Deprecation | None = Field(
        default=None, description="Replacement and sunset date; the policy check requires it when deprecated.")
    consumers: tuple[str, ...] = ()

    @field_validator("certifications")
    @classmethod
    def _certifications_are_tag_safe(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for name in value:
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}", name):
                raise ValueError(f"expected certification names of letters, digits, '_', '.', '-' (at most 63), "
                                 f"got {name!r}")
        return value
