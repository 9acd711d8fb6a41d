# Convenience targets; each creates .venv itself. CI runs .ci/run.
VENV := .venv
PY := $(VENV)/bin/python

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV) && $(VENV)/bin/pip install -q -e '.[dev]' && touch $@

.PHONY: run test lint eval bench
run: $(VENV)/.installed
	$(VENV)/bin/counterclaim demo
test: $(VENV)/.installed
	$(VENV)/bin/pytest -q
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/mypy
eval: $(VENV)/.installed
	$(PY) benchmarks/gate.py --check gold && $(PY) benchmarks/gate.py --check seed && $(PY) benchmarks/gate.py --check dev
bench: $(VENV)/.installed
	$(PY) benchmarks/throughput.py && $(PY) benchmarks/idetect.py
