"""Quality suites: GX 1.x suite JSON plus our meta, validated against the model's contract on load."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dataops_assets.catalog.spec import Slos
from dataops_assets.quality.expectations import DIMENSIONS, SEVERITIES, SUPPORTED, columns_of, default_check_name

_REF = re.compile(r"ref\('([A-Za-z0-9_]+)'\)")
# In a computed column: in_window('<date column>') keeps the rows of the partition window checked.
_IN_WINDOW = re.compile(r"in_window\('([A-Za-z0-9_]+)'\)")
# In a computed column: as_of() is the instant current-state data is judged at (DATAOPS_AS_OF, else now).
_AS_OF = re.compile(r"\bas_of\(\s*\)")
# An expectation kwarg {"slo": "<field>"} takes its value from that field of the product spec's slos.
SLO_TOKEN = "slo"


class SuiteError(ValueError):
    """A suite file is invalid; the message is one line naming the file and the expectation."""


@dataclass(frozen=True)
class Expectation:
    check_name: str
    type: str
    kwargs: dict[str, Any]
    dimension: str
    severity: str
    description: str
    columns: tuple[str, ...]
    min_ratio_to_previous: float | None  # volume: row count at least this share of the last run's
    # kwarg -> Slos field its value was read from ({"slo": "<field>"} in the suite file); kwargs holds the value.
    slo_thresholds: dict[str, str] = field(default_factory=dict)

    @property
    def blocking(self) -> bool:
        return self.severity == "error"

    @property
    def slo_threshold(self) -> str:
        """Where the thresholds come from, e.g. `slos.freshness_minutes`; empty when all are literal."""
        return ", ".join(dict.fromkeys(f"slos.{name}" for name in self.slo_thresholds.values()))


@dataclass(frozen=True)
class Suite:
    path: Path
    product: str
    model: str
    expectations: tuple[Expectation, ...]
    computed_columns: dict[str, str]  # name -> SQL expression over the model's table

    @property
    def columns_read(self) -> list[str]:
        """Model columns the suite needs (computed columns are evaluated in the same query)."""
        needed = {c for e in self.expectations for c in e.columns} - set(self.computed_columns)
        return sorted(needed)


def load_suites(suites_dir: Path, models: dict[str, dict[str, Any]], repo_root: Path, *,
                product_slos: Mapping[str, Slos], only: Iterable[str] | None = None) -> dict[str, Suite]:
    """Every suite under `suites_dir` (<product>/<model>.json), keyed by model name; with `only`, those of
    the named products (tests reading a manifest snapshot that predates a newer product).

    `models` maps model name -> manifest node; it gives each model's group, contract columns and
    relation. `product_slos` maps product id -> its spec's SLOs, the values of {"slo": "<field>"}
    kwargs. Raises SuiteError on the first problem.
    """
    suites = {}
    products = None if only is None else set(only)
    for path in sorted(suites_dir.glob("*/*.json")):
        if products is not None and path.parent.name not in products:
            continue
        suite = load_suite(path, models, repo_root, product_slos=product_slos)
        suites[suite.model] = suite
    return suites


def load_suite(path: Path, models: dict[str, dict[str, Any]], repo_root: Path, *,
               product_slos: Mapping[str, Slos]) -> Suite:
    where = str(path.relative_to(repo_root)) if path.is_relative_to(repo_root) else str(path)
    product, model = path.parent.name, path.stem
    try:
        raw = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise SuiteError(f"{where}: not valid JSON ({exc.msg} at line {exc.lineno}); expected a GX suite") from None
    node = models.get(model)
    if node is None:
        raise SuiteError(f"{where}: no dbt model named '{model}'; expected <product>/<model>.json of a product model")
    if node.get("group") != product:
        raise SuiteError(f"{where}: model '{model}' belongs to group '{node.get('group')}', not '{product}'")
    if not isinstance(raw, dict) or not isinstance(raw.get("expectations"), list):
        raise SuiteError(f"{where}: expected a JSON object with an 'expectations' list")
    computed = dict((raw.get("meta") or {}).get("computed_columns") or {})
    for name, sql in computed.items():
        for ref in _REF.findall(sql):
            if ref not in models:
                raise SuiteError(f"{where}: computed column '{name}': ref('{ref}') is not a dbt model")
    contract = set(node.get("columns", {}))
    slos = product_slos.get(product)
    expectations = [_expectation(where, i, e, contract, computed, product, slos) for i, e in enumerate(raw["expectations"])]
    names = [e.check_name for e in expectations]
    for name in names:
        if names.count(name) > 1:
            raise SuiteError(f"{where}: check name '{name}' is used twice; give one a distinct meta.check_name")
    return Suite(path, product, model, tuple(expectations), computed)


def _expectation(where: str, index: int, raw: Any, contract: set[str], computed: dict[str, str], product: str,
                 slos: Slos | None) -> Expectation:
    if not isinstance(raw, dict):
        raise SuiteError(f"{where}: expectation {index}: expected an object with type, kwargs and meta")
    kind = raw.get("type")
    kwargs = raw.get("kwargs") or {}
    meta = raw.get("meta") or {}
    label = f"expectation {index} ({kind}{' on ' + repr(kwargs['column']) if 'column' in kwargs else ''})"
    kwargs, slo_thresholds = _resolve_slo_tokens(f"{where}: {label}", kwargs, product, slos)
    if kind not in SUPPORTED:
        raise SuiteError(f"{where}: {label}: unknown expectation type; expected one of {', '.join(sorted(SUPPORTED))}")
    if SUPPORTED[kind].violation(kwargs) is None:
        raise SuiteError(f"{where}: {label}: can never fail with these kwargs; expected the bounds, set or "
                         "pattern it checks")
    for column in columns_of(kind, kwargs):
        if column not in contract and column not in computed:
            raise SuiteError(f"{where}: {label}: column '{column}' is not in the model's contract "
                             f"(expected one of {', '.join(sorted(contract | set(computed)))})")
    if meta.get("dimension") not in DIMENSIONS:
        raise SuiteError(f"{where}: {label}: meta.dimension is {meta.get('dimension')!r}; "
                         f"expected one of {', '.join(DIMENSIONS)}")
    if meta.get("severity") not in SEVERITIES:
        raise SuiteError(f"{where}: {label}: meta.severity is {meta.get('severity')!r}; expected error or warn")
    ratio = meta.get("min_ratio_to_previous")
    if ratio is not None and not (isinstance(ratio, (int, float)) and 0 < ratio <= 1):
        raise SuiteError(f"{where}: {label}: meta.min_ratio_to_previous is {ratio!r}; expected a number in (0, 1]")
    name = meta.get("check_name") or default_check_name(kind, kwargs)
    return Expectation(
        check_name=name,
        type=kind,
        kwargs=dict(kwargs),
        dimension=meta["dimension"],
        severity=meta["severity"],
        description=meta.get("description") or "",
        columns=tuple(columns_of(kind, kwargs)),
        min_ratio_to_previous=ratio,
        slo_thresholds=slo_thresholds,
    )


def _resolve_slo_tokens(label: str, kwargs: dict[str, Any], product: str,
                        slos: Slos | None) -> tuple[dict[str, Any], dict[str, str]]:
    """kwargs with every {"slo": "<field>"} replaced by that field of the product's SLOs, and kwarg -> field."""
    resolved, fields = dict(kwargs), {}
    for kwarg, value in kwargs.items():
        if not isinstance(value, dict):
            continue
        name = value.get(SLO_TOKEN)
        if set(value) != {SLO_TOKEN} or not isinstance(name, str):
            raise SuiteError(f"{label}: kwargs.{kwarg} is {json.dumps(value)}; expected a number or an SLO token "
                             '{"slo": "<field>"}')
        if name not in Slos.model_fields:
            raise SuiteError(f"{label}: kwargs.{kwarg}: unknown SLO field '{name}'; expected one of "
                             f"{', '.join(Slos.model_fields)}")
        if slos is None:
            raise SuiteError(f"{label}: kwargs.{kwarg} reads slos.{name}, but product '{product}' has no spec; "
                             "expected the suite under a product's folder")
        number = getattr(slos, name)
        if not isinstance(number, (int, float)):
            raise SuiteError(f"{label}: kwargs.{kwarg} reads slos.{name}, which is {number!r} in product "
                             f"'{product}'s spec; expected a number")
        resolved[kwarg], fields[kwarg] = number, name
    return resolved, fields


def computed_columns_sql(suite: Suite, models: dict[str, dict[str, Any]], as_of: dt.datetime | None) -> dict[str, str]:
    """The suite's computed columns with ref('model') and as_of() resolved; in_window() is left for the
    partition a check reads (resolve_window)."""
    return {name: resolve_as_of(resolve_refs(sql, models), as_of) for name, sql in suite.computed_columns.items()}


def resolve_window(sql: str, predicate: Callable[[str], str] | None) -> str:
    """Replace in_window('column') by the window's predicate on that column, or `true` if unpartitioned."""
    return _IN_WINDOW.sub(lambda m: f"({predicate(m.group(1))})" if predicate else "true", sql)


def resolve_as_of(sql: str, as_of: dt.datetime | None) -> str:
    """Replace as_of() by the instant current-state data is judged at: `as_of` (naive UTC), or now in UTC."""
    instant = f"'{as_of:%Y-%m-%d %H:%M:%S}'" if as_of else "timezone('UTC', now())"
    return _AS_OF.sub(lambda m: f"cast({instant} as timestamp)", sql)


def resolve_refs(sql: str, models: dict[str, dict[str, Any]]) -> str:
    """Replace ref('model') in a computed column by the model's relation."""
    return _REF.sub(lambda m: models[m.group(1)]["relation_name"], sql)
