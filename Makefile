# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/qstrong score data/sample/zibo_panel.csv --county 临淄区

test: $(STAMP)
	$(VENV)/bin/ruff check qstrong tests
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) -m qstrong.bench score

clean:
	rm -rf $(VENV) build *.egg-info
