"""Reading the 填报 sheet: where the values are (one header row, each header once) and every value cell.

Where a value is must never be guessed: a header duplicated, a second header row or a moved header
row is an error naming the cells, not a choice between them.
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from typing import Any

from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from ..catalog import Catalog
from ..names import clean_text, name_changes, normalise_name
from . import layout as L
from .files import FileInfo
from .fixed import check_data_sheet
from .model import (
    ACCEPTED,
    BAD_VALUE,
    MISSING,
    NO_EVIDENCE,
    NORMALISED,
    REJECTED,
    CellRead,
    Issue,
    WorkbookRead,
)
from .normalise import normalise
from .templates import template_measures

ERROR_VALUES = ("#DIV/0!", "#N/A", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!")
MAX_TEXT = 100_000                   # characters of a remark or evidence kept (the rest cut, with a notice)
EVIDENCE_POLICIES = ("warn", "strict", "off")
NO_EVIDENCE_WORDS = {"无", "没有", "暂无", "无佐证", "无佐证材料", "没有佐证材料", "暂无佐证材料", "na", "none",
                     "null", "nil", "略", "空", "未提供", "不详"}
_HEADERS = {name for name, _ in L.COLUMNS}


class Grid:
    """Uniform access to a sheet's cells (1-based), from openpyxl or from calamine rows."""

    def __init__(self, ws=None, rows: list[list[Any]] | None = None, cached: dict[tuple[int, int], Any] | None = None):
        self.ws, self.rows, self.cached = ws, rows, cached      # cached: formula cells' saved results
        self._merged: dict[int, list[tuple[int, int]]] | None = None
        self._cf: list[tuple[Any, str]] | None = None

    def is_merged(self, r: int, c: int) -> bool:
        """Whether (r, c) lies in a merged range (ranges indexed by column once: many ranges stay cheap)."""
        if self.ws is None:
            return False
        if self._merged is None:
            self._merged = {}
            for rng in self.ws.merged_cells.ranges:
                if rng.max_col - rng.min_col < 64:
                    for col in range(rng.min_col, rng.max_col + 1):
                        self._merged.setdefault(col, []).append((rng.min_row, rng.max_row))
                else:
                    self._merged.setdefault(0, []).append((rng.min_row, rng.max_row, rng.min_col, rng.max_col))
        return (any(a <= r <= b for a, b in self._merged.get(c, ()))
                or any(a <= r <= b and lo <= c <= hi for a, b, lo, hi in self._merged.get(0, ())))

    @property
    def max_row(self) -> int:
        return self.ws.max_row if self.ws is not None else len(self.rows)

    def filled(self) -> list[tuple[int, int, Any]]:
        """(row, column, value) of every cell holding something, without creating empty cells."""
        if self.ws is not None:
            return [(r, c, _plain(cell.value)) for (r, c), cell in self.ws._cells.items() if cell.value is not None]
        return [(r, c, v) for r, row in enumerate(self.rows, 1) for c, v in enumerate(row, 1) if v not in (None, "")]

    def rows_with_content(self, first: int, cols: tuple[int, ...]) -> list[int]:
        """Rows ≥ `first` with a value in any of `cols` — without touching empty cells, so a stray
        entry a million rows down costs nothing (openpyxl creates every cell it is asked for)."""
        return sorted({r for r, c, _ in self.filled() if r >= first and c in cols})

    def value(self, r: int, c: int) -> Any:
        if self.ws is not None:
            return _plain(self.ws.cell(r, c).value)
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

    def scripts(self, r: int, c: int) -> str:
        """The text of superscript or subscript runs in a rich-text cell (shown raised or lowered)."""
        v = self.ws.cell(r, c).value if self.ws is not None else None
        if not isinstance(v, CellRichText):
            return ""
        return "".join(b.text for b in v if isinstance(b, TextBlock) and b.font is not None
                       and b.font.vertAlign in ("superscript", "subscript"))

    def conditional_formats(self, r: int, c: int) -> list[str]:
        """Number formats that conditional formatting may give the cell (each rule's dxf numFmt)."""
        if self.ws is None:
            return []
        if self._cf is None:
            self._cf = [(cf.sqref, rule.dxf.numFmt.formatCode) for cf in self.ws.conditional_formatting
                        for rule in cf.rules if rule.dxf is not None and rule.dxf.numFmt is not None]
        coord = f"{get_column_letter(c)}{r}"
        return list(dict.fromkeys(code for rng, code in self._cf if coord in rng))

    def cached_value(self, r: int, c: int) -> Any:
        v = None if self.cached is None else self.cached.get((r, c))
        return None if v == "" else v


def _plain(v: Any) -> Any:
    """Rich text as the text it shows (runs joined)."""
    return str(v) if isinstance(v, CellRichText) else v


def _header_name(v: Any) -> str:
    """The template header a cell holds ('' if none), spelled however (spaces, NBSP, full width)."""
    if not isinstance(v, str) or len(v) > 40:
        return ""
    n = normalise_name(v)
    return n if n in _HEADERS else ""


def find_header(g: Grid, info: FileInfo, out: WorkbookRead) -> dict[str, int] | None:
    """Columns by header, or None with the problem recorded: exactly one header row, at HEADER_ROW,
    every template header in it at most once."""
    sheet = L.SHEET_DATA
    by_row: dict[int, dict[str, list[int]]] = {}
    for r, c, v in g.filled():
        name = _header_name(v)
        if name:
            by_row.setdefault(r, {}).setdefault(name, []).append(c)
    rows = sorted(r for r, names in by_row.items() if L.MEASURE_ID in names or len(names) >= 2)
    if not rows:
        out.add(Issue(f"找不到表头（“{L.MEASURE_ID}”列被删除或改名）", info.name, sheet))
        return None
    if len(rows) > 1:
        out.add(Issue(f"表头出现在多行（第{'、'.join(map(str, rows))}行），无法确定数据在哪个表中：请只保留模板第"
                      f"{L.HEADER_ROW}行的表头，删除复制的表格", info.name, sheet, f"第{rows[1]}行"))
        return None
    head = rows[0]
    names = by_row[head]
    ok = True
    if head != L.HEADER_ROW:
        out.add(Issue(f"表头应在第{L.HEADER_ROW}行，现在在第{head}行（表头上方插入或删除了行），数据位置无法确认："
                      "请使用下发的模板，不要增删表头上方的行", info.name, sheet, f"第{head}行"))
        ok = False
    for name, cols in sorted(names.items()):
        if len(cols) > 1:
            cells = "、".join(f"{get_column_letter(c)}{head}" for c in sorted(cols))
            out.add(Issue(f"表头“{name}”出现{len(cols)}次（{cells}），无法确定该读哪一列：请删除多余的列",
                          info.name, sheet, f"{get_column_letter(sorted(cols)[1])}{head}"))
            ok = False
    if L.MEASURE_ID not in names:
        out.add(Issue(f"找不到表头（“{L.MEASURE_ID}”列被删除或改名）", info.name, sheet))
        return None
    if L.VALUE not in names:
        out.add(Issue(f"表头缺少“{L.VALUE}”列", info.name, sheet, f"第{head}行"))
        return None
    return {name: cols[0] for name, cols in names.items()} if ok else None


@lru_cache(maxsize=4096)
def _suggestion(mid: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(mid, known, n=1, cutoff=0.75)
    return f"，是否应为 {close[0]}？" if close else ""


def _long_text(g: Grid, r: int, col: int | None, what: str, info: FileInfo, out: WorkbookRead) -> str:
    """A remark or evidence cell as written (control characters visible), cut at MAX_TEXT with a notice;
    a formula is refused (what it shows is not what the file says)."""
    if col is None:
        return ""
    if g.kind(r, col) == "f":                  # shows the formula's result, which the file may misstate
        out.add(Issue(f"{what}单元格是公式（{clean_text(_formula_text(g.value(r, col)))[:100]}），Excel显示的是公式的结果，"
                      f"文件中保存的结果可能已过时或被改动，不予采用：请直接填写文字", info.name, L.SHEET_DATA,
                      f"{get_column_letter(col)}{r}"), kind=f"{what}是公式")
        return ""
    t = clean_text(g.text(r, col))
    if len(t) > MAX_TEXT:
        out.add(Issue(f"{what}过长（{len(t)}字），只保留前{MAX_TEXT}字：完整内容请另附文件", info.name,
                      L.SHEET_DATA, f"{get_column_letter(col)}{r}", level="提醒"), kind=f"{what}过长")
        t = t[:MAX_TEXT] + f"…（原文共{len(t)}字，已截断）"
    return t


def read_data(g: Grid, info: FileInfo, catalog: Catalog, out: WorkbookRead, evidence: str = "warn") -> None:
    """Every value cell of the 填报 sheet into out.reads; every problem into out.issues."""
    sheet = L.SHEET_DATA
    cols = find_header(g, info, out)
    if cols is None:
        return
    meta = out.meta
    dept, county, year = meta["department"], meta["county"], int(meta["year"])
    expected = set(template_measures(catalog, dept))
    known = tuple(catalog.measures)
    seen: dict[str, str] = {}
    _outside_columns(g, cols, info, out)
    check_data_sheet(g, cols, catalog, out)
    vc, ic = cols[L.VALUE], cols[L.MEASURE_ID]
    for r in g.rows_with_content(L.HEADER_ROW + 1, (vc, ic)):
        typed = "" if g.value(r, ic) is None else str(g.value(r, ic))
        cell = f"{get_column_letter(vc)}{r}"
        if not typed.strip():
            if g.text(r, vc):           # a stray space below the table is not a value
                out.add(Issue("这一行有填报值但没有数据项编号（行被改动或插入），该值无法识别", info.name, sheet, cell),
                        kind="没有数据项编号的值")
            continue
        mid = normalise_name(typed)
        if mid != typed:
            out.add(Issue(f"数据项编号{name_changes(typed)}", info.name, sheet, f"{get_column_letter(ic)}{r}",
                          mid, level="提醒"), kind="数据项编号已规范")
        here = dict(file=info.name, sheet=sheet, cell=cell, measure=mid[:80])
        if mid not in catalog.measures:
            if out.would_list("未知的数据项编号", sheet=sheet):
                hint = _suggestion(mid, known) if len(mid) <= 80 else ""
                msg = f"未知的数据项编号“{clean_text(mid[:80])}”（编号列被改动）{hint}"
            else:
                msg = ""
            out.add(Issue(msg, **here), kind="未知的数据项编号")
            continue
        if mid not in expected:
            out.add(Issue(f"本部门的模板中没有这个数据项（行是后加的），不予读取：{catalog.measures[mid].name_zh}"
                          "由其他部门填报，请删除这一行", **here), kind="模板外的数据项")
            continue
        if mid in seen:
            out.add(Issue(f"数据项重复出现（另见单元格{seen[mid]}），请删除多余的行", **here), kind="数据项重复")
            continue
        seen[mid] = cell
        read = CellRead(info.name, sheet, cell, dept, county, year, mid, "", None, MISSING,
                        evidence=_long_text(g, r, cols.get(L.EVIDENCE), L.EVIDENCE, info, out),
                        remark=_long_text(g, r, cols.get(L.REMARK), L.REMARK, info, out),
                        sha256=info.sha256, modified=info.modified)
        out.reads.append(read)
        read_value(g, r, vc, catalog, read, out, here)
        if read.value is not None and evidence != "off" and no_evidence(read.evidence):
            _no_evidence(read, out, here, evidence, cols.get(L.EVIDENCE), r)
    for mid in [m for m in catalog.measures if m in expected and m not in seen]:
        out.add(Issue(f"模板中的数据项行被删除：{catalog.measures[mid].name_zh}", info.name, sheet, measure=mid),
                kind="数据项行被删除")


def _outside_columns(g: Grid, cols: dict[str, int], info: FileInfo, out: WorkbookRead) -> None:
    """Content below the header in a column the header does not name: never read, so never silent."""
    named = set(cols.values())
    for r, c, v in sorted(g.filled()):
        if r < L.HEADER_ROW and c > 1 and str(v).strip():
            out.add(Issue(f"表头上方的单元格有内容（“{clean_text(v)[:40]}”），不会被读取：填报值只能填在“{L.VALUE}”列，"
                          "请移到该列或删除", info.name, L.SHEET_DATA, f"{get_column_letter(c)}{r}"), kind="表头以外的内容")
        elif r > L.HEADER_ROW and c not in named and str(v).strip():
            out.add(Issue(f"单元格有内容（“{clean_text(v)[:40]}”），但所在列没有模板表头，不会被读取：填报值只能填在"
                          f"“{L.VALUE}”列（{get_column_letter(cols[L.VALUE])}列），请移到该列或删除",
                          info.name, L.SHEET_DATA, f"{get_column_letter(c)}{r}"), kind="表头以外的内容")


def no_evidence(text: str) -> bool:
    """Whether a 佐证材料 text names no evidence: empty once invisible characters and spaces are gone,
    only punctuation (-, —, /, \\), or a word for none (无, 没有, 暂无, N/A, …)."""
    words = "".join(ch for ch in normalise_name(text).lower() if ch.isalnum())
    return not words or words in NO_EVIDENCE_WORDS


def _no_evidence(read: CellRead, out: WorkbookRead, here: dict, policy: str, col: int | None, r: int) -> None:
    at = f"{get_column_letter(col)}{r}" if col else ""
    shown = clean_text(read.evidence).strip()[:20] if normalise_name(read.evidence) else ""
    where = (f"（表头没有“{L.EVIDENCE}”列）" if not col else f"（{at}为空）" if not read.evidence.strip()
             else f"（{at}只有空格或不可见字符）" if not shown else f"（{at}只有“{shown}”，不是佐证材料）")
    read.no_evidence = True
    if policy == "strict":
        msg = f"无佐证材料，按填报说明不予采用{where}：请在“{L.EVIDENCE}”列注明依据后重新报送"
        read.status, read.value, read.note = REJECTED, None, "；".join(x for x in (read.note, msg) if x)
        out.add(Issue(msg, **here), kind=NO_EVIDENCE)
        return
    read.note = "；".join(x for x in (read.note, NO_EVIDENCE) if x)
    out.add(Issue(f"{NO_EVIDENCE}{where}：按填报说明，无佐证材料的数据不予采用，请补充（本次暂按所填值计）",
                  **here, level="提醒"), kind=NO_EVIDENCE)


def _formula_text(raw: Any) -> str:
    if isinstance(raw, ArrayFormula):
        return str(raw.text or "")
    if isinstance(raw, DataTableFormula):
        return f"{{=TABLE({raw.r1 or ''},{raw.r2 or ''})}}（模拟运算表 {raw.ref}）"
    return str(raw)


def _formula_problem(shown: str, saved: Any) -> str:
    """Why a formula in a value cell is refused: its saved result may be stale or forged."""
    saved = "" if saved is None else clean_text(saved).strip()
    what = ("文件中没有保存计算结果" if not saved else f"保存的结果是错误值 {saved[:20]}" if saved.startswith("#")
            else f"文件中保存的结果为“{saved[:60]}”")
    return (f"单元格是公式（{shown}），{what}。公式在Excel打开时会重新计算，文件中保存的结果可能已过时或被改动，不予采用："
            "请直接填写数值（复制后“选择性粘贴→数值”）")


def read_value(g: Grid, r: int, c: int, catalog: Catalog, read: CellRead, out: WorkbookRead, here: dict) -> None:
    """One value cell: numbers as their format (and any conditional format) shows them; formulas refused."""
    m = catalog.measures[read.measure]
    raw = g.value(r, c)
    kind = g.kind(r, c)
    formula = isinstance(raw, ArrayFormula | DataTableFormula) or kind == "f" or (
        isinstance(raw, str) and raw.startswith("="))
    text = _formula_text(raw) if formula else ("" if raw is None else str(raw))
    read.original = clean_text(text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…（已截断）")

    def reject(msg: str) -> None:
        read.status, read.note = REJECTED, msg
        out.add(Issue(msg, **here), kind=BAD_VALUE)

    if g.is_merged(r, c):
        return reject("填报值单元格被合并，无法确定属于哪个数据项：请取消合并后分别填写")
    if kind == "e" or (isinstance(raw, str) and raw.strip() in ERROR_VALUES):
        return reject(f"单元格是错误值 {clean_text(raw).strip()[:20]}，请改为实际数值")
    if formula:
        return reject(_formula_problem(read.original[:200], g.cached_value(r, c)))
    scripted = g.scripts(r, c)
    if scripted:
        return reject(f"单元格中的“{clean_text(scripted)[:20]}”是上标或下标（显示为“{read.original[:60]}”），不是所填的数字："
                      "请清除格式后重新填写")
    fmt = g.number_format(r, c) or ""
    res = normalise(m, raw, fmt)
    if res.error:
        return reject(res.error)
    for code in g.conditional_formats(r, c):
        other = normalise(m, raw, code) if code != fmt else res
        if other.error:
            return reject(f"条件格式可能把单元格格式改为“{code}”：{other.error}")
        if other.value != res.value:
            return reject(f"条件格式可能把单元格格式改为“{code}”，单元格会显示另一个数（{other.value}而不是{res.value}）："
                          "请删除该单元格的条件格式")
    if res.value is None:
        read.status = MISSING
        return
    read.value = res.value
    read.note = "；".join(x for x in (read.note, res.note) if x)
    read.status = NORMALISED if res.changed and res.note else ACCEPTED
