"""Rows whose figures are parts of today's county: a division merged since the table's year (summed over
all its predecessors with ``merged: sum``), one merged before it (added to its successor's own row), and
the one imported record of a row (:func:`record`). Used by :mod:`.importer`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from .. import divisions
from ..measures import Measure, parse_value
from ..peers import counties
from .cells import decimals
from .codes import CodedRow, skip_line, where
from .mapping import Spec, summable, yaml_text
from .places import place
from .table import Cell, Column, YearbookTable
from .units import convert


@dataclass(frozen=True)
class Plan:
    column: Column
    measure: Measure
    spec: Spec | None
    how: str
    score: float
    year: int


@cache
def successors(year: int) -> dict[str, tuple[str, ...]]:
    """Each code valid in `year` → today's codes."""
    return {d.code: divisions.match(d.name, year, d.prefecture).today for d in divisions.divisions(year)}


def predecessors(code: str, year: int) -> list[str]:
    """The codes valid in `year` whose area is (wholly or partly) today's `code`."""
    return [c for c, today in successors(min(year, divisions.LAST_YEAR)).items() if code in today]


@cache
def keys() -> dict[str, str]:
    c = counties()
    return dict(zip(c["code"].astype(str), c["key"], strict=True))


def label_of(code: str, year: int) -> str:
    return next((d.label for d in divisions.divisions(min(year, divisions.LAST_YEAR)) if d.code == code), code)


def record(t: YearbookTable, r: CodedRow, cell: Cell, m: Measure, unit: str, table_year: int, year: int,
            problems: list[str]) -> dict | None:
    if cell.value is None:
        return None
    value, f = convert(cell.value, unit, m.unit)
    got, why = parse_value(m, value)
    if why:
        shown = f"（表中为{cell.raw}{unit}）" if f != 1 else ""
        problems.append(f"{place(t.file, t.sheet, cell.address)}"
                        f"（{r.row.name}，{m.name_zh}）：{why}{shown}")
        return None
    code = r.match.today[0]
    if code not in keys():
        problems.append(f"{r.row.where}：“{r.row.name}”今对应的代码{code}不在136个县（市、区）名单中")
        return None
    return {"county": keys()[code], "code": code, "year": year, "measure": m.id, "value": got,
            "source": cell.provenance, "file": t.file, "sheet": t.sheet, "cell": cell.address,
            "printed_name": r.row.raw_name, "table_year": table_year, "year_code": r.code, "from_unit": unit,
            "factor": f, "tolerance": 0.5 * 10.0 ** -decimals(cell.raw) * f}


def merged(t: YearbookTable, code: str, group: list[CodedRow], i: int, p: Plan, unit: str, table_year: int,
            problems: list[str], notes: list[str]) -> dict | None:
    names = "、".join(f"“{r.row.name}”" for r in group)
    key = keys().get(code, code)
    label = p.column.label
    if not (p.spec and p.spec.merged == "sum"):
        how = (f"（如需把合并前各县的数据相加，映射文件该表的 columns 下写：{yaml_text(label)}: "
               f"{{measure: {p.measure.id}{', unit: ' + yaml_text(unit) if p.spec and p.spec.unit else ''}, merged: sum}}）"
               if summable(p.measure) else "（这一数据不能相加；可自行按权重算出合并后县的数值，作为单独的表格导入）")
        notes.append(f"{names}（{table_year}年）今属{key}，其间有合并，“{label}”数据与今日{key}范围不一致，未导入{how}")
        return None
    expected = predecessors(code, table_year)
    split = [c for c in expected if len(successors(min(table_year, divisions.LAST_YEAR))[c]) > 1]
    if split:
        notes.append(f"{names}：今{key}含{table_year}年后拆分出的部分区域（{'、'.join(split)}），无法相加，未导入")
        return None
    have = {r.code for r in group}
    labels = {d.code: d.label for d in divisions.divisions(table_year)}
    missing = [labels.get(c, c) for c in expected if c not in have]
    if missing:
        problems.append(f"{where(t)}：“{label}”按 merged: sum 相加为{key}"
                        f"需要{table_year}年的{'、'.join(labels.get(c, c) for c in expected)}，表中缺少{'、'.join(missing)}")
        return None
    return sum_rows(t, code, group, i, p, unit, table_year, problems, notes)


def after(t: YearbookTable, r: CodedRow, parts: tuple[CodedRow, ...], i: int, p: Plan, unit: str, table_year: int,
           summed: bool, problems: list[str], notes: list[str]) -> dict | None:
    """A division's row with rows of the divisions merged into it before the table's year (蓬莱区 and
    长岛县 in a 2021 table): summed with ``merged: sum``, else a problem saying the ways out."""
    if summed:
        return sum_rows(t, r.code, [r, *parts], i, p, unit, table_year, problems, notes)
    names = "、".join(f"“{x.row.name}”" for x in parts)
    label = p.column.label
    ways = (f"若“{r.row.name}”行已含{names}，请删去{names}行，或在映射文件该表下写 {skip_line([x.row.name for x in parts])}；"
            f"若不含（如年鉴把其单列），该表的 columns 下写 {yaml_text(label)}: {{measure: {p.measure.id}, merged: sum}} 相加"
            if summable(p.measure) else
            f"“{p.measure.name_zh}”不能相加：若“{r.row.name}”行已含{names}，请删去{names}行，或在映射文件该表下写 "
            f"{skip_line([x.row.name for x in parts])}")
    problems.append(f"{where(t)}：第{r.row.line}行“{r.row.name}”与{'、'.join(f'第{x.row.line}行' for x in parts)}{names}"
                    f"都对应{label_of(r.code, table_year)}（{names}在{table_year}年以前已并入），同一区划出现多行，"
                    f"“{label}”无法确定用哪一行：{ways}")
    return None


def sum_rows(t: YearbookTable, code: str, group: list[CodedRow], i: int, p: Plan, unit: str, table_year: int,
         problems: list[str], notes: list[str]) -> dict | None:
    """The exact sum of the column `i` of `group`'s rows as today's `code` (sources joined by +)."""
    names = "、".join(f"“{r.row.name}”" for r in group)
    key = keys().get(code, code)
    label = p.column.label
    cells = [r.row.cells[i] for r in group]
    if any(c.value is None for c in cells):
        notes.append(f"{names}的“{label}”有缺失值，无法相加为{key}，未导入")
        return None
    parts = [record(t, r, c, p.measure, unit, table_year, p.year, problems) for r, c in zip(group, cells, strict=True)]
    if any(x is None for x in parts):
        return None
    got, why = parse_value(p.measure, math.fsum(x["value"] for x in parts))
    if why:
        problems.append(f"{place(t.file, t.sheet, '+'.join(c.address for c in cells))}相加（{key}，{p.measure.name_zh}）：{why}")
        return None
    addresses = "+".join(c.address for c in cells)
    notes.append(f"{names}（{table_year}年）的“{label}”已相加为{key}（{place(t.file, t.sheet, addresses)}）")
    return {**parts[0], "value": got, "source": cells[0].provenance.rsplit(cells[0].address, 1)[0] + addresses,
            "cell": addresses, "printed_name": "+".join(r.row.raw_name for r in group),
            "year_code": "+".join(r.code for r in group), "tolerance": math.fsum(x["tolerance"] for x in parts)}
