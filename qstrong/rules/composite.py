"""Rules over several measures: cases of conditions, deductions with a floor, capped groups."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..measures import fmt_num, load_measures
from .base import Env, Item, ItemResult, Step, _m, _nan_if_missing, _val, action, county_env, deed, step_kind

_COND = re.compile(r"^\s*([\w.]+)\s*(?:(>=|<=|==|>|<)\s*([\w.+-]+))?\s*$")
_CMP = {">=": np.greater_equal, "<=": np.less_equal, "==": np.equal, ">": np.greater, "<": np.less}
_CMP_ZH = {">=": "≥", "<=": "≤", "==": "=", ">": ">", "<": "<"}


@dataclass(frozen=True)
class Condition:
    """`measure` (bool true) or `measure OP number|measure`."""

    text: str

    def parts(self) -> tuple[str, str | None, str | None]:
        mt = _COND.match(self.text)
        if not mt:
            raise ValueError(f"condition {self.text!r} is not `measure [op value]`")
        return mt.group(1), mt.group(2), mt.group(3)

    def measures(self) -> tuple[str, ...]:
        left, _, right = self.parts()
        return (left, right) if right is not None and right in load_measures() else (left,)

    def _right(self, env: Env, right: str):
        return env[right] if right in load_measures() else float(right)

    def holds(self, env: Env) -> np.ndarray:
        left, op, right = self.parts()
        if op is None:
            return env[left] > 0.5
        return _CMP[op](env[left], self._right(env, right))

    def target(self, env: Env, i) -> list[tuple[str, float]]:
        """The value of the condition's measure that satisfies it (engine encoding)."""
        left, op, right = self.parts()
        if op is None:
            return [(left, 1.0)]
        need = env[right][i] if right in load_measures() else float(right)
        return [(left, float(need + (1 if op == ">" else 0)))]

    def explain(self, env: Env, i) -> str:
        left, op, right = self.parts()
        if op is None:
            return f"{_m(left).name_zh}：{_val(env, left, i)}"
        if right in load_measures():         # against another measure: both sides with the decimals that tell them apart
            bound = float(env[right][i])
            need = _m(right).name_zh + _val(env, right, i, (float(env[left][i]),))
        else:
            bound = float(right)
            need = fmt_num(bound) + _m(left).unit
        ok = bool(self.holds({k: env[k][i] for k in self.measures()}))
        return f"{_m(left).name_zh}{_val(env, left, i, (bound,))}（需{_CMP_ZH[op]}{need}，{'满足' if ok else '不满足'}）"


@dataclass
class Cases(Item):
    type: ClassVar[str] = "cases"
    cases: list[dict]
    label: str = ""

    def __post_init__(self):
        self._cases = []
        for c in self.cases:
            if ("all" in c) == ("any" in c):
                raise ValueError("each case needs exactly one of `all` / `any`")
            mode = "all" if "all" in c else "any"
            self._cases.append((mode, [Condition(t) for t in c[mode]], float(c["points"])))

    def measures(self):
        out: dict[str, None] = {}
        for _, conds, _ in self._cases:
            for c in conds:
                out.update(dict.fromkeys(c.measures()))
        return tuple(out)

    def max_points(self):
        return max(p for _, _, p in self._cases)

    def evaluate(self, env, settings):
        shape = np.shape(env[self.measures()[0]])
        pts = np.zeros(shape)
        decided = np.zeros(shape, dtype=bool)
        for mode, conds, p in self._cases:
            held = [c.holds(env) for c in conds]
            ok = np.logical_and.reduce(held) if mode == "all" else np.logical_or.reduce(held)
            pts = np.where(ok & ~decided, p, pts)
            decided |= ok
        return ItemResult(_nan_if_missing(pts, *(env[m] for m in self.measures())))

    def explain(self, res, env, i, names=None):
        seen: dict[str, str] = {}
        for _, conds, _ in self._cases:
            for c in conds:
                seen.setdefault(c.parts()[0], c.explain(env, i))
        return f"{self.label}：{'，'.join(seen.values())}，得{fmt_num(res.points[i])}分"

    def options(self, res, env, i, room=np.inf, rank=None):
        """Each better case (for an `any` case, each of its unmet conditions); gain by re-evaluation."""
        pts = res.points[i]
        if np.isnan(pts):
            return []
        out: dict[tuple, Step] = {}
        for mode, conds, p in self._cases:
            unmet = [c for c in conds if not bool(c.holds({k: env[k][i] for k in c.measures()}))]
            for part in ([unmet] if mode == "all" else [[c] for c in unmet]) if p > pts else []:
                targets = tuple((t, v) for c in part for t, v in c.target(env, i))
                gained = float(self.evaluate(county_env(env, i, self.measures(), targets), None).points[0]) - pts
                if gained > 0 and (targets not in out or out[targets].gain < gained):
                    deeds = "，".join(action(t, v, env, i) for t, v in targets)
                    deeds += f"，满足“{self.label}”要求" if self.label else ""
                    out[targets] = Step(deeds, gained, targets, step_kind([t for t, _ in targets]))
        return sorted(out.values(), key=lambda st: (st.gain, len(st.targets)))   # least demanding first


class Deduct(Item):
    type: ClassVar[str] = "deduct"
    next_step: ClassVar[int] = -1

    def __init__(self, full: float, per_missing: float, measures: list[str]):
        self.full, self.per_missing, self.measures_ = float(full), float(per_missing), list(measures)

    def __repr__(self) -> str:
        return f"Deduct(full={self.full}, per_missing={self.per_missing}, measures={self.measures_})"

    def measures(self):
        return tuple(self.measures_)

    def max_points(self):
        return self.full

    def _points(self, lacking):
        """Full points less per_missing for each lacking item, never below 0."""
        return np.maximum(self.full - self.per_missing * lacking, 0.0)

    def _lacking(self, env, i) -> list[str]:
        """The items county `i` lacks (a yes/no measure that is not 是)."""
        return [m for m in self.measures_ if env[m][i] < 0.5]

    def evaluate(self, env, settings):
        arrays = [env[m] for m in self.measures_]
        lacking = sum((a < 0.5).astype(float) for a in arrays)
        return ItemResult(_nan_if_missing(self._points(lacking), *arrays), {"lacking": lacking})

    def explain(self, res, env, i, names=None):
        lacking = self._lacking(env, i)
        n = len(lacking)
        if not n:
            return f"{len(self.measures_)}项均具备，得{fmt_num(self.full)}分"
        names = "、".join(_m(m).name_zh for m in lacking)
        cut = self.per_missing * n
        floor = "，扣完为止" if cut > self.full else ""
        return (f"缺少{n}项（{names}），扣{fmt_num(self.per_missing)}×{n}={fmt_num(cut)}分{floor}，"
                f"得{fmt_num(res.points[i])}分")

    def options(self, res, env, i, room=np.inf, rank=None):
        """Fill 1, 2, … of the missing items (the first by `rank`, e.g. the least effort); the floor at 0
        makes the gain non-linear, so only fills that realise points are options."""
        pts = res.points[i]
        lacking = sorted(self._lacking(env, i), key=rank)
        out = []
        for j in range(1, len(lacking) + 1):
            gain = float(self._points(len(lacking) - j)) - pts
            if np.isnan(pts) or gain <= 0:
                continue
            deeds = "；".join(deed(m) for m in lacking[:j])
            out.append(Step(f"补齐{j}项：{deeds}", gain, tuple((m, 1.0) for m in lacking[:j]), "document"))
            if gain >= room:
                break
        return out


@dataclass
class Group(Item):
    type: ClassVar[str] = "group"
    items: list
    cap: float
    label: str = ""

    def __post_init__(self):
        self.items = [Item.build(s) if isinstance(s, Mapping) else s for s in self.items]

    def measures(self):
        return tuple(m for it in self.items for m in it.measures())

    def max_points(self):
        return self.cap

    def evaluate(self, env, settings):
        subs = [it.evaluate(env, settings) for it in self.items]
        total = sum(s.points for s in subs)
        return ItemResult(np.minimum(total, self.cap), {"subs": subs, "total": total})

    def explain(self, res, env, i, names=None):
        parts = [it.explain(s, env, i, names) for it, s in zip(self.items, res.detail["subs"], strict=True)]
        total = res.detail["total"][i]
        tail = f"，封顶{fmt_num(self.cap)}" if total > self.cap else ""
        return f"{self.label}：{'；'.join(parts)}；小计{fmt_num(total, keep=(self.cap,))}{tail}"

    def steps(self, res, env, i, room):
        room = min(room, self.cap - res.points[i])
        out = []
        for it, sub in zip(self.items, res.detail["subs"], strict=True):
            out += it.steps(sub, env, i, room)
        return out

    def options(self, res, env, i, room=np.inf, rank=None):
        """The sub-items' options under the group cap (the caller caps their sum at the group's room)."""
        room = min(room, self.cap - res.points[i])
        if np.isnan(res.points[i]) or not room > 0:
            return []
        return [o for it, sub in zip(self.items, res.detail["subs"], strict=True)
                for o in it.options(sub, env, i, room, rank)]
