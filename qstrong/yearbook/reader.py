"""A yearbook file's sheets as grids of cell values with their addresses; the file is only read.

.xlsx by openpyxl (saved values, merged ranges known) or python-calamine, .xls by python-calamine, .csv
(and tab-separated .txt) decoded by :mod:`qstrong.encoding` (UTF-8 with or without BOM, UTF-16 with a
BOM, GBK/GB18030). Cells are addressed A1 style in workbooks and ``line:column`` in text files.
"""

from __future__ import annotations

import csv
import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import python_calamine
from openpyxl.utils import get_column_letter

from ..encoding import decoded
from ..errors import InputError
from ..paths import register_input

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS, MAX_COLUMNS = 20_000, 500       # a county table has a few hundred rows and a few dozen columns
ENGINES = ("openpyxl", "calamine")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class RawSheet:
    """One sheet: ``cells[r][c]`` (0-based) as read; merged ranges as (r0, c0, r1, c1), 0-based, inclusive."""

    file: str
    name: str            # '' for a text file
    kind: str            # xlsx / xls / csv
    cells: list[list[Any]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    encoding_note: str = ""

    def address(self, r: int, c: int) -> str:
        """“B5” in a workbook, “5:2” (line:column) in a text file; r and c 0-based."""
        return f"{r + 1}:{c + 1}" if self.kind == "csv" else f"{get_column_letter(c + 1)}{r + 1}"

    def where(self, r: int | None = None, c: int | None = None) -> str:
        """“文件“x.xlsx”工作表“表1”单元格B5” (the parts known)."""
        out = f"文件“{self.file}”" + (f"工作表“{self.name}”" if self.name else "")
        if r is not None and c is not None:
            out += f"{'第' + str(r + 1) + '行第' + str(c + 1) + '列' if self.kind == 'csv' else '单元格' + self.address(r, c)}"
        elif r is not None:
            out += f"第{r + 1}行"
        return out

    def provenance(self, r: int, c: int) -> str:
        """``real:<file>#<sheet>!<cell>`` (``real:<file>#<line>:<column>`` for a text file)."""
        return f"real:{self.file}#{self.name}!{self.address(r, c)}" if self.name else f"real:{self.file}#{self.address(r, c)}"


def read_sheets(path: str | Path, engine: str = "openpyxl", label: str | None = None) -> list[RawSheet]:
    """Every sheet of `path` (.xlsx, .xls, .csv, .txt); InputError in Chinese when it cannot be read.
    `engine` reads .xlsx by openpyxl or python-calamine (.xls always by calamine); `label` names the file
    in messages and provenance (default: its name)."""
    p = Path(path)
    name = label or p.name
    if not p.is_file():
        raise InputError([f"文件“{name}”不存在或不是文件"])
    register_input(p)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError([f"文件“{name}”无法读取：{exc.strerror or exc}"]) from None
    if not data:
        raise InputError([f"文件“{name}”为空（0字节）"])
    if len(data) > MAX_BYTES:
        raise InputError([f"文件“{name}”有{len(data):,}字节，超过上限{MAX_BYTES:,}字节"])
    if engine not in ENGINES:
        raise InputError([f"读取引擎“{engine}”未知，可选：{'、'.join(ENGINES)}"])
    suffix = p.suffix.lower()
    if data.startswith(_OLE):
        return _calamine(data, name, "xls")
    if data.startswith(b"PK\x03\x04"):
        return _openpyxl(data, name) if engine == "openpyxl" else _calamine(data, name, "xlsx")
    if suffix in (".xlsx", ".xlsm", ".xls", ".et"):
        raise InputError([f"文件“{name}”的扩展名是{suffix}，但内容不是Excel工作簿：请在Excel或WPS中打开后另存为.xlsx"])
    return [_text(data, name)]


def _openpyxl(data: bytes, name: str) -> list[RawSheet]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # noqa: BLE001 — a damaged workbook is a message, never a traceback
        raise InputError([f"文件“{name}”无法作为.xlsx打开（{type(exc).__name__}），可能已损坏：请在Excel中另存后再试"]) from None
    out = []
    for ws in wb.worksheets:
        values = {k: cell.value for k, cell in ws._cells.items() if cell.value is not None}   # styled blanks left out
        height, width = max((r for r, _ in values), default=0), max((c for _, c in values), default=0)
        _check_size(name, ws.title, height, width)
        cells: list[list[Any]] = [[None] * width for _ in range(height)]
        for (r, c), v in values.items():
            cells[r - 1][c - 1] = v
        merged = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
        out.append(RawSheet(name, ws.title, "xlsx", cells, merged))
    return out


def _calamine(data: bytes, name: str, kind: str) -> list[RawSheet]:
    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        out = []
        for sheet_name in wb.sheet_names:
            sheet = wb.get_sheet_by_name(sheet_name)
            _check_size(name, sheet_name, sheet.height, sheet.width)
            rows = sheet.to_python(skip_empty_area=False)
            cells = [[None if v == "" else v for v in row] for row in rows]
            merged = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
            out.append(RawSheet(name, sheet_name, kind, cells, merged))
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise InputError([f"文件“{name}”无法读取（{type(exc).__name__}），可能已损坏或已加密：请在Excel或WPS中打开，"
                          "另存为.xlsx后再试"]) from None
    return out


def _text(data: bytes, name: str) -> RawSheet:
    got = decoded(data, name)
    text = got.text
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    rows = [[v if v.strip() else None for v in row] for row in csv.reader(io.StringIO(text, newline=""),
                                                                            delimiter=delimiter)]
    _check_size(name, "", len(rows), max((len(r) for r in rows), default=0))
    return RawSheet(name, "", "csv", rows, [], got.note)


def _check_size(name: str, sheet: str, rows: int, columns: int) -> None:
    """Refuse a sheet whose used range is far beyond a yearbook table's (a stray cell a million rows down)."""
    if rows > MAX_ROWS or columns > MAX_COLUMNS:
        where = f"文件“{name}”" + (f"工作表“{sheet}”" if sheet else "")
        raise InputError([f"{where}的内容范围有{rows:,}行、{columns:,}列，超过年鉴表格的上限（{MAX_ROWS:,}行、"
                          f"{MAX_COLUMNS}列）：请删除表格以外的多余内容，或只复制该表到新文件后再试"])
