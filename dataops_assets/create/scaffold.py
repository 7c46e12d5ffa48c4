"""Plan and write a new product's files; refuse to overwrite anything, and undo everything if the result
does not load.

The plan is every file to create plus the two existing files it may extend: `dbt_project.yml` (the
product folder's group mapping) and a sources file `_sources_<source>.yml` written by an earlier
scaffold (a landing table it declares). Nothing is written until the whole plan is known.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import yaml
from pydantic import ValidationError

from dataops_assets.catalog.spec import DataProductSpec
from dataops_assets.create.product_files import (
    NUMERIC_TYPES, ProductRequest, logic_sql, masked_sql, model_yaml, spec_yaml, suite_json,
)
from dataops_assets.create.staging import StagedTable, stage, staging_sql, staging_yaml
from dataops_assets.sources.landing_contract import LandingContract, LandingTable
from dataops_assets.sources.landing_proposal import propose_table, sources_yaml, table_yaml
from dataops_assets.sql_text import parquet_files

GENERATED_SOURCES = "_sources_{}.yml"  # a sources file a scaffold wrote: later scaffolds may add tables to it


class ScaffoldError(ValueError):
    """The product cannot be scaffolded as asked (one line: what, where, what was expected)."""


@dataclass
class Plan:
    files: dict[Path, str] = field(default_factory=dict)  # new files, relative to the repository root
    changed: dict[Path, str] = field(default_factory=dict)  # existing files' new text
    notes: list[str] = field(default_factory=list)

    def paths(self) -> list[Path]:
        return sorted([*self.files, *self.changed])


def parse_inputs(text: str) -> tuple[tuple[str, str], ...]:
    """`--from S.T[,S.T...]` as (source, table) pairs."""
    pairs = []
    for item in (part.strip() for part in text.split(",")):
        if not re.fullmatch(r"[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*", item):
            raise ScaffoldError(f"--from: expected SOURCE.TABLE[,SOURCE.TABLE...] of lower-case names, got {item!r}")
        pairs.append(tuple(item.split(".")))
    if len(set(pairs)) != len(pairs):
        raise ScaffoldError(f"--from: a table is named twice in {text!r}")
    return tuple(pairs)


def validate_spec(product_id: str, domain: str, owner_email: str, owner_name: str, classification: str) -> None:
    """The spec fields the command sets, checked the way loading the spec will check them."""
    try:
        DataProductSpec.model_validate({
            "id": product_id, "name": product_id, "domain": domain, "version": "0.1.0",
            "owner": {"name": owner_name, "email": owner_email}, "team": "t", "steward": owner_email,
            "description": "d", "classification": classification, "status": "draft",
            "slos": {"availability_pct": 99, "latency_p50_ms": 1, "latency_p95_ms": 1, "latency_p99_ms": 1,
                     "freshness_minutes": 60, "completeness_pct": 99},
        })
    except ValidationError as exc:
        error = exc.errors()[0]
        option = {"id": "ID", "domain": "--domain", "owner": "--owner-email", "steward": "--owner-email",
                  "classification": "--classification"}.get(str(error["loc"][0]), str(error["loc"][0]))
        raise ScaffoldError(f"{option}: {error['msg'].lower()}, got {error.get('input')!r}") from None


def plan_scaffold(product_id: str, domain: str, owner_email: str, owner_name: str, classification: str,
                  inputs: Iterable[tuple[str, str]], *, repo_root: Path, manifest: dict[str, Any],
                  contract: LandingContract, landing_dir: Path) -> Plan:
    validate_spec(product_id, domain, owner_email, owner_name, classification)
    plan = Plan()
    groups = {g["name"] for g in manifest.get("groups", {}).values()}
    if product_id in groups:
        raise ScaffoldError(f"ID: a dbt group {product_id!r} exists already; expected a new product id")
    models = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    tables = [_declared(plan, repo_root, contract, landing_dir, source, table) for source, table in inputs]
    staged = tuple(stage(t, models) for t in tables)
    for s in staged:
        if s.new:
            plan.files[Path("dbt_project/models/staging") / f"{s.model}.sql"] = staging_sql(s)
            plan.files[Path("dbt_project/models/staging") / f"{s.model}.yml"] = staging_yaml(s)
    request = ProductRequest(product_id, domain, owner_email, owner_name, classification, staged)
    folder = Path("dbt_project/models/products") / product_id
    plan.files[folder / "_product.yml"] = spec_yaml(request)
    plan.files[folder / f"{request.logic_model}.sql"] = logic_sql(request)
    plan.files[folder / f"{request.logic_model}.yml"] = model_yaml(request, request.logic_model,
                                                                   private=bool(request.pii_columns))
    if request.pii_columns:
        plan.files[folder / f"{product_id}.sql"] = masked_sql(request)
        plan.files[folder / f"{product_id}.yml"] = model_yaml(request, product_id, private=False)
        plan.notes.append(f"{', '.join(request.pii_columns)} look like personal data: {product_id} masks them "
                          f"(redact); choose each strategy in pii_fields")
    plan.files[Path("quality_suites") / product_id / f"{product_id}.json"] = suite_json(
        request, observed_minimums(landing_dir, request.main))
    if request.main.key is None:
        plan.notes.append(f"{request.main.table.key} declares no single-column primary_key: the suite has no "
                          f"uniqueness rule; add one (meta.primary_key, then the suite)")
    plan.changed[Path("dbt_project/dbt_project.yml")] = with_group_mapping(
        (repo_root / "dbt_project/dbt_project.yml").read_text(), product_id)
    taken = sorted(str(p) for p in plan.files if (repo_root / p).exists())
    if taken or (repo_root / folder).exists():
        raise ScaffoldError(f"refusing to overwrite: {', '.join(taken) or folder} exist(s); expected a new product")
    return plan


def _declared(plan: Plan, repo_root: Path, contract: LandingContract, landing_dir: Path,
              source: str, table: str) -> LandingTable:
    """The landing table as declared; an undeclared one is proposed from its landing files and declared
    in the plan (a new sources file, or one an earlier scaffold wrote)."""
    if (source, table) in contract:
        return contract[(source, table)]
    try:
        proposed = propose_table(landing_dir, source, table)
    except ValueError as exc:
        raise ScaffoldError(f"--from {source}.{table}: not declared in the dbt sources YAML, and {exc}; run "
                            f"`dataops landing import PATH --source {source} --table {table}` first") from None
    declaring = {t.yaml_file for t in contract.values() if t.source == source}
    path = Path("dbt_project/models/staging") / GENERATED_SOURCES.format(source)
    if declaring and declaring != {str(path.relative_to("dbt_project"))}:
        raise ScaffoldError(f"--from {source}.{table}: source {source!r} is declared in {', '.join(sorted(declaring))} "
                            f"without table {table!r}; add it there (`dataops landing import` prints the entry)")
    current = plan.changed.get(path) or plan.files.get(path)
    if current is None and declaring:
        current = (repo_root / path).read_text()
    text = (current.rstrip("\n") + "\n" + "\n".join(table_yaml(proposed)) + "\n" if current
            else sources_yaml(source, [proposed], description="Files imported with `dataops landing import`."))
    (plan.changed if declaring else plan.files)[path] = text
    return proposed


def observed_minimums(landing_dir: Path, staged: StagedTable) -> dict[str, float]:
    """The smallest value of each numeric column in the landing files, by staging column name."""
    numeric = [c for c in staged.columns if c.staging_type.split("(")[0] in NUMERIC_TYPES]
    files = sorted(staged.table.folder(landing_dir).glob("*.parquet"))
    if not numeric or not files:
        return {}
    relation = parquet_files(files)
    select = ", ".join(f'min(try_cast("{c.landing_column}" as double))' for c in numeric)
    with duckdb.connect() as con:
        values = con.execute(f"select {select} from {relation}").fetchone()
    return {c.name: v for c, v in zip(numeric, values) if v is not None}


def with_group_mapping(text: str, product_id: str) -> str:
    """dbt_project.yml with `<id>: {+group: <id>}` added under models: dataops: products: (after its last
    line), checked by reading the result back."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line == "    products:"), None)
    if start is None:
        raise ScaffoldError("dbt_project/dbt_project.yml: no `products:` folder under models: dataops:; expected the "
                            "project's layout (models/products/<product>/)")
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end].startswith("      ")):
        end += 1
    while not lines[end - 1].strip():
        end -= 1
    result = "\n".join([*lines[:end], f"      {product_id}: {{+group: {product_id}}}", *lines[end:]]) + "\n"
    products = (yaml.safe_load(result).get("models") or {}).get("dataops", {}).get("products", {})
    if products.get(product_id) != {"+group": product_id}:
        raise ScaffoldError(f"dbt_project/dbt_project.yml: could not add the group mapping; add "
                            f"`{product_id}: {{+group: {product_id}}}` under models: dataops: products:")
    return result


def write_plan(plan: Plan, repo_root: Path, verify: Callable[[], None]) -> None:
    """Write the plan, then `verify` (parse and load); on any failure restore every file as it was."""
    before = {path: (repo_root / path).read_text() for path in plan.changed}
    new_dirs = {parent for path in plan.files for parent in path.parents if not (repo_root / parent).exists()}
    written: list[Path] = []
    try:
        for path, text in [*plan.files.items(), *plan.changed.items()]:
            (repo_root / path).parent.mkdir(parents=True, exist_ok=True)
            (repo_root / path).write_text(text)
            written.append(path)
        verify()
    except BaseException:
        for path in written:
            if path in before:
                (repo_root / path).write_text(before[path])
            else:
                (repo_root / path).unlink(missing_ok=True)
        for path in sorted(new_dirs, key=lambda p: len(p.parts), reverse=True):
            if (repo_root / path).is_dir() and not any((repo_root / path).iterdir()):
                (repo_root / path).rmdir()
        raise
