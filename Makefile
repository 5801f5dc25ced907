# Two commands for a fresh machine: `make demo` and `make test`.
# Both install into .venv/ from the lock file (uv.lock) first.

PYTHON ?= python3
VENV := .venv
UV_VERSION := 0.13.9
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit install bench clean lock schema

$(STAMP): pyproject.toml uv.lock
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	@test -x $(UV) || $(VENV)/bin/python -m pip install --quiet "uv==$(UV_VERSION)"
	@UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --inexact --compile-bytecode --quiet
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/followup demo

lint: $(STAMP)
	$(VENV)/bin/ruff check flows tests benchmarks
	$(VENV)/bin/ruff format --check flows tests benchmarks

typecheck: $(STAMP)
	$(VENV)/bin/mypy

test: lint typecheck
	$(VENV)/bin/pytest -n 2 --dist loadgroup

bench: $(STAMP)
	$(VENV)/bin/python benchmarks/parse.py
	$(VENV)/bin/python benchmarks/mailbox.py
	$(VENV)/bin/python benchmarks/compile.py
	$(VENV)/bin/python benchmarks/status.py
	$(VENV)/bin/python benchmarks/sender.py

schema: $(STAMP)
	$(VENV)/bin/python -m flows.schema config/schema

lock:
	$(UV) lock

clean:
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache
