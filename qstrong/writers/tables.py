"""Tables for Excel users: CSV (UTF-8 with BOM), xlsx (one sheet per frame) and JSON.

Every cell goes through :mod:`qstrong.writers.cells`; every file through
:func:`qstrong.writers.files.write_atomic`. xlsx text cells are always string cells (never formulas);
a text longer than Excel's cell limit is cut visibly and reported in ``notes``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .cells import EXCEL_CELL_LIMIT, SHEET_NAME_LIMIT, cell_value, safe_frame, truncate, visible_text
from .files import write_atomic, write_text


def frame_to_csv(df: pd.DataFrame, path: str | Path | None = None, what: str = "输出文件",
                 index: bool = True) -> str:
    """CSV text (and file, when `path` is given) that opens cleanly in Chinese Excel.

    Lines end in CRLF (RFC 4180, as Excel writes CSV): a field holding a line break or a bare CR is then
    always quoted, so no text can split a row.
    """
    text = safe_frame(df).to_csv(index=index, lineterminator="\r\n")
    if path is not None:
        write_text(path, text, what, encoding="utf-8-sig")
    return text


def _json_ready(obj: object) -> object:
    """NaN and ±Infinity (not JSON) as null; numpy scalars as Python numbers; text visible (``\\x85``);
    containers recursively."""
    if isinstance(obj, str):
        return visible_text(obj)
    if isinstance(obj, dict):
        return {visible_text(str(_json_ready(k))): _json_ready(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [_json_ready(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if obj is pd.NA or obj is pd.NaT:
        return None
    return obj


def to_json(obj: object) -> str:
    """Valid JSON (never NaN or Infinity), Chinese kept readable."""
    return json.dumps(_json_ready(obj), ensure_ascii=False, indent=2, allow_nan=False, default=str)


def sheet_title(name: object, used: set[str]) -> str:
    """A sheet name Excel accepts: visible, none of []:*?/\\, not formula-like, ≤31 characters, unique."""
    title = visible_text(str(name))
    for ch in "[]:*?/\\":
        title = title.replace(ch, "_")
    title = title.strip().strip("'")
    if cell_value(title) != title:          # would be neutralised as a cell: keep it readable, not a formula
        title = "_" + title
    title = title[:SHEET_NAME_LIMIT] or f"Sheet{len(used) + 1}"
    if title.lower() == "history":
        title += "_"
    base, k = title, 2
    while title.lower() in used:
        tail = f"（{k}）"
        title, k = base[: SHEET_NAME_LIMIT - len(tail)] + tail, k + 1
    used.add(title.lower())
    return title


def _xlsx_value(v: object) -> object:
    """A value openpyxl stores as it is meant: numbers as numbers, everything else as safe text."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, bool | int | float | decimal.Decimal):
        if isinstance(v, float | decimal.Decimal) and v != v:
            return None
        if isinstance(v, float | decimal.Decimal) and v in (math.inf, -math.inf):
            return "正无穷" if v > 0 else "负无穷"
        return v
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, dt.datetime | dt.date | dt.time) and getattr(v, "tzinfo", None) is None:
        return v
    if isinstance(v, dt.timedelta):
        return v
    return cell_value(v if isinstance(v, str) else str(v))


def _put(ws, row: int, col: int, value: object, where: str, notes: list[str] | None) -> None:
    v = _xlsx_value(value)
    if isinstance(v, str):
        if len(v) > EXCEL_CELL_LIMIT:
            if notes is not None:
                notes.append(f"工作表“{ws.title}”{get_column_letter(col)}{row}（{where}）的文字共{len(v)}字，"
                              f"超过Excel单元格上限{EXCEL_CELL_LIMIT}字，已截断并在格中注明")
            v = truncate(v)
        cell = ws.cell(row=row, column=col, value=v)
        cell.data_type = "s"                 # a string cell, never a formula, whatever the text
    else:
        ws.cell(row=row, column=col, value=v)


def _label_text(label: object) -> object:
    return "／".join(str(x) for x in label) if isinstance(label, tuple) else label


def _fill_sheet(ws, df: pd.DataFrame, index: bool, notes: list[str] | None) -> None:
    names = [n for n in df.index.names] if index else []
    header = [*names, *(_label_text(c) for c in df.columns)]
    for c, label in enumerate(header, 1):
        _put(ws, 1, c, label, "表头", notes)
        ws.cell(row=1, column=c).font = Font(bold=True)
    cols = [str(_label_text(c)) for c in df.columns]
    where = [f"“{n}”列" if n is not None else "索引列" for n in names] + [f"“{c}”列" for c in cols]
    for r, (key, values) in enumerate(zip(df.index, df.itertuples(index=False, name=None), strict=True), 2):
        keys = (key if isinstance(key, tuple) else (key,)) if index else ()
        for c, v in enumerate((*keys, *values), 1):
            _put(ws, r, c, v, where[c - 1], notes)
    ws.freeze_panes = "A2"


def frames_to_xlsx(frames: dict[str, pd.DataFrame], path: str | Path, index: bool = True,
                   what: str = "输出文件", notes: list[str] | None = None, notice: str | None = None) -> Path:
    """One sheet per frame (sheet names from the keys); text cells are string cells, formula-safe.

    With `notice` (e.g. the benchmark's line), a first sheet 说明 holds it in its first row.
    Texts cut at Excel's cell limit are reported by appending a Chinese sentence to `notes`.
    """
    def build(tmp: Path) -> None:
        wb = Workbook()
        wb.remove(wb.active)
        used: set[str] = set()
        if notice:
            _put(wb.create_sheet(sheet_title("说明", used)), 1, 1, notice, "说明", notes)
        for name, df in frames.items():
            _fill_sheet(wb.create_sheet(sheet_title(name, used)), df, index, notes)
        if not wb.worksheets:
            wb.create_sheet("Sheet1")
        wb.save(tmp)

    return write_atomic(path, build, what)
