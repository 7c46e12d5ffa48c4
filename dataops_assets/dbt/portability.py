"""Model SQL that runs on DuckDB only: what the Spark target would fail on (or, worse, answer differently).

Models and shared macros must say these through a portable macro (dbt's cross-database macros or ours in
macros/portable.sql); a macro whose name starts with an adapter prefix (`default__`, `duckdb__`, `spark__`)
is one engine's implementation and may use that engine's SQL. The unit tests scan the project with this.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# A macro that only one engine calls: an adapter's implementation, or DuckDB's replace_window strategy
# (Spark's partitioned models overwrite partitions instead: macros/partition_window.sql).
ENGINE_MACRO = re.compile(r"^(default|duckdb|spark)__|^get_incremental_replace_window_sql$")

# (pattern, what it is, what to write instead). Patterns run on SQL with Jinja and comments removed.
DUCKDB_ONLY: tuple[tuple[str, str, str], ...] = (
    (r"\bread_parquet\s*\(", "read_parquet()", "read_landing(source(...))"),
    (r"\bsha256\s*\(", "sha256()", "a dispatched macro (Spark: sha2(x, 256))"),
    (r"\bstrftime\s*\(|\bstrptime\s*\(", "strftime()/strptime()", "a dispatched macro (Spark: date_format/to_timestamp)"),
    (r"\bisodow\s*\(|\bdayofweek\s*\(", "isodow()/dayofweek()", "a dispatched macro (Sunday is 0 on DuckDB, 1 on Spark)"),
    (r"\bdate_diff\s*\(|\bdatediff\s*\(|\bdate_sub\s*\(|\bdatesub\s*\(", "date_diff()/datediff()",
     "dbt.datediff(first, second, part)"),
    (r"\bdate_add\s*\(|\bdateadd\s*\(", "date_add()", "dbt.dateadd(part, n, expr)"),
    (r"\bepoch(_ms|_us)?\s*\(", "epoch()", "a dispatched macro (Spark: unix_timestamp)"),
    (r"\bregexp_(matches|replace|extract|full_match)\s*\(", "regexp_*()",
     "a dispatched macro (flags differ, Spark needs doubled backslashes)"),
    (r"\bhash\s*\(", "hash()", "dbt.hash(expr) (each engine's hash() differs)"),
    (r"\bgetvariable\s*\(", "getvariable()", "a dispatched macro"),
    (r"\b(struct_pack|list_value|list_extract|string_split|unnest|today)\s*\(", "a DuckDB function",
     "the engines' common spelling or a dispatched macro"),
    (r"\*\s*(exclude|replace)\s*\(", "select * exclude/replace (...)", "name the columns"),
    (r"//", "// integer division", "cast(floor(a / b) as bigint)"),
    (r"\bas\s+(varchar|text)\b", "cast(... as varchar)", "string, or dbt.type_string() (Spark has no length-free varchar)"),
    (r"\b(hugeint|ubigint|uinteger)\b", "a DuckDB-only type", "bigint or decimal(38, 0)"),
)
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_COMMENT = re.compile(r"--[^\n]*")
_STRING = re.compile(r"'(?:[^']|'')*'")
_MACRO = re.compile(r"\{%-?\s*macro\s+([a-zA-Z_][a-zA-Z0-9_]*)\s*\(.*?%\}(.*?)\{%-?\s*endmacro\s*-?%\}", re.DOTALL)


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    construct: str
    instead: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.construct} runs on DuckDB only; expected {self.instead}"


def engine_specific(sql: str, path: str = "<sql>", first_line: int = 1) -> list[Finding]:
    """Each DuckDB-only construct in `sql` (model or macro text), with its line."""
    blanked = sql
    for pattern in (_JINJA, _COMMENT, _STRING):  # kept line breaks keep line numbers right
        blanked = pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), blanked)
    found = []
    for pattern, construct, instead in DUCKDB_ONLY:
        for match in re.finditer(pattern, blanked, re.IGNORECASE):
            found.append(Finding(path, first_line + blanked.count("\n", 0, match.start()), construct, instead))
    return sorted(found, key=lambda f: (f.line, f.construct))


def shared_macro_sql(text: str) -> list[tuple[int, str]]:
    """(first line, body) of each macro in a macro file that is not one engine's implementation."""
    return [(text.count("\n", 0, m.start(2)) + 1, m.group(2)) for m in _MACRO.finditer(text)
            if not ENGINE_MACRO.search(m.group(1))]


def scan_project(project_dir: Path) -> list[Finding]:
    """Every DuckDB-only construct in the project's model SQL and in its macros not tied to an engine."""
    found = []
    for path in sorted((project_dir / "models").rglob("*.sql")):
        found += engine_specific(path.read_text(), str(path.relative_to(project_dir)))
    for path in sorted((project_dir / "macros").rglob("*.sql")):
        for line, body in shared_macro_sql(path.read_text()):
            found += engine_specific(body, str(path.relative_to(project_dir)), line)
    return found
