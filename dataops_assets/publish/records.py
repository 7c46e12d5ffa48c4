"""What is published: the version `current` names and its `_publication.json` record, for readers.

    <published>/<product>/<model>/v=<n>/_publication.json   the record
                                  v=<n>/data.parquet          unpartitioned
                                  v=<n>/<column>=<value>/data_0.parquet   partitioned (hive style)
                                  current                     one line, "v=<n>"

`snapshots.publish_snapshot` writes them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

POINTER = "current"
RECORD = "_publication.json"
VERSION_NAME = re.compile(r"^v=(\d+)$")
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Publication:
    """One published version of a model, as its `_publication.json` records it."""

    product: str
    model: str
    version: int
    path: Path  # the v=<n> folder
    rows: int
    partition_column: str | None
    partition_rows: dict[str, int] = field(default_factory=dict)  # folder value, e.g. "2026-11-01" -> rows
    partitions_written: tuple[str, ...] = ()  # written by this publication; the rest were carried over
    run_id: str = ""
    published_at: str = ""  # UTC, ISO 8601 seconds, "Z"
    checks: tuple[dict, ...] = ()  # the check results it passed, as the caller gave them

    def to_json(self) -> dict[str, Any]:
        return {"product": self.product, "model": self.model, "version": self.version, "path": str(self.path),
                "rows": self.rows, "partition_column": self.partition_column, "partition_rows": self.partition_rows,
                "partitions_written": list(self.partitions_written), "run_id": self.run_id,
                "published_at": self.published_at, "checks": list(self.checks)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any], path: Path) -> Publication:
        return cls(product=data["product"], model=data["model"], version=int(data["version"]), path=path,
                   rows=int(data["rows"]), partition_column=data.get("partition_column"),
                   partition_rows={str(k): int(v) for k, v in (data.get("partition_rows") or {}).items()},
                   partitions_written=tuple(data.get("partitions_written") or ()), run_id=data.get("run_id", ""),
                   published_at=data.get("published_at", ""), checks=tuple(dict(c) for c in data.get("checks") or ()))


def current_version(published_dir: Path, product: str, model: str) -> int | None:
    """The version number `current` names (its pointer alone read), or None when nothing was published."""
    pointer = Path(published_dir) / product / model / POINTER
    try:
        name = pointer.read_text().strip()
    except FileNotFoundError:
        return None
    match = VERSION_NAME.match(name)
    if not match or not (pointer.parent / name / RECORD).is_file():
        raise ValueError(f"{pointer}: expected the name of a published version folder, got {name!r}")
    return int(match.group(1))


def read_publication(folder: Path) -> Publication:
    """The record of one version folder (v=<n>)."""
    record = Path(folder) / RECORD
    try:
        return Publication.from_json(json.loads(record.read_text()), Path(folder))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ValueError(f"{record}: malformed publication record; expected the JSON publish_snapshot wrote") from None


def current_publication(published_dir: Path, product: str, model: str) -> Publication | None:
    """The version `current` names, or None when nothing was published."""
    version = current_version(published_dir, product, model)
    return None if version is None else read_publication(Path(published_dir) / product / model / f"v={version}")


def list_publications(published_dir: Path, product: str | None = None) -> list[Publication]:
    """The current publication of every model (of one product), sorted by product and model."""
    if product is not None and not IDENTIFIER.match(product):
        return []  # never published: publish_snapshot refuses such a name (and it would be a glob here)
    root = Path(published_dir)
    found = []
    for pointer in sorted(root.glob(f"{product or '*'}/*/{POINTER}")):
        publication = current_publication(root, pointer.parent.parent.name, pointer.parent.name)
        if publication is not None:
            found.append(publication)
    return found


def versions(published_dir: Path, product: str, model: str) -> list[int]:
    """Complete version folders present (renamed into place, record inside), ascending."""
    folder = Path(published_dir) / product / model
    if not folder.is_dir():
        return []
    return sorted(int(m.group(1)) for p in folder.iterdir() if (m := VERSION_NAME.match(p.name)) and (p / RECORD).is_file())


def current_files(publication: Publication) -> list[Path]:
    """The Parquet files of a version, for readers."""
    return sorted(publication.path.rglob("*.parquet"))
