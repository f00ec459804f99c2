"""Department intake against a second hostile tester's recipes: each class of defect refused (or
said) at the one place where it belongs, with the file, sheet and cell named; inputs never modified.

Classes: formulas in value cells (their saved result may be stale or forged), number formats with a
literal sign, number formats set by conditional formatting, several counties or years in one intake,
the template's fixed cells changed (a value typed beside the table, labels or ids swapped), evidence
that is no evidence, a cell written twice in the sheet XML, a unit other than the field's, the chase
list's headers, notices capped per kind, skipped lock/hidden files said, superscript runs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import test_intake_corpus as corpus
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.formatting.rule import Rule
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.styles.numbers import NumberFormat
from test_intake_corpus import (
    CATALOG,
    COUNT,
    COUNTY,
    NUMBER,
    PCT,
    ROOT,
    TECH,
    YEAR,
    edit,
    hashes,
    meta_set,
    owner,
    rezip,
    sheet_member,
    tfile,
    with_cells_xml,
)

from qstrong.intake import layout as L
from qstrong.intake.collect import intake
from qstrong.intake.model import MAX_LISTED

T = corpus.T
ERR, NOTE = "错误", "提醒"
MKT = owner(PCT)
UNITS = "q18.demo_units"                       # a count in 家
assert CATALOG.measures[UNITS].unit == "家"


def typed(T, d: Path, dept: str, values: dict, fmt: dict | None = None, evidence: str = "统计年报",
          also=None, name: str | None = None) -> Path:
    """The department's template with `values` typed (evidence beside each), then `also(wb)`."""
    def fn(wb):
        ws = wb[L.SHEET_DATA]
        for mid, v in values.items():
            ws[T.cell(dept, mid)] = v
            ws.cell(T.row(dept, mid), L.COL_INDEX[L.EVIDENCE]).value = evidence
            if fmt and mid in fmt:
                ws[T.cell(dept, mid)].number_format = fmt[mid]
        if also:
            also(wb)
    out = d / (name or tfile(dept))
    edit(T.path(dept), out, fn)
    return out


def run(d: Path, **kw):
    before = hashes(d)
    res = intake(d, **kw)
    assert hashes(d) == before
    return res


def issue(res, fragment: str, file: str = "", sheet: str | None = None, cell: str | None = None, level=ERR):
    found = [i for i in res.issues if fragment in i.message and i.level == level and (not file or i.file == file)
             and (sheet is None or i.sheet == sheet) and (cell is None or i.cell == cell)]
    assert found, f"no {level} “{fragment}”; got:\n" + "\n".join(map(str, res.issues))
    return found[0]


def status(res, dept: str, mid: str) -> tuple[str, object]:
    cells = res.cells()
    row = cells[(cells.file == tfile(dept)) & (cells.measure == mid)].iloc[0]
    return row.status, row.value


# -- 1. formulas in value cells: refused, whatever result the file saved ---------------------------

@pytest.mark.parametrize("xml, t, fragment", [
    ("<f>1+1</f><v>3</v>", None, "文件中保存的结果为“3”"),              # Excel would show 2
    ("<f>[1]Sheet1!A1</f><v>3</v>", None, "单元格是公式（=[1]Sheet1!A1）"),   # an external link
    ("<f>1/0</f><v>#DIV/0!</v>", None, "保存的结果是错误值 #DIV/0!"),       # an error, saved without t="e"
    ("<f>1/0</f><v>#DIV/0!</v>", "e", "保存的结果是错误值 #DIV/0!"),
], ids=["stale", "external", "error_untyped", "error"])
def test_formula_in_a_value_cell_is_refused(T, tmp_path, xml, t, fragment):
    with_cells_xml(T.path(TECH), tmp_path / tfile(TECH), {T.cell(TECH, COUNT): (xml, t)})
    res = run(tmp_path)
    i = issue(res, fragment, tfile(TECH), L.SHEET_DATA, T.cell(TECH, COUNT))
    assert "请直接填写数值（复制后“选择性粘贴→数值”）" in i.message
    assert status(res, TECH, COUNT)[0] == "拒绝" and COUNT not in set(res.panel.measure)


def test_formula_in_evidence_is_refused(T, tmp_path):
    src = typed(T, tmp_path, TECH, {COUNT: 3})
    tmp = tmp_path.parent / f"{tmp_path.name}.xlsx"
    src.rename(tmp)
    with_cells_xml(tmp, src, {f"F{T.row(TECH, COUNT)}": ('<f>"统计"&amp;"年报"</f><v>统计年报</v>', "str")})
    tmp.unlink()
    res = run(tmp_path)
    issue(res, "佐证材料单元格是公式（=\"统计\"&\"年报\"）", tfile(TECH), L.SHEET_DATA, f"F{T.row(TECH, COUNT)}")
    assert not res.ok


# -- 2, 3. number formats: a literal sign; formats set by conditional formatting ----------------------

@pytest.mark.parametrize("mid, raw, fmt", [
    (NUMBER, 44.01, '"-"0.0'), (NUMBER, 44.01, "\\-0.0"), (NUMBER, 44.01, "(0.0)"), (NUMBER, 44.01, '"－"0.0'),
    (PCT, 0.95, '"-"0.00%'), (NUMBER, -44.01, '0.0;"--"0.0'),
], ids=["quoted", "escaped", "brackets", "full_width", "percent", "negative_twice"])
def test_literal_sign_in_number_format_is_refused(T, tmp_path, mid, raw, fmt):
    dept = owner(mid)
    typed(T, tmp_path, dept, {mid: raw}, {mid: fmt})
    res = run(tmp_path)
    issue(res, "在数值旁显示符号", tfile(dept), L.SHEET_DATA, T.cell(dept, mid))
    assert status(res, dept, mid)[0] == "拒绝"


@pytest.mark.parametrize("code, fragment", [
    ("#,##0.0,", "末尾的逗号使数值按1,000缩小显示"), ('"-"0.0', "在数值旁显示符号“-”"), ("0%", "显示为百分数"),
    ('0"万元"', "显示“万元”"),
])
def test_number_format_set_by_conditional_formatting_is_checked(T, tmp_path, code, fragment):
    def cf(wb):
        rule = Rule(type="cellIs", operator="greaterThan", formula=["0"],
                    dxf=DifferentialStyle(numFmt=NumberFormat(200, code)))
        wb[L.SHEET_DATA].conditional_formatting.add(f"{T.cell(TECH, NUMBER)}:{T.cell(TECH, NUMBER)[0]}99", rule)
    typed(T, tmp_path, TECH, {NUMBER: 44.01}, also=cf)
    res = run(tmp_path)
    i = issue(res, fragment, tfile(TECH), L.SHEET_DATA, T.cell(TECH, NUMBER))
    assert i.message.startswith(f"条件格式可能把单元格格式改为“{code}”")


def test_conditional_format_that_shows_the_same_number_is_fine(T, tmp_path):
    def cf(wb):
        rule = Rule(type="cellIs", operator="greaterThan", formula=["0"],
                    dxf=DifferentialStyle(numFmt=NumberFormat(200, "0.00")))
        wb[L.SHEET_DATA].conditional_formatting.add(T.cell(TECH, NUMBER), rule)
    typed(T, tmp_path, TECH, {NUMBER: 44.01}, also=cf)
    res = run(tmp_path)
    assert res.ok and status(res, TECH, NUMBER) == ("采用", "44.01")


# -- 4. several counties or years in one intake ----------------------------------------------------

@pytest.mark.parametrize("key, other, option", [("county", "张店区", "--county"), ("year", str(YEAR - 1), "--year")])
def test_mixed_counties_or_years_are_refused_unless_one_is_asked_for(T, tmp_path, key, other, option):
    typed(T, tmp_path, TECH, {COUNT: 3})
    mine = typed(T, tmp_path, MKT, {PCT: 0.95})
    edit(mine, mine, meta_set(key, other))
    res = run(tmp_path)
    i = issue(res, "收集目录中的模板属于2个不同的")
    assert f"{other}{'年' if key == 'year' else ''}：“{tfile(MKT)}”" in i.message and f"“{tfile(TECH)}”" in i.message
    assert option in i.message and not res.ok
    asked = run(tmp_path, **{key: COUNTY if key == "county" else YEAR})
    assert not any("收集目录中的模板属于" in i.message for i in asked.issues)
    issue(asked, "本次收集的是", tfile(MKT), L.SHEET_META)


# -- 5, 6. the template's fixed cells --------------------------------------------------------------

def _set(coord_of, value, sheet=L.SHEET_DATA):
    return lambda T: lambda wb: wb[sheet].__setitem__(coord_of(T), value)


@pytest.mark.parametrize("where, value, sheet, want", [
    (lambda T: f"D{T.row(TECH, NUMBER)}", 44.01, L.SHEET_DATA, "应为“亿元”，现为“44.01”"),     # the 单位 column
    (lambda T: f"I{T.row(TECH, NUMBER)}", 44.01, L.SHEET_DATA, "，现为“44.01”"),              # 填报要求
    (lambda T: f"C{T.row(TECH, NUMBER)}", "地区生产总值", L.SHEET_DATA, "现为“地区生产总值”"),    # the label
    (lambda T: "D200", 44.01, L.SHEET_DATA, "这一行没有数据项编号"),                             # beside the table
    (lambda T: "F200", "统计年报", L.SHEET_DATA, "这一行没有数据项编号"),
    (lambda T: "A1", "别的部门 填报数据", L.SHEET_DATA, "现为“别的部门 填报数据”"),
    (lambda T: "D10", "科技合同成交额：44.01", L.SHEET_GUIDE, "模板此处为空，不会被读取"),        # the guide
    (lambda T: "B16", "科技合同成交额 44.01亿元", L.SHEET_GUIDE, "模板的固定内容被改动"),
    (lambda T: "B4", "科技合同成交额：44.01", L.SHEET_GUIDE, "模板的固定内容被改动"),        # not a deadline
], ids=["unit", "requirement", "label", "below_table", "evidence_below_table", "title", "guide_empty",
        "guide_text", "guide_deadline"])
def test_fixed_cells_changed_are_errors_naming_the_cell(T, tmp_path, where, value, sheet, want):
    typed(T, tmp_path, TECH, {COUNT: 3}, also=_set(where, value, sheet)(T))
    res = run(tmp_path)
    cell = where(T) if "没有数据项编号" not in want else f"H{where(T)[1:]}"
    issue(res, want, tfile(TECH), sheet, cell)
    assert not res.ok


def test_guide_answers_and_a_moved_row_are_fine(T, tmp_path):
    def fn(wb):
        g = wb[L.SHEET_GUIDE]
        for r in range(1, 20):
            if g.cell(r, 1).value in L.GUIDE_FIELDS:
                g.cell(r, 2).value = "张三"
        g["B4"] = "2023年3月31日前"                      # the office's own deadline
        ws = wb[L.SHEET_DATA]
        last = ws.max_row
        ws.move_range(f"A{T.row(TECH, NUMBER)}:I{T.row(TECH, NUMBER)}", rows=last + 1 - T.row(TECH, NUMBER))
    typed(T, tmp_path, TECH, {COUNT: 3, NUMBER: 44.01}, also=fn)
    res = run(tmp_path)
    assert res.ok, "\n".join(map(str, res.issues))


def test_swapped_measure_ids_are_caught(T, tmp_path):
    a, b = T.row(TECH, COUNT), T.row(TECH, NUMBER)

    def swap(wb):
        ws = wb[L.SHEET_DATA]
        ws[f"H{a}"], ws[f"H{b}"] = NUMBER, COUNT
    typed(T, tmp_path, TECH, {COUNT: 3, NUMBER: 44.01}, also=swap)
    res = run(tmp_path)
    issue(res, f"应为“{CATALOG.measures[NUMBER].name_zh}”", tfile(TECH), L.SHEET_DATA, f"C{a}")
    issue(res, f"应为“{CATALOG.measures[COUNT].name_zh}”", tfile(TECH), L.SHEET_DATA, f"C{b}")
    assert not res.ok


# -- 7. evidence that is no evidence ----------------------------------------------------------------

@pytest.mark.parametrize("text", ["\u200b", "无", "无。", "-", "—", "\\", "N/A", " 暂无 ", "没有"])
def test_strict_evidence_refuses_placeholders(T, tmp_path, text):
    typed(T, tmp_path, TECH, {COUNT: 3}, evidence=text)
    res = run(tmp_path, evidence="strict")
    issue(res, "无佐证材料，按填报说明不予采用", tfile(TECH), L.SHEET_DATA, T.cell(TECH, COUNT))
    assert status(res, TECH, COUNT)[0] == "拒绝"


def test_real_evidence_is_kept(T, tmp_path):
    typed(T, tmp_path, TECH, {COUNT: 3}, evidence="无锡市科技局文件（锡科发〔2022〕1号）")
    res = run(tmp_path, evidence="strict")
    assert res.ok and status(res, TECH, COUNT) == ("采用", "3")


# -- 8. a cell written twice in the sheet XML ---------------------------------------------------------

def test_cell_written_twice_in_the_xml_is_refused(T, tmp_path):
    src = typed(T, tmp_path, TECH, {COUNT: 3})
    data = src.read_bytes()
    member, c = sheet_member(data, L.SHEET_DATA), T.cell(TECH, COUNT)

    def twice(name, b):
        if name != member:
            return b
        x = b.decode()
        k = x.index(f'<c r="{c}"')
        end = x.index("</c>", k) + 4
        return (x[:end] + f'<c r="{c}" t="n"><v>5000</v></c>' + x[end:]).encode()
    src.write_bytes(rezip(data, twice))
    res = run(tmp_path)
    issue(res, f"单元格{c}在文件中出现不止一次", tfile(TECH), L.SHEET_DATA, c)
    assert COUNT not in set(res.panel.measure) and not res.ok


def test_cell_without_reference_repeating_one_is_refused(T, tmp_path):
    """<c> without r follows the previous cell: a row holding D then a bare <c> then E repeats E."""
    src = typed(T, tmp_path, TECH, {COUNT: 3})
    data = src.read_bytes()
    member, r = sheet_member(data, L.SHEET_DATA), T.row(TECH, COUNT)

    def bare(name, b):
        if name != member:
            return b
        x = b.decode()
        k = x.index(f'<c r="E{r}"')
        return (x[:k] + '<c t="n"><v>7</v></c>' + x[k:]).encode()        # right after D: it is E
    src.write_bytes(rezip(data, bare))
    issue(run(tmp_path), f"单元格E{r}在文件中出现不止一次", tfile(TECH), L.SHEET_DATA, f"E{r}")


# -- 9. a unit other than the field's --------------------------------------------------------------

@pytest.mark.parametrize("raw, unit", [("239个", "个"), ("1,239项", "项")])
def test_other_unit_is_an_error(T, tmp_path, raw, unit):
    dept = owner(UNITS)
    typed(T, tmp_path, dept, {UNITS: raw})
    res = run(tmp_path)
    i = issue(res, f"带单位“{unit}”，但该数据项的单位是家", tfile(dept), L.SHEET_DATA, T.cell(dept, UNITS))
    assert i and status(res, dept, UNITS)[0] == "拒绝"


def test_own_unit_is_still_dropped(T, tmp_path):
    dept = owner(UNITS)
    typed(T, tmp_path, dept, {UNITS: "239家"})
    assert status(run(tmp_path), dept, UNITS) == ("已规范化", "239")


# -- 10. the chase list as written by the command ------------------------------------------------------

def test_chase_csv_has_the_reports_headers_and_no_index(T, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    typed(T, folder, TECH, {COUNT: 3})
    out = tmp_path / "c.csv"
    r = subprocess.run([sys.executable, "-m", "qstrong", "intake", str(folder), "--chase", str(out),
                        "--report", str(tmp_path / "r.xlsx")], capture_output=True, text=True, encoding="utf-8",
                       cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    csv = pd.read_csv(out, encoding="utf-8-sig")
    sheet = pd.read_excel(tmp_path / "r.xlsx", sheet_name="未填报清单", engine="openpyxl")
    assert list(csv.columns) == list(sheet.columns) and csv.columns[0] == "部门" and len(csv) == len(sheet)


# -- 11. notices capped per kind, per file and per folder -----------------------------------------------

def test_notices_are_capped_per_kind(T, tmp_path):
    def sheets(wb):
        for k in range(MAX_LISTED + 30):
            wb.create_sheet(f"S{k}")
    typed(T, tmp_path, TECH, {COUNT: 3}, also=sheets)
    for k in range(MAX_LISTED + 20):
        (tmp_path / f"附件{k}.pdf").write_bytes(b"%PDF")
    res = run(tmp_path)
    assert res.ok
    notes = [i for i in res.issues if i.level == NOTE]
    assert sum("空白工作表" in i.message and "另有" not in i.message for i in notes) == MAX_LISTED
    assert sum("不是工作簿" in i.message and "另有" not in i.message for i in notes) == MAX_LISTED
    issue(res, "另有30条同类提醒", tfile(TECH), level=NOTE)
    issue(res, "另有20条同类提醒", level=NOTE)


# -- 12. lock, hidden and system files: skipped, but said ----------------------------------------------

@pytest.mark.parametrize("name", ["~$" + tfile(TECH), "." + tfile(TECH), "Thumbs.db"])
def test_skipped_files_are_named(T, tmp_path, name):
    typed(T, tmp_path, TECH, {COUNT: 3}, name=name)
    res = run(tmp_path)
    issue(res, "已跳过", name, level=NOTE)


# -- 13. superscript and subscript runs -----------------------------------------------------------------

@pytest.mark.parametrize("align", ["superscript", "subscript"])
def test_superscript_run_is_not_a_digit(T, tmp_path, align):
    rich = CellRichText("4", TextBlock(InlineFont(vertAlign=align), "4"), ".01")
    typed(T, tmp_path, TECH, {NUMBER: rich})
    res = run(tmp_path)
    issue(res, "“4”是上标或下标（显示为“44.01”）", tfile(TECH), L.SHEET_DATA, T.cell(TECH, NUMBER))
    assert status(res, TECH, NUMBER)[0] == "拒绝"
