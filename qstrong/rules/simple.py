"""Single-measure rules: yes/no and thresholds, per-unit with caps, tiers, levels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..measures import fmt_num
from .base import Item, ItemResult, Step, _m, _nan_if_missing, _noun, _val, action, step_kind


@dataclass
class Threshold(Item):
    type: ClassVar[str] = "threshold"
    measure: str
    min: float
    points: float

    def measures(self):
        return (self.measure,)

    def max_points(self):
        return self.points

    def evaluate(self, env, settings):
        x = env[self.measure]
        return ItemResult(_nan_if_missing(np.where(x >= self.min, self.points, 0.0), x))

    def explain(self, res, env, i, names=None):
        m = _m(self.measure)
        ok = "满足" if env[self.measure][i] >= self.min else "不满足"
        return (f"{m.name_zh}{_val(env, self.measure, i, (self.min,))}（需≥{fmt_num(self.min)}{m.unit}，{ok}），"
                f"得{fmt_num(res.points[i])}分")

    def options(self, res, env, i, room=np.inf, rank=None):
        """Reaching the threshold (or turning the flag to 是)."""
        pts = res.points[i]
        if np.isnan(pts) or pts >= self.points:
            return []
        target = 1.0 if _m(self.measure).kind == "bool" else float(self.min)
        return [Step(action(self.measure, target, env, i), self.points - pts, ((self.measure, target),),
                     step_kind([self.measure]))]


class Flag(Threshold):
    """A yes/no measure: true → points (a threshold at 0.5 on the 1/0 encoding)."""

    type: ClassVar[str] = "flag"

    def __init__(self, measure: str, points: float):
        super().__init__(measure=measure, min=0.5, points=points)

    def explain(self, res, env, i, names=None):
        return f"{_m(self.measure).name_zh}：{_val(env, self.measure, i)}，得{fmt_num(res.points[i])}分"


@dataclass
class PerUnit(Item):
    type: ClassVar[str] = "per_unit"
    next_step: ClassVar[int] = -1
    measure: str
    per: float
    cap: float | None = None

    def measures(self):
        return (self.measure,)

    def max_points(self):
        return self.cap if self.cap is not None else float("inf")

    def evaluate(self, env, settings):
        x = env[self.measure]
        raw = x * self.per
        pts = raw if self.cap is None else np.minimum(raw, self.cap)
        return ItemResult(pts, {"raw": raw})

    def explain(self, res, env, i, names=None):
        m = _m(self.measure)
        raw = res.detail["raw"][i]
        keep = () if self.cap is None else (self.cap,)
        text = (f"{m.name_zh}{_val(env, self.measure, i, tuple(k / self.per for k in keep))}×{fmt_num(self.per)}"
                f"={fmt_num(raw, keep=keep)}")
        if self.cap is not None and raw > self.cap:
            text += f"，封顶{fmt_num(self.cap)}"
        return text

    def options(self, res, env, i, room=np.inf, rank=None):
        """+1, +2, … units until the item's cap or `room` is reached (gain exact, not capped by room)."""
        x, pts = env[self.measure][i], res.points[i]
        want = min((self.cap - pts) if self.cap is not None else np.inf, room)
        if np.isnan(pts) or not 0 < want < np.inf:
            return []
        m, item_room = _m(self.measure), (self.cap - pts) if self.cap is not None else np.inf
        return [Step(f"新增{_noun(self.measure)}{k}{m.unit}（现{_val(env, self.measure, i)}）", min(k * self.per, item_room),
                     ((self.measure, float(x + k)),), "count")
                for k in range(1, int(np.ceil(want / self.per - 1e-12)) + 1)]


@dataclass
class Tiers(Item):
    type: ClassVar[str] = "tiers"
    measure: str
    tiers: list[list[float]]

    def __post_init__(self):
        self.tiers = sorted(([float(a), float(b)] for a, b in self.tiers), reverse=True)

    def measures(self):
        return (self.measure,)

    def max_points(self):
        return max(p for _, p in self.tiers)

    def evaluate(self, env, settings):
        x = env[self.measure]
        pts = np.zeros(np.shape(x))
        for lo, p in reversed(self.tiers):  # ascending: higher tiers overwrite
            pts = np.where(x >= lo, p, pts)
        return ItemResult(_nan_if_missing(pts, x))

    def tier_label(self, k: int) -> str:
        unit = _m(self.measure).unit
        lo = int(self.tiers[k][0])
        if k == 0:
            return f"{lo}{unit}及以上"
        upper = int(self.tiers[k - 1][0]) - 1
        return f"{lo}{unit}" if upper == lo else f"{lo}-{upper}{unit}"

    def explain(self, res, env, i, names=None):
        m = _m(self.measure)
        x = env[self.measure][i]
        reached = [k for k, (lo, _) in enumerate(self.tiers) if x >= lo]
        band = f"属“{self.tier_label(reached[0])}”档" if reached else "未达最低档"
        if reached and reached[0] > 0 and not float(x).is_integer():   # 2.99999 is not in “1-2”: name the bounds
            band = (f"属“{fmt_num(self.tiers[reached[0]][0])}{m.unit}及以上、不足"
                    f"{fmt_num(self.tiers[reached[0] - 1][0])}{m.unit}”档")
        keep = tuple(lo for lo, _ in self.tiers)
        return f"{m.name_zh}{_val(env, self.measure, i, keep)}，{band}，得{fmt_num(res.points[i])}分"

    def options(self, res, env, i, room=np.inf, rank=None):
        """Each higher tier."""
        pts = res.points[i]
        if np.isnan(pts):
            return []
        return [Step(f"增加{_noun(self.measure)}至“{self.tier_label(k)}”档（现{_val(env, self.measure, i)}）", p - pts,
                     ((self.measure, float(lo)),), "count")
                for k, (lo, p) in reversed(list(enumerate(self.tiers))) if p > pts]


@dataclass
class Level(Item):
    type: ClassVar[str] = "level"
    measure: str
    points: dict[str, float]

    def __post_init__(self):
        m = _m(self.measure)
        if set(self.points) != set(m.levels):
            raise ValueError(f"level item {self.measure}: points must name exactly {m.levels}")
        self._table = np.array([float(self.points[k]) for k in m.levels])

    def measures(self):
        return (self.measure,)

    def max_points(self):
        return float(self._table.max())

    def evaluate(self, env, settings):
        x = env[self.measure]
        idx = np.where(np.isnan(x), 0, x).astype(int)
        return ItemResult(_nan_if_missing(self._table[idx], x))

    def explain(self, res, env, i, names=None):
        return f"{_m(self.measure).name_zh}：{_val(env, self.measure, i)}，得{fmt_num(res.points[i])}分"

    def options(self, res, env, i, room=np.inf, rank=None):
        """Each higher-scoring level."""
        pts = res.points[i]
        if np.isnan(pts):
            return []
        return sorted((Step(action(self.measure, k, env, i), float(p) - pts, ((self.measure, float(k)),), "document")
                       for k, p in enumerate(self._table) if p > pts), key=lambda st: st.gain)
