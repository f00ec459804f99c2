"""Fuzzing the workbook reader: random contents, types and number formats in a real template's value
cells (written with openpyxl). intake() never raises, and never accepts a value other than what the
cell shows — for a number, what Excel would display (up to display rounding; "95%" is 95), for text,
the digits a person reads.

The oracle here is independent of qstrong.intake.normalise: a small table of what each format shows,
and a strict reading of typed text (ASCII digits after full-width → half-width, the measure's own
unit, a thousands comma). Rejecting is always allowed; accepting something else never is.
"""

from __future__ import annotations

import math
import re
import tempfile
import unicodedata
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qstrong.catalog import load_catalog
from qstrong.departments import assignment
from qstrong.intake import layout as L
from qstrong.intake.collect import intake
from qstrong.intake.templates import template_filename, write_templates

CATALOG = load_catalog()
PCT, FUND, COUNT, BOOL = "q17.verification_rate", "q10.quality_funding", "q14.national_led", "q09.funded.brand"
DEPT = next(d for d, ms in assignment(CATALOG).by_department.items() if {PCT, FUND, COUNT, BOOL} <= set(ms))
MEASURES = (PCT, FUND, COUNT, BOOL)

# format → (kind of display, unit text shown); kinds: plain, pct (×100), lit_pct (x then "%"),
# unit (x then the unit), signless (negatives without minus), reject (never a readable number)
FORMATS = {
    "General": ("plain", ""), "0": ("plain", ""), "0.00": ("plain", ""), "#,##0": ("plain", ""),
    "[Red]0.00": ("plain", ""), "0.00E+00": ("plain", ""), "G/通用格式": ("plain", ""), "@": ("plain", ""),
    "0.0%": ("pct", ""), "0%": ("pct", ""), "[Blue]0.00%": ("pct", ""),
    '0.0"%"': ("lit_pct", ""), "0\\%": ("lit_pct", ""),
    '0"万元"': ("unit", "万元"), '#,##0.0"万元"': ("unit", "万元"), '0"亿元"': ("unit", "亿元"), '0"项"': ("unit", "项"),
    "0;0": ("signless", ""),
    "#,##0,": ("reject", ""), "yyyy-mm-dd": ("reject", ""), "[h]:mm": ("reject", ""), "[>100]0;0": ("reject", ""),
    ";;;": ("reject", ""), '"约"0': ("reject", ""), "[$¥-804]#,##0": ("reject", ""), '"是"': ("reject", ""),
}
TOKENS = ["0", "1", "2", "3", "5", "9", "12", "０", "９", "４４", ".", "．", ",", "，", " ", "\u00a0", "\u3000",
          "\u200b", "%", "％", "-", "+", "²", "₃", "①", "½", "万元", "亿元", "项", "个", "e", "١"]


# composed formats: [colour] digits suffix — the suffix decides what the cell shows
SUFFIXES = {"": ("plain", ""), " ": ("plain", ""), "_)": ("plain", ""), "%": ("pct", ""), '"%"': ("lit_pct", ""),
            "\\%": ("lit_pct", ""), '"万元"': ("unit", "万元"), '" 万元"': ("unit", "万元"), '"亿元"': ("unit", "亿元"),
            '"项"': ("unit", "项"), ",": ("reject", ""), '"元"': ("reject", ""), '"万"': ("unit", "万")}
for colour in ("", "[Red]", "[Color10]"):
    for body in ("0", "0.00", "#,##0", "#,##0.0", "0.0"):
        for suffix, meaning in SUFFIXES.items():
            FORMATS.setdefault(colour + body + suffix, meaning)


def shows(mid: str, x: float, fmt: str) -> float | None:
    """The number a person reads in the cell (None: not a readable value for this measure)."""
    m = CATALOG.measures[mid]
    how, unit = FORMATS[fmt]
    if m.kind == "bool":
        return x if how in ("plain", "signless") and x in (0, 1) else None   # 0;0 shows 0 and 1 as they are
    if how == "reject" or (how == "signless" and x < 0):
        return None
    if how == "pct":
        return x * 100 if m.kind == "percent" else None
    if how == "lit_pct":
        return x if m.kind == "percent" else None
    own = {m.unit, "万"} if m.unit == "万元" else {m.unit} | ({"项", "个"} if m.kind == "count" else set())
    if how == "unit" and unit not in own:
        return None
    if m.kind == "percent" and 0 < abs(x) <= 1:
        return None                      # 0.95 in a General cell: 0.95% or 95%? never guessed
    return x


def reads(mid: str, text: str) -> float | None:
    """The number a person reads in typed text (None: not one plain number)."""
    m = CATALOG.measures[mid]
    t = text.strip()
    units = sorted({m.unit, "万"} if m.unit == "万元" else {m.unit} | ({"项", "个"} if m.kind == "count" else set()),
                   key=len, reverse=True)
    pct = m.kind == "percent" and t.endswith(("%", "％"))
    if pct:
        t = t[:-1].rstrip()
    for u in units:
        if u and u != "%" and t.endswith(u):
            t = t[: -len(u)].rstrip()
            break
    half = "".join(chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else c for c in t)
    if re.fullmatch(r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?", half):
        half = half.replace(",", "")
    if not re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", half):
        return None
    x = float(half)
    if m.kind == "percent" and not pct and 0 < abs(x) <= 1:
        return None
    return x


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fuzz_tpl")
    write_templates(out)
    return out / template_filename(DEPT)


def rows(template: Path) -> dict[str, int]:
    ws = openpyxl.load_workbook(template)[L.SHEET_DATA]
    ic = L.COL_INDEX[L.MEASURE_ID]
    return {ws.cell(r, ic).value: r for r in range(L.FIRST_ROW, ws.max_row + 1)}


numbers = st.one_of(st.integers(-10**6, 10**6), st.floats(-1e7, 1e7, allow_nan=False, allow_infinity=False),
                    st.sampled_from([0, 1, 0.5, 0.95, 0.8, 95, 100, 1317.9, -3, 12]))
texts = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=6).map("".join)
digits = st.from_regex(r"[0-9０-９]{1,4}", fullmatch=True)
near_numbers = st.tuples(digits, st.sampled_from(["", " ", "\u00a0", "\u3000", "\u200b", " .", ".", "．", "²", "₃",
                                                  "①", "½", ",", "，"]),
                         digits, st.sampled_from(["", "%", "％", "万元", "亿元", "项", " 项"])).map("".join)
contents = st.one_of(numbers, texts, near_numbers, near_numbers, st.booleans(), st.none(),
                     st.just(datetime(2022, 12, 31)), st.sampled_from(["是", "否", "有", "#N/A", "=1+1"]))
cells = st.fixed_dictionaries({mid: st.tuples(contents, st.sampled_from(sorted(FORMATS))) for mid in MEASURES})


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells)
def test_accepted_values_are_what_the_cells_show(template, filled):
    row = rows(template)
    wb = openpyxl.load_workbook(template)
    ws = wb[L.SHEET_DATA]
    for mid, (raw, fmt) in filled.items():
        c = ws.cell(row[mid], L.COL_INDEX[L.VALUE])
        c.value = raw
        c.number_format = fmt
        ws.cell(row[mid], L.COL_INDEX[L.EVIDENCE]).value = "统计年报"
    with tempfile.TemporaryDirectory() as d:
        wb.save(Path(d) / template_filename(DEPT))
        stored = {mid: openpyxl.load_workbook(Path(d) / template_filename(DEPT))[L.SHEET_DATA]
                  .cell(row[mid], L.COL_INDEX[L.VALUE]).value for mid in MEASURES}
        res = intake(d)                                    # never raises
    cells_read = res.cells().set_index("measure")
    for mid, (_, fmt) in filled.items():
        value = cells_read.loc[mid, "value"]
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue                                       # rejected or missing: always allowed
        raw = stored[mid]                                  # as Excel would hold it (dates, bools)
        kind = CATALOG.measures[mid].kind
        if kind == "bool":
            if isinstance(raw, bool) or isinstance(raw, str):
                assert value in ("是", "否")
                continue
            assert value == ("是" if shows(mid, float(raw), fmt) == 1 else "否") and shows(mid, float(raw), fmt) is not None
            continue
        if isinstance(raw, str):
            want = reads(mid, raw)
        else:
            assert isinstance(raw, int | float) and not isinstance(raw, bool), (mid, raw, value)
            want = shows(mid, float(raw), fmt)
        assert want is not None, (mid, raw, fmt, value, cells_read.loc[mid, "note"])
        assert abs(float(value) - want) <= 1e-9 * max(1.0, abs(want)), (mid, raw, fmt, value, want)


def test_the_oracle_reads_the_examples_of_the_issue():
    """The oracle itself: 2 3, 44 .01, 1² are not numbers; 0.8 shown as 0.8% is 0.8; 95% is 95."""
    assert reads(COUNT, "2 3") is None and reads(FUND, "44 .01") is None and reads(COUNT, "1²") is None
    assert shows(PCT, 0.8, '0.0"%"') == 0.8 and shows(PCT, 0.95, "0%") == 95 and reads(PCT, "95%") == 95
    assert unicodedata.normalize("NFKC", "²") == "2"          # what made 1² read as 12
