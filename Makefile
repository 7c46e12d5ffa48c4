# `make run` sets everything up and materializes every product; `make test` runs the tests.
# Every variable below can be overridden from the environment or the command line.

PYTHON ?= python3.11
VENV ?= .venv
DATAOPS_HOME ?= $(CURDIR)/.dataops
DAGSTER_HOME ?= $(DATAOPS_HOME)/dagster
SCALE ?= 1
SEED ?= 42
PYTEST_ARGS ?=
# Test processes (pytest-xdist); 0 runs the suite in this process. Tests wait on dbt and Dagster
# subprocesses much of the time: 3 keep 2 cores busy.
TEST_WORKERS ?= 3
PARTITION ?=
PARTITION_RANGE ?=
UI_PORT ?= 3000
SERVE_PORT ?= 8000
LOG_LEVEL ?= INFO
# The dbt output every part of a run uses: duckdb (embedded, the default) or spark (Apache Spark in a local
# session: installs the spark extra, needs Java 17 or 21; README "Scale out").
TARGET ?= $(or $(DATAOPS_TARGET),duckdb)

# Absolute, so targets that change directory and dbt's subprocesses agree on the paths.
override DATAOPS_HOME := $(abspath $(DATAOPS_HOME))
override DAGSTER_HOME := $(abspath $(DAGSTER_HOME))
override DATAOPS_TARGET := $(TARGET)
export DATAOPS_HOME DAGSTER_HOME DATAOPS_TARGET

BIN := $(VENV)/bin
COMMA := ,
EXTRAS := dev$(if $(filter spark,$(TARGET)),$(COMMA)spark)
INSTALLED := $(VENV)/.installed-$(subst $(COMMA),-,$(EXTRAS))

.PHONY: run test test-spark materialize data install instance parse ui serve bench test-deps clean

# Every partition of the generated window: build, audit and publish everything.
run: install data
	$(MAKE) materialize PARTITION_RANGE=all

test: install test-deps
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The spark group: every product on Spark beside DuckDB, equal to the cent (tests/spark). Installs the spark
# extra; skipped, with the reason, without Java 17 or 21.
test-spark:
	$(MAKE) install TARGET=spark
	$(BIN)/pytest -m spark -n 0 $(PYTEST_ARGS)

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[$(EXTRAS)]'
	touch $@

data: install
	$(BIN)/dataops generate --scale $(SCALE) --seed $(SEED)

# The Dagster instance, and the PII masking key ($(DATAOPS_HOME)/masking.key, owner-only) unless one exists
# or DATAOPS_MASKING_KEY is set: publishing without a key fails.
instance: install
	mkdir -p $(DAGSTER_HOME)
	cp dagster.yaml $(DAGSTER_HOME)/dagster.yaml
	test -n "$$DATAOPS_MASKING_KEY" || $(BIN)/python -m dataops_assets.governance.masking

parse: install
	$(BIN)/python -m dataops_assets.dbt.manifest

# Materializes every asset from what is in the landing zone now (no data generation): one
# `dagster asset materialize` per partitions definition (unpartitioned, daily, monthly), the latest
# partition by default; PARTITION=YYYY-MM-DD or PARTITION_RANGE=START...END (or all) to choose.
materialize: install instance parse
	$(BIN)/dataops materialize $(if $(PARTITION),--partition $(PARTITION)) \
	  $(if $(PARTITION_RANGE),--partition-range $(PARTITION_RANGE)) --log-level $(LOG_LEVEL); \
	  status=$$?; $(BIN)/dataops summary; exit $$status

# Started from DAGSTER_HOME: `dagster dev` warns when the folder it starts in holds a dagster.yaml
# other than DAGSTER_HOME's (the repository's is the template `make instance` copies).
ui: install instance parse
	cd $(DAGSTER_HOME) && PATH=$(CURDIR)/$(BIN):$$PATH $(CURDIR)/$(BIN)/dagster dev -w $(CURDIR)/workspace.yaml -h 127.0.0.1 -p $(UI_PORT)

# The REST API, GraphQL and docs over what is published, on 127.0.0.1:$(SERVE_PORT) (keys: `dataops api-key`).
serve: install parse
	$(BIN)/dataops serve --port $(SERVE_PORT)

# At BENCH_SCALE (default 10): the full run and one daily partition vs. raw `dbt build` by phase
# (benchmarks/results/run_cost.{json,png}), then the quality checks alone vs. raw `dbt build`, then the
# dataset registry's queries at 10,000 datasets (benchmarks/results/registry_queries.json), then one
# lifecycle sensor tick at 1,000 datasets (benchmarks/results/lifecycle_sensor_tick.json), then `/data`
# latency under 50 clients, idle and during a full run (benchmarks/results/serving_latency.{json,png}), then
# DuckDB vs Spark on the same data at scales 0.01, 1 and 10 (benchmarks/results/scale_out.json; Spark needs
# `make install TARGET=spark` and Java, else only DuckDB is measured and the table says why).
BENCH_SCALE ?= 10
BENCH_HOME ?= $(CURDIR)/.dataops-bench
bench: install parse
	DATAOPS_HOME=$(BENCH_HOME) $(BIN)/python benchmarks/run_cost.py --scale $(BENCH_SCALE) --home $(BENCH_HOME)
	DATAOPS_HOME=$(BENCH_HOME) $(BIN)/python benchmarks/quality_checks.py --scale $(BENCH_SCALE) --home $(BENCH_HOME)
	$(BIN)/python benchmarks/registry_queries.py --datasets 10000
	$(BIN)/python benchmarks/lifecycle_sensor_tick.py --datasets 1000
	$(BIN)/python benchmarks/serving_latency.py --home $(BENCH_HOME)
	$(BIN)/python benchmarks/scale_out.py --root $(CURDIR)/.dataops-scale-out

# Debian's chromium for the end-to-end browser test (Playwright drives it; no browser download).
test-deps:
	command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

clean:
	rm -rf $(DATAOPS_HOME) dbt_project/target dbt_project/logs
