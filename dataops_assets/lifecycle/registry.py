"""The dataset registry (seed 004): datasets, quality gate results, product status and an append-only
audit trail, in any SQLAlchemy database (SQLite file by default, Postgres by URL).

Every change is one transaction that writes its audit event with it. A state change is a
compare-and-set on the dataset's current state, so two sensors or CLI calls racing on one dataset
cannot both move it: the loser gets ConcurrentChange and nothing is written for it.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from dataops_assets.lifecycle.states import INITIAL_STATE, DatasetState, check_transition

SCHEMA_VERSION = 2
# Schema version -> the statements that bring the previous version to it.
MIGRATIONS = {
    2: ("ALTER TABLE product_status ADD COLUMN version VARCHAR(32)",
        "ALTER TABLE product_status ADD COLUMN contract TEXT"),
}
STAGES = ("sandbox", "pilot", "production")
# Seed 004 "Scalability": provisionings running at once per stage, datasets a client may hold.
MAX_PROVISIONING_PER_STAGE = 10
MAX_DATASETS_PER_CLIENT = 50
DATA_SOURCES = {"sandbox": "mock_template", "pilot": "sanitized_production", "production": "production"}

metadata = sa.MetaData()
schema_version = sa.Table("schema_version", metadata, sa.Column("version", sa.Integer, nullable=False))
datasets = sa.Table(
    "datasets", metadata,
    sa.Column("dataset_id", sa.String(64), primary_key=True),
    sa.Column("product", sa.String(128), nullable=False),
    sa.Column("stage", sa.String(16), nullable=False),
    sa.Column("client", sa.String(128), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("data_source", sa.String(32), nullable=False),
    sa.Column("record_count", sa.BigInteger),
    sa.Column("size_bytes", sa.BigInteger),
    sa.Column("quality_score", sa.Float),
    sa.Column("error_message", sa.Text),
    sa.Column("attempt", sa.Integer, nullable=False, default=1),  # provisionings started (1 + retries)
    sa.Column("archive_path", sa.Text),
    sa.Column("teardown_requested_at", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ready_at", sa.DateTime(timezone=True)),
    sa.Column("archived_at", sa.DateTime(timezone=True)),
    sa.Index("ix_datasets_client_stage", "client", "stage"),
    sa.Index("ix_datasets_status", "status"),
    sa.Index("ix_datasets_stage_status", "stage", "status"),
    sa.Index("ix_datasets_product", "product"),
)
quality_gates = sa.Table(
    "quality_gates", metadata,
    sa.Column("gate_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("dataset_id", sa.String(64), sa.ForeignKey("datasets.dataset_id"), nullable=False),
    sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("scores", sa.Text, nullable=False),  # JSON: check type -> 0-100
    sa.Column("overall", sa.Float, nullable=False),
    sa.Column("passed", sa.Boolean, nullable=False),
    sa.Column("reason", sa.Text),
    sa.Index("ix_quality_gates_dataset", "dataset_id"),
)
audit_events = sa.Table(
    "audit_events", metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("event", sa.String(64), nullable=False),
    sa.Column("dataset_id", sa.String(64)),
    sa.Column("product", sa.String(128)),
    sa.Column("actor", sa.String(128), nullable=False),
    sa.Column("from_state", sa.String(16)),
    sa.Column("to_state", sa.String(16)),
    sa.Column("reason", sa.Text),
    sa.Column("details", sa.Text),  # JSON
    sa.Index("ix_audit_dataset", "dataset_id"),
    sa.Index("ix_audit_product", "product"),
)
product_status = sa.Table(
    "product_status", metadata,
    sa.Column("product", sa.String(128), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.String(32)),  # the spec version when it entered this status
    sa.Column("contract", sa.Text),  # JSON: its public models' columns and types then
)


class RegistryError(ValueError):
    """A request the registry refuses: unknown dataset, a limit reached, a newer schema."""


class ConcurrentChange(RegistryError):
    """Another writer moved the dataset first; nothing was written."""


@dataclass(frozen=True)
class Dataset:
    dataset_id: str
    product: str
    stage: str
    client: str
    status: DatasetState
    data_source: str
    record_count: int | None
    size_bytes: int | None
    quality_score: float | None
    error_message: str | None
    attempt: int
    archive_path: str | None
    teardown_requested_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    ready_at: dt.datetime | None
    archived_at: dt.datetime | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Dataset:
        values = {k: _utc(v) if isinstance(v, dt.datetime) else v for k, v in row.items()}
        return cls(**{**values, "status": DatasetState(row["status"])})

    def to_json(self) -> dict[str, Any]:
        return {k: v.isoformat() if isinstance(v, dt.datetime) else (v.value if isinstance(v, DatasetState) else v)
                for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class AuditEvent:
    event_id: int
    at: dt.datetime
    event: str
    dataset_id: str | None
    product: str | None
    actor: str
    from_state: str | None
    to_state: str | None
    reason: str | None
    details: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "at": self.at.isoformat()}


@dataclass(frozen=True)
class ProductState:
    product: str
    status: str
    version: str | None
    contract: dict[str, Any]


class Registry:
    """One registry database; `Registry(url)` creates or migrates its schema."""

    def __init__(self, url: str):
        self.url = url
        sqlite = url.startswith("sqlite")
        database = sa.engine.make_url(url).database
        if sqlite and database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        self.engine = sa.create_engine(
            url,
            connect_args={"timeout": 30} if sqlite else {},
            isolation_level=None if sqlite else "SERIALIZABLE",
        )
        if sqlite:
            # Writers take the database lock when their transaction begins, so a count-then-insert
            # (limits) or read-then-update never interleaves with another writer's.
            sa.event.listen(self.engine, "connect", _sqlite_autocommit_off)
            sa.event.listen(self.engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        self._migrate()

    def _migrate(self) -> None:
        with self._transaction() as conn:
            metadata.create_all(conn)
            found = conn.execute(sa.select(schema_version.c.version)).scalar()
            if found is None:
                conn.execute(schema_version.insert().values(version=SCHEMA_VERSION))
            elif found > SCHEMA_VERSION:
                raise RegistryError(f"{self.url}: registry schema v{found} is newer than this code's "
                                    f"v{SCHEMA_VERSION}; expected an upgraded dataops-assets")
            elif found < SCHEMA_VERSION:
                for version in range(found + 1, SCHEMA_VERSION + 1):
                    for statement in MIGRATIONS[version]:
                        conn.exec_driver_sql(statement)
                conn.execute(schema_version.update().values(version=SCHEMA_VERSION))

    @contextmanager
    def _transaction(self) -> Iterator[sa.Connection]:
        with self.engine.begin() as conn:
            yield conn

    # --- datasets -------------------------------------------------------------------------------

    def request_provisioning(self, product: str, stage: str, client: str, actor: str,
                             now: dt.datetime | None = None) -> Dataset:
        """A new dataset in PROVISIONING, awaiting the provisioning sensor; refused past the limits."""
        if stage not in STAGES:
            raise RegistryError(f"stage: expected one of {', '.join(STAGES)}, got {stage!r}")
        now = now or _now()
        with self._transaction() as conn:
            provisioning = conn.execute(sa.select(sa.func.count()).select_from(datasets).where(
                datasets.c.stage == stage, datasets.c.status == INITIAL_STATE.value)).scalar_one()
            if provisioning >= MAX_PROVISIONING_PER_STAGE:
                raise RegistryError(f"stage {stage}: {provisioning} datasets are already provisioning; at most "
                                    f"{MAX_PROVISIONING_PER_STAGE} at once per stage, retry when one finishes")
            held = conn.execute(sa.select(sa.func.count()).select_from(datasets).where(
                datasets.c.client == client, datasets.c.status != DatasetState.ARCHIVED.value)).scalar_one()
            if held >= MAX_DATASETS_PER_CLIENT:
                raise RegistryError(f"client {client}: already holds {held} datasets; at most "
                                    f"{MAX_DATASETS_PER_CLIENT} per client, tear one down first")
            dataset_id = f"{product}-{stage}-{uuid.uuid4().hex[:8]}"
            conn.execute(datasets.insert().values(
                dataset_id=dataset_id, product=product, stage=stage, client=client, status=INITIAL_STATE.value,
                data_source=DATA_SOURCES[stage], attempt=1, created_at=now, updated_at=now))
            _audit(conn, now, "dataset_created", actor, dataset_id=dataset_id, product=product,
                   to_state=INITIAL_STATE.value, reason=f"provisioning requested for client {client} in {stage}")
            return self._get(conn, dataset_id)

    def transition(self, dataset_id: str, to: DatasetState, actor: str, reason: str = "",
                   expected: DatasetState | None = None, now: dt.datetime | None = None, **fields: Any) -> Dataset:
        """Move a dataset to `to` (and set `fields`, e.g. error_message, archive_path) if the state machine allows
        it and no other writer moved it meanwhile: `expected` is the state the caller decided from
        (ConcurrentChange if it is no longer current). Exactly one audit event goes with it."""
        now = now or _now()
        with self._transaction() as conn:
            current = self._get(conn, dataset_id)
            if expected is not None and current.status is not expected:
                raise ConcurrentChange(f"dataset {dataset_id}: is {current.status.value}, no longer "
                                       f"{expected.value}; not moved to {to.value}")
            check_transition(dataset_id, current.status, to)
            values = {**fields, "status": to.value, "updated_at": now}
            if to is DatasetState.PROVISIONING:  # a retry: its run is a new attempt
                values["attempt"] = current.attempt + 1
            if to is DatasetState.READY:
                values["ready_at"] = now
            if to is DatasetState.ARCHIVED:
                values["archived_at"] = now
            moved = conn.execute(datasets.update().where(
                datasets.c.dataset_id == dataset_id, datasets.c.status == current.status.value).values(**values))
            if moved.rowcount != 1:
                raise ConcurrentChange(f"dataset {dataset_id}: moved by another writer from {current.status.value}; "
                                       f"not moved to {to.value}")
            archived = to is DatasetState.ARCHIVED
            _audit(conn, now, "dataset_archived" if archived else "dataset_status_changed", actor,
                   dataset_id=dataset_id, product=current.product, from_state=current.status.value,
                   to_state=to.value, reason=reason,
                   details={"archive_path": fields.get("archive_path")} if archived else None)
            return self._get(conn, dataset_id)

    def record_outputs(self, dataset_id: str, record_count: int, size_bytes: int) -> None:
        """What the provisioning run built (no state change, no audit event: the move that follows has one)."""
        with self._transaction() as conn:
            conn.execute(datasets.update().where(datasets.c.dataset_id == dataset_id).values(
                record_count=record_count, size_bytes=size_bytes))

    def request_teardown(self, dataset_id: str, actor: str, now: dt.datetime | None = None) -> Dataset:
        """Mark a READY or FAILED dataset for the teardown sensor (archive, then drop)."""
        now = now or _now()
        with self._transaction() as conn:
            current = self._get(conn, dataset_id)
            check_transition(dataset_id, current.status, DatasetState.TEARDOWN)
            if current.teardown_requested_at is None:
                conn.execute(datasets.update().where(datasets.c.dataset_id == dataset_id).values(
                    teardown_requested_at=now, updated_at=now))
                _audit(conn, now, "teardown_requested", actor, dataset_id=dataset_id, product=current.product,
                       from_state=current.status.value)
            return self._get(conn, dataset_id)

    def record_quality_gate(self, dataset_id: str, scores: Mapping[str, float], overall: float, passed: bool,
                            reason: str, actor: str, now: dt.datetime | None = None) -> None:
        now = now or _now()
        with self._transaction() as conn:
            current = self._get(conn, dataset_id)
            conn.execute(quality_gates.insert().values(dataset_id=dataset_id, evaluated_at=now,
                                                       scores=json.dumps(dict(scores)), overall=overall,
                                                       passed=passed, reason=reason))
            conn.execute(datasets.update().where(datasets.c.dataset_id == dataset_id).values(
                quality_score=overall, updated_at=now))
            _audit(conn, now, "quality_check_executed", actor, dataset_id=dataset_id, product=current.product,
                   reason=reason, details={"scores": dict(scores), "overall": overall, "passed": passed})

    def record_event(self, dataset_id: str, event: str, actor: str, reason: str, now: dt.datetime | None = None,
                     **details: Any) -> None:
        """An audit event that changes no state (e.g. archive_deleted)."""
        now = now or _now()
        with self._transaction() as conn:
            current = self._get(conn, dataset_id)
            _audit(conn, now, event, actor, dataset_id=dataset_id, product=current.product, reason=reason,
                   details=details or None)

    # --- products -------------------------------------------------------------------------------

    def product_state(self, product: str) -> ProductState | None:
        """The product's status, version and contract as last recorded; None before its first promotion."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(product_status).where(product_status.c.product == product)).first()
        if row is None:
            return None
        return ProductState(row.product, row.status, row.version, json.loads(row.contract or "{}"))

    def product_statuses(self) -> dict[str, str]:
        with self.engine.connect() as conn:
            return dict(conn.execute(sa.select(product_status.c.product, product_status.c.status)).all())

    def promote_product(self, product: str, from_status: str, to_status: str, version: str,
                        contract: Mapping[str, Any], actor: str, reason: str, now: dt.datetime | None = None) -> None:
        """Record the product's new status (compare-and-set on `from_status`) with one audit event."""
        now = now or _now()
        with self._transaction() as conn:
            row = conn.execute(sa.select(product_status).where(product_status.c.product == product)).first()
            values = {"status": to_status, "version": version, "contract": json.dumps(contract), "updated_at": now}
            if row is None:
                conn.execute(product_status.insert().values(product=product, **values))
            else:
                moved = conn.execute(product_status.update().where(
                    product_status.c.product == product, product_status.c.status == from_status).values(**values))
                if moved.rowcount != 1:
                    raise ConcurrentChange(f"product {product}: is {row.status}, no longer {from_status}; "
                                           f"not promoted to {to_status}")
            _audit(conn, now, "product_status_changed", actor, product=product, from_state=from_status,
                   to_state=to_status, reason=reason, details={"version": version})

    def get(self, dataset_id: str) -> Dataset:
        with self.engine.connect() as conn:
            return self._get(conn, dataset_id)

    def datasets(self, stage: str | None = None, status: DatasetState | None = None, product: str | None = None,
                 client: str | None = None) -> list[Dataset]:
        query = sa.select(datasets).order_by(datasets.c.created_at, datasets.c.dataset_id)
        for column, value in (("stage", stage), ("status", status and status.value), ("product", product),
                              ("client", client)):
            if value is not None:
                query = query.where(datasets.c[column] == value)
        with self.engine.connect() as conn:
            return [Dataset.from_row(row._mapping) for row in conn.execute(query)]

    def audit_trail(self, dataset_id: str | None = None, product: str | None = None, after: int | None = None,
                    limit: int | None = None) -> list[AuditEvent]:
        """Events in the order they happened; `after` (an event_id) and `limit` page through a long trail."""
        query = sa.select(audit_events).order_by(audit_events.c.event_id)
        if dataset_id is not None:
            query = query.where(audit_events.c.dataset_id == dataset_id)
        if product is not None:
            query = query.where(audit_events.c.product == product)
        if after is not None:
            query = query.where(audit_events.c.event_id > after)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [AuditEvent(row.event_id, _utc(row.at), row.event, row.dataset_id, row.product, row.actor,
                               row.from_state, row.to_state, row.reason,
                               json.loads(row.details) if row.details else {})
                    for row in conn.execute(query)]

    def _get(self, conn: sa.Connection, dataset_id: str) -> Dataset:
        row = conn.execute(sa.select(datasets).where(datasets.c.dataset_id == dataset_id)).first()
        if row is None:
            raise RegistryError(f"dataset {dataset_id!r}: not in the registry; `dataops datasets list` shows the ids")
        return Dataset.from_row(row._mapping)


def _audit(conn: sa.Connection, at: dt.datetime, event: str, actor: str, **values: Any) -> None:
    details = values.pop("details", None)
    conn.execute(audit_events.insert().values(at=at, event=event, actor=actor,
                                              details=json.dumps(details) if details else None, **values))


def _sqlite_autocommit_off(dbapi_connection, _record) -> None:
    # pysqlite's own transaction handling would start transactions itself; SQLAlchemy's begin does it.
    dbapi_connection.isolation_level = None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes: every time here is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.timezone.utc)
