"""Base of the rule items: the result type, the registry and shared helpers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import numpy as np

from ..efficacy import EfficacySettings
from ..measures import Measure, format_value, load_measures

Env = Mapping[str, np.ndarray]


@dataclass
class ItemResult:
    """Points of one item for every county, with the intermediate arrays explanations need."""

    points: np.ndarray
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """A change to one county's measures that recovers points on one item.

    `targets` are the new values (engine encoding) that achieve it, so a step can be applied to a
    panel and checked; `kind` says what it takes: ``document`` (a decision, document, meeting or
    mechanism: bool or level measures), ``count``, ``rate`` or ``efficacy`` (a value against peers).
    """

    action: str
    gain: float
    targets: tuple[tuple[str, float], ...]
    kind: str
    group: str = ""    # efficacy: the components a lever moves (options of one group exclude each other)

    @property
    def measures(self) -> tuple[str, ...]:
        return tuple(m for m, _ in self.targets)


def step_kind(measures) -> str:
    kinds = {load_measures()[m].kind for m in measures}
    if kinds <= {"bool", "level"}:
        return "document"
    return "count" if kinds <= {"bool", "level", "count"} else "rate"


def _m(mid: str) -> Measure:
    return load_measures()[mid]


def _val(env: Env, mid: str, i, keep: tuple[float, ...] = ()) -> str:
    """The county's value of `mid` as people read it; `keep`: thresholds it is compared with."""
    return format_value(_m(mid), env[mid][i], keep)


#: Recovery steps read as actions: each begins with one of these verbs.
VERBS = ("出台", "召开", "建成", "建立", "成立", "制定", "形成", "开展", "组织", "获得", "提高", "提升", "创建", "筹建",
         "保障", "畅通", "推动", "宣传", "写明", "补齐", "新增", "增加")
#: Yes/no measures whose names describe a state, not a deed: the deed that makes them true.
DEEDS = {
    "q01.spirit_in_official_docs": "写明质量发展理念及质量精神/宣传口号，并在党委政府文件中明确体现",
    "q03.mass_activities": "开展群众性质量文化活动（近一年）",
    "q03.publicity": "宣传质量文化（近一年，通过多种途径）",
    "q11.support_policies": "制定出台质量发展、质量提升和品牌等方面的扶持政策",
    "q12.one_stop_platform": "建成与支柱产业相适应的质量基础设施一站式服务平台或服务站",
    "q13.in_development_plan": "推动标准化工作纳入本级国民经济和社会发展规划",
    "q16.metrology_center": "筹建省级及以上产业计量测试中心（经推荐、上级批准）",
    "q18.integrity_activities": "开展诚信计量示范活动（商业、服务业等民生领域）",
    "q22.complaint_channel": "畅通质量投诉平台或渠道，确保有效",
    "q34.smart_site_system": "建成与工程质量安全监督相适应的智慧工地信息化管理系统",
}


def deed(mid: str) -> str:
    """The action that makes the yes/no measure `mid` true, beginning with a verb."""
    name = _m(mid).name_zh
    if mid in DEEDS:
        return DEEDS[mid]
    if name.startswith("财政经费"):
        return "保障" + name
    if "领域建立" in name:                    # q21: 生产安全领域建立风险预警机制… → 建立生产安全领域风险预警机制…
        return "建立" + name.replace("领域建立", "领域", 1)
    return name


def _noun(mid: str) -> str:
    """A count measure's name as the thing counted (数量 dropped: 新增国家级质量荣誉1个)."""
    return _m(mid).name_zh.removesuffix("数量")


def action(mid: str, value: float, env: Env, i) -> str:
    """The step that brings county `i`'s measure `mid` to `value` (engine encoding), beginning with a verb."""
    m, now = _m(mid), _val(env, mid, i)
    if m.kind == "bool":
        return deed(mid)
    if m.kind == "level":
        return f"提升{m.name_zh}为“{m.level_labels[int(value)]}”（现为“{now}”）"
    shown = format_value(m, value)
    if m.kind == "count":
        return f"增加{_noun(mid)}至{shown}（现{now}）"
    return f"提高{m.name_zh}至{shown}（现{now}）"


def county_env(env: Env, i, measures, targets=()) -> dict[str, np.ndarray]:
    """County `i` alone (1-element arrays of `measures`) with its `targets` ((measure, value) pairs) set:
    what a rule that does not depend on the peers evaluates a move on."""
    local = {m: np.asarray([env[m][i]], dtype=float) for m in measures}
    local.update({m: np.asarray([v], dtype=float) for m, v in targets})
    return local


def _nan_if_missing(points: np.ndarray, *arrays: np.ndarray) -> np.ndarray:
    missing = np.zeros(np.shape(points), dtype=bool)
    for a in arrays:
        missing |= np.isnan(a)
    return np.where(missing, np.nan, points)


class Item:
    """Base of all rule items."""

    type: ClassVar[str]
    registry: ClassVar[dict[str, type[Item]]] = {}

    def __init_subclass__(cls, **kw) -> None:
        super().__init_subclass__(**kw)
        Item.registry[cls.type] = cls

    @staticmethod
    def build(spec: Mapping[str, Any]) -> Item:
        spec = dict(spec)
        kind = spec.pop("type", None)
        if kind not in Item.registry:
            raise ValueError(f"unknown rule item type {kind!r}")
        try:
            return Item.registry[kind](**spec)
        except TypeError as exc:
            raise ValueError(f"rule item {kind}: {exc}") from exc

    def measures(self) -> tuple[str, ...]:
        raise NotImplementedError

    def max_points(self) -> float:
        raise NotImplementedError

    def evaluate(self, env: Env, settings: EfficacySettings | None) -> ItemResult:
        raise NotImplementedError

    def explain(self, res: ItemResult, env: Env, i, names: list[str] | None = None) -> str:
        """One county's result in Chinese; `names` (the counties of the last axis) lets an item name peers."""
        raise NotImplementedError

    #: which option is the gap analysis' next step: 0 the smallest improvement (the next tier or
    #: level), -1 the fullest within the room (per-unit counts, deductions)
    next_step: ClassVar[int] = 0

    def options(self, res: ItemResult, env: Env, i: int, room: float = np.inf, rank=None) -> list[Step]:
        """Every alternative improvement for county `i` with its exact gain, smallest first."""
        return []

    def steps(self, res: ItemResult, env: Env, i: int, room: float) -> list[Step]:
        """The next change that recovers this item's lost points for county `i` (gain at most `room`)."""
        if not room > 0:
            return []
        opts = self.options(res, env, i, room)
        if not opts:
            return []
        st = opts[self.next_step]
        return [replace(st, gain=min(st.gain, room))]


