"""The documents the REST routes answer with (and the models that document them in OpenAPI)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
from pydantic import BaseModel, Field

from dataops_assets.publish.records import Publication, current_version, read_publication, versions
from dataops_assets.serving.access import Caller, Services
from dataops_assets.serving.catalog import ServedModel, ServedProduct
from dataops_assets.serving.query import QueryError, parse_read
from dataops_assets.serving.reader import Snapshot

# The current SLIs a data answer carries (seed 000's `slos`): field (REST writes it camelCase) -> SLI.
SLI_FIELDS = {"availability": "availability", "latency_p50": "latency_p50", "latency_p95": "latency_p95",
              "latency_p99": "latency_p99", "freshness_minutes": "freshness", "completeness": "completeness"}


class PageInfo(BaseModel):
    total: int
    page: int
    pageSize: int
    offset: int


class ProductList(BaseModel):
    data: list[dict[str, Any]]
    metadata: PageInfo


class ProductDetail(BaseModel):
    id: str
    name: str
    classification: str
    status: str
    models: list[dict[str, Any]]
    slos: dict[str, Any]
    qualityScore: float | None
    upstreamProducts: list[str]
    downstreamProducts: list[str]
    model_config = {"extra": "allow"}


class DataMetadata(BaseModel):
    total: int = Field(description="Rows matching the filters.")
    page: int
    pageSize: int
    offset: int
    freshnessMinutes: float = Field(description="Minutes since the version read was published.")
    version: int
    publishedAt: str
    qualityScore: float | None
    model: str
    masked: bool = Field(description="Whether PII columns are masked (false only for a key holding the PII grant).")


class DataPage(BaseModel):
    data: list[dict[str, Any]]
    metadata: DataMetadata
    slos: dict[str, float | None] = Field(description="Current SLIs: availability %, latency ms, freshness "
                                          "minutes, completeness %; null before any is measured.")


def catalog(services: Services, who: Caller, q: str | None, limit: int, offset: int) -> dict[str, Any]:
    visible = [p for p in services.products.values() if who.may_read(p) and _matches(p, q)]
    return {"data": [_summary(services, p) for p in visible[offset:offset + limit]],
            "metadata": _page_info(len(visible), limit, offset)}


def detail(services: Services, product: ServedProduct) -> dict[str, Any]:
    spec = product.product.spec
    insights = services.insights.product(product.id)
    return {
        **_summary(services, product),
        "spec": spec.model_dump(mode="json"),
        "owners": {"owner": spec.owner.model_dump(), "team": spec.team, "steward": spec.steward},
        "slos": {"targets": spec.slos.model_dump(), "status": insights["slo_status"], "slis": insights["slis"],
                 "generatedAt": insights["generated_at"]},
        "upstreamProducts": list(product.product.upstream_products),
        "downstreamProducts": list(product.downstream),
        "models": [_model_entry(services, product, m) for m in product.models.values()],
        "endpoints": {"rest": f"/api/v1/products/{product.id}/data", "graphql": "/graphql",
                      "sql": [f"dataproducts.{m}" for m in product.models]},
    }


@dataclass(frozen=True)
class DataAnswer:
    etag: str
    body: bytes | None  # None: the caller's copy (If-None-Match) is current


def data_page(services: Services, who: Caller, product: ServedProduct, filters: Sequence[str], sort: Sequence[str],
              limit: int, offset: int, version: int | None, model: str | None, if_none_match: str | None) -> DataAnswer:
    served = model_of(product, model)
    for attempt in (1, 2):  # a version removed while read (retention) is read again from `current`
        snapshot = snapshot_for(who, product, served, version)
        read = parse_read(filters, sort, limit, offset, snapshot.columns)
        etag = _etag(snapshot, read)
        presented = {t.strip() for t in (if_none_match or "").split(",")}
        if etag in presented or "*" in presented:
            return DataAnswer(etag, None)
        try:
            page = services.reader.read(snapshot, read)
            break
        except duckdb.IOException:
            if attempt == 2 or version is not None:
                raise
    insights = services.insights.product(product.id)
    metadata = {**_page_info(page.total, limit, offset), "freshnessMinutes": _age_minutes(snapshot.publication),
                "version": snapshot.version, "publishedAt": snapshot.publication.published_at,
                "qualityScore": insights["quality_score"], "model": served.name, "masked": not snapshot.unmasked}
    slos = {_camel(name): value for name, value in current_slis(insights).items()}
    body = (b'{"data":[' + ",".join(page.rows_json).encode() + b'],"metadata":' + json.dumps(metadata).encode()
            + b',"slos":' + json.dumps(slos).encode() + b"}")
    return DataAnswer(etag, body)


def snapshot_for(who: Caller, product: ServedProduct, model: ServedModel, version: int | None) -> Snapshot:
    """The version this caller reads: the unmasked twin when the model has PII, the key's principal holds the
    product's grant and the twin exists; the masked publication otherwise."""
    reader = who.services.reader
    masked = reader.snapshot(product.id, model.name, version, cluster_by=model.cluster_by)
    if (model.pii and reader.has_unmasked(product.id, model.name, masked.version)
            and who.holds_pii_grant(product)):
        return reader.snapshot(product.id, model.name, masked.version, unmasked=True, cluster_by=model.cluster_by)
    return masked


def current_slis(insights: Mapping[str, Any]) -> dict[str, float | None]:
    """SLI_FIELDS' observed values in the insights of one product (None before one is measured)."""
    observed = {sli["slo"]: sli["observed"] for sli in insights["slis"]}
    return {field: observed.get(slo) for field, slo in SLI_FIELDS.items()}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def model_of(product: ServedProduct, name: str | None) -> ServedModel:
    name = name or product.default_model
    if name not in product.models:
        raise QueryError(f"model: {product.id} has no public model {name!r}; expected one of "
                         f"{', '.join(product.models)}")
    return product.models[name]


def _etag(snapshot: Snapshot, read) -> str:
    """Weak: the same version and read give the same rows; freshness and SLIs around them move on."""
    text = repr((snapshot.publication.product, snapshot.publication.model, snapshot.version, snapshot.unmasked, read))
    return f'W/"{hashlib.sha256(text.encode()).hexdigest()[:32]}"'


def _summary(services: Services, product: ServedProduct) -> dict[str, Any]:
    spec = product.product.spec
    insights = services.insights.product(product.id)
    return {"id": product.id, "name": spec.name, "description": spec.description, "domain": spec.domain,
            "version": spec.version, "owner": spec.owner.email, "classification": spec.classification.value,
            "status": insights["lifecycle_status"] or spec.status.value, "tags": list(spec.tags),
            "qualityScore": insights["quality_score"], "models": list(product.models),
            "defaultModel": product.default_model}


def _model_entry(services: Services, product: ServedProduct, model: ServedModel) -> dict[str, Any]:
    folder = services.settings.published_dir / product.id / model.name
    published = []
    for number in versions(services.settings.published_dir, product.id, model.name):
        try:
            publication = read_publication(folder / f"v={number}")
        except FileNotFoundError:  # removed by retention since listed
            continue
        published.append({"version": number, "publishedAt": publication.published_at, "rows": publication.rows})
    return {"name": model.name, "default": model.name == product.default_model, "description": model.description,
            "columns": list(model.columns),
            "currentVersion": current_version(services.settings.published_dir, product.id, model.name),
            "publishedVersions": published}


def _matches(product: ServedProduct, q: str | None) -> bool:
    if not q or not q.strip():
        return True
    spec = product.product.spec
    text = " ".join([product.id, spec.name, spec.description, *spec.tags,
                     *(c["name"] for m in product.models.values() for c in m.columns)]).lower()
    return all(word in text for word in q.lower().split())


def _page_info(total: int, limit: int, offset: int) -> dict[str, int]:
    return {"total": total, "page": offset // limit + 1, "pageSize": limit, "offset": offset}


def _age_minutes(publication: Publication) -> float:
    published = dt.datetime.fromisoformat(publication.published_at.replace("Z", "+00:00"))
    return round((dt.datetime.now(dt.timezone.utc) - published).total_seconds() / 60, 2)
