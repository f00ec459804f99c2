"""Reading one submitted workbook: metadata, every value cell, with its provenance and problems.

The file is read once into memory. Its sheet list comes from xl/workbook.xml before anything is
parsed: a sheet the template does not have is never loaded, and if it holds content that is an
error (values belong in 填报). The template's sheets are scanned as XML first: a cell written twice
is refused before loading, and formula cells' saved results are kept for the message refusing them.
openpyxl inspects what calamine cannot (formulas, error values, number formats, conditional
formats, merged cells, rich-text runs); python-calamine reads legacy .xls files.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile

import openpyxl
import python_calamine
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import get_column_letter

from ..catalog import Catalog
from ..departments import assignment
from ..names import clean_text, name_changes, normalise_name
from . import layout as L
from .files import CellScan, FileInfo, scan_cells, sheet_has_content, sniff, workbook_sheets
from .fixed import check_guide
from .model import ACCEPTED, MISSING, NORMALISED, REJECTED, CellRead, Issue, WorkbookRead
from .sheet import EVIDENCE_POLICIES, Grid, read_data

TEMPLATE_SHEETS = (L.SHEET_GUIDE, L.SHEET_DATA, L.SHEET_META)
YEARS = (2000, 2100)

__all__ = ["ACCEPTED", "MISSING", "NORMALISED", "REJECTED", "CellRead", "Issue", "WorkbookRead", "read_workbook",
           "EVIDENCE_POLICIES"]


class _Reader(ExcelReader):
    """openpyxl's reader, loading only the named sheets (the others are never parsed)."""

    def __init__(self, data: bytes, wanted: set[str]):
        super().__init__(io.BytesIO(data), read_only=False, keep_vba=False, data_only=False, keep_links=False,
                         rich_text=True)
        self.wanted = wanted

    def read_workbook(self) -> None:
        super().read_workbook()
        find = self.parser.find_sheets
        self.parser.find_sheets = lambda: ((s, r) for s, r in find() if s.name in self.wanted)
        self.parser.defined_names = type(self.parser.defined_names)()   # print titles of dropped sheets


def load_sheets(data: bytes, wanted: set[str]) -> openpyxl.Workbook:
    """The named sheets, formulas as formulas and rich text with its runs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = _Reader(data, wanted)
        reader.read()
    return reader.wb


def _check_sheets(data: bytes, info: FileInfo, out: WorkbookRead) -> dict[str, CellScan] | None:
    """The template's sheets scanned (repeated cells, formulas' saved results); sheets the template
    does not have: an error if they hold anything, a notice if empty. None when the file must not be
    loaded (a cell written twice: which one Excel shows is not ours to guess)."""
    try:
        listed = workbook_sheets(data)
    except Exception:  # noqa: BLE001 — a missing or odd workbook.xml: openpyxl's message follows
        return {}
    names = [s.name for s in listed]
    for name in sorted({n for n in names if names.count(n) > 1}):
        out.add(Issue(f"工作簿中有{names.count(name)}个名为“{clean_text(name)}”的工作表（文件被改动），无法确定读哪一个："
                      "请使用下发的模板重新填报", info.name, clean_text(name)))
    scans: dict[str, CellScan] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = set(z.namelist())
        for s in listed:
            name = clean_text(s.name)
            if s.name in TEMPLATE_SHEETS:
                if s.member in members:
                    scans[s.name] = scan_cells(z, s.member)
                    for r, c in scans[s.name].repeated:
                        out.add(Issue(f"单元格{get_column_letter(c)}{r}在文件中出现不止一次（文件被程序改动），无法确定"
                                      "Excel显示的是哪一个：请在Excel中打开、核对后另存为.xlsx，或使用下发的模板重新填报",
                                      info.name, name, f"{get_column_letter(c)}{r}"))
            elif s.member and sheet_has_content(z, s.member):
                out.add(Issue(f"工作簿中有模板没有的工作表“{name}”，其中有内容：填报值只能填在“{L.SHEET_DATA}”工作表，"
                              f"其他工作表不读取。请把数据移到“{L.SHEET_DATA}”工作表并删除该表后重新报送",
                              info.name, name))
            else:
                out.add(Issue(f"工作簿中有模板没有的空白工作表“{name}”，已忽略", info.name, name, level="提醒"))
    return None if any(s.repeated for s in scans.values()) else scans


def _open(info: FileInfo, data: bytes, kind: str, out: WorkbookRead) -> dict[str, Grid] | None:
    """The template's sheets by name as grids, or None with the problem recorded."""
    if kind == "xls":
        try:
            wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            sheets = {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False)
                      for n in wb.sheet_names if n in TEMPLATE_SHEETS}
            extra = [n for n in wb.sheet_names if n not in TEMPLATE_SHEETS]
        except Exception:  # noqa: BLE001 — any reader failure becomes a message
            out.add(Issue("旧版Excel(.xls)或WPS表格(.et)文件无法读取：请在Excel/WPS中打开，"
                          "“另存为”Excel工作簿(*.xlsx)后报送", info.name))
            return None
        for n in extra:
            out.add(Issue(f"工作簿中有模板没有的工作表“{clean_text(n)}”：填报值只能填在“{L.SHEET_DATA}”工作表，"
                          "请删除该表后重新报送", info.name, clean_text(n)))
        out.add(Issue("旧版格式(.xls/.et)已读取，但无法检查单元格格式与公式；建议另存为.xlsx", info.name, level="提醒"))
        return {n: Grid(rows=rows) for n, rows in sheets.items()}
    scans = _check_sheets(data, info, out)
    if scans is None:
        return None
    try:
        wb = load_sheets(data, set(TEMPLATE_SHEETS))
    except Exception as exc:  # noqa: BLE001 — malformed XML (ParseError), damaged data (zlib.error), ...
        out.add(Issue(f"工作簿无法打开（{type(exc).__name__}），文件可能已损坏：请重新保存为.xlsx后报送", info.name))
        return None
    return {ws.title: Grid(ws, cached=scans[ws.title].formulas if ws.title in scans else {})
            for ws in wb.worksheets}


def read_workbook(info: FileInfo, data: bytes, catalog: Catalog, evidence: str = "warn") -> WorkbookRead:
    """Everything one file says, with every problem found (never stops at the first)."""
    out = WorkbookRead(info=info)
    try:
        _read_workbook(info, data, catalog, out, evidence)
    except Exception as exc:  # noqa: BLE001 — a damaged file must become a message, never a traceback
        out.meta, out.reads = {}, []
        out.add(Issue(f"读取时出错（{type(exc).__name__}），文件可能已损坏：请在Excel中打开，"
                      "另存为.xlsx后重新报送", info.name))
    out.summarise()
    return out


def _read_workbook(info: FileInfo, data: bytes, catalog: Catalog, out: WorkbookRead, evidence: str) -> None:
    kind, problem = sniff(data, info.size, info.path.suffix)
    if problem:
        out.add(Issue(problem, info.name))
        return
    sheets = _open(info, data, kind, out)
    if sheets is None:
        return
    if not _read_meta(sheets, info, catalog, out):
        return
    if L.SHEET_GUIDE in sheets:
        g = sheets[L.SHEET_GUIDE]
        check_guide(g, catalog, out)
        for r in range(1, min(g.max_row, 40) + 1):
            if g.text(r, 1) in L.GUIDE_FIELDS:
                out.contact[g.text(r, 1)] = clean_text(g.text(r, 2))[:200]
    if L.SHEET_DATA not in sheets:
        out.add(Issue(f"缺少“{L.SHEET_DATA}”工作表（被删除或改名）", info.name))
        return
    read_data(sheets[L.SHEET_DATA], info, catalog, out, evidence)


def _read_meta(sheets: dict[str, Grid], info: FileInfo, catalog: Catalog, out: WorkbookRead) -> bool:
    if L.SHEET_META not in sheets:
        out.add(Issue(f"缺少隐藏的元数据工作表“{L.SHEET_META}”：这不是 qstrong 生成的模板，"
                      "或该表被删除。请使用下发的模板重新填报", info.name))
        return False
    g = sheets[L.SHEET_META]
    here = dict(file=info.name, sheet=L.SHEET_META)
    meta: dict[str, str] = {}
    dup = False
    for r in g.rows_with_content(1, (1,)):
        key = normalise_name(g.text(r, 1))
        if key not in L.META_KEYS:
            continue
        raw = g.value(r, 2)
        typed = "" if raw is None else str(raw)[:200]
        if key in meta and meta[key] != normalise_name(typed):
            out.add(Issue(f"元数据{key}出现两次（“{clean_text(meta[key])}”与“{clean_text(typed)}”），无法确定以哪个为准："
                          "请使用下发的模板", cell=f"A{r}", **here))
            dup = True
        meta[key] = normalise_name(typed)
        if meta[key] != typed:                  # one county, however it was pasted
            out.add(Issue(f"元数据{key}：{name_changes(typed)}", cell=f"B{r}", level="提醒", **here))
    if dup:
        return False
    missing = [k for k in L.META_KEYS if not meta.get(k)]
    if missing:
        out.add(Issue(f"元数据不完整，缺少：{'、'.join(missing)}（模板被改动）", **here))
        return False
    ok = True
    if meta["template_version"] != L.TEMPLATE_VERSION:
        out.add(Issue(f"模板版本为{clean_text(meta['template_version'])}，当前为{L.TEMPLATE_VERSION}："
                      "请使用新下发的模板重新填报", **here))
        ok = False
    if meta["catalog_fingerprint"] != catalog.fingerprint:
        out.add(Issue("模板与当前指标目录不一致（模板由另一版本的指标目录生成）：请使用新下发的模板重新填报", **here))
        ok = False
    known = set(assignment(catalog).by_department) | {L.MASTER}
    if meta["department"] not in known:
        out.add(Issue(f"元数据中的部门“{clean_text(meta['department'])}”不是已知的责任部门", **here))
        ok = False
    year = meta["year"]
    if not re.fullmatch(r"[0-9]+", year):
        out.add(Issue(f"元数据中的年度“{clean_text(year)[:40]}”不是年份", **here))
        ok = False
    elif not YEARS[0] <= int(year) <= YEARS[1]:
        out.add(Issue(f"元数据中的年度“{year}”超出范围（应在{YEARS[0]}—{YEARS[1]}年之间）：请使用下发的模板", **here))
        ok = False
    if ok:
        out.meta = meta
    return ok
