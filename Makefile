# MedSecurance toolbox — the two commands: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
MEDSEC := $(VENV)/bin/medsec
STAMP := $(VENV)/.installed
OUT ?= out

.PHONY: demo test lint typecheck unit bench clean setup graphviz

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -U 'pip>=25.1'
	$(PY) -m pip install -q --disable-pip-version-check -e '.[all]' --group dev
	@$(MAKE) --no-print-directory graphviz
	@touch $(STAMP)

# Diagrams use Graphviz's `dot`; install Debian's package when missing and we can (root + apt).
graphviz:
	@if command -v dot >/dev/null 2>&1; then exit 0; fi; \
	if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  echo "installing graphviz (dot) with apt-get"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null) \
	    || echo "could not install graphviz; reports will embed DOT source instead of diagrams"; \
	else echo "graphviz 'dot' not found; reports will embed DOT source instead of diagrams"; fi

demo: $(STAMP)
	@mkdir -p $(OUT)
	$(MEDSEC) vulndb import examples/advisories --db $(OUT)/demo-vulndb.sqlite
	$(MEDSEC) validate examples/hospital/model.yaml
	$(MEDSEC) analyze examples/hospital/model.yaml -o $(OUT)/hospital --vulndb $(OUT)/demo-vulndb.sqlite \
	  --format html,json,md,sarif
	$(MEDSEC) package examples/hospital/model.yaml --framework fda-premarket -o $(OUT)/hospital-fda-package \
	  --vulndb $(OUT)/demo-vulndb.sqlite
	@echo
	@echo "Demo done. The hospital example's report is at: $(OUT)/hospital/report.html"
	@echo "  (also $(OUT)/hospital/assessment.json, report.md and findings.sarif;"
	@echo "   FDA submission package: $(OUT)/hospital-fda-package/)"

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy

typecheck: lint

unit: $(STAMP)
	$(VENV)/bin/pytest

test: $(STAMP)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest

# The peer tool OWASP pytm is measured beside medsec; it lives in its own environment.
BENCH_VENV ?= .venv-bench
$(BENCH_VENV)/.installed:
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q --disable-pip-version-check 'pytm==1.4.0'
	@touch $@

bench: $(STAMP) $(BENCH_VENV)/.installed
	@for b in bench/bench_*.py; do echo "== $$b"; PYTM_PYTHON=$(BENCH_VENV)/bin/python $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) $(BENCH_VENV) $(OUT) .mypy_cache .ruff_cache
