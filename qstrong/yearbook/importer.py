"""Yearbook tables → imported peer values: columns matched to measures, rows to today's counties.

Columns: with a mapping file (:mod:`.mapping`) the columns it names; without one each header is matched
against the Chinese names of the measures the peer panel carries (number, count and percent measures):
an exact match (after :func:`qstrong.names.normalise_name`) is used, a near one only shown. Rows: the
name in the table's year (:func:`.codes.rows_to_codes`) → today's division; a 1:1 rename or re-coding
goes straight to today's county; a division merged since (or split) is imported only with the column's
``merged: sum``, as the exact sum of all its predecessors' rows (a missing one is a problem); one merged
before the table's year (长岛县 in a 2021 table) is a part, only ever added to its successor's own row
(:mod:`.parts`). Rows naming one division whose imported values are all equal keep one (said). Values are
converted to the measure's unit (factor kept), checked against its allowed range, and carry
``real:<file>#<sheet>!<cell>`` and a rounding tolerance (half a unit of the printed last decimal).
Two rows giving one (county, year, measure) are both kept: the merge step tells agreement from conflict.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..measures import Measure, load_measures
from ..names import normalise_name
from .cells import decimals
from .codes import RESOLVED, Coded, CodedRow, RowLine, row_keys, rows_to_codes, where
from .hints import column_hint, years_hint
from .mapping import Entry, Mapping, importable, load_mapping, year_of_label
from .parts import Plan, after, keys, label_of, merged, predecessors, record
from .table import Column, YearbookTable
from .units import convert, problem

COLUMNS = ["county", "code", "year", "measure", "value", "source", "file", "sheet", "cell", "printed_name",
           "table_year", "year_code", "from_unit", "factor", "tolerance"]
MATCH_COLUMNS = ["file", "sheet", "column", "header", "measure", "name_zh", "unit", "from_unit", "factor", "how",
                 "score", "year", "used"]
ROW_COLUMNS = ["file", "sheet", "cell", "printed_name", "prefecture", "table_year", "status", "how", "year_code",
               "code", "county", "change", "message"]
BY_MAPPING, EXACT, NEAR, NONE, YEARS = "映射文件", "表头完全一致", "表头近似", "未匹配", "表头为年份"
__all__ = ["COLUMNS", "Imported", "candidates", "decimals", "import_tables", "match_header", "predecessors"]
NEAR_RATIO = 0.6
SAME = "与前面对应同一区划的行数值相同，未用"
_NO_UNIT = "列没有可识别的单位"
NAMING = "列名按表头填写，两行表头用“｜”连接，如“地区生产总值｜总量”"


@dataclass
class Imported:
    """The imported figures (:data:`COLUMNS`), the column matches and every row's reading
    (:data:`ROW_COLUMNS`) shown by a dry run, problems and notes (the tables' and reader's remarks included)."""

    values: pd.DataFrame
    matches: pd.DataFrame
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ROW_COLUMNS))

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_problems(self) -> None:
        if self.problems:
            raise InputError(self.problems, "年鉴表格导入有{n}处问题")


@cache
def candidates() -> tuple[Measure, ...]:
    """The measures a header can match: the number, count and percent measures (the shipped peer panel
    carries every measure of the catalog)."""
    return tuple(m for m in load_measures().values() if importable(m))


def match_header(label: str) -> tuple[Measure | None, str, float]:
    """(measure, how, score) of a column label against the measures' Chinese names."""
    text = normalise_name(label.replace("｜", ""))
    names = [(m, normalise_name(m.name_zh)) for m in candidates()]
    exact = [m for m, n in names if n == text]
    if len(exact) == 1:
        return exact[0], EXACT, 1.0
    best: tuple[float, Measure | None] = (0.0, None)
    for m, n in names:
        score = difflib.SequenceMatcher(None, text, n).ratio()
        if score > best[0]:
            best = (score, m)
    contains = best[1] is not None and (normalise_name(best[1].name_zh) in text or text in normalise_name(best[1].name_zh))
    if best[1] is not None and (best[0] >= NEAR_RATIO or (contains and len(text) >= 2)):
        return best[1], NEAR, round(best[0], 2)
    return None, NONE, round(best[0], 2)


def import_tables(paths: list[str | Path], year: int, mapping: Mapping | str | Path | None = None,
                  engine: str = "openpyxl") -> Imported:
    """Read every table of `paths` (their year `year` unless the mapping says otherwise) into values."""
    problems: list[str] = []
    notes: list[str] = []
    rows: list[dict] = []
    shown: list[dict] = []
    lines: list[dict] = []
    skipped: set[tuple[int, str]] = set()
    broken: list[str] = []
    if mapping is not None and not isinstance(mapping, Mapping):
        mapping, broken = load_mapping(mapping)       # its valid part still checked against the tables
        problems += broken
    used_entries: set[int] = set()
    found_labels: set[tuple[int, str]] = set()
    tables: list[YearbookTable] = []
    from . import read_tables

    for p in paths:
        try:
            tables += read_tables(p, engine)
        except InputError as exc:
            problems += exc.problems
    for t in tables:
        entries = mapping.for_table(t.file, t.sheet) if isinstance(mapping, Mapping) else []
        used_entries.update(e.index for e in entries)
        _table(t, int(year), entries, found_labels, rows, shown, problems, notes, lines, skipped, not broken)
    if isinstance(mapping, Mapping):
        for e in mapping.entries:
            if e.index not in used_entries:
                problems.append(f"映射文件“{mapping.source}”{e.key}（file“{e.file or '任意'}”，sheet“{e.sheet or '任意'}”）"
                                f"不对应任何输入表格；输入：{'、'.join(where(t) for t in tables) or '无'}")
                continue
            problems += [f"{spec.key}：所对应的表格中都没有这一列（或同名的列不止一个）；{NAMING}" for label, spec in e.columns.items()
                         if (e.index, label) not in found_labels]
            odd = sorted({str(x["printed_name"]).strip() for x in lines if x["status"] == "无法识别"})
            problems += [f"映射文件“{mapping.source}”{e.key}的 skip_rows“{n}”不是所对应表格中任何一行的名称或位置"
                         "（须与表中名称一致，或写“第N行”）"
                         + (f"；表中无法识别的行：{'、'.join(odd)}" if odd else "") for n in e.skip_rows
                         if (e.index, n) not in skipped]
            problems += [f"映射文件“{mapping.source}”{e.key}的 rows“{k}”不是所对应表格中任何一行的名称或位置"
                         "（须与表中名称一致，或写“第N行”）" for k in e.rows if (e.index, "rows:" + k) not in skipped]
    values = pd.DataFrame(rows, columns=COLUMNS)
    values = values.astype({"year": int, "table_year": int, "value": float, "factor": float, "tolerance": float})
    matches = pd.DataFrame(shown, columns=MATCH_COLUMNS).astype({"year": "Int64", "factor": float, "score": float})
    return Imported(values, matches, problems, notes, pd.DataFrame(lines, columns=ROW_COLUMNS))


def _settings(t: YearbookTable, year: int, entries: list[Entry], problems: list[str]) -> tuple[str, int]:
    prefs = {e.prefecture for e in entries if e.prefecture}
    years = {e.year for e in entries if e.year}
    for what, got in (("prefecture", prefs), ("year", years)):
        if len(got) > 1:
            problems.append(f"映射文件中有多项对{where(t)}给出不同的 {what}（{'、'.join(map(str, sorted(got)))}）")
    return (min(prefs) if prefs else ""), (min(years) if years else year)


def _plans(t: YearbookTable, table_year: int, entries: list[Entry], found: set[tuple[int, str]],
           problems: list[str], headers: bool = True) -> list[Plan]:
    """The columns to import: the mapping's; by header only when no mapping, or a valid one, names none
    of this table (`headers`: False when the mapping file has problems, never matched as if not given)."""
    measures = load_measures()
    mapped = any(e.columns or e.years for e in entries)
    plans: list[Plan] = []
    if mapped:
        taken: dict[int, str] = {}
        for e in entries:
            for label, spec in e.columns.items():
                try:
                    col = t.column(label)
                except KeyError:
                    continue
                found.add((e.index, label))
                if col.index in taken:
                    problems.append(f"{spec.key}：{where(t)}第{col.name}列已由{taken[col.index]}指定")
                    continue
                taken[col.index] = spec.key
                plans.append(Plan(col, measures[spec.measure], spec, BY_MAPPING, 1.0,
                                   spec.year or year_of_label(col.label) or table_year))
        for e in entries:
            if e.years is None:
                continue
            for col in t.columns:
                y = year_of_label(col.label)
                if y is not None and col.index not in taken:
                    taken[col.index] = e.years.key
                    plans.append(Plan(col, measures[e.years.measure], e.years, BY_MAPPING, 1.0, y))
        return sorted(plans, key=lambda p: p.column.index)
    if not headers:
        return plans
    for col in t.columns:
        m, how, score = match_header(col.label)
        if m is not None:
            plans.append(Plan(col, m, None, how, score, table_year))
    return plans


def _table(t: YearbookTable, year: int, entries: list[Entry], found: set[tuple[int, str]], rows: list[dict],
           shown: list[dict], problems: list[str], notes: list[str], lines: list[dict],
           skipped: set[tuple[int, str]], headers: bool = True) -> None:
    pref, table_year = _settings(t, year, entries, problems)
    plans = _plans(t, table_year, entries, found, problems, headers)
    used = [p for p in plans if p.how != NEAR]
    planned = {p.column.index: p for p in plans}
    years = [c for c in t.columns if c.index not in planned and year_of_label(c.label) is not None]
    for col in t.columns:
        p = planned.get(col.index)
        shown.append({"file": t.file, "sheet": t.sheet, "column": col.name, "header": col.header,
                      "measure": p.measure.id if p else "", "name_zh": p.measure.name_zh if p else "",
                      "unit": p.measure.unit if p else "", "from_unit": (p.spec.unit if p and p.spec and p.spec.unit
                                                                         else col.unit),
                      "factor": _factor(p, col), "how": p.how if p else (YEARS if col in years else NONE),
                      "score": p.score if p else None, "year": p.year if p else None,
                      "used": p is not None and p.how != NEAR})
    notes += t.remarks + [f"{_where(t)}表下注释：{n}" for n in t.notes]
    near = [p for p in plans if p.how == NEAR]
    if near:
        notes.append(f"{_where(t)}：{'、'.join(f'“{p.column.label}”≈{p.measure.id}（{p.measure.name_zh}）' for p in near)}"
                     "是近似匹配，未导入：请确认后写入映射文件（--map），可复制以下几行"
                     + ("（已导入的列也写在内：有映射文件时只导入其中写明的列）" if used else "") + "：\n"
                     + column_hint(t, [(p.column, p.measure) for p in sorted(plans, key=lambda p: -p.score)]))
    if years and not any(e.years for e in entries):
        notes.append(f"{_where(t)}：表头{'、'.join(f'“{c.label}”' for c in years)}是年份，各列是同一数据项的不同年份，"
                     "须在映射文件中写明数据项和单位（years），可复制以下几行：\n" + years_hint(t, years, match_header(t.title)[0]))
    elif not plans and not t.problems and headers:
        notes.append(f"{_where(t)}：没有与数据项对应的列，未导入（列名须与数据项中文名称一致，或写入映射文件）")
    by_col = {i: ps for i, ps in t.column_problems.items()}
    listed = {x for ps in by_col.values() for x in ps}
    problems += [x for x in t.problems if x not in listed]
    ignored: list[str] = []
    for col in t.columns:
        p = planned.get(col.index) if col.index in {u.column.index for u in used} else None
        for x in by_col.get(col.index, []):
            if p is None:
                ignored.append(x)
            elif not (_NO_UNIT in x and p.spec and p.spec.unit):
                problems.append(x)
    if ignored:
        notes.append(f"{_where(t)}：未导入的列有{len(ignored)}处问题，已忽略：{'；'.join(dict.fromkeys(ignored))}")
    if pref:
        t = replace(t, rows=tuple(replace(r, prefecture=r.prefecture or pref) for r in t.rows))
    t = _renamed(t, entries, skipped)
    coded = rows_to_codes(t, table_year, frozenset(n for e in entries for n in e.skip_rows))
    skipped |= {(e.index, n) for e in entries for n in e.skip_rows if n in coded.skipped}
    lines += [_line(t, x, table_year) for x in coded.lines]
    if not used:
        if coded.problems:
            notes.append(f"{_where(t)}：行匹配有{len(coded.problems)}处问题（该表没有导入的列，不影响导入；见行匹配）")
        return
    coded = _twice(t, coded, [t.columns.index(p.column) for p in used], problems, notes, lines)
    notes += coded.notes
    for p in used:
        _column(t, coded, p, table_year, rows, problems, notes)


def _renamed(t: YearbookTable, entries: list[Entry], hit: set[tuple[int, str]]) -> YearbookTable:
    """`t` with the rows the mapping's ``rows`` names read by the name it gives (its own prefecture
    dropped: the name says it); the keys that named a row added to `hit` as (entry, "rows:" + key)."""
    out = []
    for r in t.rows:
        keys = row_keys(r)
        found = [(e.index, k, v) for e in entries for k, v in e.rows.items() if k in keys]
        hit |= {(i, "rows:" + k) for i, k, _ in found}
        out.append(replace(r, name=found[-1][2], prefecture="") if found else r)
    return replace(t, rows=tuple(out))


def _twice(t: YearbookTable, coded: Coded, idx: list[int], problems: list[str], notes: list[str],
           lines: list[dict]) -> Coded:
    """`coded` with one row of each group of rows naming one division whose imported values are all equal
    (said, its `lines` marked; no guess: the values are the same); the problems of the others, and the
    table's other problems."""
    said = {text for _, text in coded.twice}
    problems += [x for x in coded.problems if x not in said]
    kept: list[CodedRow] = []
    for rs, text in coded.twice:
        if all(r.row.cells[i].value == rs[0].row.cells[i].value for r in rs for i in idx):
            kept.append(rs[0])
            notes.append(f"{where(t)}：{'、'.join(f'第{r.row.line}行“{r.row.name}”' for r in rs)}都对应同一区划，"
                         f"导入的各列数值相同，只用第{rs[0].row.line}行")
            for x in lines:
                if (x["file"], x["sheet"]) == (t.file, t.sheet) and x["cell"] in {r.row.address for r in rs}:
                    first = x["cell"] == rs[0].row.address
                    x.update(status=RESOLVED if first else SAME, message=notes[-1])
        else:
            problems.append(text.replace("无法确定用哪一行", "导入的列数值不同，无法确定用哪一行"))
    return replace(coded, rows=coded.rows + tuple(kept)) if kept else coded


def _where(t: YearbookTable) -> str:
    return where(t)


def _line(t: YearbookTable, x: RowLine, table_year: int) -> dict:
    m = x.match
    today = m.today if m is not None and m.ok else ()
    return {"file": t.file, "sheet": t.sheet, "cell": x.row.address, "printed_name": x.row.raw_name,
            "prefecture": x.row.prefecture, "table_year": table_year, "status": x.status, "how": x.how,
            "year_code": m.code if m is not None and m.ok else "", "code": "、".join(today),
            "county": "、".join(keys().get(c, c) for c in today), "change": x.change, "message": x.message}


def _factor(p: Plan | None, col: Column) -> float | None:
    unit = p.spec.unit if p and p.spec and p.spec.unit else col.unit
    if p is None or not unit or problem(unit, p.measure.unit):
        return None
    return convert(1.0, unit, p.measure.unit)[1]


def _unit(t: YearbookTable, p: Plan, problems: list[str]) -> str:
    """The printed unit of the planned column ('' with a problem when none or not convertible)."""
    col, m = p.column, p.measure
    where = f"文件“{t.file}”" + (f"工作表“{t.sheet}”" if t.sheet else "") + f"第{col.name}列“{col.header}”"
    unit = col.unit
    if p.spec and p.spec.unit:
        if unit and col.unit_source in ("header", "unit row") and unit != p.spec.unit:
            problems.append(f"{where}：表头写的单位是{unit}，映射文件（{p.spec.key}）写的是{p.spec.unit}，请核对")
            return ""
        unit = p.spec.unit
    if not unit:
        return ""                     # the table's own problem says it
    why = problem(unit, m.unit)
    if why:
        problems.append(f"{where}（数据项“{m.name_zh}”，单位{m.unit}）：{why}")
        return ""
    return unit


def _column(t: YearbookTable, coded: Coded, p: Plan, table_year: int, rows: list[dict], problems: list[str],
            notes: list[str]) -> None:
    unit = _unit(t, p, problems)
    if not unit:
        return
    m, i = p.measure, t.columns.index(p.column)
    direct: list[CodedRow] = []
    groups: dict[str, list[CodedRow]] = {}
    summed = p.spec is not None and p.spec.merged == "sum"
    for r in coded.rows:
        today = r.match.today
        if len(today) > 1:
            notes.append(f"{r.row.where}：“{r.row.name}”{table_year}年以后被拆分（今{'、'.join(today)}），"
                         f"其“{p.column.label}”数据与今日任何一个县的范围都不一致，未导入")
        elif r.part:
            whole = label_of(r.code, table_year)
            head = f"{r.row.where}：“{r.row.name}”在{table_year}年以前已并入{whole}，{table_year}年的表中它只是{whole}的一部分"
            if summed:
                problems.append(f"{head}；“{p.column.label}”按 merged: sum 须与表中{whole}这一行相加，表中没有这一行"
                                "（请补上这一行，或去掉 merged: sum）")
            else:
                notes.append(f"{head}，其“{p.column.label}”数据未导入")
        elif r.code in coded.parts:
            rec = after(t, r, coded.parts[r.code], i, p, unit, table_year, summed, problems, notes)
            if rec:
                rows.append(rec)
        elif r.match.merged:
            groups.setdefault(today[0], []).append(r)
        else:
            direct.append(r)
    for r in direct:
        rec = record(t, r, r.row.cells[i], m, unit, table_year, p.year, problems)
        if rec:
            rows.append(rec)
    for code, group in groups.items():
        rec = merged(t, code, group, i, p, unit, table_year, problems, notes)
        if rec:
            rows.append(rec)

