# Two commands do everything on a fresh Debian/Ubuntu machine with Python 3.11:
#   make report   — set up, then render the default reports (Blekinge, report year from analysis.yml)
#   make test     — set up, then run the test suite (what CI runs)
#   make test-fast — the quick tests only (not e2e, not slow), for the edit-test loop
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV := .tools/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
export UV_LINK_MODE := copy
ANALYSIS := $(VENV)/bin/analysis

.PHONY: help install dev report system-deps test test-fast data clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	@bash scripts/bootstrap.sh

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --inexact --extra test --python "$$(cat .tools/python)"
	@touch $@

install: $(VENV)/.installed  ## create .venv with the batch and test dependencies
	@$(VENV)/bin/python -m compileall -q src  # our modules' bytecode, as uv compiles the dependencies' (≈ 0,08 CPU-s per process that imports them, where PYTHONDONTWRITEBYTECODE is set)

dev: install  ## also install JupyterLab and ruff (authoring tools)
	$(UV) sync --frozen --inexact --extra test --extra dev

system-deps:  ## install chromium (the accessibility test, optional kaleido PNGs) and poppler when missing
	@bash scripts/system-deps.sh

report: install  ## render the default reports: Blekinge's kommuner, the county report, the index (no browser needed)
	$(ANALYSIS) render

test: install system-deps  ## run the tests
	$(VENV)/bin/python -m pytest

test-fast: install  ## run the quick tests only (-m "not e2e and not slow"); make test runs everything
	$(VENV)/bin/python -m pytest -q -m "not e2e and not slow"

data: install  ## rebuild data/tidy/integration.csv from data/raw and the example generator
	$(ANALYSIS) build-data

clean:  ## remove environments and rendered output
	rm -rf .tools $(VENV) reports/20[0-9][0-9] .pytest_cache
