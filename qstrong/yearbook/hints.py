"""Mapping-file lines a user can paste (:mod:`.mapping`'s format): the columns a dry run matched, the
``years`` line of a years-across table. Every line is valid YAML as printed (labels quoted when needed)."""

from __future__ import annotations

from ..measures import Measure
from .mapping import yaml_text
from .table import Column, YearbookTable

INDENT = "      "


def _head(t: YearbookTable) -> list[str]:
    out = ["tables:", f"  - file: {yaml_text(t.file)}"]
    return out + ([f"    sheet: {yaml_text(t.sheet)}"] if t.sheet else [])


def column_hint(t: YearbookTable, columns: list[tuple[Column, Measure]]) -> str:
    """The entry naming each (column, measure) of `t`, best first per measure (a measure named again is
    commented out); a column without a unit gets a comment, never a guessed unit."""
    body = ["    columns:"]
    seen: dict[str, str] = {}
    for col, m in columns:
        line = f"{yaml_text(col.label)}: {{measure: {m.id}}}"
        if m.id in seen:                     # one measure, one column: the later ones are left commented out
            line = f"# {line}   # 与“{seen[m.id]}”同为{m.id}，只能写其中一列"
        elif not col.unit:
            line += f"   # 表头没有单位：请按表格加上 unit（如 unit: {m.unit} 当且仅当表中就是{m.unit}）"
        seen.setdefault(m.id, col.label)
        body.append(INDENT + line)
    return "\n".join(INDENT + x for x in _head(t) + body)


def years_hint(t: YearbookTable, years: list[Column], guess: Measure | None) -> str:
    """The entry reading the year columns `years` of `t` as one measure: the measure the title suggests
    (said in a comment) or a placeholder to replace; the unit printed, else a comment asking for it."""
    units = sorted({c.unit for c in years if c.unit})
    spec = f"measure: {guess.id if guess else '数据项编号'}" + (f", unit: {yaml_text(units[0])}" if len(units) == 1 else "")
    why = (f"按标题近似匹配为“{guess.name_zh}”，请核对" if guess else "请把“数据项编号”换成 qstrong measures 列出的编号")
    if len(units) != 1:
        why += "；表中没有写明单位：请加上 unit（表中数值的单位）"
    return "\n".join(INDENT + x for x in [*_head(t), f"    years: {{{spec}}}   # {why}"])
