# orgsync.atlassian — build, test and demo commands. See `make help`.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
REQS := requirements-dev.txt
# The stamp's name carries the requirements file's hash: editing the pins makes a new stamp, so `make venv` reinstalls;
# otherwise it is a no-op.
REQS_HASH := $(shell sha256sum $(REQS) | cut -c1-16)
STAMP := $(VENV)/.installed-$(REQS_HASH)
# The release gates' tools (galaxy-importer, antsibull-docs) live in a venv of their own: see requirements-release.txt.
RELEASE_VENV := .venv-release
RELEASE_REQS := requirements-release.txt
RELEASE_STAMP := $(RELEASE_VENV)/.installed-$(shell sha256sum $(RELEASE_REQS) | cut -c1-16)
# pytest-xdist workers (the machine has 2 cores).
XDIST ?= -n auto
ANSIBLE_TEST_PYTHON ?= 3.11
# Extra arguments, e.g. `make sanity SANITY_ARGS="--test pylint"`, `make units PYTEST_ARGS="-k planner -x"`.
SANITY_ARGS ?=
PYTEST_ARGS ?=
export PYTEST_ARGS

.PHONY: help venv test lint sanity units integration demo emulator doc bench matrix release-check clean

help:
	@echo "make venv         create .venv from $(REQS) and $(RELEASE_VENV) from $(RELEASE_REQS) (instant when nothing changed)"
	@echo "make test         everything: lint + sanity, unit/emulator tests, integration tests (what CI runs)"
	@echo "make lint         ruff check + ruff format --check"
	@echo "make sanity       ansible-test sanity --python $(ANSIBLE_TEST_PYTHON) (offline, from build/ansible_test)"
	@echo "make units        pytest tests/unit tests/emulator"
	@echo "make integration  pytest tests/integration (built + installed collection against the emulator)"
	@echo "make demo         run playbooks/onboard.yml twice against the emulator seeded with the demo data"
	@echo "make emulator     the emulator with the demo data, for your own playbooks: prints what to export; Ctrl-C stops it"
	@echo "make doc MODULE=atlassian_group_member   ansible-doc of a module of this checkout (without MODULE: the list)"
	@echo "make bench        benchmark against scripts on the emulator (~8 min); writes docs/benchmarks.md"
	@echo "make matrix       sanity + unit tests on every ansible-core the collection claims (one venv each; minutes)"
	@echo "make release-check  the docsite build with the guides, on top of what make test's gates check"
	@echo "make clean        remove build/ and caches (keeps .venv)"

venv: $(STAMP) $(RELEASE_STAMP)

$(STAMP):
	@# A broken venv (its Python gone), or one that sees the system's site-packages, is rebuilt from scratch.
	@if [[ -e $(VENV) ]] && { ! $(VPY) -c 'import sys; sys.exit(sys.prefix == sys.base_prefix)' \
		|| grep -qi '^include-system-site-packages *= *true' $(VENV)/pyvenv.cfg; }; then \
		echo "recreating $(VENV)"; rm -rf $(VENV); fi
	@if [[ ! -x $(VPY) ]]; then echo "creating $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV); fi
	$(VPY) -m pip install --disable-pip-version-check -q -r $(REQS)
	@rm -f $(VENV)/.installed-*
	@touch $@

$(RELEASE_STAMP):
	@if [[ -e $(RELEASE_VENV) ]] && ! $(RELEASE_VENV)/bin/python -c 'import sys; sys.exit(sys.prefix == sys.base_prefix)'; then \
		echo "recreating $(RELEASE_VENV)"; rm -rf $(RELEASE_VENV); fi
	@if [[ ! -x $(RELEASE_VENV)/bin/python ]]; then $(PYTHON) -m venv $(RELEASE_VENV); fi
	$(RELEASE_VENV)/bin/python -m pip install --disable-pip-version-check -q -r $(RELEASE_REQS)
	@rm -f $(RELEASE_VENV)/.installed-*
	@touch $@

test: venv
	@PYTEST_XDIST="$(XDIST)" ANSIBLE_TEST_PYTHON=$(ANSIBLE_TEST_PYTHON) scripts/test.sh

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

sanity: venv
	scripts/ansible_test_offline.sh sanity --python $(ANSIBLE_TEST_PYTHON) --color no $(SANITY_ARGS)

units: venv
	$(VENV)/bin/pytest $(XDIST) $(PYTEST_ARGS) tests/unit $(wildcard tests/emulator)

integration: venv
	$(VENV)/bin/pytest $(XDIST) $(PYTEST_ARGS) tests/integration $(wildcard tests/bench)

demo: venv
	scripts/demo.sh

# In the foreground until Ctrl-C. SEED=<path> for another seed, PORT=<n> for a fixed port (default: a free one).
SEED ?=
PORT ?=
emulator: venv
	@SEED="$(SEED)" PORT="$(PORT)" scripts/emulator.sh

MODULE ?=
doc: venv
	@scripts/doc.sh $(MODULE)

# Not part of `make test` (tests/bench/ smoke-tests it). Its extra requirement is installed here only, constrained by
# $(REQS) so nothing the tests rely on moves. BENCH_ARGS, e.g. "--variants a,c --workloads W1", go to bench/run.py.
BENCH_ARGS ?=
bench: venv
	$(VPY) -m pip install --disable-pip-version-check -q -r bench/requirements.txt -c $(REQS)
	$(VPY) -m bench.run $(BENCH_ARGS)

# Not part of `make test`: one venv per ansible-core the collection claims (build/matrix/), sanity and unit tests in
# each. MATRIX="2.17 2.18" picks some. See scripts/matrix.sh and README "Supported versions".
MATRIX ?=
matrix: venv
	MATRIX="$(MATRIX)" scripts/matrix.sh

release-check: venv
	scripts/release_check.sh

clean:
	rm -rf build .pytest_cache .ruff_cache .hypothesis tests/output
	find . -path ./.venv -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
