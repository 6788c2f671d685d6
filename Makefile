# Two entry points (see README): `make up` runs Krafter's embedded default, `make test` the whole suite.
# Everything heavy is cached outside the repo: $KRAFTER_CACHE (default ~/.cache/krafter),
# ~/.m2 (Maven), ~/go and ~/.cache/go-build (Go).
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: setup prepare lint test up down crds manifests golden monitoring bench clean
QUICKSTART := examples/quickstart

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

prepare: setup
	$(PY) -m krafter.testing.prepare

lint: setup
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

test: prepare lint
	$(PY) -m pytest $(PYTEST_ARGS)

up: setup
	$(VENV)/bin/krafter up -f $(QUICKSTART)/kafka.yaml -f $(QUICKSTART)/topic.yaml -f $(QUICKSTART)/user.yaml
	$(VENV)/bin/krafter produce orders --cluster quickstart --listener scram --user app -m "hello from krafter"
	$(VENV)/bin/krafter consume orders --cluster quickstart --listener scram --user app --group app-quickstart --max-messages 1
	$(VENV)/bin/krafter status quickstart

down: setup
	$(VENV)/bin/krafter down quickstart

bench: prepare
	$(PY) -m bench

# Dashboards and alert rules (examples/metrics, charts/krafter/monitoring) from src/krafter/monitoring.
monitoring: setup
	$(PY) -m krafter.monitoring.files

golden: setup
	$(PY) -m tests.golden.regenerate

crds: setup
	$(VENV)/bin/krafter crds --output-dir install/crds
	$(VENV)/bin/krafter crds --output-dir charts/krafter/crds

# install/operator is rendered from the Helm chart, so the two can never disagree.
manifests: setup
	$(PY) -m krafter.testing.manifests > install/operator/020-krafter-operator.yaml

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build src/*.egg-info
