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


def _val(env: Env, mid: str, i) -> str:
    return format_value(_m(mid), env[mid][i])


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


