"""A yearbook file's sheets as grids of cell values with their addresses; the file is only read.

Opening goes through :mod:`qstrong.workbook`, the checks intake uses: the file is read once (at most
MAX_BYTES), its kind told from its bytes, never its name: a CSV renamed .xlsx, a web page saved as .xls
(what web systems export as “Excel”), an encrypted workbook, a zip bomb, a damaged or truncated file, an
empty file, a folder, a missing file and a sheet far beyond a yearbook table each give one Chinese
problem naming the file (InputError). .xlsx is read by openpyxl in read-only mode (saved values) or by
python-calamine, .xls by python-calamine, .csv/.txt decoded by :mod:`qstrong.encoding` (UTF-8 with or
without BOM, UTF-16 with a BOM, GBK/GB18030). Cells are addressed A1 style in workbooks and
``line:column`` in text files.

Cell policy (a .xlsx's sheet XML is scanned first, whichever engine reads the values):

- a formula (hand-made tables often sum a column) is read by the result Excel saved, and the sheet's
  remarks name the formula cells;
- a formula with no saved result (a file written by a program and never opened in Excel) and an error
  value (#DIV/0!, #N/A) become :class:`~.cells.Unread` text, never a number or a blank: in a county row's
  value column the table gives a problem naming the cell; the sheet's remarks say how to fix it;
- dates, times and TRUE/FALSE are text to :func:`~.cells.parse_cell` (problems in a value column);
- hidden sheets, rows and columns are read, and said in the remarks;
- a cell or a row written twice or out of order is refused, as intake does: which one Excel shows is
  not ours to guess.

An .xls cannot be inspected so (calamine gives saved values only: an error value reads as blank): its
remarks say so. Remarks are full sentences naming the file and sheet, in ``RawSheet.remarks``.
"""

from __future__ import annotations

import csv
import io
import os
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import python_calamine
from openpyxl.utils import get_column_letter

from .. import workbook as W
from ..encoding import decoded
from ..errors import InputError
from ..paths import register_input
from .cells import Unread

MAX_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 64 * 1024 * 1024     # a chapter of a yearbook unzips to a few MB
MAX_ROWS, MAX_COLUMNS = 20_000, 500       # a county table has a few hundred rows and a few dozen columns
ENGINES = ("openpyxl", "calamine")
TEXT_SUFFIXES = frozenset({".csv", ".txt", ".tsv", ".prn", ""})
MAX_LISTED = 10                           # cells named in one remark before “等N个”
_AGAIN = "：请在Excel或WPS中打开，“另存为”→“Excel工作簿(*.xlsx)”后再导入"
_NEW_COPY = "：请重新下载或导出该文件，或在Excel中打开后重新保存再导入"
ADVICE = {
    "empty": _NEW_COPY,
    "too_big": "，不予读取：请只把需要的表格复制到新文件后再导入",
    "encrypted": "：请在Excel或WPS中取消密码后另存为.xlsx再导入",
    "web_page": _AGAIN + "（网站或业务系统导出的“Excel”常是这种网页表格）",
    "text": "，内容不是Excel工作簿：请把扩展名改为.csv后再导入，或在Excel中打开后另存为.xlsx",
    "unknown": "：请提供.xlsx、.xls或.csv格式的表格",
    "broken_zip": _NEW_COPY,
    "big_unzipped": "：请只把需要的表格复制到新文件后再导入",
    "word": "：请把表格复制到Excel中，保存为.xlsx后再导入",
    "not_workbook_zip": "：请提供.xlsx、.xls或.csv格式的表格",
    "broken_member": _NEW_COPY,
    "strict": _AGAIN,
}
POLICY = W.Policy(MAX_BYTES, MAX_UNZIPPED_BYTES, ADVICE, "年鉴表格", "可能含有大量图片或多余的工作表",
                  TEXT_SUFFIXES, legacy_renamed_ok=True, macros_ok=True)
_STATES = {"hidden": "隐藏的工作表", "veryHidden": "深度隐藏的工作表（在Excel中无法直接取消隐藏）"}


@dataclass
class RawSheet:
    """One sheet: ``cells[r][c]`` (0-based) as read; merged ranges as (r0, c0, r1, c1), 0-based, inclusive;
    ``remarks`` (提醒, full sentences): formulas read by their saved result, hidden rows, the .xls limits…"""

    file: str
    name: str            # '' for a text file
    kind: str            # xlsx / xls / csv
    cells: list[list[Any]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    encoding_note: str = ""
    remarks: list[str] = field(default_factory=list)
    hidden: bool = False                      # a hidden sheet

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
    if engine not in ENGINES:
        raise InputError([f"读取引擎“{engine}”未知，可选：{'、'.join(ENGINES)}"])
    data, size = _read(p, name)
    got = W.sniff(data, size, p.suffix, POLICY)
    if got.problem:
        raise InputError([f"文件“{name}”：{got.problem}"])
    if got.kind == "text":
        sheets = [_text(data, name)]
    elif got.kind == "xls":
        sheets = _calamine(data, name, "xls", {})
    else:
        sheets = _xlsx(data, name, engine)
    for s in sheets:
        s.remarks[:0] = [f"{s.where()}：{x}" for x in got.remarks]
    return sheets


def _read(p: Path, name: str) -> tuple[bytes, int]:
    """The file's first MAX_BYTES + 1 bytes and its size (one open; nothing else is read)."""
    if not p.exists():
        raise InputError([f"文件“{name}”不存在：请检查路径和文件名"])
    if p.is_dir():
        raise InputError([f"“{name}”是文件夹，不是文件：请给出表格文件（.xlsx、.xls或.csv）"])
    if not p.is_file():
        raise InputError([f"“{name}”不是普通文件（设备或管道），不予读取：请给出表格文件（.xlsx、.xls或.csv）"])
    register_input(p)
    try:
        with p.open("rb") as f:
            size = os.fstat(f.fileno()).st_size
            data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError([f"文件“{name}”无法读取（{exc.strerror or type(exc).__name__}）：请检查读取权限，"
                          "或关闭正在使用它的程序后再试"]) from None
    size = max(size, len(data))
    return (b"" if len(data) > MAX_BYTES else data), size


def _xlsx(data: bytes, name: str, engine: str) -> list[RawSheet]:
    """The sheets of an .xlsx: XML scanned (refusals, size, formulas, hidden parts), values by `engine`."""
    try:
        listed = W.workbook_sheets(data)
    except Exception:  # noqa: BLE001 — no or odd workbook.xml: the engine's failure is the message
        listed = []
    names = [s.name for s in listed]
    problems = [f"文件“{name}”：{W.DUPLICATE_SHEET.format(n=names.count(n), name=n)}{_AGAIN}"
                for n in sorted({n for n in names if names.count(n) > 1})]
    scans: dict[str, tuple[W.Sheet, W.CellScan]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = set(z.namelist())
        for s in listed:
            if s.member in members:
                scan = W.scan_cells(z, s.member)
                _check_size(name, s.name, scan.rows, scan.columns)
                scans[s.name] = (s, scan)
                where = f"文件“{name}”工作表“{s.name}”"
                problems += [f"{where}：{W.REPEATED_CELL.format(cell=f'{get_column_letter(c)}{r}')}{_AGAIN}"
                             for r, c in scan.repeated]
                if scan.backwards:
                    problems.append(f"{where}：第{scan.backwards[0]}行写在后面的行之后（文件被程序改动），"
                                    f"无法确定Excel显示的内容{_AGAIN}")
    if problems:
        raise InputError(problems)
    if engine == "calamine":
        return _calamine(data, name, "xlsx", scans)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
            try:
                out = [_openpyxl_sheet(ws, name, scans.get(ws.title)) for ws in wb.worksheets]
            finally:
                wb.close()
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 — a damaged workbook is a message, never a traceback
        raise InputError([f"文件“{name}”：{W.OPEN_FAILED.format(error=type(exc).__name__)}{_AGAIN}"]) from None
    return out


def _openpyxl_sheet(ws: Any, name: str, scanned: tuple[W.Sheet, W.CellScan] | None) -> RawSheet:
    if scanned is None:                         # not found by the scan: bounded by the caps instead
        rows = list(ws.iter_rows(max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS + 1, values_only=True))
        used = [(r, c) for r, row in enumerate(rows, 1) for c, v in enumerate(row, 1) if v is not None]
        height, width = max((r for r, _ in used), default=0), max((c for _, c in used), default=0)
        _check_size(name, ws.title, height, width)
    else:
        height, width = scanned[1].rows, scanned[1].columns
        rows = list(ws.iter_rows(max_row=height, max_col=width, values_only=True)) if height and width else []
    cells = _grid(rows, height, width)
    return _finish(RawSheet(name, ws.title, "xlsx", cells), scanned)


def _grid(rows: list, height: int, width: int) -> list[list[Any]]:
    """`rows` cut or padded to height × width, blanks as None."""
    out = [[None if v == "" else v for v in list(row)[:width]] for row in rows[:height]]
    return [r + [None] * (width - len(r)) for r in out] + [[None] * width for _ in range(height - len(out))]


def _finish(sheet: RawSheet, scanned: tuple[W.Sheet, W.CellScan] | None) -> RawSheet:
    """Merged ranges, Unread markers and remarks from the sheet's XML scan (an .xlsx's)."""
    if scanned is None:
        return sheet
    listed, scan = scanned
    height, width = len(sheet.cells), len(sheet.cells[0]) if sheet.cells else 0
    inside = [(r, c) for r, c in scan.formulas if r <= height and c <= width]

    def cells(keys: list[tuple[int, int]]) -> str:
        refs = [f"{get_column_letter(c)}{r}" for r, c in sorted(keys)]
        return "、".join(refs[:MAX_LISTED]) + (f"等{len(refs)}个单元格" if len(refs) > MAX_LISTED else "")

    sheet.merged = [(r0 - 1, c0 - 1, r1 - 1, c1 - 1) for r0, c0, r1, c1 in scan.merged]
    for (r, c), v in scan.errors.items():
        if r <= height and c <= width:
            sheet.cells[r - 1][c - 1] = Unread(v, "Excel错误值")
    unsaved = [(r, c) for r, c in scan.unsaved if r <= height and c <= width and (r, c) not in scan.errors]
    for r, c in unsaved:
        f = scan.unsaved[(r, c)]
        sheet.cells[r - 1][c - 1] = Unread(f"={f}" if f else "公式", "公式，文件中没有保存计算结果")
    saved = [k for k in inside if k not in scan.errors and k not in scan.unsaved]
    where = sheet.where()
    if listed.state in _STATES:
        sheet.hidden = True
        sheet.remarks.append(f"{where}：是{_STATES[listed.state]}，已照常读取：请核对是否应当导入")
    if saved:
        sheet.remarks.append(f"{where}：{cells(saved)}是公式，按Excel保存的计算结果读取")
    if unsaved:
        sheet.remarks.append(f"{where}：{cells(unsaved)}是公式，但文件中没有保存计算结果（文件由程序生成、未在Excel中"
                             "打开保存过），不能读取：请在Excel中打开该文件、保存后再导入")
    if scan.errors:
        sheet.remarks.append(f"{where}：{cells(list(scan.errors))}是Excel错误值（如#DIV/0!、#N/A），不能读取")
    full = {r for r, row in enumerate(sheet.cells, 1) if any(v is not None for v in row)}
    rows = sorted(set(scan.hidden_rows) & full)
    if rows:
        listed_rows = "、".join(map(str, rows[:MAX_LISTED])) + (f"等{len(rows)}行" if len(rows) > MAX_LISTED else "")
        sheet.remarks.append(f"{where}：第{listed_rows}行是隐藏行（在Excel中看不到），已照常读取")
    columns = sorted(c for c in set(scan.hidden_columns) if c <= width
                     and any(row[c - 1] is not None for row in sheet.cells))
    if columns:
        letters = "、".join(map(get_column_letter, columns[:MAX_LISTED])) + (
            f"等{len(columns)}列" if len(columns) > MAX_LISTED else "")
        sheet.remarks.append(f"{where}：第{letters}列是隐藏列（在Excel中看不到），已照常读取")
    return sheet


def _calamine(data: bytes, name: str, kind: str, scans: dict[str, tuple[W.Sheet, W.CellScan]]) -> list[RawSheet]:
    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        out = []
        for meta in wb.sheets_metadata:
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            sheet = wb.get_sheet_by_name(meta.name)
            scanned = scans.get(meta.name)
            height, width = (scanned[1].rows, scanned[1].columns) if scanned else (sheet.height, sheet.width)
            _check_size(name, meta.name, height, width)
            raw = RawSheet(name, meta.name, kind, _grid(sheet.to_python(skip_empty_area=False), height, width))
            if scanned:
                out.append(_finish(raw, scanned))
                continue
            raw.merged = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
            if meta.visible != python_calamine.SheetVisibleEnum.Visible:
                raw.hidden = True
                raw.remarks.append(f"{raw.where()}：是隐藏的工作表，已照常读取：请核对是否应当导入")
            raw.remarks.append(f"{raw.where()}：旧版格式(.xls/.et)只能读到保存的值，无法检查公式、错误值和隐藏行"
                               "（错误值读作空白）：建议在Excel中另存为.xlsx后导入")
            out.append(raw)
    except InputError:
        raise
    except python_calamine.PasswordError:
        raise InputError([f"文件“{name}”：{W.ENCRYPTED}{ADVICE['encrypted']}"]) from None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 — a Rust panic in calamine is a BaseException
        what = (f"{W.LEGACY_UNREADABLE}（{type(exc).__name__}），可能已损坏或不完整" if kind == "xls"
                else W.OPEN_FAILED.format(error=type(exc).__name__))
        raise InputError([f"文件“{name}”：{what}{_AGAIN}"]) from None
    return out


def _text(data: bytes, name: str) -> RawSheet:
    got = decoded(data, name)
    text = got.text
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        rows = [[v if v.strip() else None for v in row]
                for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise InputError([f"文件“{name}”不能按CSV读取（{exc}）：请在Excel或WPS中打开核对后另存为.csv或.xlsx"]) from None
    _check_size(name, "", len(rows), max((len(r) for r in rows), default=0))
    return RawSheet(name, "", "csv", rows, [], got.note)


def _check_size(name: str, sheet: str, rows: int, columns: int) -> None:
    """Refuse a sheet whose used range is far beyond a yearbook table's (a stray cell a million rows down)."""
    if rows > MAX_ROWS or columns > MAX_COLUMNS:
        where = f"文件“{name}”" + (f"工作表“{sheet}”" if sheet else "")
        raise InputError([f"{where}的内容范围有{rows:,}行、{columns:,}列，超过年鉴表格的上限（{MAX_ROWS:,}行、"
                          f"{MAX_COLUMNS}列）：请删除表格以外的多余内容，或只复制该表到新文件后再试"])
