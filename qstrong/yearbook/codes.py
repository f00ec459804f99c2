"""A yearbook table's county rows as division codes of the table's year (:func:`qstrong.divisions.match`).

A name two prefectures share (市中区) is read with the row's prefecture (its column, the subtotal row
above, or the title); a name that is ambiguous, unknown or not a division of that year, and two rows
naming one division, are problems listing the candidates. Subtotal and 全省/合计 rows are skipped and said.
:func:`column_values` gives one column of the resolved rows in a measure's unit, the factor and cell kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..divisions import Match, match
from .table import Row, YearbookTable
from .units import convert, factor, problem


@dataclass(frozen=True)
class CodedRow:
    row: Row
    match: Match

    @property
    def code(self) -> str:
        return self.match.code


@dataclass(frozen=True)
class Coded:
    """The rows resolved (in table order), the problems and the notes (skipped rows, old names)."""

    rows: tuple[CodedRow, ...]
    problems: tuple[str, ...]
    notes: tuple[str, ...]

    def by_code(self) -> dict[str, CodedRow]:
        return {r.code: r for r in self.rows}


def rows_to_codes(table: YearbookTable, year: int) -> Coded:
    """Each county row of `table` → its code in `year` (see the module's docstring)."""
    problems: list[str] = []
    notes: list[str] = []
    found: list[CodedRow] = []
    for row in table.rows:
        if row.kind == "total":
            notes.append(f"{row.where}：“{row.name}”是合计行，已跳过")
            continue
        if row.kind == "prefecture":
            notes.append(f"{row.where}：“{row.name}”是地级市（小计）行，已跳过；其下各行按{row.prefecture}识别")
            continue
        m = match(row.name, year, row.prefecture or None)
        if not m.ok:
            problems.append(f"{row.where}：{m.message}")
        elif not m.code:
            problems.append(f"{row.where}：“{row.name}”在{year}年对应多个区划（{'、'.join(m.year_codes)}），"
                            f"无法确定填入哪一个：{m.message}")
        else:
            found.append(CodedRow(row, m))
            if m.kind != "exact":
                notes.append(f"{row.where}：{m.message}")
    groups: dict[str, list[CodedRow]] = {}
    for r in found:
        groups.setdefault(r.code, []).append(r)
    for code, rs in groups.items():
        if len(rs) > 1:
            which = "、".join(f"第{r.row.line}行“{r.row.name}”（{r.row.address}）" for r in rs)
            problems.append(f"文件“{table.file}”{'工作表“' + table.sheet + '”' if table.sheet else ''}：{which}都对应"
                            f"{rs[0].match.division.label if rs[0].match.division.code == code else code}，"
                            "同一区划出现多行，无法确定用哪一行")
    dup = {c for c, rs in groups.items() if len(rs) > 1}
    return Coded(tuple(r for r in found if r.code not in dup), tuple(problems), tuple(notes))


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
    where = f"文件“{table.file}”" + (f"工作表“{table.sheet}”" if table.sheet else "")
    try:
        col = table.column(label)
    except KeyError:
        return [], [f"{where}：没有（或不止一个）“{label}”列；表中的列：{'、'.join(c.display for c in table.columns)}"]
    why = problem(col.unit, to_unit)
    if why:
        return [], [f"{where}第{col.name}列“{col.display}”：{why}"]
    i = table.columns.index(col)
    f = float(factor(col.unit, to_unit))
    out = []
    for r in coded.rows:
        cell = r.row.cells[i]
        v = None if cell.value is None else convert(cell.value, col.unit, to_unit)[0]
        out.append(Value(r.code, r.row.name, v, to_unit, col.unit, f, cell.provenance))
    return out, []
