"""Filling a template programmatically, as a department would in Excel (for samples, tests, benches)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import openpyxl

from ..measures import load_measures
from . import layout as L


def excel_value(measure: str, value: object) -> object:
    """What a person would leave in the cell: 是/否, the Chinese level label, percent as a fraction."""
    m = load_measures()[measure]
    if m.kind == "bool" and isinstance(value, str) and value.lower() in ("true", "false"):
        return "是" if value.lower() == "true" else "否"
    if m.kind == "level" and value in m.levels:
        return m.level_labels[m.levels.index(value)]
    if m.kind == "percent" and isinstance(value, int | float):
        return round(value / 100, 12)  # what Excel stores for a typed percentage
    return value


def fill_template(template: str | Path, out: str | Path, values: Mapping[str, object],
                  evidence: str = "", remark: str = "", contact: Mapping[str, str] | None = None) -> Path:
    """Write `values` (measure id → cell content, as typed) into a copy of `template`."""
    wb = openpyxl.load_workbook(template)
    ws = wb[L.SHEET_DATA]
    vc, ec, rc, ic = (L.COL_INDEX[c] for c in (L.VALUE, L.EVIDENCE, L.REMARK, L.MEASURE_ID))
    for r in range(L.FIRST_ROW, ws.max_row + 1):
        mid = ws.cell(r, ic).value
        if mid in values:
            ws.cell(r, vc).value = values[mid]
            if evidence:
                ws.cell(r, ec).value = evidence
            if remark:
                ws.cell(r, rc).value = remark
    if contact:
        guide = wb[L.SHEET_GUIDE]
        for r in range(1, guide.max_row + 1):
            if guide.cell(r, 1).value in contact:
                guide.cell(r, 2).value = contact[guide.cell(r, 1).value]
    out = Path(out)
    wb.save(out)
    return out
