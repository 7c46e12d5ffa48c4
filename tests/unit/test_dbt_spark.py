"""When the spark target cannot run here, one line says why (the extra, Java, its version)."""

from __future__ import annotations

import importlib.util

import pytest

from dataops_assets.dbt import spark


def fake_java(tmp_path, version_line: str) -> str:
    home = tmp_path / "jdk"
    (home / "bin").mkdir(parents=True)
    java = home / "bin" / "java"
    java.write_text(f"#!/bin/sh\necho '{version_line}' >&2\n")
    java.chmod(0o755)
    return str(home)


@pytest.fixture
def extra_installed(monkeypatch):
    monkeypatch.setattr(spark, "_importable", lambda module: True)


def test_java_17_or_later_is_enough(tmp_path, monkeypatch, extra_installed):
    monkeypatch.setenv("JAVA_HOME", fake_java(tmp_path, 'openjdk version "17.0.15" 2025-04-15'))
    assert spark.spark_unavailable() is None


@pytest.mark.parametrize(("line", "shown"), [('openjdk version "11.0.2" 2019-01-15', "Java 11"),
                                             ('java version "1.8.0_402"', "Java 8"),
                                             ("no version here", "Java of an unknown version")])
def test_an_old_or_unknown_java_is_named(tmp_path, monkeypatch, extra_installed, line, shown):
    monkeypatch.setenv("JAVA_HOME", fake_java(tmp_path, line))
    assert spark.spark_unavailable() == (f"DATAOPS_TARGET=spark: {tmp_path}/jdk/bin/java is {shown}; "
                                         "expected Java 17 or 21")


def test_no_java_is_named(tmp_path, monkeypatch, extra_installed):
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "nowhere"))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert spark.spark_unavailable() == "DATAOPS_TARGET=spark: no Java runtime on PATH or JAVA_HOME; expected Java 17 or 21"


def test_a_missing_extra_is_named(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert spark.spark_unavailable() == ("DATAOPS_TARGET=spark: dbt-spark and pyspark not installed; expected the "
                                         "spark extra: pip install -e '.[spark]' (or make install TARGET=spark)")
