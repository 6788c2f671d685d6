# Two entry points (see README): `make up` runs Krafter's embedded default, `make test` the whole suite.
# Everything heavy is cached outside the repo: $KRAFTER_CACHE (default ~/.cache/krafter),
# ~/.m2 (Maven), ~/go and ~/.cache/go-build (Go).
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: setup prepare lint check test up down crds manifests golden monitoring bench image clean
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

# The fast loop: lint and the unit tier (under a minute).
check: lint
	$(PY) -m pytest -m unit -q

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
	$(PY) -m krafter.api.kubetypes
	$(VENV)/bin/krafter crds --output-dir install/crds
	$(VENV)/bin/krafter crds --output-dir charts/krafter/crds

# install/operator is rendered from the Helm chart, so the two can never disagree.
manifests: setup
	$(PY) -m krafter.testing.manifests > install/operator/020-krafter-operator.yaml

# The operator image (also the Kafka Pods' init container). The tag is the package version;
# IMAGE_REPOSITORY defaults to the one the chart names (krafter.core.images). Push it and set
# the chart's image.repository to the same value (install/README.md).
IMAGE_REPOSITORY ?= $(shell $(PY) -c 'from krafter.core import images; print(images.OPERATOR_REPOSITORY)')
IMAGE_TAG ?= $(shell $(PY) -c 'from krafter._version import __version__; print(__version__)')
CONTAINER_TOOL ?= $(shell command -v docker || command -v podman || command -v buildah)
image: setup
	@test -n "$(CONTAINER_TOOL)" || { echo "make image needs docker, podman or buildah"; exit 1; }
	$(CONTAINER_TOOL) $(if $(findstring buildah,$(CONTAINER_TOOL)),bud,build) -t $(IMAGE_REPOSITORY):$(IMAGE_TAG) .
	@echo "built $(IMAGE_REPOSITORY):$(IMAGE_TAG); push it, then: helm install krafter charts/krafter --set image.repository=$(IMAGE_REPOSITORY)"

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build src/*.egg-info
