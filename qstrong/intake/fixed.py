"""The template's own cells: what the template wrote must still be there, and nothing beside it.

A label, unit or measure id changed, a value typed in the 单位 or 填报要求 column, a note typed into
填报说明: each is an error naming the cell and what the template wrote there (content that is not
read must never vanish silently; a changed label may mean a value is read for the wrong measure).
Compared after :func:`normalise_name` (spaces, full width, invisible characters do not count).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from openpyxl.utils import get_column_letter

from ..catalog import Catalog
from ..names import clean_text, normalise_name
from . import layout as L
from .model import Issue, WorkbookRead
from .templates import DEADLINE, data_heading, fixed_row, guide_rows, template_measures

_DATE = re.compile(r"^([0-9]{4}[年./-])?[0-9]{1,2}[月./-][0-9]{1,2}日?(前|之前|[0-9:]+)?$|^以.*通知为准$")
FIXED = ("序号", "指标", "数据项", "单位", "数据项编号", "填报要求")
KIND = "模板固定内容被改动"


def _canon(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return normalise_name("" if v is None else v)


def _changed(out: WorkbookRead, sheet: str, r: int, c: int, want: Any, got: Any) -> None:
    cell = f"{get_column_letter(c)}{r}"
    got_text = clean_text(got)[:60]
    if want in (None, ""):
        msg = (f"单元格{cell}有内容（“{got_text}”），模板此处为空，不会被读取：填报值只能填在“{L.SHEET_DATA}”工作表的"
               f"“{L.VALUE}”列，请移到该列或删除")
    else:
        risk = "，也可能使数值对应到别的数据项" if sheet == L.SHEET_DATA else ""
        msg = (f"模板的固定内容被改动：单元格{cell}应为“{clean_text(want)[:60]}”，现为“{got_text}”。改动的内容不会被读取"
               f"{risk}：请改回原文（或使用下发的模板重新填报）")
    out.add(Issue(msg, out.info.name, sheet, cell), kind=KIND)


def check_data_sheet(g, cols: dict[str, int], catalog: Catalog, out: WorkbookRead) -> None:
    """Title rows, and each measure's row against the template's row for that measure (found by its
    id, so a moved row or an inserted column is still compared with its own template row)."""
    sheet, dept = L.SHEET_DATA, out.meta["department"]
    for r, want in enumerate(data_heading(dept), start=L.TITLE_ROW):
        if _canon(g.value(r, 1)) != _canon(want):
            _changed(out, sheet, r, 1, want, g.value(r, 1))
    missing = [h for h in FIXED if h not in cols]
    if missing:
        out.add(Issue(f"表头缺少模板的“{'、'.join(missing)}”列（列被删除或改名）：请使用下发的模板重新填报",
                      out.info.name, sheet, f"第{L.HEADER_ROW}行"))
    order = {m: k for k, m in enumerate(template_measures(catalog, dept), start=1)}
    fixed = {cols[h]: h for h in FIXED if h in cols}
    ic = cols[L.MEASURE_ID]
    inputs = {cols[h] for h in (L.EVIDENCE, L.REMARK) if h in cols}     # the value column: read_data's
    for r in g.rows_with_content(L.HEADER_ROW + 1, (*fixed, *inputs)):
        mid = _canon(g.value(r, ic))
        if not mid:
            c = next((c for c in sorted({*fixed, *inputs}) if g.text(r, c)), 0)
            if not c:
                continue
            out.add(Issue(f"这一行没有数据项编号（{get_column_letter(ic)}{r}为空），但单元格{get_column_letter(c)}{r}有内容"
                          f"（“{clean_text(g.text(r, c))[:40]}”）：数据项编号不可删除或修改，这一行的内容无法识别",
                          out.info.name, sheet, f"{get_column_letter(ic)}{r}"), kind=KIND)
            continue
        if mid not in order:
            continue                    # unknown or another department's measure: read_data says so
        want = fixed_row(catalog, catalog.measures[mid], order[mid])
        for c, header in sorted(fixed.items()):
            if header != L.MEASURE_ID and _canon(g.value(r, c)) != _canon(want[header]):
                _changed(out, sheet, r, c, want[header], g.value(r, c))


def _deadline(v: Any, default: str) -> bool:
    """Whether the deadline cell holds a deadline (the office writes its own date; not known here)."""
    t = _canon(v)
    return isinstance(v, datetime | date) or t == _canon(default) or "月" in t or bool(_DATE.match(t))


def check_guide(g, catalog: Catalog, out: WorkbookRead) -> None:
    """填报说明 as the template wrote it; only the answers (填报单位, 填报人, …) and the deadline vary."""
    meta = out.meta
    n = len(template_measures(catalog, meta["department"]))
    rows = guide_rows(meta["department"], meta["county"], int(meta["year"]), "", catalog, n)
    for r, c, v in sorted(g.filled()):
        if c <= 2 and r <= len(rows):
            label, text = rows[r - 1]
            if c == 2 and label in L.GUIDE_FIELDS or c == 2 and label == DEADLINE and _deadline(v, text):
                continue
            want = label if c == 1 else text
        else:
            want = ""
        if _canon(v) != _canon(want):
            _changed(out, L.SHEET_GUIDE, r, c, want, v)
