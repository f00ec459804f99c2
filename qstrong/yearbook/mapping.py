"""The mapping file (YAML or JSON): which yearbook column is which measure, in which unit and year.

::

    tables:                          # a list; an entry without file/sheet applies to every table
      - file: 表3-12*.csv             # optional: the file's name, or a glob (* ?)
        sheet: 3-12                  # optional: the sheet's name
        prefecture: 淄博市            # optional: prefecture of rows whose prefecture the table does not give
        year: 2021                   # optional: the table's year (default --year); names are matched in it
        columns:                     # a table column's label or display (“地区生产总值”, “地区生产总值（亿元）”)
          地区生产总值: {measure: gdp, unit: 亿元}
          年末常住人口: {measure: population, merged: sum}
          一般公共预算支出｜2020: {measure: q10.public_expenditure, year: 2020}
        years: {measure: q38.pm25, unit: μg/m³}     # columns whose label ends in a year (2020, 2020年)
        skip_rows: [济南高新区, 经济技术开发区]     # rows that are no county-level division: skipped, said
        rows: {市中区: 枣庄市市中区, "第12行": 济南市市中区}   # a row's name → the name to match it by

``measure`` must be a number, count or percent measure of the catalog (bool and level measures cannot be
read from a yearbook). ``unit`` is the unit of the printed figures: it completes a header without one and
overrides a “单位：” line; a header or unit row stating another unit is a problem. ``merged: sum`` sums the
figures of divisions merged since the table's year into today's county (else they are not imported);
it is refused for a measure whose figures do not add up (a percent, or a unit :func:`.units.additive`
says is not: concentrations, per-person figures, days).
``year`` sets the figures' year (default: the column's year, else the table's). ``skip_rows`` names rows
(as printed) that are no county-level division, e.g. development zones: they are skipped and said; a name
matching no row of the entry's tables is a problem (a typo). ``rows`` reads one row by another name
(the prefecture's name before it: a 市中区 in a province-wide table, where ``prefecture`` would apply to
every row); a key is the printed name, or the row's place (“第12行”, or its cell “A12” in a workbook) when
two rows print the same name; a key matching no row is a problem. ``skip_rows`` takes places too. Every problem is listed at once, in Chinese,
with the file and key; unknown keys are problems, never ignored. :func:`yaml_text` quotes a label for a
mapping line the user can paste.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..measures import Measure, load_measures
from ..names import normalise_name
from ..textfiles import REFUSED, load_data, unreported
from .table import prefecture_names
from .units import additive, dimension_zh, parse_unit, problem

IMPORTABLE = ("number", "count", "percent")
TOP_KEYS = ("tables",)
ENTRY_KEYS = ("file", "sheet", "prefecture", "year", "columns", "years", "skip_rows", "rows")
SPEC_KEYS = ("measure", "unit", "merged", "year")
MERGED = ("sum",)
YEARS = range(2000, 2101)
YEAR_LABEL = re.compile(r"^((?:19|20)\d\d)年?(度)?$")


class MappingError(InputError):
    title = "映射文件有{n}处问题"


@dataclass(frozen=True)
class Spec:
    """What one column holds: the measure, the printed unit ('' = as the table says), merged, year."""

    measure: str
    unit: str = ""
    merged: str = ""
    year: int | None = None
    key: str = ""            # where in the mapping file, for messages


@dataclass(frozen=True)
class Entry:
    index: int
    file: str | None = None
    sheet: str | None = None
    prefecture: str | None = None
    year: int | None = None
    columns: dict[str, Spec] = field(default_factory=dict)
    years: Spec | None = None
    skip_rows: tuple[str, ...] = ()          # normalised names
    rows: dict[str, str] = field(default_factory=dict)    # a row's normalised name or place → name to match

    def applies(self, file: str, sheet: str) -> bool:
        return ((self.file is None or fnmatch.fnmatchcase(file, self.file))
                and (self.sheet is None or self.sheet == sheet))

    @property
    def key(self) -> str:
        return f"tables第{self.index + 1}项"


@dataclass(frozen=True)
class Mapping:
    source: str
    entries: tuple[Entry, ...] = ()

    def for_table(self, file: str, sheet: str) -> list[Entry]:
        return [e for e in self.entries if e.applies(file, sheet)]


def year_of_label(label: str) -> int | None:
    """2020 for a column label whose last part is a year (“2020”, “2020年”, “PM2.5｜2020年”)."""
    m = YEAR_LABEL.match(label.split("｜")[-1])
    return int(m[1]) if m else None


def summable(m: Measure) -> bool:
    """Whether `m`'s figures of merged counties may be added (``merged: sum``): never a percent, else as
    the unit's dimension says (:func:`.units.additive`: money, people, counts yes; concentrations no)."""
    return m.kind != "percent" and additive(m.unit)


def importable(m: Measure) -> bool:
    return m.kind in IMPORTABLE and not m.id.startswith("veto.")


def read_mapping(path: str | Path) -> Mapping:
    """The mapping file at `path`; MappingError listing every problem."""
    mapping, problems = load_mapping(path)
    if problems:
        raise MappingError(problems)
    return mapping


def load_mapping(path: str | Path) -> tuple[Mapping, list[str]]:
    """(the mapping's valid part, every problem of the file, each naming it): the importer reports the
    problems its tables show against that part too, never matching headers instead."""
    name = Path(path).name
    try:
        data, problems = load_data(path, "映射文件")
    except InputError as exc:
        return Mapping(name), [_named(x, name) for x in exc.problems]
    if problems and data is None:        # a syntax error: nothing of the file was read
        return Mapping(name), [_named(x, name) for x in unreported(problems)]
    mapping, more = parse_mapping(data, name)
    return mapping, [_named(x, name) for x in unreported(problems + more)]


def _named(problem: str, name: str) -> str:
    """`problem` naming the mapping file `name` (映射文件“m.yaml”…)."""
    text = str(problem)
    if text.startswith(f"映射文件“{name}”"):
        return text
    return f"映射文件“{name}”" + (text[4:] if text.startswith("映射文件") else f"：{text}")


def parse_mapping(data: object, source: str) -> tuple[Mapping, list[str]]:
    """(mapping, problems) of the parsed file `data`."""
    where = f"映射文件“{source}”"
    problems: list[str] = []
    if data is None:
        return Mapping(source), [f"{where}为空：应有 tables 列表"]
    if not isinstance(data, dict):
        return Mapping(source), [f"{where}的顶层应为键值对（tables: …），而不是{_kind(data)}"]
    problems += [f"{where}：未知的键“{k}”（可用：{'、'.join(TOP_KEYS)}）" for k in data if k not in TOP_KEYS]
    tables = data.get("tables")
    if not isinstance(tables, list) or not tables:
        problems.append(f"{where}：tables 应为非空列表（每项一张表的设置）")
        return Mapping(source), problems
    entries = []
    for i, raw in enumerate(tables):
        entry = _entry(i, raw, where, problems)
        if entry is not None:
            entries.append(entry)
    return Mapping(source, tuple(entries)), problems


def _kind(v: object) -> str:
    return {list: "列表", str: "文字", int: "整数", float: "数字", bool: "是/否"}.get(type(v), "其他内容")


def _entry(i: int, raw: object, where: str, problems: list[str]) -> Entry | None:
    key = f"{where}tables第{i + 1}项"
    if not isinstance(raw, dict):
        problems.append(f"{key}应为键值对（{'、'.join(ENTRY_KEYS)}），而不是{_kind(raw)}")
        return None
    problems += [f"{key}：未知的键“{k}”（可用：{'、'.join(ENTRY_KEYS)}）" for k in raw if k not in ENTRY_KEYS]
    file, sheet = _text(raw, "file", key, problems), _text(raw, "sheet", key, problems)
    pref = _text(raw, "prefecture", key, problems)
    if pref is not None:
        names = prefecture_names()
        if pref not in names:
            problems.append(f"{key}的 prefecture“{pref}”不是山东省的地级市")
            pref = None
        else:
            pref = names[pref]
    year = _year(raw.get("year"), f"{key}的 year", problems) if "year" in raw else None
    columns: dict[str, Spec] = {}
    cols = raw.get("columns", {})
    if not isinstance(cols, dict):
        problems.append(f"{key}的 columns 应为“列名: {{measure: …}}”的键值对，而不是{_kind(cols)}")
        cols = {}
    for label, spec in cols.items():
        got = _spec(spec, f"{key}的 columns“{label}”", problems, allow_year=True)
        if got is not None:
            columns[re.sub(r"\s+", "", str(label)).translate(str.maketrans({"(": "（", ")": "）", "|": "｜"}))] = got
    years = _spec(raw["years"], f"{key}的 years", problems, allow_year=False) if "years" in raw else None
    return Entry(i, file, sheet, pref, year, columns, years, _skip_rows(raw.get("skip_rows"), key, problems),
                 _rows(raw.get("rows"), key, problems))


def _rows(raw: object, key: str, problems: list[str]) -> dict[str, str]:
    if raw is None or raw is REFUSED:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(k, str) and isinstance(v, str) and normalise_name(k)
                                            and normalise_name(v) for k, v in raw.items()):
        problems.append(f"{key}的 rows 应为“表中名称或位置: 识别用的名称”的键值对，如 rows: {{市中区: 枣庄市市中区}}，"
                        f"而不是{_kind(raw)}")
        return {}
    return {normalise_name(k): normalise_name(v) for k, v in raw.items()}


def _skip_rows(raw: object, key: str, problems: list[str]) -> tuple[str, ...]:
    if raw is None or raw is REFUSED:
        return ()
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(x, str) and normalise_name(x) for x in items):
        problems.append(f"{key}的 skip_rows 应为表中名称的列表，如 skip_rows: [济南高新区, 经济技术开发区]，而不是{_kind(raw)}")
        return ()
    return tuple(dict.fromkeys(normalise_name(x) for x in items))


_PLAIN = re.compile(r"[^\s:#{}\[\],&*!|>'\"%@`?\-][^:#{}\[\],]*")


def yaml_text(text: object) -> str:
    """`text` as a YAML scalar a user can paste: plain when safe, else double-quoted."""
    t = str(text)
    plain = _PLAIN.fullmatch(t) and not t.endswith(" ") and not re.fullmatch(r"[0-9.+-]+|true|false|null|yes|no|on|off|~", t,
                                                                             re.IGNORECASE)
    return t if plain else json.dumps(t, ensure_ascii=False)


def _text(raw: dict, name: str, key: str, problems: list[str]) -> str | None:
    v = raw.get(name)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, str | int):
        problems.append(f"{key}的 {name} 应为文字，而不是{_kind(v)}")
        return None
    return str(v).strip() or None


def _year(v: object, key: str, problems: list[str]) -> int | None:
    if v is REFUSED:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or v not in YEARS:
        problems.append(f"{key}应为2000～2100的整数年份，而不是“{v}”")
        return None
    return v


def _spec(raw: object, key: str, problems: list[str], allow_year: bool) -> Spec | None:
    if isinstance(raw, str):            # 地区生产总值: gdp
        raw = {"measure": raw}
    if not isinstance(raw, dict):
        problems.append(f"{key}应为 {{measure: 数据项, unit: 单位}}，而不是{_kind(raw)}")
        return None
    allowed = SPEC_KEYS if allow_year else SPEC_KEYS[:3]
    n = len(problems)
    problems += [f"{key}：未知的键“{k}”（可用：{'、'.join(allowed)}）" for k in raw if k not in allowed]
    measures = load_measures()
    mid = raw.get("measure")
    m = measures.get(mid) if isinstance(mid, str) else None
    if mid is None:
        problems.append(f"{key}缺少 measure（数据项编号，如 gdp）")
    elif m is None:
        near = [x for x in measures if isinstance(mid, str) and (mid in x or x in mid)][:5]
        problems.append(f"{key}的 measure“{mid}”不是数据项编号" + (f"（相近：{'、'.join(near)}）" if near else "")
                        + "；可用 qstrong measures 查看")
    elif not importable(m):
        problems.append(f"{key}的 measure“{mid}”（{m.name_zh}）是是/否或等级数据项，不能从年鉴表格导入数值")
        m = None
    unit = raw.get("unit")
    canon = ""
    if unit is not None:
        canon = parse_unit(unit) or ""
        if not canon:
            problems.append(f"{key}的 unit“{unit}”无法识别")
        elif m is not None and (why := problem(canon, m.unit)):
            problems.append(f"{key}的 unit：{why}（数据项“{m.name_zh}”的单位是{m.unit}）")
    merged = raw.get("merged")
    if merged is not None and merged not in MERGED:
        problems.append(f"{key}的 merged 只能是 sum（合并县的早年数据相加），而不是“{merged}”")
    elif merged == "sum" and m is not None and not summable(m):
        problems.append(f"{key}：merged: sum 不能用于“{m.name_zh}”（单位{m.unit}）：{'比率' if m.kind == 'percent' else dimension_zh(m.unit) or '这类数值'}"
                        "不能相加（两县之和不是合并后县的数值）。请去掉 merged: sum（合并县的这一数据不导入），"
                        "或自行按权重（如人口、面积）算出合并后县的数值，作为单独的表格导入")
    year = _year(raw["year"], f"{key}的 year", problems) if "year" in raw else None
    if len(problems) > n:
        return None
    return Spec(str(mid), canon, str(merged or ""), year, key)
