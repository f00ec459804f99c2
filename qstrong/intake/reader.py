"""Reading one submitted workbook: metadata, every value cell, with its provenance and problems.

openpyxl inspects what calamine cannot (formulas, error values, number formats, merged cells) and
supplies the cached results of formula cells; python-calamine reads legacy .xls files.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

import openpyxl
import python_calamine
from openpyxl.utils import get_column_letter

from ..catalog import Catalog
from ..departments import assignment
from ..measures import load_measures
from . import layout as L
from .files import FileInfo, sniff
from .normalise import normalise

ERROR_VALUES = ("#DIV/0!", "#N/A", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!")

ACCEPTED, NORMALISED, MISSING, REJECTED = "采用", "已规范化", "未填报", "拒绝"


@dataclass(frozen=True)
class Issue:
    """A problem (level 错误: blocks scoring) or a notice (提醒), located as precisely as possible."""

    message: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    measure: str = ""
    level: str = "错误"

    def __str__(self) -> str:
        m = load_measures().get(self.measure)
        measure = self.measure and f"数据项 {self.measure}" + (f"（{m.name_zh}）" if m else "")
        where = [p for p in (self.file and f"文件“{self.file}”", self.sheet and f"工作表“{self.sheet}”",
                             self.cell and f"单元格{self.cell}", measure) if p]
        return f"[{self.level}] {'，'.join(where)}：{self.message}" if where else f"[{self.level}] {self.message}"


@dataclass
class CellRead:
    """One value cell read: where it came from, what was typed, what was made of it."""

    file: str
    sheet: str
    cell: str
    department: str
    county: str
    year: int | None
    measure: str
    original: str
    value: str | None
    status: str
    note: str = ""
    evidence: str = ""
    remark: str = ""
    sha256: str = ""
    modified: str = ""


@dataclass
class WorkbookRead:
    info: FileInfo
    meta: dict[str, str] = field(default_factory=dict)
    contact: dict[str, str] = field(default_factory=dict)
    reads: list[CellRead] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def department(self) -> str:
        return self.meta.get("department", "")

    @property
    def readable(self) -> bool:
        return bool(self.meta) and not any(i.level == "错误" and not i.cell and not i.measure
                                           for i in self.issues)


class _Grid:
    """Uniform access to a sheet's cells (1-based), from openpyxl or from calamine rows."""

    def __init__(self, ws=None, rows: list[list[Any]] | None = None, cached: dict[tuple[int, int], Any] | None = None):
        self.ws, self.rows, self.cached = ws, rows, cached
        self._merged = list(ws.merged_cells.ranges) if ws is not None else []

    def is_merged(self, coordinate: str) -> bool:
        return any(coordinate in rng for rng in self._merged)

    @property
    def max_row(self) -> int:
        return self.ws.max_row if self.ws is not None else len(self.rows)

    def rows_with_content(self, first: int, cols: tuple[int, ...]) -> list[int]:
        """Rows ≥ `first` with a value in any of `cols` — without touching empty cells, so a stray
        entry a million rows down costs nothing (openpyxl creates every cell it is asked for)."""
        if self.ws is not None:
            cells = self.ws._cells  # the parsed cells, keyed by (row, col)
            rows = {r for (r, c), cell in cells.items() if r >= first and c in cols and cell.value is not None}
        else:
            rows = {r for r in range(first, len(self.rows) + 1) if any(self.value(r, c) is not None for c in cols)}
        return sorted(rows)

    def value(self, r: int, c: int) -> Any:
        if self.ws is not None:
            return self.ws.cell(r, c).value
        row = self.rows[r - 1] if r - 1 < len(self.rows) else []
        v = row[c - 1] if c - 1 < len(row) else None
        return None if v == "" else v

    def text(self, r: int, c: int) -> str:
        v = self.value(r, c)
        return "" if v is None else str(v).strip()

    def kind(self, r: int, c: int) -> str:
        """openpyxl data type: n, s, b, f (formula), e (error), d (date); '' for calamine."""
        return self.ws.cell(r, c).data_type if self.ws is not None else ""

    def number_format(self, r: int, c: int) -> str:
        return self.ws.cell(r, c).number_format if self.ws is not None else ""

    def cached_value(self, r: int, c: int) -> Any:
        v = None if self.cached is None else self.cached.get((r, c))
        return None if v == "" else v


def _calamine_sheets(info: FileInfo) -> dict[str, list[list[Any]]]:
    wb = python_calamine.CalamineWorkbook.from_path(str(info.path))
    return {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wb.sheet_names}


def _cached_cells(info: FileInfo) -> dict[tuple[int, int], Any]:
    """The data sheet's values as Excel last saved them: formula results, error values (#DIV/0!)
    included. (calamine turns a cached error into an empty cell, which would read as "no result".)
    """
    wb = openpyxl.load_workbook(info.path, data_only=True)
    return {k: c.value for k, c in wb[L.SHEET_DATA]._cells.items()}


def _open(info: FileInfo, kind: str, out: WorkbookRead) -> tuple[dict[str, _Grid] | None, Any]:
    """Sheets by name as grids, or None with the problem recorded."""
    if kind == "xls":
        try:
            sheets = _calamine_sheets(info)
        except Exception:  # noqa: BLE001 — any reader failure becomes a message
            out.issues.append(Issue("旧版Excel(.xls)或WPS表格(.et)文件无法读取：请在Excel/WPS中打开，"
                                    "“另存为”Excel工作簿(*.xlsx)后报送", info.name))
            return None, None
        out.issues.append(Issue("旧版格式(.xls/.et)已读取，但无法检查单元格格式与公式；建议另存为.xlsx",
                                info.name, level="提醒"))
        return {n: _Grid(rows=rows) for n, rows in sheets.items()}, None
    try:
        wb = openpyxl.load_workbook(info.path, data_only=False)
    except Exception as exc:  # noqa: BLE001 — malformed XML (ParseError), damaged data (zlib.error), ...
        out.issues.append(Issue(f"工作簿无法打开（{type(exc).__name__}），文件可能已损坏：请重新保存为.xlsx后报送",
                                info.name))
        return None, None
    return {ws.title: ws for ws in wb.worksheets}, wb


def read_workbook(info: FileInfo, catalog: Catalog) -> WorkbookRead:
    """Everything one file says, with every problem found (never stops at the first)."""
    out = WorkbookRead(info)
    try:
        _read_workbook(info, catalog, out)
    except Exception as exc:  # noqa: BLE001 — a damaged file must become a message, never a traceback
        out.meta, out.reads = {}, []
        out.issues.append(Issue(f"读取时出错（{type(exc).__name__}），文件可能已损坏：请在Excel中打开，"
                                "另存为.xlsx后重新报送", info.name))
    return out


def _read_workbook(info: FileInfo, catalog: Catalog, out: WorkbookRead) -> None:
    kind, problem = sniff(info.path, info.size)
    if problem:
        out.issues.append(Issue(problem, info.name))
        return
    sheets, wb = _open(info, kind, out)
    if sheets is None:
        return
    if not _read_meta(sheets, info, catalog, out):
        return
    if L.SHEET_GUIDE in sheets:
        g = sheets[L.SHEET_GUIDE] if isinstance(sheets[L.SHEET_GUIDE], _Grid) else _Grid(sheets[L.SHEET_GUIDE])
        for r in range(1, min(g.max_row, 40) + 1):
            if g.text(r, 1) in L.GUIDE_FIELDS:
                out.contact[g.text(r, 1)] = g.text(r, 2)
    if L.SHEET_DATA not in sheets:
        out.issues.append(Issue(f"缺少“{L.SHEET_DATA}”工作表（被删除或改名）", info.name))
        return
    data = sheets[L.SHEET_DATA]
    if not isinstance(data, _Grid):
        cached = None
        if any(c.data_type == "f" for c in data._cells.values()):
            try:
                cached = _cached_cells(info)
            except Exception:  # noqa: BLE001
                cached = None
        data = _Grid(data, cached=cached)
    _read_data(data, info, catalog, out)
    return


def _read_meta(sheets: dict, info: FileInfo, catalog: Catalog, out: WorkbookRead) -> bool:
    if L.SHEET_META not in sheets:
        out.issues.append(Issue(f"缺少隐藏的元数据工作表“{L.SHEET_META}”：这不是 qstrong 生成的模板，"
                                "或该表被删除。请使用下发的模板重新填报", info.name))
        return False
    g = sheets[L.SHEET_META] if isinstance(sheets[L.SHEET_META], _Grid) else _Grid(sheets[L.SHEET_META])
    meta = {g.text(r, 1): g.text(r, 2) for r in g.rows_with_content(1, (1,)) if g.text(r, 1)}
    missing = [k for k in L.META_KEYS if not meta.get(k)]
    here = dict(file=info.name, sheet=L.SHEET_META)
    if missing:
        out.issues.append(Issue(f"元数据不完整，缺少：{'、'.join(missing)}（模板被改动）", **here))
        return False
    ok = True
    if meta["template_version"] != L.TEMPLATE_VERSION:
        out.issues.append(Issue(f"模板版本为{meta['template_version']}，当前为{L.TEMPLATE_VERSION}："
                                "请使用新下发的模板重新填报", **here))
        ok = False
    if meta["catalog_fingerprint"] != catalog.fingerprint:
        out.issues.append(Issue("模板与当前指标目录不一致（模板由另一版本的指标目录生成）："
                                "请使用新下发的模板重新填报", **here))
        ok = False
    known = set(assignment(catalog).by_department) | {L.MASTER}
    if meta["department"] not in known:
        out.issues.append(Issue(f"元数据中的部门“{meta['department']}”不是已知的责任部门", **here))
        ok = False
    try:
        int(meta["year"])
    except ValueError:
        out.issues.append(Issue(f"元数据中的年度“{meta['year']}”不是年份", **here))
        ok = False
    if ok:
        out.meta = meta
    return ok


def _header(g: _Grid) -> tuple[int, dict[str, int]] | None:
    for r in range(1, min(g.max_row, 15) + 1):
        texts = {g.text(r, c): c for c in range(1, 20) if g.text(r, c)}
        if L.MEASURE_ID in texts:
            return r, texts
    return None


def _read_data(g: _Grid, info: FileInfo, catalog: Catalog, out: WorkbookRead) -> None:
    sheet = L.SHEET_DATA
    found = _header(g)
    if found is None:
        out.issues.append(Issue(f"找不到表头（“{L.MEASURE_ID}”列被删除或改名）", info.name, sheet))
        return
    head, cols = found
    for name in (L.VALUE,):
        if name not in cols:
            out.issues.append(Issue(f"表头缺少“{name}”列", info.name, sheet, f"第{head}行"))
            return
    meta = out.meta
    dept, county, year = meta["department"], meta["county"], int(meta["year"])
    expected = set(catalog.measures) if dept == L.MASTER else set(assignment(catalog).by_department[dept])
    seen: dict[str, str] = {}
    vc, ic = cols[L.VALUE], cols[L.MEASURE_ID]
    for r in g.rows_with_content(head + 1, (vc, ic)):
        mid = g.text(r, ic)
        cell = f"{get_column_letter(vc)}{r}"
        if not mid:
            if g.text(r, vc):           # a stray space below the table is not a value
                out.issues.append(Issue("这一行有填报值但没有数据项编号（行被改动或插入），该值无法识别",
                                        info.name, sheet, cell))
            continue
        here = dict(file=info.name, sheet=sheet, cell=cell, measure=mid)
        if mid not in catalog.measures:
            close = difflib.get_close_matches(mid, list(catalog.measures), n=1, cutoff=0.75)
            hint = f"，是否应为 {close[0]}？" if close else ""
            out.issues.append(Issue(f"未知的数据项编号“{mid}”（编号列被改动）{hint}", **here))
            continue
        if mid in seen:
            out.issues.append(Issue(f"数据项重复出现（另见单元格{seen[mid]}），请删除多余的行", **here))
            continue
        seen[mid] = cell
        read = CellRead(info.name, sheet, cell, dept, county, year, mid, "", None, MISSING,
                        evidence=g.text(r, cols[L.EVIDENCE]) if L.EVIDENCE in cols else "",
                        remark=g.text(r, cols[L.REMARK]) if L.REMARK in cols else "",
                        sha256=info.sha256, modified=info.modified)
        out.reads.append(read)
        _read_value(g, r, vc, catalog, read, out, here)
    for mid in [m for m in catalog.measures if m in expected and m not in seen]:
        out.issues.append(Issue(f"模板中的数据项行被删除：{catalog.measures[mid].name_zh}", info.name, sheet,
                                measure=mid))


def _read_value(g: _Grid, r: int, c: int, catalog: Catalog, read: CellRead, out: WorkbookRead,
                here: dict) -> None:
    m = catalog.measures[read.measure]
    raw = g.value(r, c)
    read.original = "" if raw is None else str(raw)
    kind = g.kind(r, c)

    def reject(msg: str) -> None:
        read.status, read.note = REJECTED, msg
        out.issues.append(Issue(msg, **here))

    if g.is_merged(read.cell):
        return reject("填报值单元格被合并，无法确定属于哪个数据项：请取消合并后分别填写")
    if kind == "e" or (isinstance(raw, str) and raw.strip() in ERROR_VALUES):
        return reject(f"单元格是错误值 {str(raw).strip()}，请改为实际数值")
    if kind == "f" or (isinstance(raw, str) and raw.startswith("=")):
        cached = g.cached_value(r, c)
        if cached is None:
            return reject(f"单元格是公式（{raw}）且没有计算结果：请直接填写数值，或在Excel中打开后保存")
        if isinstance(cached, str) and cached.strip() in ERROR_VALUES:
            return reject(f"公式（{raw}）的结果是错误值 {cached.strip()}，请改为实际数值")
        read.note = f"公式{raw}取计算结果{cached}"
        raw = cached
    percent_format = "%" in (g.number_format(r, c) or "")
    res = normalise(m, raw, percent_format)
    if res.error:
        return reject(res.error)
    if res.value is None:
        read.status = MISSING
        return
    read.value = res.value
    read.note = "；".join(x for x in (read.note, res.note) if x)
    read.status = NORMALISED if (res.changed and res.note) or kind == "f" else ACCEPTED
