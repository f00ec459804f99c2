"""A yearbook sheet as a table: title, unit line, header rows, columns with units, county rows, notes.

The shape read (counties down, measures or years across): title and unit lines above, one to three
header rows (merged cells spread over their range; in a text file a group label spreads right over
the columns whose lower header is filled), the data rows, then notes (“注：…”, “资料来源：…”) below.
The first data row is the first row with a name (not a header word) and a number to its right. Rows
naming a prefecture (“淄博市”) set the prefecture of the rows below; 全省/合计 rows are totals. Every
problem is collected with its file, sheet and cell; nothing is guessed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from openpyxl.utils import get_column_letter

from .. import divisions
from ..names import normalise_name
from .cells import MISSING, NUMBER, TEXT, parse_cell, strip_mark
from .reader import RawSheet
from .units import parse_unit, split_unit, unit_line

MAX_HEADER_ROWS = 3
_HEADER_WORD = re.compile(r"^(地区|地区名称|区县|县区|县市区|市县区|县（市、区）|县（市，区）|县（市区）|县（区、市）|县（市）|区（县）|"
                          r"区县（市）|县市|区域|行政区划|行政区|单位|单位名称|名称|项目|指标|市|地级市|所属市|设区市|所属地市|地市)$")
_PREFECTURE_HEADER = re.compile(r"^(市|地级市|所属市|设区市|所属地市|地市|所属地级市)$")
_SKIP_HEADER = re.compile(r"(代码|序号|编号)$")
_NOTE = re.compile(r"^(注[0-9①-⑳]*[:：]|注$|说明[:：]|备注[:：]|资料来源|数据来源|[①-⑳])")
_TOTALS = ("全省", "山东省", "山东", "合计", "总计", "全市", "全省合计", "全市合计", "全省总计", "市辖区", "总体", "全部")
_YEAR = range(1949, 2101)
_ZONE = re.compile(r"(开发区|高新区|保税区|度假区|示范区|试验区|实验区|园区|新区|管理区|管委会|港区)$")


@dataclass(frozen=True)
class Column:
    """A value column: 0-based index, its address letter/number, header parts, label and unit."""

    index: int
    name: str                # “C” (workbook) or “3” (text file)
    header: str              # the header rows' texts joined by ｜, units included
    label: str               # without the unit: 地区生产总值｜第三产业
    unit: str                # canonical unit, '' when none could be read
    unit_source: str         # header / unit row / unit line / ''

    @property
    def display(self) -> str:
        return f"{self.label}（{self.unit}）" if self.unit else self.label


@dataclass(frozen=True)
class Cell:
    address: str
    raw: object
    status: str              # number / missing / text
    value: float | None
    mark: str
    provenance: str


@dataclass(frozen=True)
class Row:
    """A data row: 1-based line, the name as printed and normalised, its kind and prefecture context."""

    line: int
    raw_name: str
    name: str
    address: str
    where: str
    kind: str                # county / prefecture / total
    prefecture: str          # from the prefecture column, the subtotal row above, or the title ('' if none)
    cells: tuple[Cell, ...]  # one per value column, in column order


@dataclass
class YearbookTable:
    """One sheet read as a yearbook table; ``problems`` (Chinese, with places) empty when it is usable."""

    file: str
    sheet: str
    kind: str
    title: str = ""
    unit_line: str = ""
    prefecture: str = ""                     # named by the title
    header_rows: tuple[int, ...] = ()        # 1-based
    county_column: int = -1                  # 0-based
    prefecture_column: int | None = None
    columns: tuple[Column, ...] = ()
    rows: tuple[Row, ...] = ()
    notes: tuple[str, ...] = ()
    missing: int = 0                         # cells read as missing (—, …, x, blank)
    remarks: list[str] = field(default_factory=list)    # 提醒: marks stripped, encoding, columns skipped
    problems: list[str] = field(default_factory=list)
    column_problems: dict[int, list[str]] = field(default_factory=dict)   # column index → its problems (also in problems)

    def flag(self, index: int, text: str) -> None:
        """A problem of one value column (its unit, a text cell, a repeated header): listed in both."""
        self.problems.append(text)
        self.column_problems.setdefault(index, []).append(text)

    def column(self, label: str) -> Column:
        """The column whose label (or display) is `label`."""
        hits = [c for c in self.columns if label in (c.label, c.display)]
        if len(hits) != 1:
            raise KeyError(label)
        return hits[0]

    def values(self, label: str) -> list[tuple[Row, Cell]]:
        """Each county row with its cell in column `label`."""
        i = self.columns.index(self.column(label))
        return [(r, r.cells[i]) for r in self.rows if r.kind == "county"]


@cache
def prefecture_names() -> dict[str, str]:
    """Every Shandong prefecture since 2011 by full and short name → full name (莱芜市 included)."""
    out: dict[str, str] = {}
    for y in range(divisions.FIRST_YEAR, divisions.LAST_YEAR + 1):
        for d in divisions.divisions(y):
            out[d.prefecture] = out[d.prefecture.removesuffix("市")] = d.prefecture
    return out


def _text(v: object) -> str:
    return normalise_name(v) if v is not None and not isinstance(v, int | float) else ""


def _filled(sheet: RawSheet) -> list[list[object]]:
    """The cells with every merged range holding its top-left value (for texts: headers, names)."""
    width = max((len(r) for r in sheet.cells), default=0)
    grid = [list(r) + [None] * (width - len(r)) for r in sheet.cells]
    for r0, c0, r1, c1 in sheet.merged:
        if r0 >= len(grid) or c0 >= width:
            continue
        v = grid[r0][c0]
        for r in range(r0, min(r1, len(grid) - 1) + 1):
            for c in range(c0, min(c1, width - 1) + 1):
                grid[r][c] = v
    return grid


def _name_cell(row: list[object]) -> int | None:
    """The first cell holding text that is not a number."""
    return next((c for c, v in enumerate(row) if _text(v) and parse_cell(v).status == TEXT), None)


def _is_data(row: list[object], nxt: list[object] | None) -> bool:
    c = _name_cell(row)
    if c is None:                        # numbers without a name: a data row missing its name, unless years
        nums = [p.value for p in map(parse_cell, row) if p.status == NUMBER]
        return bool(nums) and not all(x.is_integer() and int(x) in _YEAR for x in nums)
    name = _text(row[c])
    if _HEADER_WORD.match(name) or _NOTE.match(name) or unit_line(name) is not None:
        return False
    nums = [p.value for p in map(parse_cell, row[c + 1:]) if p.status == NUMBER]
    if not nums:
        return False
    years = all(x.is_integer() and int(x) in _YEAR for x in nums) and len(nums) > 1
    named = name.endswith(("区", "县", "市")) or name in _TOTALS      # a county's counts may look like years
    return named or not (years and nxt is not None and _is_data(nxt, None))


def read_table(sheet: RawSheet) -> YearbookTable:
    """The yearbook table of `sheet` (see the module's docstring); problems are listed on it."""
    t = YearbookTable(sheet.file, sheet.name, sheet.kind)
    if sheet.encoding_note:
        t.remarks.append(f"{sheet.where()}：{sheet.encoding_note}")
    t.remarks += sheet.remarks                  # the reader's: formulas, hidden parts, the .xls limits
    grid = _filled(sheet)
    n = len(grid)
    first = next((r for r in range(n) if _is_data(grid[r], grid[r + 1] if r + 1 < n else None)), None)
    if first is None:
        t.problems.append(f"{sheet.where()}：找不到数据行（应为一列地区名称，右侧为数值）")
        return t
    while first > 0 and _bare_row(grid[first - 1]):      # subtotal, county or zone rows without figures
        first -= 1
    heads, units = _header_block(grid, first)
    if not heads:
        t.problems.append(f"{sheet.where(first)}：数据行上方没有表头")
        return t
    top = min(heads + units)
    above = [(r, c, _text(v)) for r in [*range(top), *units] for c, v in enumerate(grid[r]) if _text(v)]
    lines = [unit_line(x) for _, _, x in above if unit_line(x) is not None]
    lines += [m[1] for _, _, x in above if unit_line(x) is None and (m := re.search(r"单位[:：]([^）)，,\s]+)", x))]
    titled = [(x, u) for _, _, x in above if unit_line(x) is None and "单位" not in x and (u := split_unit(x)[1])]
    if titled and not lines:             # “…PM2.5年均浓度（微克/立方米）”: the title's bracket is the unit line
        lines.append(titled[0][1])
        t.remarks.append(f"{sheet.where()}：标题“{titled[0][0]}”括号中的单位{titled[0][1]}按全表的单位读取（表头写了单位的列除外）")
    t.title = "".join(dict.fromkeys(x for _, _, x in above if unit_line(x) is None))
    t.unit_line = lines[0] if lines else ""
    if len(set(lines)) > 1:
        t.problems.append(f"{sheet.where()}：表头上方有{len(set(lines))}个不同的单位行（{'、'.join(dict.fromkeys(lines))}）")
    prefs = prefecture_names()
    named = {prefs[p] for p in sorted(prefs, key=len, reverse=True) if len(p) > 1 and p in t.title}
    t.prefecture = named.pop() if len(named) == 1 else ""
    t.header_rows = tuple(r + 1 for r in heads)
    _columns(t, sheet, grid, heads, first)
    if t.county_column >= 0:
        _rows(t, sheet, grid, first)
    return t


def _header_like(row: list[object], least: int) -> bool:
    """At least `least` distinct texts or numbers (years), no unit line, and not a row naming a division."""
    texts = {_head(v) for v in row} - {""}
    return (len(texts) >= least and not any(unit_line(x) is not None for x in texts)
            and not _row_named(row))


def _unit_only(row: list[object]) -> bool:
    texts = {_head(v) for v in row} - {""}
    return bool(texts) and all(unit_line(x) is not None for x in texts)


def _header_block(grid: list[list[object]], first: int) -> tuple[list[int], list[int]]:
    """(header rows, unit-line rows among them), 0-based, going up from the first data row: at most
    MAX_HEADER_ROWS rows with two texts (or one under a row with two); a “单位：” line is passed over."""
    heads: list[int] = []
    units: list[int] = []
    r = first - 1
    while r >= 0 and len(heads) < MAX_HEADER_ROWS:
        if _unit_only(grid[r]):
            units.append(r)
        elif _header_like(grid[r], 2) or (r > 0 and _header_like(grid[r], 1) and _header_like(grid[r - 1], 2)):
            heads.append(r)
        else:
            break
        r -= 1
    top = min(heads, default=first)
    return sorted(heads), sorted(u for u in units if u > top)


def _row_name(row: list[object]) -> str:
    """The name a row prints in its first text cell (note mark and “其中：” removed), '' if none."""
    c = _name_cell(row)
    return re.sub(r"^(其中|内)[:：]", "", strip_mark(_text(row[c]))[0]) if c is not None else ""


@cache
def _known_name(name: str) -> bool:
    """A prefecture, a county-level division of any year since 2011, a zone (开发区…) or a total word."""
    return bool(name) and (name in _TOTALS or name.endswith(("合计", "总计")) or name in prefecture_names()
                           or bool(_ZONE.search(name))
                           or divisions.match(name, divisions.LAST_YEAR).status != "unknown")


def _row_named(row: list[object]) -> bool:
    return _known_name(_row_name(row))


def _bare_row(row: list[object]) -> bool:
    """A row naming a division (or a zone, a total) with no other text but names: a data row without figures."""
    c = _name_cell(row)
    return (c is not None and _row_named(row)
            and all(parse_cell(v).status != TEXT or _known_name(_text(v)) for i, v in enumerate(row) if i != c))


def _columns(t: YearbookTable, sheet: RawSheet, grid: list[list[object]], rows: list[int], first: int) -> None:
    data = [grid[r] for r in range(first, len(grid))]
    width = max(len(r) for r in grid)
    top = rows[0]
    heads = [[_head(grid[r][c]) for c in range(width)] for r in rows]
    skip = {c for c in range(width) if any(_SKIP_HEADER.search(h[c]) for h in heads)}
    numeric = [c for c in range(width) if c not in skip
               and any(c < len(r) and parse_cell(r[c]).status == NUMBER for r in data)]
    name_cols = [c for c in range(min(numeric, default=width))
                 if c not in skip and any(_text(r[c]) for r in data if c < len(r))]
    if not name_cols:
        t.problems.append(f"{sheet.where()}：找不到地区名称列")
        return
    for c in sorted(skip):
        t.remarks.append(f"{sheet.where(top, c)}：“{'｜'.join(dict.fromkeys(h[c] for h in heads if h[c]))}”列不是指标，未读取")
    unit_rows = [i for i, h in enumerate(heads)
                 if (vals := [h[c] for c in range(width) if c > max(name_cols) and h[c]])
                 and all(parse_unit(v) for v in vals)]
    labelled = [h for i, h in enumerate(heads) if i not in unit_rows]
    if sheet.kind == "csv":               # a group label spreads right over its filled children
        for upper, lower in zip(labelled, labelled[1:], strict=False):
            for c in range(1, width):
                if not upper[c] and lower[c] and upper[c - 1] and lower[c - 1]:
                    upper[c] = upper[c - 1]
    t.county_column = max(name_cols)
    pref_cols = [c for c in name_cols if c != t.county_column and any(_PREFECTURE_HEADER.match(h[c]) for h in heads)]
    t.prefecture_column = pref_cols[0] if pref_cols else None
    cols = []
    for c in range(t.county_column + 1, width):
        parts = list(dict.fromkeys(heads[i][c] for i in range(len(heads)) if i not in unit_rows and heads[i][c]))
        has_data = any(c < len(r) and r[c] not in (None, "") for r in data)
        if not parts:
            if has_data:
                t.problems.append(f"{sheet.where(top, c)}：第{c + 1}列有数据但没有表头")
            continue
        if c in skip:
            continue
        split = [split_unit(p) for p in parts]
        labels = [lab for lab, _, _ in split if lab]
        units = [(u, "header") for _, u, _ in split if u] + [(parse_unit(heads[i][c]), "unit row") for i in unit_rows
                                                             if heads[i][c]]
        unit, source = units[-1] if units else ((parse_unit(t.unit_line) or "", "unit line") if t.unit_line else ("", ""))
        header = "｜".join(parts)
        if not unit:
            why = next((note for _, _, note in split if note), "")
            line = f"单位行“单位：{t.unit_line}”无法识别；" if t.unit_line else ""
            t.flag(c, f"{sheet.where(top, c)}：“{header}”列没有可识别的单位（{line}{why or '表头、单位行和标题都没有写单位'}）："
                   "请在表头写明单位，如“地区生产总值（亿元）”，或在表格上方写“单位：亿元”")
        name = str(c + 1) if sheet.kind == "csv" else get_column_letter(c + 1)
        cols.append(Column(c, name, header, "｜".join(labels) or header, unit, source if unit else ""))
    if not cols:
        t.problems.append(f"{sheet.where()}：地区名称列右侧没有带表头的数值列")
    t.columns = tuple(cols)
    seen = Counter(c.display for c in cols)
    for label, k in seen.items():
        if k > 1:
            where = "、".join(f"第{c.index + 1}列" for c in cols if c.display == label)
            text = f"{sheet.where()}：表头“{label}”出现{k}次（{where}），无法确定用哪一列"
            t.problems.append(text)
            for c in cols:
                if c.display == label:
                    t.column_problems.setdefault(c.index, []).append(text)


def _head(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, int | float):
        return str(int(v)) if float(v).is_integer() else str(v)
    return re.sub(r"\s+", "", str(v)).strip()


def _rows(t: YearbookTable, sheet: RawSheet, grid: list[list[object]], first: int) -> None:
    prefs = prefecture_names()
    rows: list[Row] = []
    notes: list[str] = []
    context = ""
    missing = 0
    grouped: list[str] = []
    blank = False
    for r in range(first, len(grid)):
        texts = list(dict.fromkeys(x for x in (_head(v) for v in grid[r]) if x))
        if not texts:
            blank = True
            continue
        if notes or _NOTE.match(texts[0]):
            notes.append(" ".join(texts))
            continue
        raw = grid[r][t.county_column] if t.county_column < len(grid[r]) else None
        parsed = [parse_cell(sheet.cells[r][c.index] if r < len(sheet.cells) and c.index < len(sheet.cells[r]) else None)
                  for c in t.columns]
        values = [p for p in parsed if p.status != MISSING]
        if not _text(raw):
            if values:
                t.problems.append(f"{sheet.where(r, t.county_column)}：此行有数据但没有地区名称")
            else:
                notes.append(" ".join(texts))
            continue
        name, mark = strip_mark(_text(raw))
        if mark:
            t.remarks.append(f"{sheet.where(r, t.county_column)}：名称“{_text(raw)}”去掉了注释符号“{mark}”")
        name = re.sub(r"^(其中|内)[:：]", "", name)
        if not values and len(texts) == 1 and not _known_name(name) and (blank or len(name) > 12):
            notes.append(texts[0])
            continue
        pref_col = _text(grid[r][t.prefecture_column]) if t.prefecture_column is not None else ""
        if name in _TOTALS or name.endswith(("合计", "总计")):
            kind = "total"
        elif name in prefs:
            kind, context = "prefecture", prefs[name]
        else:
            kind = "county"
        pref = prefs.get(pref_col, pref_col) if pref_col else (context or t.prefecture)
        cells = []
        for col, p in zip(t.columns, parsed, strict=True):
            v = sheet.cells[r][col.index] if col.index < len(sheet.cells[r]) else None
            here = sheet.where(r, col.index)
            if p.status == TEXT and kind == "county":
                t.flag(col.index, f"{here}：“{v}”不是数字（{name}，{col.display}）")
            if p.mark:
                t.remarks.append(f"{here}：“{v}”去掉了注释符号“{p.mark}”，按{_head(p.value) if p.value is not None else '缺失'}读取")
            missing += p.status == MISSING and kind == "county"
            if p.grouped:
                grouped.append(sheet.address(r, col.index))
            cells.append(Cell(sheet.address(r, col.index), v, p.status, p.value, p.mark, sheet.provenance(r, col.index)))
        rows.append(Row(r + 1, str(raw), name, sheet.address(r, t.county_column), sheet.where(r, t.county_column),
                        kind, pref, tuple(cells)))
    t.rows, t.notes, t.missing = tuple(rows), tuple(notes), missing
    if grouped:
        shown = "、".join(grouped[:5]) + (f"等{len(grouped)}个单元格" if len(grouped) > 5 else "")
        t.remarks.append(f"{sheet.where()}：{shown}的数值带千位分隔符（如“1,234.5”），已去掉逗号按数值读取")
    if missing:
        t.remarks.append(f"{sheet.where()}：{missing}个单元格为空或“—”“…”“x”等，按缺失处理")
    if not any(row.kind == "county" for row in rows):
        t.problems.append(f"{sheet.where()}：没有县级区划的数据行")
