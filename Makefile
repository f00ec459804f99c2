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
	@echo "== 1. 各部门报回的示例模板（示例数据，虚构）→ 校验汇总 =="
	$(VENV)/bin/qstrong intake data/sample/submissions --year 2022 --out reports/intake_panel.csv --report reports/intake_report.xlsx
	@echo "== 2. 以淄博市其他区县（示例数据）为对标，计分 =="
	$(VENV)/bin/qstrong score reports/intake_panel.csv --county 临淄区 --peer-panel data/sample/zibo_panel.csv

test: $(STAMP)
	$(VENV)/bin/ruff check qstrong tests
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) -m qstrong.bench score
	$(PY) -m qstrong.bench intake

clean:
	rm -rf $(VENV) build *.egg-info
