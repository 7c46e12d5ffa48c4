"""A product as an Open Data Contract Standard (ODCS) v3.1.0 document: its public models' schema, the quality
rules of their suites, the SLA of its SLOs, its owner and steward, its classification.

The document is validated against the vendored ODCS JSON Schema (schemas/) before it is written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from dataops_assets.catalog.products import DataProduct, model_id
from dataops_assets.catalog.spec import ProductStatus
from dataops_assets.quality.suite import Suite

ODCS_VERSION = "v3.1.0"
SCHEMA_FILE = Path(__file__).parent / "schemas" / "odcs-json-schema-v3.1.0.json"
# Product status -> the contract's status (ODCS: proposed, draft, active, deprecated, retired).
STATUS = {ProductStatus.DRAFT: "draft", ProductStatus.DEV: "proposed", ProductStatus.STAGING: "proposed",
          ProductStatus.PRODUCTION: "active", ProductStatus.DEPRECATED: "deprecated"}
# Our quality dimensions -> ODCS's (validity is what ODCS calls conformity).
DIMENSION = {"completeness": "completeness", "validity": "conformity", "consistency": "consistency",
             "timeliness": "timeliness", "uniqueness": "uniqueness", "accuracy": "accuracy"}
SEVERITY = {"error": "error", "warn": "warning"}
_LOGICAL_TYPES = ((r"^(var)?char|^text|^string|^uuid", "string"), (r"^date$", "date"), (r"^timestamp", "timestamp"),
                  (r"^time$", "time"), (r"^(tiny|small|big|hug)?int(eger)?\b", "integer"),
                  (r"^(decimal|numeric|double|float|real)", "number"), (r"^bool", "boolean"))
_NOT_NULL = "expect_column_values_to_not_be_null"
_UNIQUE = "expect_column_values_to_be_unique"


class OdcsError(ValueError):
    """The document does not validate against the ODCS schema."""


def odcs_contract(product: DataProduct, models: Mapping[str, Mapping[str, Any]],
                  suites: Mapping[str, Suite]) -> dict[str, Any]:
    """The ODCS document of `product` (plain data, ready for YAML)."""
    spec = product.spec
    slos = spec.slos
    document: dict[str, Any] = {
        "apiVersion": ODCS_VERSION,
        "kind": "DataContract",
        "id": spec.id,
        "name": spec.name,
        "version": spec.version,
        "status": STATUS[spec.status],
        "domain": spec.domain,
        "dataProduct": spec.id,
        "description": {"purpose": spec.description.strip(), "usage": spec.business_use_case.strip()},
        "tags": list(spec.tags),
        "schema": [_schema_object(product, models[m], suites.get(m)) for m in product.public_models],
        "slaProperties": [
            {"property": "availability", "value": slos.availability_pct, "unit": "percent"},
            {"property": "latency", "value": slos.freshness_minutes, "unit": "m",
             "description": "Data is at most this old (freshness)."},
            {"property": "frequency", "value": product.refresh_schedule, "scheduler": "cron",
             "schedule": product.refresh_schedule, "description": "Refresh schedule (UTC)."},
            {"property": "completeness", "value": slos.completeness_pct, "unit": "percent"},
            *({"property": f"servingLatency{p.upper()}", "value": getattr(slos, f"latency_{p}_ms"), "unit": "ms"}
              for p in ("p50", "p95", "p99")),
        ],
        "team": {"name": spec.team, "members": [
            {"username": spec.owner.email, "name": spec.owner.name, "role": "owner"},
            {"username": spec.steward, "role": "data steward"}]},
        "support": [{"channel": "owner", "tool": "email", "url": f"mailto:{spec.owner.email}"}],
        "customProperties": [
            {"property": "classification", "value": spec.classification.value},
            {"property": "certifications", "value": list(spec.certifications)},
            {"property": "consumers", "value": list(spec.consumers)},
            {"property": "partitions", "value": spec.partitions.value},
        ],
    }
    if spec.deprecation is not None:
        document["customProperties"].append({"property": "deprecation", "value": {
            "replacement": spec.deprecation.replacement, "sunsetDate": spec.deprecation.sunset_date.isoformat()}})
    return document


def _schema_object(product: DataProduct, node: Mapping[str, Any], suite: Suite | None) -> dict[str, Any]:
    model = model_id(node)
    masking = product.pii_masking(model)
    expectations = suite.expectations if suite else ()
    required = {c for e in expectations if e.type == _NOT_NULL for c in e.columns}
    unique = {c for e in expectations if e.type == _UNIQUE for c in e.columns}
    partition_column = product.partition_columns.get(model)
    properties = []
    for name, column in (node.get("columns") or {}).items():
        data_type = column.get("data_type") or ""
        prop: dict[str, Any] = {
            "name": name, "physicalType": data_type, "logicalType": _logical_type(data_type),
            "required": name in required, "unique": name in unique,
            "classification": product.spec.classification.value,
        }
        if column.get("description"):
            prop["description"] = column["description"].strip()
        if name == partition_column:
            prop.update(partitioned=True, partitionKeyPosition=1)
        if name in masking:
            prop["tags"] = ["pii"]
            prop["customProperties"] = [{"property": "maskingStrategy", "value": masking[name]}]
        properties.append(prop)
    schema_object: dict[str, Any] = {
        "name": model, "physicalName": node.get("relation_name") or model, "physicalType": "table",
        "logicalType": "object", "properties": properties,
        "quality": [_quality_rule(e) for e in expectations],
    }
    if node.get("description"):
        schema_object["description"] = node["description"].strip()
    return schema_object


def _quality_rule(expectation) -> dict[str, Any]:
    rule = {"name": expectation.check_name, "type": "custom", "engine": "great-expectations",
            "implementation": {"expectation_type": expectation.type, "kwargs": _plain(expectation.kwargs)},
            "dimension": DIMENSION[expectation.dimension], "severity": SEVERITY[expectation.severity]}
    if expectation.description:
        rule["description"] = expectation.description
    return rule


def _logical_type(data_type: str) -> str:
    lowered = data_type.strip().lower()
    return next((logical for pattern, logical in _LOGICAL_TYPES if re.search(pattern, lowered)), "string")


def _plain(value: Any) -> Any:
    """JSON/YAML-safe: what json cannot write becomes its string form."""
    return json.loads(json.dumps(value, default=str))


@cache
def odcs_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text())


def validate_odcs(document: Mapping[str, Any]) -> None:
    """Raise OdcsError naming the first failing field if `document` is not valid ODCS."""
    from jsonschema import Draft201909Validator

    errors = sorted(Draft201909Validator(odcs_schema()).iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        where = ".".join(str(p) for p in error.absolute_path) or "(document)"
        raise OdcsError(f"field '{where}': {error.message}; expected a valid ODCS {ODCS_VERSION} document "
                        f"({len(errors)} error{'s' if len(errors) > 1 else ''})")


def to_yaml(document: Mapping[str, Any]) -> str:
    import yaml

    return yaml.safe_dump(_plain(document), sort_keys=False, allow_unicode=True, width=110)
