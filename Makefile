# platform-maturity developer entry points. `make demo` and `make test` set everything up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
POSTGRES_URL ?= postgresql+psycopg://root@127.0.0.1:5432/test

.PHONY: demo test lint typecheck gold-update docs system-deps clean bench-scan bench-probes bench-kpi

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP) ## create the demo organization, print its scorecard, write the reports
	$(BIN)/maturity demo

system-deps: ## Chromium (browser tests), Prometheus (collector tests), gnupg (signing): Debian packages, when root and missing
	@scripts/ensure-system-deps.sh
	@scripts/ensure-gnupg.sh

test: $(STAMP) system-deps ## all tests; store tests run on SQLite and PostgreSQL
	MATURITY_TEST_POSTGRES_URL=$${MATURITY_TEST_POSTGRES_URL:-$(POSTGRES_URL)} $(BIN)/pytest -q -n 2
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/ruff format --check src tests scripts benchmarks
	$(BIN)/mypy src
	$(BIN)/lint-imports

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/ruff format --check src tests scripts benchmarks
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy src

gold-update: $(STAMP) ## rewrite the gold files of rendered outputs
	MATURITY_GOLD_UPDATE=1 $(BIN)/pytest -q tests/test_reports_gold.py tests/test_backlog_gold.py \
		tests/test_backlog_importers.py tests/test_kpi_gold.py tests/test_importer_fixtures.py

docs: $(STAMP) ## regenerate the framework reference and the report schema
	$(BIN)/python scripts/gen_docs.py

bench-scan: $(STAMP) ## scan speed against Checkov (installed into .bench/) and on 1,000 repositories
	$(BIN)/python benchmarks/bench_scan.py

bench-probes: $(STAMP) ## HTTP probe speed against the Prometheus blackbox exporter (Debian package)
	$(BIN)/python benchmarks/bench_probes.py

bench-kpi: $(STAMP) ## import 1,000,000 work items and compute every KPI, against pandas
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	$(BIN)/python benchmarks/bench_kpi.py

clean:
	rm -rf $(VENV) maturity-demo .pytest_cache .mypy_cache .ruff_cache
