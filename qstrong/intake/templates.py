"""Excel templates per responsible department, generated from the catalog (openpyxl).

Each workbook: a 填报说明 sheet, a protected 填报 sheet with one row per measure (only 填报值 /
佐证材料 / 备注 unlocked, data validation by kind), and a hidden metadata sheet.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import openpyxl
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation

from ..catalog import Catalog, load_catalog
from ..departments import assignment
from ..errors import InputError
from ..measures import Measure
from ..names import clean_text, normalise_name
from ..params import check_params
from ..paths import check_output
from ..writers import formula_like, os_problem, safe_text, write_atomic
from . import layout as L

INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
UNLOCKED = Protection(locked=False)
DEADLINE = "报送截止日期"          # its text is the deadline the office chose (not known at intake)

KIND_HELP = {
    "bool": "从下拉框选择“是”或“否”（也接受 有/无）。",
    "level": "从下拉框选择一个等级，不要自行输入其他文字。",
    "count": "填写不小于0的整数，不要带单位（如填 12，不填“12项”）。",
    "percent": "百分比单元格已设为百分比格式：直接输入 95 即显示 95.0%；也可输入“95%”。",
    "number": "按“单位”列的单位填写数字，不要带单位，不要用千位分隔符以外的符号。",
}


def safe_filename(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("_")


def template_filename(department: str) -> str:
    return f"{safe_filename(department)}.xlsx"


def _validation(m: Measure) -> tuple[DataValidation | None, str | None]:
    """(data validation, number format) for a measure's value cell."""
    def bound(x: float | None, scale: float = 1.0) -> str | None:
        return None if x is None else repr(x / scale)

    if m.kind == "bool":
        return DataValidation(type="list", formula1='"' + ",".join(L.BOOL_CHOICES) + '"', allow_blank=True), None
    if m.kind == "level":
        return DataValidation(type="list", formula1='"' + ",".join(m.level_labels) + '"', allow_blank=True), None
    scale = 100.0 if m.kind == "percent" else 1.0
    lo, hi = bound(m.low, scale), bound(m.high, scale)
    vtype = "whole" if m.kind == "count" else "decimal"
    if lo is not None and hi is not None:
        dv = DataValidation(type=vtype, operator="between", formula1=lo, formula2=hi, allow_blank=True)
    elif lo is not None:
        dv = DataValidation(type=vtype, operator="greaterThan" if m.low_open else "greaterThanOrEqual",
                            formula1=lo, allow_blank=True)
    else:
        dv = DataValidation(type=vtype, allow_blank=True)
    return dv, (L.PERCENT_FORMAT if m.kind == "percent" else None)


def _fit_height(ws, row: int, widths: dict[int, float]) -> None:
    """Row height for wrapped text (Excel does not grow rows for cells written by a program)."""
    lines = 1
    for col, width in widths.items():
        text = ws.cell(row, col).value
        if text:
            w = sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(text))
            lines = max(lines, -(-w // max(int(width) - 1, 1)))
    ws.row_dimensions[row].height = 15 * lines + 3


def _print_setup(ws, landscape: bool) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _indicator_label(catalog: Catalog, m: Measure) -> str:
    if m.indicator == "veto":
        return "一票否决项"
    if m.indicator == "common":
        return "基础数据"
    ind = catalog.indicator(int(m.indicator))
    return f"{ind.id}. {ind.criterion}"


def guide_rows(department: str, county: str, year: int, deadline: str, catalog: Catalog, n: int) -> list[tuple[str, str]]:
    """The 填报说明 sheet's rows (label in A, text or the department's answer in B)."""
    return [
        (f"{county}{year}年度山东省质量强县（市、区）评价数据填报表", ""),
        ("填报部门", department),
        ("评价年度", str(year)),
        (DEADLINE, deadline or "以领导小组办公室通知为准"),
        ("用途", f"本表由{catalog.department_table['lead_office']}（设在区市场监管局）收集，用于对照"
                 f"《{catalog.meta['title']}》自评计分、查找失分点。共{n}个数据项，见“{L.SHEET_DATA}”工作表。"),
        *[(f, "") for f in L.GUIDE_FIELDS],
        ("如何填写", "只在黄色单元格填写：“填报值”“佐证材料”“备注”。不要增删行、不要修改“数据项编号”列、"
                   "不要改动工作表名称；本表已保护，其余单元格不可编辑。暂时无法提供的数据留空，办公室会列入催报清单。"),
        ("是/否", KIND_HELP["bool"]),
        ("等级", KIND_HELP["level"]),
        ("整数", KIND_HELP["count"]),
        ("百分比", KIND_HELP["percent"]),
        ("数值", KIND_HELP["number"]),
        ("佐证材料", "每个填报值都须在“佐证材料”列注明依据：文件名称及文号、统计报表名称、网址或档案编号；"
                   "佐证材料原件随本表一并报送。无佐证材料的数据不予采用。"),
        ("保存与报送", "请保存为 .xlsx 格式（不要另存为 .xls、.et、.csv 或带宏的 .xlsm），不要加密码。"),
    ]


def data_heading(department: str) -> list[str]:
    """The 填报 sheet's title and instruction (A1, A2)."""
    return [f"{department} 填报数据", "请在黄色单元格填报；“数据项编号”列供系统识别，请勿修改。"]


def template_measures(catalog: Catalog, department: str) -> tuple[str, ...]:
    """The measures of a department's template, in row order (the master template: all)."""
    return tuple(catalog.measures) if department == L.MASTER else tuple(assignment(catalog).by_department[department])


def fixed_row(catalog: Catalog, m: Measure, k: int) -> dict[str, object]:
    """The template's own cells of measure `m`'s row (the k-th, from 1), by column header."""
    return {"序号": k, "指标": _indicator_label(catalog, m), "数据项": m.name_zh, "单位": m.unit, "数据项编号": m.id,
            "填报要求": requirement(catalog, m)}


def requirement(catalog: Catalog, m: Measure) -> str:
    """The 填报要求 cell: the allowed values, then what the seed says may be counted (verbatim)."""
    rules = catalog.counting_rules(m.id)
    return m.describe_allowed() + "".join(f"；计数口径（评价标准原文）：{r}" for r in rules)


def _guide(ws, department: str, county: str, year: int, deadline: str, catalog: Catalog, n: int) -> None:
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 90
    rows = guide_rows(department, county, year, deadline, catalog, n)
    for r, (a, b) in enumerate(rows, start=1):
        ws.cell(r, 1, a).font = Font(bold=True)
        ws.cell(r, 1).alignment = WRAP
        cell = ws.cell(r, 2, b)
        cell.alignment = WRAP
        if a in L.GUIDE_FIELDS:
            cell.fill, cell.protection = INPUT_FILL, UNLOCKED
        if r > 1:
            _fit_height(ws, r, {2: 90})
    ws.merge_cells("A1:B1")
    ws["A1"].font = Font(bold=True, size=14)
    ws.row_dimensions[1].height = 24
    _print_setup(ws, landscape=False)
    ws.protection.sheet = True


def _data_sheet(ws, department: str, measures: list[Measure], catalog: Catalog) -> None:
    title, note = data_heading(department)
    ws.cell(L.TITLE_ROW, 1, title).font = Font(bold=True, size=13)
    ws.cell(L.TITLE_ROW + 1, 1, note)
    for k, (name, width) in enumerate(L.COLUMNS, start=1):
        c = ws.cell(L.HEADER_ROW, k, name)
        c.font, c.fill, c.border, c.alignment = Font(bold=True), HEAD_FILL, BORDER, WRAP
        ws.column_dimensions[c.column_letter].width = width
    validations: dict[tuple, tuple[DataValidation, list[str]]] = {}
    for r, m in enumerate(measures, start=L.FIRST_ROW):
        row = fixed_row(catalog, m, r - L.FIRST_ROW + 1)
        for name, _ in L.COLUMNS:
            c = ws.cell(r, L.COL_INDEX[name], row.get(name))
            c.border, c.alignment = BORDER, WRAP
            if name in L.INPUT_COLUMNS:
                c.fill, c.protection = INPUT_FILL, UNLOCKED
        _fit_height(ws, r, {L.COL_INDEX[n]: w for n, w in L.COLUMNS if n not in L.INPUT_COLUMNS})
        dv, fmt = _validation(m)
        value_cell = ws.cell(r, L.COL_INDEX[L.VALUE])
        if fmt:
            value_cell.number_format = fmt
        key = (dv.type, dv.operator, dv.formula1, dv.formula2)
        validations.setdefault(key, (dv, []))[1].append(value_cell.coordinate)
    for dv, cells in validations.values():
        dv.error = "填报值不符合要求，请查看“填报要求”列。"
        dv.errorTitle = "填报值无效"
        dv.showErrorMessage = True
        for coord in cells:
            dv.add(coord)
        ws.add_data_validation(dv)
    ws.freeze_panes = ws.cell(L.FIRST_ROW, 1)
    ws.print_title_rows = f"{L.HEADER_ROW}:{L.HEADER_ROW}"
    _print_setup(ws, landscape=True)
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # allow widening columns


def _meta(ws, department: str, county: str, year: int, catalog: Catalog) -> None:
    values = {"template_version": L.TEMPLATE_VERSION, "department": department, "county": county,
              "year": str(year), "catalog_fingerprint": catalog.fingerprint, "generated_by": "qstrong"}
    for r, key in enumerate(L.META_KEYS, start=1):
        ws.cell(r, 1, key)
        ws.cell(r, 2, values[key])
    ws.sheet_state = "hidden"
    ws.protection.sheet = True


def build_template(department: str, measures: list[str], county: str, year: int,
                   deadline: str = "", catalog: Catalog | None = None) -> Workbook:
    """The template workbook for one department (or the master workbook)."""
    catalog = catalog or load_catalog()
    ms = [catalog.measures[m] for m in measures]
    wb = Workbook()
    guide = wb.active
    guide.title = L.SHEET_GUIDE
    _guide(guide, department, county, year, deadline, catalog, len(ms))
    _data_sheet(wb.create_sheet(L.SHEET_DATA), department, ms, catalog)
    _meta(wb.create_sheet(L.SHEET_META), department, county, year, catalog)
    wb.active = 1
    fixed = datetime(year, 1, 1)
    wb.properties.creator = "qstrong"
    wb.properties.created = wb.properties.modified = fixed
    return wb


def write_templates(out: str | Path, county: str = "临淄区", year: int = 2022, deadline: str = "",
                    catalog: Catalog | None = None) -> list[Path]:
    """One workbook per responsible department, plus the master workbook with every measure.

    Checked like every output: the county is normalised (``normalise_name``), the year bounded, the
    deadline written as text (never a formula); a workbook already in `out` is replaced only when it is
    a blank template — one with values, evidence or remarks (a department's answer) is never overwritten."""
    catalog = catalog or load_catalog()
    county, year, deadline = normalise_name(county), check_params(year=year)["year"], safe_text(str(deadline or ""))
    if not county or formula_like(county):
        raise InputError([f"--county：县（市、区）名称“{clean_text(county)}”"
                          + ("为空" if not county else "以 = + - @ 等字符开头，会被电子表格当作公式")], "无法生成模板")
    out = check_output(out, "模板输出目录", directory=True)
    plan = {d: template_measures(catalog, d) for d in [*assignment(catalog).by_department, L.MASTER]}
    paths = {department: out / template_filename(department) for department in plan}
    filled = [f"“{p}”已有填报内容（填报值、佐证材料或备注），不能用空白模板覆盖：请换一个输出目录"
              for p in paths.values() if p.exists() and _answered(p)]
    if filled:
        raise InputError(filled, "无法生成模板")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError([os_problem(exc, out, "模板输出目录")], "无法生成模板") from None
    for department, measures in plan.items():
        wb = build_template(department, list(measures), county, year, deadline, catalog)
        write_atomic(paths[department], wb.save, "模板")
    return list(paths.values())


def _answered(path: Path) -> bool:
    """Does an existing file hold anything a department typed (or is it not a template at all)?"""
    try:
        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            inputs = {L.COL_INDEX[c] - 1 for c in L.INPUT_COLUMNS}
            typed = any(v not in (None, "") for row in wb[L.SHEET_DATA].iter_rows(min_row=L.FIRST_ROW, values_only=True)
                        for k, v in enumerate(row) if k in inputs or k >= len(L.COLUMNS))
            contact = any(row[0] in L.GUIDE_FIELDS and len(row) > 1 and row[1] not in (None, "")
                          for row in wb[L.SHEET_GUIDE].iter_rows(values_only=True) if row)
            return typed or contact
        finally:
            wb.close()
    except Exception:  # noqa: BLE001 — not a readable template: treat as someone's file, keep it
        return True
