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
	@# The test matrix's second pandas: 2.x beside the installed 3.x (tests/test_pandas2.py runs the
	@# writer and round-trip tests with it first on the path; pandas 2 keeps text as object dtype).
	$(PY) -m pip install --quiet --no-deps --upgrade --target $(VENV)/pandas2 'pandas>=2.2,<3' pytz
	@# Charts need a Chinese font: install Debian's WenQuanYi Micro Hei when none is found and we may.
	@$(PY) -c "from qstrong.charts import cjk_font; cjk_font()" 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "安装中文字体 fonts-wqy-microhei …"; \
	    (apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1 || \
	     (apt-get update -qq && apt-get install -y -qq fonts-wqy-microhei >/dev/null)); \
	  else echo "提示：未找到中文字体，图表需要。请安装 fonts-wqy-microhei 或设置 QSTRONG_CJK_FONT。"; fi; }
	touch $(STAMP)

demo: $(STAMP)
	@echo "== 1. 各部门报回的示例模板（示例数据，虚构）→ 校验汇总 =="
	$(VENV)/bin/qstrong intake data/sample/submissions --year 2022 --out reports/intake_panel.csv --report reports/intake_report.xlsx
	@echo "== 2. 对标：山东省136个县（市、区）（随包附带，含合成数据）——以下各步用同一对标，计分 =="
	$(VENV)/bin/qstrong score reports/intake_panel.csv --county 临淄区 --peer-panel shandong --peers shandong
	@echo "== 3. 同一对标，失分分析 =="
	$(VENV)/bin/qstrong gaps reports/intake_panel.csv --county 临淄区 --peer-panel shandong --peers shandong --out reports/gaps.xlsx --charts reports/charts
	@echo "== 4. 同一对标，部门任务包：每个责任部门一个Excel（指标、措施、未报数据、填报情况、通知） =="
	$(VENV)/bin/qstrong tasks reports/intake_panel.csv --county 临淄区 --peer-panel shandong --peers shandong --intake data/sample/submissions --target 85 --deadline 2023-03-31 --out reports/部门任务包
	@echo "== 5. 同一对标，领导简报（Word，至多两页A4；示例数据） =="
	$(VENV)/bin/qstrong brief data/sample/zibo_panel.csv --county 临淄区 --intake data/sample/submissions --peer-panel shandong --peers shandong --year 2022 --out reports/简报.docx
	@echo "== 6. 同一对标，生成离线HTML报告（差距、情景与预测、敏感性、部门任务；示例面板只补临淄区历年数据） =="
	$(VENV)/bin/qstrong report --county 临淄区 --intake data/sample/submissions --panel data/sample/zibo_panel.csv --peer-panel shandong --peers shandong --year 2022 --out reports
	@echo "== 7. 年鉴/公报表格导入对标面板（真实数据，GBK，单位万元；按区划沿革识别县名，逐值记录来源），再用导入后的面板计分 =="
	$(VENV)/bin/qstrong peers import data/sample/yearbook/2022年部分县主要经济指标.csv --year 2022 --map data/sample/yearbook/mapping.yaml --out reports/对标面板_导入.csv --report reports/导入报告.xlsx
	$(VENV)/bin/qstrong score reports/intake_panel.csv --county 临淄区 --peer-panel reports/对标面板_导入.csv --peers shandong
	@echo "== 8. 交互探索：在本机浏览器中改动数据项，总分、排名和失分随即更新（不联网；按 Ctrl+C 结束）。启动： =="
	@echo "   $(VENV)/bin/qstrong explore reports/intake_panel.csv --county 临淄区 --peer-panel shandong --peers shandong"

test: $(STAMP)
	$(VENV)/bin/ruff check qstrong tests
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) -m qstrong.bench score
	$(PY) -m qstrong.bench intake
	$(PY) -m qstrong.bench sensitivity
	$(PY) -m qstrong.bench report
	$(PY) -m qstrong.bench explore

clean:
	rm -rf $(VENV) build *.egg-info
