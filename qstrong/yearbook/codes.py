"""A yearbook table's county rows as division codes of the table's year (:func:`qstrong.divisions.match`).

A name two prefectures share (市中区) is read with the row's prefecture (its column, the subtotal row
above, or the title); a name that is ambiguous, unknown or not a division of that year, and two rows
naming one division, are problems listing the candidates (an unknown name with the skip_rows line that
would skip it). Subtotal and 全省/合计 rows, and rows the mapping's skip_rows names, are skipped and said;
``Coded.lines`` says how every row was read.
:func:`column_values` gives one column of the resolved rows in a measure's unit, the factor and cell kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..divisions import Match, match
from ..names import normalise_name
from .mapping import yaml_text
from .table import Row, YearbookTable
from .units import convert, factor, problem

RESOLVED, SUBTOTAL, TOTAL, SKIPPED = "已识别", "地级市（小计）行，跳过", "合计行，跳过", "按映射文件 skip_rows 跳过"
UNRESOLVED, AMBIGUOUS, TWICE = "无法识别", "对应多个区划", "同一区划出现多行"
HOW_ZH = {"exact": "完全一致", "history": "历史名称", "alias": "别名"}


@dataclass(frozen=True)
class CodedRow:
    row: Row
    match: Match

    @property
    def code(self) -> str:
        return self.match.code

    @property
    def part(self) -> bool:
        """The printed division no longer existed in the table's year: merged into `code` before it, so its
        figure is a part of that division's, never the whole."""
        d = self.match.division
        return self.match.merged and d is not None and d.code != self.match.code


@dataclass(frozen=True)
class RowLine:
    """How one row of the table was read: ``status`` (RESOLVED, SUBTOTAL…), the match when there is one."""

    row: Row
    status: str
    match: Match | None = None
    message: str = ""

    @property
    def how(self) -> str:
        return HOW_ZH.get(self.match.kind, "") if self.match is not None and self.match.ok else ""

    @property
    def change(self) -> str:
        """拆分 / 合并 / 乡镇划转 between the table's year and today ('' when none)."""
        m = self.match
        if m is None or not m.ok:
            return ""
        if len(m.today) > 1:
            return "拆分"
        return "合并" if m.merged else ("乡镇划转" if m.boundary else "")


@dataclass(frozen=True)
class Coded:
    """The rows resolved (in table order), the problems, the notes (skipped rows, old names), every row's
    line (:class:`RowLine`, in table order) and the skip_rows names that matched a row."""

    rows: tuple[CodedRow, ...]
    problems: tuple[str, ...]
    notes: tuple[str, ...]
    lines: tuple[RowLine, ...] = ()
    skipped: frozenset[str] = frozenset()
    twice: tuple[tuple[tuple[CodedRow, ...], str], ...] = ()    # rows naming one division, and the problem said
    parts: dict[str, tuple[CodedRow, ...]] = field(default_factory=dict)  # code → its former parts' rows

    def by_code(self) -> dict[str, CodedRow]:
        return {r.code: r for r in self.rows}


def which_line(row: Row, candidates: tuple[str, ...]) -> str:
    """The mapping lines saying which of `candidates` (“市中区（济南市，370103）”) the row is."""
    got = [m.groups() for c in candidates if (m := re.match(r"^(.+?)（(.+?)，\d+）$", c))]
    if not got:
        return ""
    key = yaml_text(row.raw_name.strip())
    lines = "或".join(f"rows: {{{key}: {pref}{name}}}" for name, pref in got)
    return (f"请在映射文件该表下写明是哪一个：{lines}（表中同名的不止一行时按位置写，如 "
            f"rows: {{{yaml_text(f'第{row.line}行')}: {got[0][1]}{got[0][0]}}}）")


def skip_line(names: list[str]) -> str:
    """The mapping line that skips rows `names` (copy-paste ready)."""
    return f"skip_rows: [{', '.join(yaml_text(n) for n in dict.fromkeys(names))}]"


def row_keys(row: Row) -> set[str]:
    """The ways a mapping names `row` (skip_rows, rows): its name as printed or normalised, 第N行, its cell."""
    return {row.name, normalise_name(row.raw_name), f"第{row.line}行", normalise_name(row.address)}


def rows_to_codes(table: YearbookTable, year: int, skip: frozenset[str] | set[str] = frozenset()) -> Coded:
    """Each county row of `table` → its code in `year` (see the module's docstring); rows named in `skip`
    (a mapping's skip_rows, normalised: a name, 第N行 or the cell) are skipped and said. A division's row
    with rows of divisions merged into it before `year` (``CodedRow.part``) is kept, its parts in
    ``parts``; other rows naming one division are left out, in ``twice`` with the problem said."""
    problems: list[str] = []
    notes: list[str] = []
    found: list[CodedRow] = []
    lines: dict[int, RowLine] = {}
    hit: set[str] = set()
    unknown: list[str] = []
    for row in table.rows:
        names = row_keys(row) & set(skip)
        if names:
            hit |= names
            lines[row.line] = RowLine(row, SKIPPED)
            notes.append(f"{row.where}：“{row.name}”按映射文件 skip_rows 跳过")
            continue
        if row.kind == "total":
            lines[row.line] = RowLine(row, TOTAL)
            notes.append(f"{row.where}：“{row.name}”是合计行，已跳过")
            continue
        if row.kind == "prefecture":
            lines[row.line] = RowLine(row, SUBTOTAL)
            notes.append(f"{row.where}：“{row.name}”是地级市（小计）行，已跳过；其下各行按{row.prefecture}识别")
            continue
        m = match(row.name, year, row.prefecture or None)
        if not m.ok:
            unknown += [row.name] if m.status == "unknown" else []
            hint = (f"若该行不是县级区划（如开发区、高新区），请在映射文件该表下写 {skip_line([row.name])} 跳过它"
                    if m.status == "unknown" else which_line(row, m.candidates))
            problems.append(f"{row.where}：{m.message}{hint}")
            lines[row.line] = RowLine(row, UNRESOLVED if m.status == "unknown" else AMBIGUOUS, m, m.message + hint)
        elif not m.code:
            text = (f"“{row.name}”在{year}年对应多个区划（{'、'.join(m.year_codes)}），无法确定填入哪一个：{m.message}")
            problems.append(f"{row.where}：{text}")
            lines[row.line] = RowLine(row, AMBIGUOUS, m, text)
        else:
            found.append(CodedRow(row, m))
            lines[row.line] = RowLine(row, RESOLVED, m, m.message)
            if m.kind != "exact":
                notes.append(f"{row.where}：{m.message}")
    if len(unknown) > 1:
        notes.append(f"{where(table)}有{len(unknown)}行无法识别；"
                     f"若它们都不是县级区划，映射文件该表下可写：{skip_line(unknown)}")
    groups: dict[str, list[CodedRow]] = {}
    for r in found:
        groups.setdefault(r.code, []).append(r)
    twice: list[tuple[tuple[CodedRow, ...], str]] = []
    parts: dict[str, tuple[CodedRow, ...]] = {}
    for code, rs in groups.items():
        whole = [r for r in rs if not r.part]
        if len(rs) > 1 and len(whole) == 1:           # 蓬莱区 with 长岛县 in a 2021 table: settled per column
            parts[code] = tuple(r for r in rs if r.part)
        elif len(rs) > 1:
            which = "、".join(f"第{r.row.line}行“{r.row.name}”（{r.row.address}）" for r in rs)
            text = (f"{which}都对应{rs[0].match.division.label if rs[0].match.division.code == code else code}，"
                    "同一区划出现多行，无法确定用哪一行：请删去多余的行，或在映射文件该表下按位置跳过其中一行（如 "
                    f"{skip_line([f'第{rs[-1].row.line}行'])}），或用 rows 按位置写明各行是哪个区划（如 "
                    f"rows: {{{yaml_text(f'第{rs[-1].row.line}行')}: 所属地级市+名称}}）")
            problems.append(f"{where(table)}：{text}")
            twice.append((tuple(rs), problems[-1]))
            for r in rs:
                lines[r.row.line] = RowLine(r.row, TWICE, r.match, text)
    dup = {r.row.line for rs, _ in twice for r in rs} | {r.row.line for ps in parts.values() for r in ps}
    return Coded(tuple(r for r in found if r.row.line not in dup), tuple(problems), tuple(notes),
                 tuple(lines[r.line] for r in table.rows), frozenset(hit), tuple(twice), parts)


def where(table: YearbookTable) -> str:
    """文件“a.csv” / 文件“x.xlsx”工作表“表1”: the table, in the reader's wording."""
    return f"文件“{table.file}”" + (f"工作表“{table.sheet}”" if table.sheet else "")


@dataclass(frozen=True)
class Value:
    """One county's figure from one column, in `unit` (= the printed value × `factor`)."""

    code: str
    name: str                # as the table prints it
    value: float | None      # None: missing in the table (—, …, x, blank) or not a number (a table problem)
    unit: str
    from_unit: str
    factor: float
    provenance: str          # real:<file>#<sheet>!<cell>


def column_values(table: YearbookTable, coded: Coded, label: str, to_unit: str) -> tuple[list[Value], list[str]]:
    """The column `label` (its label or display) of the resolved rows converted to `to_unit`, and the
    problems (no such column, a unit missing, unknown or of another kind) — never a guessed unit."""
    here = where(table)
    try:
        col = table.column(label)
    except KeyError:
        return [], [f"{here}：没有（或不止一个）“{label}”列；表中的列：{'、'.join(c.display for c in table.columns)}"]
    why = problem(col.unit, to_unit)
    if why:
        return [], [f"{here}第{col.name}列“{col.display}”：{why}"]
    i = table.columns.index(col)
    f = float(factor(col.unit, to_unit))
    out = []
    for r in coded.rows:
        cell = r.row.cells[i]
        v = None if cell.value is None else convert(cell.value, col.unit, to_unit)[0]
        out.append(Value(r.code, r.row.name, v, to_unit, col.unit, f, cell.provenance))
    return out, []
