"""The indicator catalog (annex 2 of the seed) as package data, checked when loaded."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd

from .measures import Measure, load_measures
from .rules import Item
from .rules.efficacy import Efficacy

_NOTE = re.compile(r"^(.*?)[（(](.*?)[）)]$")


def split_departments(text: str) -> tuple[tuple[str, ...], dict[str, str]]:
    """'区发改局、区统计局（数据来源部门）' → (('区发改局', '区统计局'), {'区统计局': '数据来源部门'})."""
    names, notes = [], {}
    for part in text.split("、"):
        part = part.strip()
        if not part:
            continue
        m = _NOTE.match(part)
        if m:
            part = m.group(1).strip()
            notes[part] = m.group(2)
        names.append(part)
    return tuple(names), notes


@dataclass(frozen=True)
class Indicator:
    """A third-level indicator: texts from the seed and its declared rule."""

    id: int
    level1: str
    level2: str
    points: float
    cap: float
    criterion: str
    standard: str
    source: str
    departments_text: str
    departments: tuple[str, ...]
    department_notes: dict[str, str]
    items: tuple[Item, ...]
    variants: dict[str, tuple[str, tuple[Item, ...]]] = field(default_factory=dict)
    counting: dict[str, tuple[str, ...]] = field(default_factory=dict)   # measure → the seed's counting rules
    reading: str = ""                  # the default reading in words (indicators with variants)

    @property
    def is_efficacy(self) -> bool:
        return any(isinstance(it, Efficacy) for it in self.items)

    @property
    def rule_kind(self) -> str:
        kinds = {"efficacy" if isinstance(it, Efficacy) else "rule" for it in self.items}
        return "mixed" if len(kinds) > 1 else kinds.pop()

    def items_for(self, variant: str | None) -> tuple[Item, ...]:
        if variant is None:
            return self.items
        if variant not in self.variants:
            raise ValueError(f"指标{self.id}没有名为 {variant!r} 的解读变体，可选：{'、'.join(self.variants) or '无'}")
        return self.variants[variant][1]

    def measures(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m for it in self.items for m in it.measures()))


@dataclass(frozen=True)
class Veto:
    criterion: str
    standard: str
    source: str
    departments_text: str
    departments: tuple[str, ...]
    measures: tuple[str, ...]


@dataclass(frozen=True)
class Constraint:
    left: str
    op: str
    right: str
    message: str


@dataclass(frozen=True, eq=False)
class Catalog:
    """Everything annex 2 says, plus the scoring rules; the single source of truth."""

    meta: dict[str, Any]
    level1: dict[str, float]
    level2: dict[str, tuple[str, float]]
    indicators: tuple[Indicator, ...]
    veto: Veto
    constraints: tuple[Constraint, ...]
    efficacy_defaults: dict[str, Any]
    measures: dict[str, Measure]
    fingerprint: str
    department_table: dict[str, Any] = field(default_factory=dict, hash=False)
    owners: tuple[dict[str, Any], ...] = ()

    def indicator(self, ident: int) -> Indicator:
        return self.indicators[int(ident) - 1]

    def counting_rules(self, measure: str) -> tuple[str, ...]:
        """The seed's own words on what a measure counts (verbatim; empty when it says nothing)."""
        m = self.measures.get(measure)
        if m is None or not str(m.indicator).isdigit():
            return ()
        return self.indicator(int(m.indicator)).counting.get(measure, ())

    @property
    def departments(self) -> tuple[str, ...]:
        """Every responsible department named by an indicator or the veto, in order of appearance."""
        seen: dict[str, None] = {}
        for ind in self.indicators:
            seen.update(dict.fromkeys(ind.departments))
        seen.update(dict.fromkeys(self.veto.departments))
        return tuple(seen)

    def to_frame(self) -> pd.DataFrame:
        """One row per indicator: levels, points, texts, departments, rule kind and measures."""
        rows = [{
            "indicator": ind.id, "level1": ind.level1, "level1_points": self.level1[ind.level1],
            "level2": ind.level2, "level2_points": self.level2[ind.level2][1], "points": ind.points,
            "criterion": ind.criterion, "standard": ind.standard, "source": ind.source,
            "departments": "、".join(ind.departments), "rule": ind.rule_kind,
            "measures": " ".join(ind.measures()),
            "counting": "；".join(dict.fromkeys(t for ts in ind.counting.values() for t in ts)),
        } for ind in self.indicators]
        return pd.DataFrame(rows).set_index("indicator")


class CatalogError(ValueError):
    """The catalog file contradicts itself or the seed's totals."""


def _check(cat: Catalog) -> None:
    problems: list[str] = []
    meta = cat.meta
    if len(cat.indicators) != meta["indicator_count"]:
        problems.append(f"应有{meta['indicator_count']}项三级指标，实有{len(cat.indicators)}项")
    if [i.id for i in cat.indicators] != list(range(1, len(cat.indicators) + 1)):
        problems.append("三级指标序号应为1起连续编号")
    if len(cat.level1) != meta["level1_count"] or len(cat.level2) != meta["level2_count"]:
        problems.append(f"一级/二级指标数应为{meta['level1_count']}/{meta['level2_count']}")
    total = sum(i.points for i in cat.indicators)
    if total != meta["total_points"] or sum(cat.level1.values()) != meta["total_points"]:
        problems.append(f"分值合计应为{meta['total_points']}，三级指标合计{total}")
    for name, (l1, pts) in cat.level2.items():
        got = sum(i.points for i in cat.indicators if i.level2 == name)
        if got != pts:
            problems.append(f"二级指标“{name}”应为{pts}分，其三级指标合计{got}分")
        if l1 not in cat.level1:
            problems.append(f"二级指标“{name}”的一级指标“{l1}”未定义")
    for name, pts in cat.level1.items():
        got = sum(p for l1, p in cat.level2.values() if l1 == name)
        if got != pts:
            problems.append(f"一级指标“{name}”应为{pts}分，其二级指标合计{got}分")
    known = cat.measures
    for ind in cat.indicators:
        if ind.variants and not ind.reading:
            problems.append(f"指标{ind.id}有解读变体，但没有说明默认解读（reading）")
        for m, texts in ind.counting.items():
            if m not in ind.measures():
                problems.append(f"指标{ind.id}的计数规则引用了不属于该指标的数据项 {m}")
            problems += [f"指标{ind.id}的计数规则“{t}”不是评价标准原文" for t in texts
                         if t not in ind.standard.replace("\n", "")]
        variants = [("", ind.items)] + [(f"（变体{k}）", v[1]) for k, v in ind.variants.items()]
        for label, items in variants:
            for it in items:
                for m in it.measures():
                    if m not in known:
                        problems.append(f"指标{ind.id}{label}的规则引用了未知数据项 {m}")
            best = sum(it.max_points() for it in items)
            if min(best, ind.cap) != ind.points:
                problems.append(f"指标{ind.id}{label}的规则最高可得{min(best, ind.cap)}分，应为{ind.points}分")
    for m in cat.veto.measures:
        if m not in known or known[m].kind != "bool":
            problems.append(f"一票否决项引用的 {m} 不是已知的是/否数据项")
    for c in cat.constraints:
        if c.left not in known or c.right not in known:
            problems.append(f"校验规则引用了未知数据项 {c.left} / {c.right}")
    if problems:
        raise CatalogError("指标目录校验未通过：\n" + "\n".join(problems))


def parse_catalog(raw: bytes, measures: dict[str, Measure] | None = None, salt: bytes = b"") -> Catalog:
    """Build and check a catalog from TOML bytes (`salt`: more bytes that enter the fingerprint)."""
    measures = load_measures() if measures is None else measures
    data = tomllib.loads(raw.decode("utf-8"))
    level1 = {d["name"]: float(d["points"]) for d in data["level1"]}
    level2 = {d["name"]: (d["level1"], float(d["points"])) for d in data["level2"]}
    indicators = []
    for d in data["indicator"]:
        deps, notes = split_departments(d["departments"])
        if d["level2"] not in level2:
            raise CatalogError(f"指标{d['id']}的二级指标“{d['level2']}”未定义")
        variants = {k: (v.get("note", ""), tuple(Item.build(s) for s in v["items"]))
                    for k, v in d.get("variants", {}).items()}
        indicators.append(Indicator(
            id=int(d["id"]), level1=level2[d["level2"]][0], level2=d["level2"],
            points=float(d["points"]), cap=float(d.get("cap", d["points"])),
            criterion=d["criterion"], standard=d["standard"], source=d["source"],
            departments_text=d["departments"], departments=deps, department_notes=notes,
            items=tuple(Item.build(s) for s in d["items"]), variants=variants,
            counting={m: tuple([t] if isinstance(t, str) else t) for m, t in d.get("counting", {}).items()},
            reading=d.get("reading", ""),
        ))
    v = data["veto"]
    veto = Veto(v["criterion"], v["standard"], v["source"], v["departments"],
                split_departments(v["departments"])[0], tuple(v["measures"]))
    cat = Catalog(
        meta=data["meta"], level1=level1, level2=level2, indicators=tuple(indicators), veto=veto,
        constraints=tuple(Constraint(**c) for c in data.get("constraints", [])),
        efficacy_defaults=data["efficacy_defaults"], measures=measures,
        fingerprint=_fingerprint(data, salt),
        department_table=data.get("departments", {"aliases": {}, "groups": {}, "lead_office": ""}),
        owners=tuple(data.get("owners", [])),
    )
    _check(cat)
    return cat


def _fingerprint(data: dict[str, Any], salt: bytes) -> str:
    """A hash of what a department's template shows and what its answers mean: the measures (`salt`),
    the seed's texts, levels, departments and counting rules — not the scoring rules, so a change of
    reading (a cap, a variant) does not send every department a new template."""
    shown = {k: v for k, v in data.items() if k not in ("efficacy_defaults", "constraints")}
    shown["indicator"] = [{k: v for k, v in d.items() if k not in ("items", "variants", "reading")}
                          for d in data["indicator"]]
    text = json.dumps(shown, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8") + salt).hexdigest()[:16]


@cache
def load_catalog() -> Catalog:
    """The package's catalog (cached)."""
    files = resources.files("qstrong").joinpath("data")
    return parse_catalog(files.joinpath("catalog.toml").read_bytes(),
                         salt=files.joinpath("measures.csv").read_bytes())
