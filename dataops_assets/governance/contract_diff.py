"""Contract versioning: the public contract of every product now vs at a git ref, each change classified as
seed 002 does, breaking or not.

A product's contract is read from its files, the same way at both ends (no dbt run, no manifest):
`dbt_project/models/products/<product>/_product.yml` (the spec: version, classification, PII fields,
SLOs), the public models' YAML beside it (columns and types) and `quality_suites/<product>/<model>.json`
(not-null columns, value sets, regexes).

| change | kind |
|---|---|
| column removed (or renamed), type changed, nullable -> required, an added required column | breaking |
| enum narrowed (a value removed), regex changed, classification raised, a new PII field | breaking |
| a PII field masked another way (its published values change) | breaking |
| a looser SLO: lower availability or completeness, more freshness minutes, higher latency | breaking |
| nullable column added, enum widened, required -> nullable, descriptions, a tighter SLO | non-breaking |

A breaking change needs a major version bump of the product's spec `version`; without one the diff fails.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dataops_assets.catalog.spec import Classification, major_version

PRODUCTS_DIR = "dbt_project/models/products"
SUITES_DIR = "quality_suites"
CLASSIFICATION_RANK = {c.value: c.rank for c in Classification}
# SLO field -> +1 if a higher value promises more (so lowering it is looser), -1 if a lower one does.
SLO_DIRECTION = {"availability_pct": 1, "completeness_pct": 1, "freshness_minutes": -1, "latency_p50_ms": -1,
                 "latency_p95_ms": -1, "latency_p99_ms": -1}
Reader = Callable[[str], str | None]  # repository path -> file text, None when absent


class ContractDiffError(ValueError):
    """A git ref or a contract file that cannot be read."""


@dataclass(frozen=True)
class Change:
    product: str
    kind: str  # breaking | non-breaking
    rule: str
    detail: str

    def to_json(self) -> dict[str, str]:
        return {"product": self.product, "kind": self.kind, "rule": self.rule, "detail": self.detail}


@dataclass
class ProductContract:
    version: str
    classification: str
    pii: dict[tuple[str, str], str]  # (model, column) -> masking strategy
    slos: dict[str, float]
    models: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # model -> column -> facts
    descriptions: dict[str, str] = field(default_factory=dict)  # "model.column" -> description
    versions: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # id -> (dbt name, version, latest)


def model_versions(model: dict[str, Any]) -> list[tuple[str, str | None, list[dict[str, Any]]]]:
    """(model id, version, columns) of a model's YAML entry: one entry, or one per dbt version. A version is
    known by its relation's alias (`<name>_v<n>` unless its config names one, as catalog.model_id does), and
    its columns are the model's, narrowed by `include`/`exclude` and overridden by its own (dbt's rules)."""
    base = [c for c in model.get("columns") or [] if "name" in c]
    if not model.get("versions"):
        return [(model["name"], None, base)]
    found = []
    for entry in model["versions"]:
        version = str(entry["v"])
        alias = (entry.get("config") or {}).get("alias") or f"{model['name']}_v{version}"
        own = entry.get("columns")
        if own is None:
            columns = list(base)
        else:
            rule = next((c for c in own if "include" in c), {"include": "all"})
            included = [c for c in base if rule["include"] in ("all", "*") or c["name"] in rule["include"]]
            excluded = set(rule.get("exclude") or [])
            overrides = {c["name"]: c for c in own if "name" in c}
            columns = [overrides.get(c["name"], c) for c in included if c["name"] not in excluded]
            columns += [c for name, c in overrides.items() if name not in {c["name"] for c in columns}]
        found.append((alias, version, columns))
    return found

def contracts(read: Reader, products: list[str]) -> dict[str, ProductContract]:
    found = {}
    for product in products:
        spec_text = read(f"{PRODUCTS_DIR}/{product}/_product.yml")
        if spec_text is None:
            continue
        group = next(g for g in yaml.safe_load(spec_text)["groups"] if g["name"] == product)
        spec = group["config"]["meta"]["data_product"]
        contract = ProductContract(
            version=str(spec["version"]), classification=str(spec["classification"]),
            pii={(f["model"], f["column"]): str(f.get("masking")) for f in spec.get("pii_fields") or []},
            slos={k: float(v) for k, v in (spec.get("slos") or {}).items()})
        for model_file in _model_files(read, product):
            for model in yaml.safe_load(read(model_file) or "{}").get("models") or []:
                if model.get("access", "public") != "public":  # the folder's default (dbt_project.yml) is public
                    continue
                for name, version, columns in model_versions(model):
                    resolved = {**model, "columns": columns}
                    contract.models[name] = _columns(resolved, read(f"{SUITES_DIR}/{product}/{name}.json"))
                    if version is not None:
                        contract.versions[name] = (model["name"], version, str(model.get("latest_version", "")))
                    for column in columns:
                        contract.descriptions[f"{name}.{column['name']}"] = str(column.get("description") or "")
        found[product] = contract
    return found


def _model_files(read: Reader, product: str) -> list[str]:
    listing = read(f"{PRODUCTS_DIR}/{product}/")  # a folder reads as its file names, one per line
    return [f"{PRODUCTS_DIR}/{product}/{name}" for name in (listing or "").splitlines()
            if name.endswith(".yml") and name != "_product.yml"]


def _columns(model: dict[str, Any], suite_text: str | None) -> dict[str, dict[str, Any]]:
    expectations = json.loads(suite_text)["expectations"] if suite_text else []
    columns = {c["name"]: {"type": str(c.get("data_type") or "").lower(), "required": False, "enum": None,
                           "regex": None} for c in model.get("columns") or []}
    for e in expectations:
        facts = columns.get((e.get("kwargs") or {}).get("column"))
        if facts is None:
            continue
        kwargs = e["kwargs"]
        if e["type"] == "expect_column_values_to_not_be_null" and kwargs.get("mostly", 1) >= 1:
            facts["required"] = True
        elif e["type"] == "expect_column_values_to_be_in_set":
            facts["enum"] = sorted(map(str, kwargs.get("value_set") or []))
        elif e["type"] == "expect_column_values_to_match_regex":
            facts["regex"] = kwargs.get("regex")
    return columns


def compare(product: str, old: ProductContract | None, new: ProductContract | None) -> list[Change]:
    if old is None or new is None:
        return [Change(product, "non-breaking" if old is None else "breaking", "product-added" if old is None
                       else "product-removed", f"{product} {'added' if old is None else 'removed'}")]
    changes: list[Change] = []

    def add(breaking: bool, rule: str, detail: str) -> None:
        changes.append(Change(product, "breaking" if breaking else "non-breaking", rule, detail))

    for model in sorted(old.models.keys() | new.models.keys()):
        before, after = old.models.get(model), new.models.get(model)
        if after is None:
            add(True, "model-removed", f"public model {model} removed")
            continue
        if before is None:
            add(False, "model-added", f"public model {model} added")
            continue
        for column in sorted(before.keys() - after.keys()):
            add(True, "column-removed", f"{model}.{column} removed (or renamed)")
        for column in sorted(after.keys() - before.keys()):
            required = after[column]["required"]
            add(required, "column-added-required" if required else "column-added",
                f"{model}.{column} added{' as required' if required else ' (nullable)'}")
        for column in sorted(before.keys() & after.keys()):
            changes.extend(_column_changes(product, f"{model}.{column}", before[column], after[column]))
    for key in sorted(old.descriptions.keys() & new.descriptions.keys()):
        if old.descriptions[key] != new.descriptions[key]:
            add(False, "docs", f"{key} description changed")
    if CLASSIFICATION_RANK.get(new.classification, 0) > CLASSIFICATION_RANK.get(old.classification, 0):
        add(True, "classification-raised", f"classification {old.classification} -> {new.classification}")
    for model, column in sorted(new.pii.keys() - old.pii.keys()):
        if model in old.models:  # a model consumers already read; a new one starts masked
            add(True, "pii-added", f"{model}.{column} is a new PII field (masked from now on)")
    for model, column in sorted(new.pii.keys() & old.pii.keys()):
        if new.pii[model, column] != old.pii[model, column]:
            add(True, "masking-changed", f"{model}.{column} masking {old.pii[model, column]} -> "
                                         f"{new.pii[model, column]} (consumers read other values)")
    for slo, direction in SLO_DIRECTION.items():
        before, after = old.slos.get(slo), new.slos.get(slo)
        if before is None or after is None or before == after:
            continue
        looser = (after - before) * direction < 0
        add(looser, "slo-looser" if looser else "slo-tighter", f"slos.{slo} {before:g} -> {after:g}")
    return changes


def _column_changes(product: str, where: str, before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    found = []
    if before["type"] != after["type"]:
        found.append(Change(product, "breaking", "type-changed", f"{where} type {before['type']} -> {after['type']}"))
    if not before["required"] and after["required"]:
        found.append(Change(product, "breaking", "now-required", f"{where} nullable -> required"))
    if before["required"] and not after["required"]:
        found.append(Change(product, "non-breaking", "now-nullable", f"{where} required -> nullable"))
    if before["enum"] is not None and after["enum"] is not None and before["enum"] != after["enum"]:
        removed, added = set(before["enum"]) - set(after["enum"]), set(after["enum"]) - set(before["enum"])
        if removed:
            found.append(Change(product, "breaking", "enum-narrowed", f"{where} no longer allows {sorted(removed)}"))
        if added:
            found.append(Change(product, "non-breaking", "enum-widened", f"{where} now also allows {sorted(added)}"))
    if before["enum"] is None and after["enum"] is not None:
        found.append(Change(product, "breaking", "enum-narrowed", f"{where} now restricted to {after['enum']}"))
    if before["regex"] != after["regex"] and after["regex"] is not None:
        found.append(Change(product, "breaking", "regex-changed", f"{where} regex {before['regex']!r} -> "
                                                                   f"{after['regex']!r} (may reject values it accepted)"))
    return found


# Changes to the shape of a public model (dbt's own contract): consumers' queries break, so the model gets a
# new dbt model version and keeps the old one, instead of changing in place.
SCHEMA_RULES = frozenset({"column-removed", "type-changed", "now-required", "column-added-required"})


def diff(old: dict[str, ProductContract], new: dict[str, ProductContract]) -> dict[str, Any]:
    """Every change per product. A product with a breaking change and no major bump is in
    `unversioned_breaking`; a public model whose shape changed in place, instead of in a new dbt model
    version beside the old one, is in `unversioned_models`."""
    changes: list[Change] = []
    unversioned, in_place = [], []
    for product in sorted(old.keys() | new.keys()):
        found = compare(product, old.get(product), new.get(product))
        changes.extend(found)
        if (any(c.kind == "breaking" for c in found) and product in old and product in new
                and major_version(new[product].version) <= major_version(old[product].version)):
            unversioned.append({"product": product, "from_version": old[product].version,
                                "to_version": new[product].version})
        for model in sorted({c.detail.split(".")[0] for c in found if c.rule in SCHEMA_RULES}):
            in_place.append({"product": product, "model": model, "expected": _next_version(model, new[product])})
    return {"changes": [c.to_json() for c in changes], "unversioned_breaking": unversioned,
            "unversioned_models": in_place}


def _next_version(model: str, contract: ProductContract) -> str:
    """What to do instead of changing `model` in place (its consumers keep reading it meanwhile)."""
    if model in contract.versions:
        name, version, _ = contract.versions[model]
        return (f"leave version {version} of {name} as it was and add version {int(version) + 1} with the change, "
                f"then raise latest_version")
    return (f"keep {model} as version 1 (versions: [{{v: 2}}, {{v: 1, config: {{alias: {model}}}}}]) and make the "
            f"change in version 2 ({model}_v2.sql), with latest_version: 2")


def working_tree_reader(repo: Path) -> Reader:
    def read(path: str) -> str | None:
        target = repo / path
        if path.endswith("/"):
            return "\n".join(sorted(p.name for p in target.iterdir())) if target.is_dir() else None
        return target.read_text() if target.is_file() else None

    return read


def git_reader(repo: Path, ref: str) -> Reader:
    commit = _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if commit is None:
        raise ContractDiffError(f"--base {ref!r}: not a commit of {repo}; expected a branch, tag or commit")
    commit = commit.strip()

    def read(path: str) -> str | None:
        if path.endswith("/"):
            return _git(repo, "ls-tree", "--name-only", f"{commit}:{path.rstrip('/')}")
        return _git(repo, "show", f"{commit}:{path}")

    return read


def default_base(repo: Path) -> str:
    """The merge base with main (or origin/main in a clone without a local main; HEAD itself on main)."""
    for branch in ("main", "origin/main"):
        base = _git(repo, "merge-base", "HEAD", branch)
        if base is not None:
            return base.strip()
    raise ContractDiffError(f"{repo}: no merge base with 'main' or 'origin/main'; expected a git repository "
                            "with a main branch, or --base REF")


def product_ids(read: Reader) -> list[str]:
    return [name for name in (read(f"{PRODUCTS_DIR}/") or "").splitlines() if not name.startswith(("_", "."))]


def _git(repo: Path, *args: str) -> str | None:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else None
