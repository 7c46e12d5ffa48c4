"""Whether the spark target can run here: the `[spark]` extra and a Java runtime Spark 4 supports."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path

MIN_JAVA = 17  # Spark 4 runs on Java 17 or 21
INSTALL_HINT = "pip install -e '.[spark]' (or make install TARGET=spark)"


def spark_unavailable() -> str | None:
    """None when the spark target can run; else the one-line reason it cannot."""
    missing = [name for name, module in (("dbt-spark", "dbt.adapters.spark"), ("pyspark", "pyspark"))
               if not _importable(module)]
    if missing:
        return f"DATAOPS_TARGET=spark: {' and '.join(missing)} not installed; expected the spark extra: {INSTALL_HINT}"
    java = java_executable()
    if java is None:
        return f"DATAOPS_TARGET=spark: no Java runtime on PATH or JAVA_HOME; expected Java {MIN_JAVA} or 21"
    version = java_major_version(java)
    if version is None or version < MIN_JAVA:
        return f"DATAOPS_TARGET=spark: {java} is Java {version or 'of an unknown version'}; expected Java {MIN_JAVA} or 21"
    return None


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


def java_executable() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def java_major_version(java: str) -> int | None:
    try:
        output = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', output)
    if not found:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major  # "1.8.0" is Java 8
