"""The files of a scaffolded product: its spec, its models and their contracts, its starter suite.

Everything a person must still decide is marked `TODO(scaffold)`; everything else is valid as
written, so the product parses, loads, builds and passes its checks before anyone edits it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from dataops_assets.create.staging import StagedColumn, StagedTable, singular
from dataops_assets.governance.policies import PERSONAL_DATA_COLUMN

TODO = "TODO(scaffold)"
NUMERIC_TYPES = ("tinyint", "smallint", "integer", "bigint", "hugeint", "utinyint", "usmallint", "uinteger", "ubigint",
            "float", "real", "double", "decimal")
_TEMPORAL = ("date", "timestamp")
REDACTED = "***"  # what the redact strategy leaves of a text value (macros/masking.sql)


@dataclass(frozen=True)
class ProductRequest:
    id: str
    domain: str
    owner_email: str
    owner_name: str
    classification: str
    inputs: tuple[StagedTable, ...]

    @property
    def team(self) -> str:
        return self.owner_email.split("@")[0].lower()

    @property
    def title(self) -> str:
        return self.id.replace("_", " ").title()

    @property
    def main(self) -> StagedTable:
        """The input the public model is built from (the first one named)."""
        return self.inputs[0]

    @property
    def columns(self) -> tuple[StagedColumn, ...]:
        return self.main.columns

    @property
    def pii_columns(self) -> tuple[str, ...]:
        """Columns whose names say personal data, in a product classified C or above: masked for consumers."""
        if self.classification == "U":
            return ()
        return tuple(c.name for c in self.columns if PERSONAL_DATA_COLUMN.search(c.name.lower()))

    @property
    def logic_model(self) -> str:
        """The model holding the business logic: the public model, or with PII its private unmasked twin."""
        return f"{self.id}_unmasked" if self.pii_columns else self.id


def spec_yaml(request: ProductRequest) -> str:
    pii = "".join(f"\n            - {{model: {request.id}, column: {c}, masking: redact}}"
                  f"  # {TODO}: redact | hash | tokenize | partial" for c in request.pii_columns)
    pii = pii or " []"
    inputs = ", ".join(t.table.key for t in request.inputs)
    return f"""version: 2

# Scaffolded by `dataops product create`. Fill in what is marked {TODO}, then raise `status`.
groups:
  - name: {request.id}
    owner:
      name: {json.dumps(request.owner_name)}
      email: {request.owner_email}
    description: "{TODO}: what {request.id} is, in one line."
    config:
      meta:
        data_product:
          name: {request.title}
          domain: {request.domain}
          version: 0.1.0
          team: {request.team}
          steward: {request.owner_email}  # {TODO}: the data steward, if not the owner
          description: >
            {TODO}: what one row of {request.id} is, what it is built from
            ({inputs}) and who reads it.
          business_use_case: "{TODO}: the decision or process the product serves."
          classification: {request.classification}
          tags: [{request.domain}]
          slos:  # {TODO}: what consumers are promised; the refresh schedule follows freshness_minutes
            availability_pct: 99.0
            latency_p50_ms: 200
            latency_p95_ms: 500
            latency_p99_ms: 1000
            freshness_minutes: 1440
            completeness_pct: 99.0
          pii_fields:{pii}
          status: draft
          consumers: []
"""


def logic_sql(request: ProductRequest) -> str:
    ctes = ",\n\n".join(f"{t.table.name} as (\n    select * from {{{{ ref('{t.model}') }}}}\n)" for t in request.inputs)
    others = [t.table.name for t in request.inputs[1:]]
    hint = (f"-- {TODO}: join {', '.join(others)} in as the product needs them.\n" if others else "")
    select = ",\n".join(f"    {c.name}" for c in request.columns)
    return (f"-- Scaffolded by `dataops product create`: {request.id}'s business logic. Change what it selects\n"
            f"-- together with its contract ({request.logic_model}.yml) and suite.\n"
            f"with {ctes}\n\n{hint}select\n{select}\nfrom {request.main.table.name}\n")


def masked_sql(request: ProductRequest) -> str:
    return (f"-- {request.id} as consumers read it: every column of {request.logic_model}, each PII column masked as\n"
            f"-- the spec's pii_fields say (macros/masking.sql).\n"
            f"select {{{{ masked_columns(ref('{request.logic_model}')) }}}}\n"
            f"from {{{{ ref('{request.logic_model}') }}}}\n")


def model_yaml(request: ProductRequest, model: str, private: bool) -> str:
    lines = ["version: 2", "", "models:", f"  - name: {model}"]
    if private:
        lines += ["    description: >",
                  f"      {request.id} with its raw PII: what {request.id} masks. Private to the product, never published.",
                  "    access: private"]
    else:
        lines += [f"    description: \"{TODO}: one row per {singular(request.main.table.name)}; what it holds.\""]
    lines.append("    columns:")
    for column in request.columns:
        lines += [f"      - name: {column.name}", f"        data_type: {column.contract_type}"]
    return "\n".join(lines) + "\n"


def _expectation(kind: str, kwargs: dict, dimension: str, description: str) -> dict:
    return {"type": kind, "kwargs": kwargs, "meta": {"dimension": dimension, "severity": "error",
                                                     "description": description}}


def suite_json(request: ProductRequest, observed_min: Mapping[str, float]) -> str:
    """A starter suite: the key present and unique, at least one row, and one validity rule per typed column
    (numbers not below the smallest value seen at scaffolding, floored at 0 when none was negative; dates
    and times not after the run's as-of instant; masked PII masked). Each of them fails on bad rows."""
    key = request.main.key
    expectations = []
    if key:
        expectations += [
            _expectation("expect_column_values_to_not_be_null", {"column": key}, "completeness", f"{key} is always present"),
            _expectation("expect_column_values_to_be_unique", {"column": key}, "uniqueness",
                         f"one row per {singular(request.main.table.name)}"),
        ]
    expectations.append(_expectation("expect_table_row_count_to_be_between", {"min_value": 1}, "completeness",
                                      "at least one row"))
    computed = {}
    for column in request.columns:
        kind = column.contract_type.split("(")[0]
        if column.name in request.pii_columns:
            if column.contract_type == "varchar":
                expectations.append(_expectation("expect_column_values_to_be_in_set",
                                                 {"column": column.name, "value_set": [REDACTED]}, "validity",
                                                 f"{column.name} is masked ({REDACTED})"))
        elif kind in NUMERIC_TYPES and column.name in observed_min:
            floor = 0 if observed_min[column.name] >= 0 else int(observed_min[column.name] // 1)
            expectations.append(_expectation("expect_column_values_to_be_between",
                                             {"column": column.name, "min_value": floor}, "validity",
                                             f"{column.name} is never below {floor}"))
        elif kind.startswith(_TEMPORAL):
            name = f"{column.name}_after_as_of"
            computed[name] = f"case when {column.name} > as_of() then {column.name} end"
            expectations.append(_expectation("expect_column_values_to_be_null", {"column": name}, "validity",
                                             f"{column.name} is never later than the as-of instant"))
    suite = {"name": f"{request.id}.{request.id}", "meta": {"computed_columns": computed}, "expectations": expectations}
    if not computed:
        del suite["meta"]
    return json.dumps(suite, indent=2) + "\n"
