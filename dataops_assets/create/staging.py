"""The staging model each input of a new product reads: an existing one as it is, or a new one to write."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from dataops_assets.sources.landing_contract import LandingTable

STAGING_TYPE_OF_TEXT = "string"  # typed_columns' name for the engine's string type
# An entry of a typed_columns({...}) call: 'name': 'type' or 'name': ['landing_column', 'type'].
_TYPED_ENTRY = re.compile(r"'(\w+)'\s*:\s*(?:'([^']+)'|\[\s*'(\w+)'\s*,\s*'([^']+)'\s*\])")


@dataclass(frozen=True)
class StagedColumn:
    name: str  # in the staging model
    landing_column: str
    staging_type: str  # as typed_columns takes it: 'string', 'bigint', 'timestamp', ...

    @property
    def contract_type(self) -> str:
        """The column's data_type in a model contract (lower-case DuckDB type)."""
        return "varchar" if self.staging_type == STAGING_TYPE_OF_TEXT else self.staging_type


@dataclass(frozen=True)
class StagedTable:
    table: LandingTable
    model: str
    columns: tuple[StagedColumn, ...]
    key: str | None  # the staging column that identifies a row, if the landing contract names one
    new: bool  # the staging model is to be written (else it exists and is read as it is)


def staging_model_name(table: LandingTable) -> str:
    return f"stg_{table.source}__{table.name}"


def singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def stage(table: LandingTable, models: dict[str, dict[str, Any]]) -> StagedTable:
    """How `table` is staged: the project's staging model for it if there is one, else a new one that
    keeps the landing names (but `id`, which becomes `<table, singular>_id`) and types."""
    name = staging_model_name(table)
    renames = {"id": f"{singular(table.name)}_id"} if f"{singular(table.name)}_id" not in table.types else {}
    key = renames.get(table.primary_key[0], table.primary_key[0]) if len(table.primary_key) == 1 else None
    if name in models:
        columns = existing_columns(models[name])
        known = table.primary_key[0] if len(table.primary_key) == 1 else None
        return StagedTable(table, name, columns, known if known in {c.name for c in columns} else None, new=False)
    columns = tuple(StagedColumn(renames.get(c, c), c, STAGING_TYPE_OF_TEXT if t == "VARCHAR" else t.lower())
                    for c, t in table.columns)
    return StagedTable(table, name, columns, key, new=True)


def existing_columns(node: dict[str, Any]) -> tuple[StagedColumn, ...]:
    """The columns an existing staging model types with typed_columns (what a product may select of it)."""
    found = tuple(StagedColumn(m[1], m[3] or m[1], (m[2] or m[4]).lower())
                  for m in _TYPED_ENTRY.finditer(node.get("raw_code", "")))
    if not found:
        raise ValueError(f"{node['original_file_path']}: staging model {node['name']!r} does not call "
                         f"typed_columns({{...}}), so its columns are unknown; expected a staging model as "
                         f"`dataops product create` writes them")
    return found


def staging_sql(staged: StagedTable) -> str:
    width = max(len(c.name) for c in staged.columns) + 3
    entries = ",\n".join(
        f"            {repr(c.name) + ':':<{width}} " + (repr(c.staging_type) if c.name == c.landing_column
                                                        else f"[{c.landing_column!r}, {c.staging_type!r}]")
        for c in staged.columns)
    return (f"-- Scaffolded by `dataops product create`: {staged.table.key} renamed and typed, nothing else.\n"
            f"with source as (\n"
            f"    select * from {{{{ read_landing(source({staged.table.source!r}, {staged.table.name!r})) }}}}\n"
            f"),\n\n"
            f"final as (\n"
            f"    select\n"
            f"        {{{{ typed_columns({{\n{entries}\n        }}) }}}}\n"
            f"    from source\n"
            f")\n\n"
            f"select * from final\n")


def staging_yaml(staged: StagedTable) -> str:
    lines = ["version: 2", "", "models:", f"  - name: {staged.model}",
             f"    description: One row per {singular(staged.table.name)} of landing table {staged.table.key}.",
             "    data_tests: [no_invalid_values]"]
    if staged.key:
        lines += ["    columns:", f"      - name: {staged.key}", "        data_tests: [unique, not_null]"]
    return "\n".join(lines) + "\n"
