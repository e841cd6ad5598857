# LinkPass Flow — one entry point for setup, tests, lint, the dev server and benchmarks.
# Works on a fresh Debian 12 machine: every target installs what it needs (stamp files make the
# second run fast). `make help` lists the targets.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.11 (pyenv shim on these machines; fall back to a pyenv install not on PATH).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || ls -d $(HOME)/.pyenv/versions/3.11*/bin/python3.11 2>/dev/null | tail -n 1)
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
RUFF := $(VENV)/bin/ruff
LINT_IMPORTS := $(VENV)/bin/lint-imports

VENV_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
VENDOR_DIR := service/web/static/vendor
VENDOR_STAMP := $(VENDOR_DIR)/versions.json

# Second pytest run; the suite uses SQLite when TEST_DATABASE_URL is unset.
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# The reliability run's own database: dropped and created anew by every run.
RELIABILITY_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/linkpass_reliability
# Extra pytest arguments, e.g. `make test-sqlite PYTEST_ARGS='-k inbox -x'`.
PYTEST_ARGS ?=

HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: help setup venv assets browser test test-sqlite test-pg test-reliability lint format run bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# ---------------------------------------------------------------- setup

setup: venv assets ## .venv with the project (editable, dev extra) + browser assets

venv: $(VENV_STAMP) ## .venv with `pip install -e .[dev]` (re-run when pyproject.toml changes)

$(VENV_STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "error: python3.11 not found" >&2; exit 1; fi
	@if ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then \
		echo ">> creating $(VENV) with $(PYTHON)"; \
		rm -rf $(VENV) && $(PYTHON) -m venv $(VENV) && \
		$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip; \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

assets: $(VENDOR_STAMP) ## npm ci (when package-lock.json changed) + copy dist files into service/web/static/vendor/

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

$(VENDOR_STAMP): $(NODE_STAMP) scripts/copy_assets.py
	$(PYTHON) scripts/copy_assets.py

browser: ## apt-install Debian chromium + fonts-noto-cjk when missing
	@bash scripts/install_browser.sh

# ---------------------------------------------------------------- checks

# Canned recipes shared by `test`, `test-sqlite` and `test-pg`.
define pytest_sqlite
	@mkdir -p test-artifacts
	@echo ">> pytest on SQLite"
	env -u TEST_DATABASE_URL $(PY) -m pytest $(PYTEST_ARGS)
endef

# Fails when PostgreSQL is unreachable under CI=true; otherwise skips loudly.
define pytest_pg
	@mkdir -p test-artifacts
	@if $(PY) -c 'import re, sys, psycopg; psycopg.connect(re.sub(r"^postgresql\+\w+", "postgresql", sys.argv[1]), connect_timeout=5).close()' '$(TEST_DATABASE_URL)' 2>$(VENV)/.pg-check.err; then \
		echo ">> pytest on PostgreSQL: TEST_DATABASE_URL='$(TEST_DATABASE_URL)' $(PY) -m pytest $(PYTEST_ARGS)"; \
		TEST_DATABASE_URL='$(TEST_DATABASE_URL)' $(PY) -m pytest $(PYTEST_ARGS); \
	elif [ "$${CI:-}" = "true" ]; then \
		echo "ERROR: PostgreSQL unreachable at $(TEST_DATABASE_URL) and CI=true: failing." >&2; \
		cat $(VENV)/.pg-check.err >&2; exit 1; \
	else \
		echo "################################################################################"; \
		echo "## WARNING: PostgreSQL unreachable at $(TEST_DATABASE_URL)"; \
		echo "## SKIPPING the PostgreSQL test run (it is mandatory when CI=true)."; \
		sed 's/^/##   /' $(VENV)/.pg-check.err | tail -n 3; \
		echo "################################################################################"; \
	fi
endef

# The reliability run (tests/reliability/run.py, ~4 min); PostgreSQL checked like pytest_pg
# (through its `postgres` database: the run's own one is created by the run).
define reliability
	@mkdir -p test-artifacts
	@if $(PY) -c 'import re, sys, psycopg; psycopg.connect(re.sub(r"^postgresql\+\w+", "postgresql", sys.argv[1]).rsplit("/", 1)[0] + "/postgres", connect_timeout=5).close()' '$(RELIABILITY_DATABASE_URL)' 2>$(VENV)/.pg-check.err; then \
		echo ">> reliability run: RELIABILITY_DATABASE_URL='$(RELIABILITY_DATABASE_URL)' $(PY) tests/reliability/run.py"; \
		RELIABILITY_DATABASE_URL='$(RELIABILITY_DATABASE_URL)' $(PY) tests/reliability/run.py; \
	elif [ "$${CI:-}" = "true" ]; then \
		echo "ERROR: PostgreSQL unreachable at $(RELIABILITY_DATABASE_URL) and CI=true: failing." >&2; \
		cat $(VENV)/.pg-check.err >&2; exit 1; \
	else \
		echo "################################################################################"; \
		echo "## WARNING: PostgreSQL unreachable at $(RELIABILITY_DATABASE_URL)"; \
		echo "## SKIPPING the reliability run (it is mandatory when CI=true)."; \
		sed 's/^/##   /' $(VENV)/.pg-check.err | tail -n 3; \
		echo "################################################################################"; \
	fi
endef

# pytest's exit code 5 (no tests collected) fails the target like any other non-zero code.
test: setup browser ## ruff check, lint-imports, pytest on SQLite, on PostgreSQL, reliability run
	$(RUFF) check .
	$(LINT_IMPORTS)
	$(pytest_sqlite)
	$(pytest_pg)
	$(reliability)

test-sqlite: setup browser ## pytest on SQLite (TEST_DATABASE_URL unset)
	$(pytest_sqlite)

test-pg: setup browser ## pytest on PostgreSQL (TEST_DATABASE_URL, default local db `test`)
	$(pytest_pg)

test-reliability: venv ## 2 servers + 2 workers on PostgreSQL, 20 clients, kill -9 midway (~4 min)
	$(reliability)

lint: venv ## ruff check + ruff format --check + lint-imports
	$(RUFF) check .
	$(RUFF) format --check .
	$(LINT_IMPORTS)

format: venv ## ruff format + ruff check --fix
	$(RUFF) format .
	$(RUFF) check --fix .

# ---------------------------------------------------------------- run

# SQLite lives under instance/. SECRET_KEY: the environment's, else a random one generated once
# into instance/secret_key. The timer worker runs in the background and is stopped with the server.
run: setup ## migrate, seed demo data, deploy processes/, start worker + server on 127.0.0.1:5000
	@mkdir -p instance
	@if [ -z "$${SECRET_KEY:-}" ] && [ ! -s instance/secret_key ]; then \
		echo ">> generating instance/secret_key"; \
		(umask 077 && $(PY) -c 'import secrets; print(secrets.token_hex(32))' > instance/secret_key); \
	fi
	set -euo pipefail; \
	export SECRET_KEY="$${SECRET_KEY:-$$(cat instance/secret_key)}"; \
	export PUBLIC_BASE_URL="$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)}"; \
	export FLASK_APP=wsgi FLASK_DEBUG=0; \
	$(FLASK) db upgrade; \
	$(FLASK) --app wsgi seed-demo; \
	$(FLASK) --app wsgi deploy processes/; \
	$(FLASK) --app wsgi worker & worker_pid=$$!; \
	trap 'kill $$worker_pid 2>/dev/null || true; wait $$worker_pid 2>/dev/null || true' EXIT; \
	trap 'exit 130' INT; trap 'exit 143' TERM; \
	$(FLASK) --app wsgi run --host $(HOST) --port $(PORT)

bench: setup ## run the benchmarks (python -m bench), printing figures
	$(PY) -m bench

# ---------------------------------------------------------------- housekeeping

# Keeps instance/ (the SQLite database and secret key).
clean: ## remove .venv, node_modules, generated vendor assets, caches and test artifacts
	rm -rf $(VENV) node_modules $(VENDOR_DIR) $(VENDOR_DIR).tmp .pytest_cache .ruff_cache \
		htmlcov .coverage test-artifacts *.egg-info
	find . -path ./.git -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
