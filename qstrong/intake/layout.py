"""The layout of a department template — shared by the writer (templates) and the reader (intake).

Loading never depends on Chinese labels or row order: rows are found by the measure id column,
columns by their header text in HEADER_ROW, the workbook by its hidden metadata sheet.
"""

from __future__ import annotations

TEMPLATE_VERSION = "1"

SHEET_GUIDE = "填报说明"
SHEET_DATA = "填报"
SHEET_META = "_meta"          # hidden: template version, department, county, year, fingerprint

TITLE_ROW = 1
HEADER_ROW = 3
FIRST_ROW = 4

# (header, width) in column order; VALUE, EVIDENCE and REMARK are the only unlocked cells.
COLUMNS = [("序号", 6), ("指标", 30), ("数据项", 48), ("单位", 8), ("填报值", 16), ("佐证材料", 30),
           ("备注", 24), ("数据项编号", 34), ("填报要求", 36)]
COL_INDEX = {name: k + 1 for k, (name, _) in enumerate(COLUMNS)}
VALUE = "填报值"
EVIDENCE = "佐证材料"
REMARK = "备注"
MEASURE_ID = "数据项编号"
INPUT_COLUMNS = (VALUE, EVIDENCE, REMARK)

# The metadata sheet holds key/value rows in columns A/B.
META_KEYS = ("template_version", "department", "county", "year", "catalog_fingerprint", "generated_by")

# Input fields of the guide sheet: label in column A, the department's answer in column B.
GUIDE_FIELDS = ("填报单位", "填报人", "联系电话", "填报日期")

MASTER = "全部数据项（领导小组办公室汇总）"
PERCENT_FORMAT = "0.0%"

BOOL_CHOICES = ("是", "否")
