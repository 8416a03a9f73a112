# Achievement Collector: `make local` runs the app, `make test` tests it (both install what they need).
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The Lambda runtime's Python (template.yaml: python3.12); tests run on the same one.
PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12.*/bin/python3.12) $(shell command -v python3.12 2>/dev/null))
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)
export SAM_CLI_TELEMETRY := 0
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help install local test test-unit test-integration lint format typecheck imports validate build check invoke bench clean openapi schemas

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

install: $(STAMP) node_modules/.installed .system-deps  ## everything the app and its tests need

.system-deps:
	@command -v java >/dev/null || { apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless; }
	@command -v prometheus >/dev/null && command -v promtool >/dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus; }
	@command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm; }
	@command -v chromium >/dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	@touch $@

$(STAMP): requirements-dev.txt layers/core/requirements.txt
	@test -n "$(PYTHON)" || { echo "Python 3.12 not found (pyenv install 3.12 or set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	@touch $@

node_modules/.installed: package.json package-lock.json | .system-deps
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

local: install  ## run the whole app on 127.0.0.1:3000 (DynamoDB Local, every API route); Ctrl-C stops
	$(BIN)/python -m devstack

test: install  ## the whole test suite: unit (moto) + integration (DynamoDB Local, Prometheus, fake OpenAI)
	$(BIN)/python -m pytest -n 2

test-unit: install  ## unit tests only (moto, no servers)
	$(BIN)/python -m pytest -n 2 tests/unit

test-integration: install  ## integration tests only
	$(BIN)/python -m pytest -n 2 tests/integration

lint: install  ## ruff lint + format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install  ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: install  ## mypy with the pydantic plugin
	$(BIN)/mypy layers/core/achievements functions devstack bench

imports: install  ## the import contracts (pyproject.toml [tool.importlinter]): pure files, features, kernel
	PYTHONPATH=layers/core $(BIN)/lint-imports --no-cache

openapi: install  ## regenerate shared/openapi.json from the code (a unit test fails when it drifts)
	$(BIN)/python -m devstack.openapi

schemas: install  ## regenerate shared/events/*.schema.json (the bus's events) from the code (a unit test checks)
	$(BIN)/python -m devstack.event_schemas

validate: install  ## sam validate --lint (cfn-lint)
	$(BIN)/sam validate --lint

build: install  ## sam build (functions + the core layer)
	$(BIN)/sam build

check: lint typecheck imports validate build  ## everything CI checks besides the tests

invoke: build  ## invoke one function from the build output: make invoke FN=ThreadsWebhookFunction EVENT=events/threads_track.json
	$(BIN)/python -m devstack.invoke $(FN) $(EVENT)

clean:  ## remove build output and local data
	rm -rf .aws-sam .local .pytest_cache .mypy_cache .ruff_cache

bench: install  ## every benchmark under bench/, one after another (each prints its ratios; a few minutes)
	@for name in cold_start snapstart round_trips insights people reviews prometheus_scrape threads_sync deep_analysis github_webhook access load pipeline; do \
		echo "== bench.$$name"; $(BIN)/python -m bench.$$name || exit 1; done
