"""The efficacy-coefficient rule item: values derived from measures, scored against the panel."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..efficacy import Coefficient, EfficacySettings, Goalposts, coefficient, required_value, solve_monotone
from ..expr import Expr
from ..measures import fmt_num, load_measures
from .base import Env, Item, ItemResult, Step, county_env


@dataclass(frozen=True)
class Component:
    """One value scored by the method: `value` (an expression) or a `change` (current vs previous)."""

    label: str
    weight: float
    value: Expr | None = None
    current: Expr | None = None
    previous: Expr | None = None
    levers: tuple[str, ...] = ()      # measures a county may move to move this value (default: the first)

    @staticmethod
    def build(spec: Mapping[str, Any]) -> Component:
        spec = dict(spec)
        if ("value" in spec) == ("change" in spec):
            raise ValueError("an efficacy component needs exactly one of `value` / `change`")
        if "change" in spec:
            ch = spec.pop("change")
            spec["current"], spec["previous"] = Expr(ch["current"]), Expr(ch["previous"])
        else:
            spec["value"] = Expr(spec["value"])
        spec["levers"] = tuple(spec.get("levers", ()))
        comp = Component(**spec)
        unknown = [m for m in comp.levers if m not in comp.measures()]
        if unknown:
            raise ValueError(f"component {comp.label}: levers {unknown} are not measures of its value")
        return comp

    @property
    def is_change(self) -> bool:
        return self.value is None

    def exprs(self) -> tuple[Expr, ...]:
        return (self.value,) if self.value is not None else (self.current, self.previous)

    def measures(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m for e in self.exprs() for m in e.measures))

    def values(self, env: Env, change: str, zero_base: str = "top") -> tuple[np.ndarray, np.ndarray]:
        """(x, growth from a zero base): the component's value for every county, and where it is a
        relative growth from previous = 0 to current > 0 (x there: NaN, or current − previous under
        ``zero_base: pp``). 0 → 0 is zero growth. Under ``change: pp`` there is no zero base."""
        if self.value is not None:
            x = self.value.evaluate(env)
            return x, np.zeros(np.shape(x), dtype=bool)
        cur, prev = self.current.evaluate(env), self.previous.evaluate(env)
        with np.errstate(divide="ignore", invalid="ignore"):
            if change == "pp":
                out, zb = cur - prev, np.zeros(np.shape(cur), dtype=bool)
            else:
                out = np.where((prev == 0) & (cur == 0), 0.0, (cur / prev - 1.0) * 100.0)
                zb = (prev == 0) & (cur > 0)
                out = np.where(zb, cur - prev if zero_base == "pp" else np.nan, out)
        return np.where(np.isfinite(out), out, np.nan), zb

    def compute(self, env: Env, change: str, zero_base: str = "top") -> np.ndarray:
        return self.values(env, change, zero_base)[0]

    @property
    def lever(self) -> str:
        """The measure a county moves to move this value: the first declared lever, else the first
        measure of its (current) expression."""
        return self.levers[0] if self.levers else (self.value or self.current).measures[0]

    @property
    def all_levers(self) -> tuple[str, ...]:
        return self.levers or (self.lever,)

    def solve_lever(self, env: Env, i: int, change: str, x_target: float, lever: str | None = None,
                    zero_base: str = "top") -> float | None:
        """Value of `lever` (default: the component's lever) for county `i` that makes this component
        reach `x_target` (others unchanged), by bisection within its allowed range; None if out of reach.
        A growth from a zero base counts as above any target under ``zero_base: top``."""
        lever = lever or self.lever
        m = load_measures()[lever]
        cur = float(env[lever][i])
        lo = m.low if m.low is not None else -1e12
        hi = m.high if m.high is not None else max(abs(cur), 1.0) * 1e6

        def x_at(v: float) -> float:
            x, zb = self.values(county_env(env, i, self.measures(), ((lever, v),)), change, zero_base)
            return np.inf if zb[0] and zero_base == "top" else float(x[0])

        f_lo, f_hi = x_at(lo), x_at(hi)
        if np.isnan(f_lo) or np.isnan(f_hi):
            return None
        v = solve_monotone(x_at, lo, hi, x_target, increasing=not (f_hi < f_lo))
        if v is None:
            return None
        return float(np.ceil(v)) if m.kind == "count" else v

    def explain_value(self, env: Env, i, x: float, change: str, keep: tuple[float, ...] = (),
                      zero_base: str = "top") -> str:
        """How the component's value is computed for county `i` (`keep`: thresholds it is compared with)."""
        if self.value is not None:
            if self.value.source.strip() == self.value.measures[0]:
                return f"{self.label}={fmt_num(x, keep=keep)}"
            rendered = self.value.render({m: fmt_num(env[m][i]) for m in self.value.measures})
            result = "除数为0，无法计算" if np.isnan(x) else fmt_num(x, keep=keep)
            return f"{self.label}={rendered}={result}"
        cur = self.current.evaluate({m: env[m][i] for m in self.current.measures})
        prev = self.previous.evaluate({m: env[m][i] for m in self.previous.measures})
        if change == "pp":
            how = f"当年{fmt_num(cur)}−上年{fmt_num(prev)}={fmt_num(x, keep=keep)}个百分点"
        elif prev == 0 and cur == 0:
            how = "上年为0、本年为0：增长率按0计"
        elif prev == 0 and cur > 0:
            how = f"上年为0、本年为{fmt_num(cur)}：" + {
                "top": "增长率无法计算，按高于所有对标县计",
                "null": "增长率无法计算，本项不计分（数据已填报，不属于数据缺失）",
                "pp": f"增长率无法计算，按增加量计：{fmt_num(cur)}−0={fmt_num(x, keep=keep)}"}[zero_base]
        else:
            how = f"(当年{fmt_num(cur)}÷上年{fmt_num(prev)}−1)×100={fmt_num(x, keep=keep)}%"
            if np.isnan(x) and prev == 0:
                how = "上年为0，增长率无法计算"
        return f"{self.label}：{how}"


#: the status of an indicator that cannot be scored because a growth starts from zero (``zero_base: null``)
ZERO_BASE_STATUS = "无法计算增长率：上年为0"


def zero_base_unscored(items, results, env: Env, at=slice(None)) -> np.ndarray:
    """Where (positions `at` of the counties) an indicator's `items` with their `results` are unscored only
    because a growth starts from zero (a component without d, ``zero_base: null``) although every input
    is reported — the status ZERO_BASE_STATUS, not missing data."""
    reported = ~np.any([np.isnan(env[m][at]) for it in items for m in it.measures()], axis=0)
    zero = np.zeros(np.shape(reported), dtype=bool)
    for r in results:
        for k in r.detail.get("coefs", ()):
            zero = zero | (k.zero_base[at] & np.isnan(k.d[at]))
    return zero & reported


def sides(k: Coefficient, s: EfficacySettings) -> tuple[float, ...]:
    """The gate and goalposts (x_s, x_h) a component's value is compared with — the values a printed value
    keeps the decimals to stay on its side of (89.99999 is not 90)."""
    return tuple(float(t) for t in (s.gate, k.low[0], k.high[0]) if t is not None and np.isfinite(t))


def peer_values(k: Coefficient, i: int) -> np.ndarray:
    """The other counties' values that set the goalposts: present, not a growth from 0, not failing the gate."""
    peers = np.delete(k.x, i)[~np.delete(k.gated_out, i)]
    return peers[np.isfinite(peers)]


def below_top(k: Coefficient, s: EfficacySettings) -> np.ndarray:
    """Counties that lose points on the component: d below base + span (False where d is missing)."""
    with np.errstate(invalid="ignore"):
        return k.d < s.base + s.span - 1e-9


def _holder(k: Coefficient, value: float, names: list[str]) -> str:
    """The county (or counties) whose value is `value` — who sets a goalpost."""
    hits = [names[j] for j in np.flatnonzero(k.x == value)]
    return hits[0] + (f"等{len(hits)}个" if len(hits) > 1 else "") if hits else "—"


def _shown(k: Coefficient, i: int, x: float | None = None, zb: bool | None = None) -> str:
    """A component value as text; a growth from a zero base is named as such (it has no number)."""
    x, zb = (k.x[i], k.zero_base[i]) if x is None else (x, zb)
    return "上年为0的增长" if zb and np.isnan(x) else fmt_num(x)


def _signed(x: float, keep: tuple[float, ...] = ()) -> str:
    """A subtrahend: negative numbers in parentheses, so 5−(−2) never reads 5−-2."""
    return f"({fmt_num(x, keep=keep)})" if x < 0 else fmt_num(x, keep=keep)


def _units(mid: str) -> str:
    return load_measures()[mid].unit


class Efficacy(Item):
    """功效系数法 over one or more weighted components; points = W·Σ wᵢ·dᵢ / 100."""

    type: ClassVar[str] = "efficacy"

    def __init__(self, points: float, components: list, gate: float | None = None,
                 goalposts: Mapping | None = None, change: str | None = None):
        self.points = float(points)
        self.components = [Component.build(c) for c in components]
        if abs(sum(c.weight for c in self.components) - 1.0) > 1e-9:
            raise ValueError("efficacy component weights must sum to 1")
        self.defaults: dict[str, Any] = {}
        if gate is not None:
            self.defaults["gate"] = float(gate)
        if goalposts is not None:
            self.defaults["goalposts"] = Goalposts(**goalposts)
        if change is not None:
            self.defaults["change"] = change

    def __repr__(self) -> str:
        return f"Efficacy(points={self.points}, components={[c.label for c in self.components]})"

    def measures(self):
        return tuple(dict.fromkeys(m for c in self.components for m in c.measures()))

    def max_points(self):
        return self.points

    def component_points(self, c: Component, d):
        """The points a component's d is worth: W·w·d/100 (of a change of d: the change in points)."""
        return self.points * c.weight * d / 100.0

    def evaluate(self, env: Env, settings: EfficacySettings | None) -> ItemResult:
        if settings is None:
            raise ValueError("an efficacy item needs EfficacySettings")
        coefs = []
        for c in self.components:
            x, zb = c.values(env, settings.change, settings.zero_base)
            coefs.append(coefficient(x, settings, zb))
        dsum = sum(c.weight * k.d for c, k in zip(self.components, coefs, strict=True))
        return ItemResult(self.points * dsum / 100.0, {"coefs": coefs, "settings": settings})

    def explain(self, res: ItemResult, env: Env, i: int, names: list[str] | None = None) -> str:
        s: EfficacySettings = res.detail["settings"]
        coefs: list[Coefficient] = res.detail["coefs"]
        parts = []
        for c, k in zip(self.components, coefs, strict=True):
            x, lo, hi = k.x[i], k.low[0], k.high[0]
            keep = sides(k, s)          # the value keeps the decimals that put it on its side of each
            text = c.explain_value(env, i, x, s.change, keep, s.zero_base)
            if k.zero_base[i] and s.zero_base == "top":
                parts.append(f"{text}，d={fmt_num(k.d[i], 2)}")
                continue
            if np.isnan(x):
                parts.append(text)
                continue
            if k.gated_out[i]:
                text += (f"；低于{fmt_num(s.gate)}，d=0" if x < s.gate else
                         f"；未超过{fmt_num(s.gate)}（按“{fmt_num(s.gate)}以下不得分”含{fmt_num(s.gate)}计），d=0")
            elif not hi > lo:
                text += f"；标杆x_h=x_s={fmt_num(hi)}，d={fmt_num(s.base + s.span)}"
            else:
                who = ""
                if names is not None and s.goalposts.policy == "minmax":
                    best, worst = _holder(k, hi, names), _holder(k, lo, names)
                    who = f"（最高{best}，最低{worst}）"
                raw = s.base + s.span * (x - lo) / (hi - lo)
                h, low = fmt_num(hi, keep=(x,)), _signed(lo, (x,))
                text += (f"；{s.goalposts.describe()} x_h={h}、x_s={fmt_num(lo, keep=(x,))}{who}，"
                         f"d={fmt_num(s.base)}+{fmt_num(s.span)}×({fmt_num(x, keep=keep)}−{low})÷"
                         f"({h}−{low})={fmt_num(raw, 2, keep=(s.base, s.base + s.span))}")
                if abs(raw - k.d[i]) > 1e-9:           # top-k, quantile or fixed goalposts: outside them
                    text += f"，{'超出标杆上限' if raw > k.d[i] else '低于标杆下限'}，按{fmt_num(k.d[i], 2)}计"
            parts.append(text)
        if np.isnan(res.points[i]):
            if any(k.zero_base[i] for k in coefs):
                return "；".join(parts)
            return "；".join(parts) + "；无法计算"
        if len(self.components) == 1:
            formula = f"{fmt_num(self.points)}×{fmt_num(coefs[0].d[i], 2)}÷100"
        else:
            terms = "+".join(f"{fmt_num(c.weight)}×{fmt_num(k.d[i], 2)}"
                             for c, k in zip(self.components, coefs, strict=True))
            formula = f"{fmt_num(self.points)}×({terms})÷100"
        return "；".join(parts) + f"；得分={formula}={fmt_num(res.points[i])}分"

    def steps(self, res: ItemResult, env: Env, i: int, room: float) -> list[Step]:
        """Per component: reach the headline target — the highest peer rung (median, 75 %, 90 %, best;
        ``analysis.ladder``) that is not an outlier, or less where less gives full points — and the lever
        measure's value. A best peer beyond the outlier fence is named as such, never the target, unless
        the county has already passed every other rung."""
        from ..analysis.ladder import RUNGS, rungs

        s: EfficacySettings = res.detail["settings"]
        top = s.base + s.span
        out = []
        for c, k in zip(self.components, res.detail["coefs"], strict=True):
            d = k.d[i]
            if not below_top(k, s)[i] or room <= 0:
                continue
            x_req, goal = required_value(k.x, i, top, s), "对标最优"
            peers = peer_values(k, i)
            values, flags, head = rungs(peers) if peers.size else ([], [False], 0)
            if flags[-1] and k.x[i] < values[head] < x_req:
                x_req, goal = values[head], f"对标{RUNGS[head][0]}；最优值{fmt_num(values[-1])}超出离群界限，不作目标"
            elif flags[-1]:
                goal = "对标最优；该值超出离群界限，仅供参考"
            if np.isnan(x_req):
                continue
            y = k.x.copy()
            y[i] = x_req
            d_new = top if goal.startswith("对标最优") else float(coefficient(y, s).d[i])
            gain = min(self.component_points(c, d_new - d), room)
            lever = c.solve_lever(env, i, s.change, x_req, zero_base=s.zero_base)
            text = f"提高{c.label}：由{fmt_num(k.x[i], keep=sides(k, s))}到{fmt_num(x_req)}（{goal}）"
            targets: tuple[tuple[str, float], ...] = ()
            if lever is not None:
                name = load_measures()[c.lever].name_zh
                text += f"，即{name}达到{fmt_num(lever)}{_units(c.lever)}"
                if c.is_change and s.change == "relative" and s.zero_base == "top" and \
                        c.previous.evaluate({m: env[m][i] for m in c.previous.measures}) == 0:
                    text += "（上年为0：本年大于0即按高于所有对标县计）"
                targets = ((c.lever, lever),)
            else:
                text += f"（仅调整{load_measures()[c.lever].name_zh}无法达到）"
            if gain > 0:
                out.append(Step(text, gain, targets, "efficacy"))
        return out

    def options(self, res: ItemResult, env: Env, i: int, room: float = np.inf, rank=None,
                grid: int = 8) -> list[Step]:
        """Per lever measure (every declared lever of every component): its values that bring a component
        to d = base + span·k/grid (k = 0…grid;
        via `required_value` and `Component.solve_lever`). The gain is exact: every component moved by
        the lever is re-scored against the unchanged peers (≥ W·w·(d_new − d)/100). Closer values that
        gain as much make a farther one redundant; values past `room` are not listed."""
        s: EfficacySettings = res.detail["settings"]
        coefs: list[Coefficient] = res.detail["coefs"]
        if np.isnan(res.points[i]):
            return []
        out = []
        for lever in dict.fromkeys(m for c in self.components for m in c.all_levers):
            moved = [(c, k) for c, k in zip(self.components, coefs, strict=True) if lever in c.all_levers]
            group = ",".join(str(j) for j, c in enumerate(self.components) if lever in c.all_levers)
            cur, values = float(env[lever][i]), set()
            for c, k in moved:
                for t in (s.base + s.span * j / grid for j in range(grid + 1)):
                    x_req = required_value(k.x, i, t, s) if t > k.d[i] + 1e-9 else np.nan
                    v = None if np.isnan(x_req) else c.solve_lever(env, i, s.change, x_req, lever, s.zero_base)
                    if v is not None and v != cur:
                        values.add(v)

            def gain_at(v: float, moved=moved, lever=lever) -> tuple[float, list[str]]:
                local, total, parts = county_env(env, i, self.measures(), ((lever, v),)), 0.0, []
                for c, k in moved:
                    x, zb = k.x.copy(), k.zero_base.copy()
                    new_x, new_zb = c.values(local, s.change, s.zero_base)
                    x[i], zb[i] = new_x[0], new_zb[0]
                    d_new = float(coefficient(x, s, zb).d[i])
                    total += self.component_points(c, d_new - k.d[i])
                    if k.zero_base[i] and zb[i] and s.zero_base == "top":
                        parts.append(f"{c.label}仍为上年为0的增长，d仍为{fmt_num(d_new, 2)}")
                    else:
                        parts.append(f"{c.label}由{_shown(k, i)}到{_shown(k, i, x[i], zb[i])}，"
                                     f"d由{fmt_num(k.d[i], 2)}到{fmt_num(d_new, 2)}")
                return total, parts

            best, m = 0.0, load_measures()[lever]
            for v in sorted(values, key=lambda v: abs(v - cur)):
                gain, parts = gain_at(v)
                if gain > best + 1e-12:
                    best = gain
                    out.append(Step(f"{m.name_zh}：由{fmt_num(cur)}{m.unit}达到{fmt_num(v)}{m.unit}（{'；'.join(parts)}）",
                                    gain, ((lever, v),), "efficacy", group=group))
                if best >= room - 1e-12:
                    break
        return out
