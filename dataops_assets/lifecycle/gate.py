"""The dataset quality gate of seed 004: a weighted score of four checks, READY at 95 or more with no
failed `error` check.

- schema (0.30): share of the contract's columns present with their declared type in the built tables;
- completeness (0.30): the completeness dimension of the product's suites on the dataset's data;
- source health (0.25): 100 when every landing table the product reads meets the landing contract, else 0;
- sample queries (0.15): share of the sample queries, run on the dataset's published files, that
  return rows with the contract's columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from dataops_assets.catalog.products import DataProduct
from dataops_assets.governance.leak_checks import PII_LEAK_CHECK, load_landing_pii
from dataops_assets.governance.leaks import describe_leaks, find_leaks
from dataops_assets.governance.masking import needs_key
from dataops_assets.lifecycle.workspace import DatasetWorkspace
from dataops_assets.quality.score import Outcome, dimension_scores
from dataops_assets.quality.suite import Suite
from dataops_assets.quality.validation import validate_table
from dataops_assets.sources.landing_contract import LandingContract, landing_problems
from dataops_assets.warehouse import connect_warehouse

WEIGHTS = {"schema": 0.30, "completeness": 0.30, "source_health": 0.25, "sample_queries": 0.15}
READY_SCORE = 95.0


@dataclass(frozen=True)
class GateResult:
    scores: dict[str, float]
    failed_error_checks: tuple[str, ...]
    problems: tuple[str, ...] = field(default=())

    @property
    def overall(self) -> float:
        return round(sum(self.scores[name] * weight for name, weight in WEIGHTS.items()), 2)

    @property
    def ready(self) -> bool:
        return self.overall >= READY_SCORE and not self.failed_error_checks

    @property
    def reason(self) -> str:
        parts = [f"score {self.overall:g} ({', '.join(f'{k} {v:g}' for k, v in self.scores.items())})"]
        if self.overall < READY_SCORE:
            parts.append(f"below {READY_SCORE:g}")
        if self.failed_error_checks:
            parts.append(f"failed error checks: {', '.join(self.failed_error_checks)}")
        parts += list(self.problems[:5])
        return "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {"scores": self.scores, "overall": self.overall, "ready": self.ready,
                "failed_error_checks": list(self.failed_error_checks), "problems": list(self.problems),
                "reason": self.reason}


def evaluate_gate(product: DataProduct, space: DatasetWorkspace, models: dict[str, dict[str, Any]],
                  suites: dict[str, Suite], landing: LandingContract, failed_dbt_tests: tuple[str, ...],
                  published_paths: dict[str, str]) -> GateResult:
    problems: list[str] = []
    with connect_warehouse(space.settings, read_only=True) as con:
        schema = _schema_score(con, product, models, problems)
        completeness, failed_suite_checks = _suite_results(con, product, space, models, suites)
        failed_suite_checks += _leak_failures(con, product, space, models, problems)
    health = [p for source in product.sources
              for p in landing_problems(space.landing_dir, landing[tuple(source.split("."))])]
    problems += health
    return GateResult(
        scores={"schema": schema, "completeness": completeness, "source_health": 0.0 if health else 100.0,
                "sample_queries": _sample_query_score(product, models, published_paths, problems)},
        failed_error_checks=tuple(sorted({*_dbt_test_names(failed_dbt_tests), *failed_suite_checks})),
        problems=tuple(problems),
    )


def _schema_score(con: duckdb.DuckDBPyConnection, product: DataProduct, models: dict[str, dict[str, Any]],
                  problems: list[str]) -> float:
    expected = found = 0
    for model in product.public_models:
        built = {name.lower(): kind.lower() for name, kind in con.execute(
            "select column_name, data_type from information_schema.columns where table_name = ?", [model]).fetchall()}
        for column, spec in models[model]["columns"].items():
            expected += 1
            declared = (spec.get("data_type") or "").lower()
            if column.lower() in built and (not declared or built[column.lower()].startswith(declared.split("(")[0])):
                found += 1
            else:
                problems.append(f"schema: {model}.{column} missing or not {declared or 'present'}")
    return round(100 * found / expected, 2) if expected else 0.0


def _suite_results(con: duckdb.DuckDBPyConnection, product: DataProduct, space: DatasetWorkspace,
                   models: dict[str, dict[str, Any]], suites: dict[str, Suite]) -> tuple[float, list[str]]:
    outcomes, failed = [], []
    for model in product.models:
        suite = suites.get(model)
        if suite is None:
            continue
        masking = product.example_masking(model)
        key = space.settings.masking_key() if needs_key(masking) else None
        _, results = validate_table(con, suite, models, space.settings.as_of, masking, key)
        for result in results:
            e = result.expectation
            outcomes.append(Outcome(e.check_name, e.dimension, e.severity, result.passed, result.unexpected_percent))
            if not result.passed and e.blocking:
                failed.append(f"{model}:{e.check_name}")
    return dimension_scores(outcomes).get("completeness", 100.0 if outcomes else 0.0), failed


def _leak_failures(con: duckdb.DuckDBPyConnection, product: DataProduct, space: DatasetWorkspace,
                   models: dict[str, dict[str, Any]], problems: list[str]) -> list[str]:
    """The pii_leak check of each public model, on the dataset's warehouse and its own landing zone."""
    load_landing_pii(con, space.landing_dir)
    failed = []
    for model in product.public_models:
        found = find_leaks(con, models[model]["relation_name"])
        if found:
            failed.append(f"{model}:{PII_LEAK_CHECK}")
            problems.append(f"{model}: PII found: {describe_leaks(found)}")
    return failed


def _sample_query_score(product: DataProduct, models: dict[str, dict[str, Any]], published_paths: dict[str, str],
                        problems: list[str]) -> float:
    queries = []
    for model in product.public_models:
        files = f"read_parquet('{Path(published_paths.get(model, '/nonexistent'))}/*.parquet')"
        columns = list(models[model]["columns"])
        queries += [
            (f"{model}: rows", f"select count(*) from {files}", lambda rows: rows[0][0] > 0),
            (f"{model}: contract columns", f"select {', '.join(map(_quoted, columns))} from {files} limit 10",
             lambda rows: len(rows) > 0),
            (f"{model}: first column filled", f"select count({_quoted(columns[0])}) from {files}",
             lambda rows: rows[0][0] > 0),
        ]
    passed = 0
    with duckdb.connect() as con:
        for name, sql, ok in queries:
            try:
                if ok(con.execute(sql).fetchall()):
                    passed += 1
                    continue
                problems.append(f"sample query {name}: no rows")
            except duckdb.Error as exc:
                problems.append(f"sample query {name}: {str(exc).splitlines()[0]}")
    return round(100 * passed / len(queries), 2) if queries else 0.0


def _dbt_test_names(unique_ids: tuple[str, ...]) -> list[str]:
    return [f"dbt:{uid.split('.')[2]}" for uid in unique_ids]


def _quoted(column: str) -> str:
    return f'"{column}"'
