"""The one xlsx writer: API frames in, a workbook for people out.

Columns are named through :mod:`qstrong.vocabulary`; numbers are stored at full precision and shown
with 2 decimals (counts, ranks and years as integers, 0–1 shares as %, values of % measures with a
literal %); the header is bold and frozen; widths fit the text (CJK counted double); long texts wrap.
A first sheet 说明 (:class:`~qstrong.writers.about.About`) says what the file is and what it rests on;
when its benchmark imputed peers' values, a last sheet 插补值 lists every one.
Every text cell is a string cell through :mod:`.cells` (never a formula); a text longer than Excel's
cell limit is cut visibly and reported in ``notes``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import math
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .. import vocabulary as V
from .about import HEADER, IMPUTED_SHEET, About, imputed_table
from .cells import EXCEL_CELL_LIMIT, SHEET_NAME_LIMIT, cell_value, truncate, visible_text
from .files import write_atomic

DECIMALS = "0.00"
INTEGER = "0"
FRACTION = "0.00%"
PERCENT = '0.00"%"'            # a value people write as 99.7 (unit %): stored 99.7, shown 99.70%
MAX_WIDTH = 60
MIN_WIDTH = 6
ABOUT_SHEET = "说明"


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


def text_width(text: str) -> int:
    """Display width: CJK and full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _shown(v: object, fmt: str | None) -> str:
    """Roughly what a cell shows (for its width)."""
    if isinstance(v, bool) or v is None:
        return "" if v is None else str(v)
    if isinstance(v, int | float) and fmt:
        if fmt == INTEGER:
            return f"{v:.0f}"
        return f"{v * 100 if fmt == FRACTION else v:.2f}" + ("%" if fmt != DECIMALS else "")
    return str(v)


def _put(ws, row: int, col: int, value: object, where: str, notes: list[str] | None, fmt: str | None = None):
    v = _xlsx_value(value)
    if isinstance(v, str):
        if len(v) > EXCEL_CELL_LIMIT:
            if notes is not None:
                notes.append(f"工作表“{ws.title}”{get_column_letter(col)}{row}（{where}）的文字共{len(v)}字，"
                              f"超过Excel单元格上限{EXCEL_CELL_LIMIT}字，已截断并在格中注明")
            v = truncate(v)
        cell = ws.cell(row=row, column=col, value=v)
        cell.data_type = "s"                 # a string cell, never a formula, whatever the text
        return cell, v
    cell = ws.cell(row=row, column=col, value=v)
    if fmt and isinstance(v, int | float | decimal.Decimal) and not isinstance(v, bool):
        cell.number_format = INTEGER if fmt == DECIMALS and isinstance(v, int) else fmt
    return cell, v


def _label_text(label: object) -> object:
    return "／".join(str(x) for x in label) if isinstance(label, tuple) else label


def _formats(api: pd.DataFrame, shown: pd.DataFrame) -> list[tuple[str, pd.Series | None]]:
    """Per shown column: its number format and, for % measures' values, the rows shown with a literal %."""
    zh = {V.COLUMNS.get(c, c): c for c in api.columns if not isinstance(c, tuple)}
    pct = V.percent_rows(api).to_numpy() if "measure" in api.columns else None
    out = []
    for k in range(shown.shape[1]):
        key = zh.get(shown.columns[k], shown.columns[k])
        dtype = shown.iloc[:, k].dtype
        if key in V.FRACTION_COLUMNS:
            fmt = FRACTION
        elif key in V.INTEGER_COLUMNS or pd.api.types.is_integer_dtype(dtype):
            fmt = INTEGER
        else:
            fmt = DECIMALS
        rows = pd.Series(pct, dtype=bool) if pct is not None and key in V.PERCENT_COLUMNS and key != "original" \
            else None
        out.append((fmt, rows))
    return out


PORTRAIT_WIDTH = 100         # column widths (characters) that still print readably on a portrait A4


def _fill_sheet(ws, shown: pd.DataFrame, formats: list, notes: list[str] | None) -> None:
    """Header (bold, frozen), cells (formatted), widths fitted, long columns wrapped."""
    widths = []
    for c, label in enumerate(shown.columns, 1):
        cell, v = _put(ws, 1, c, _label_text(label), "表头", notes)
        cell.font = Font(bold=True)
        widths.append(text_width(str(v or "")))
    where = [f"“{_label_text(c)}”列" for c in shown.columns]
    wrap = Alignment(wrap_text=True, vertical="top")
    for c in range(1, shown.shape[1] + 1):
        fmt, pct = formats[c - 1]
        values = shown.iloc[:, c - 1].tolist()
        longest = widths[c - 1]
        cells = []
        for r, value in enumerate(values):
            f = PERCENT if pct is not None and pct.iat[r] else fmt
            cell, v = _put(ws, r + 2, c, value, where[c - 1], notes, f)
            cells.append(cell)
            text = _shown(v, f)
            longest = max(longest, max((text_width(line) for line in text.splitlines()), default=0))
            if "\n" in text:
                cell.alignment = wrap
        width = min(max(longest + 2, MIN_WIDTH), MAX_WIDTH)
        ws.column_dimensions[get_column_letter(c)].width = width
        widths[c - 1] = width
        if longest + 2 > MAX_WIDTH:
            for cell in cells:
                cell.alignment = wrap
    ws.freeze_panes = "A2"
    _print_setup(ws, sum(widths))


def _print_setup(ws, width: float) -> None:
    """Printed as an office prints it: A4, one page wide (landscape when the columns are wide), the
    header row repeated on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if width > PORTRAIT_WIDTH else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = "1:1"


def _about_sheet(ws, about: About, notes: list[str] | None) -> None:
    frame = about.frame()
    _fill_sheet(ws, frame, [(DECIMALS, None)] * len(HEADER), notes)


def _imputed_sheet(ws, imputed: pd.DataFrame, notes: list[str] | None) -> None:
    """Every imputed peer value (:func:`~qstrong.writers.about.imputed_table`); % values shown with a %."""
    shown = imputed_table(imputed.reset_index(drop=True))
    pct = V.percent_rows(imputed.reset_index(drop=True))
    _fill_sheet(ws, shown, [(INTEGER if c in ("年份", "依据县数") else DECIMALS, pct if c == "数值" else None)
                            for c in shown.columns], notes)


def frames_to_xlsx(frames: dict[str, pd.DataFrame], path: str | Path, index: bool = True,
                   what: str = "输出文件", notes: list[str] | None = None, notice: str | None = None,
                   about: About | None = None) -> Path:
    """One sheet per API frame (sheet names from the keys) as people read it (:func:`vocabulary.for_people`,
    % values kept as numbers and shown with a literal %).

    With `about` (or a str `notice`, kept as a 说明 row), a first sheet 说明 says what the file is.
    Texts cut at Excel's cell limit are reported by appending a Chinese sentence to `notes`.
    """
    if notice and about is None:
        about = About()
    if notice:
        about = about.with_rows(("说明", notice))

    def build(tmp: Path) -> None:
        wb = Workbook()
        wb.remove(wb.active)
        used: set[str] = set()
        if about is not None:
            _about_sheet(wb.create_sheet(sheet_title(ABOUT_SHEET, used)), about, notes)
        for name, df in frames.items():
            shown = V.for_people(df, index, percent=False)
            api = df.reset_index() if index and any(n is not None for n in df.index.names) else df
            _fill_sheet(wb.create_sheet(sheet_title(name, used)), shown, _formats(api, shown), notes)
        if about is not None and about.imputed is not None:
            _imputed_sheet(wb.create_sheet(sheet_title(IMPUTED_SHEET, used)), about.imputed, notes)
        if not wb.worksheets:
            wb.create_sheet("Sheet1")
        buf = io.BytesIO()        # zipped in memory: a full disk fails one write, not a half-closed zip
        wb.save(buf)
        tmp.write_bytes(buf.getvalue())

    return write_atomic(path, build, what)
