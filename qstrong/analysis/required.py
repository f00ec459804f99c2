"""Required values: the smallest value of the county's own measure that reaches given points.

Efficacy indicators: per component, the closed form of the method (``efficacy.required_value``) —
the county's own value moves the goalposts, so beyond the others' best it becomes the new best —
turned into the value of the measure that carries it (the component's lever). Where one measure
drives several components (10, 19, 20) the indicator's points are solved for that measure on the
engine itself. Rule indicators: the next tier's requirement (the gap analysis' steps).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..benchmark import benchmark
from ..config import ScoringConfig
from ..efficacy import passes_at, required_value, solve_monotone
from ..errors import InputError
from ..measures import fmt_num, load_measures
from ..params import param_problems
from ..rules.efficacy import ZERO_BASE_STATUS, Efficacy, sides

UNSCORED_MOVE = "上年为0：按所选解读增长率无法计算，本项不计分，提高本年数量不能得分"


def moved(env: dict, i: int, targets) -> dict:
    """`env` with county `i`'s measures set to `targets` ((measure, value) pairs; the peers unchanged)."""
    local = dict(env)
    for m, v in targets:
        local[m] = np.asarray(env[m], dtype=float).copy()
        local[m][i] = v
    return local


def points_with(item: Efficacy, env: dict, i: int, settings, targets) -> float:
    """The item's points for county `i` with its measures set to `targets` (:func:`moved`) — NaN when the
    move leaves the item unscored (a growth from 0 under ``zero_base: null``)."""
    return float(item.evaluate(moved(env, i, targets), settings).points[i])


def raise_unscores(item: Efficacy, env: dict, i: int, settings, lever: str) -> bool:
    """Whether one unit more of `lever` leaves the item unscored for county `i` (a growth from 0 under
    ``zero_base: null``): no higher value of it then scores more (UNSCORED_MOVE)."""
    return bool(np.isnan(points_with(item, env, i, settings, ((lever, float(env[lever][i]) + 1.0),))))


def _solve_shared_lever(item: Efficacy, env: dict, i: int, settings, target: float) -> float | None:
    """Smallest value of the shared lever measure giving the item `target` points (bisection); None when
    no value does — also when every higher value leaves the item unscored (``zero_base: null``)."""
    lever = item.components[0].lever
    m = load_measures()[lever]
    lo = m.low if m.low is not None else 0.0
    hi = m.high if m.high is not None else max(float(np.nanmax(env[lever])) * 100, 1.0)

    def points_at(v: float) -> float:
        p = points_with(item, env, i, settings, ((lever, v),))
        return -np.inf if np.isnan(p) else p          # an unscored value never reaches a target

    v = solve_monotone(points_at, lo, hi, target, reach_tol=1e-9, step_tol=1e-12)
    if v is None:
        return None
    v = float(np.ceil(v - 1e-9)) if m.kind == "count" else v
    return v if points_at(v) >= target - 1e-9 else None


def required_values(panel, county: str | None = None, share: float | None = None,
                    points: dict[int, float] | None = None,
                    year: int | None = None, peers=None, config: ScoringConfig | None = None) -> pd.DataFrame:
    """Per efficacy indicator (and component): the value needed for `share` of its points (or the
    points given per indicator in `points`), against the peer group. Parameters as declared in
    ``qstrong.params`` (share 0…1; each indicator an efficacy one, its points 0…its points); every bad
    value is listed; `share` (default 1) and `points` exclude each other; a target is capped at what the
    method can give, W·(base + span)/100. `panel` may be a Benchmark; the
    result's ``attrs["benchmark"]`` is the one used, ``attrs["reached"]`` the indicators already at their
    target, ``attrs["missing"]`` those the county lacks data for, ``attrs["zero_base"]`` those unscored
    because a growth starts from zero (``zero_base: null``) and ``attrs["above"]`` the (indicator,
    component) pairs whose value must exceed `value_required` (a gate that excludes its own value)."""
    parsed, problems = param_problems(share=share, year=year)
    if share is not None and points:
        problems.append("--share（目标分占指标分值的比例）：不能与 --indicator/--points 同时使用（二者只能选一）")
    if points is not None and not isinstance(points, Mapping):
        problems.append(f"points 应为 {{指标编号: 目标分}}，而不是{type(points).__name__}")
        points = None
    checked = {}
    for ident, pts in (points or {}).items():
        values, found = param_problems(indicator=ident, points=pts)
        problems += found
        if not found and "points" in values:
            checked[values["indicator"]] = values["points"]
    if problems:
        raise InputError(problems, "参数有{n}处问题")
    share, year, points = parsed.get("share", 1.0), parsed.get("year"), checked or None
    bench = benchmark(panel, county, year, peers, config)
    county, ps = bench.county, bench.scores
    i = ps.counties.index(county)
    names = load_measures()
    rows, missing, zero, above, keep = [], [], [], [], {}
    for ind in ps.catalog.indicators:
        items = ind.items_for(ps.config.variants.get(ind.id))
        for it, res in zip(items, ps.results[ind.id], strict=True):
            if not isinstance(it, Efficacy):
                continue
            settings = res.detail["settings"]
            target = points.get(ind.id, it.points * share) if points else it.points * share
            target = min(target, it.points * (settings.base + settings.span) / 100)   # d ≤ base + span
            levers = {c.lever for c in it.components}
            current_pts = float(res.points[i])
            if np.isnan(current_pts):  # the county lacks an input (or its growth has no base): nothing to solve
                (zero if ps.uncomputable.iat[i, ind.id - 1] else missing).append(ind.id)
                continue
            base = {"indicator": ind.id, "target_points": target, "current_points": current_pts}
            if len(it.components) > 1 and len(levers) == 1:
                lever = levers.pop()
                need = _solve_shared_lever(it, ps.env, i, settings, target)
                cur = float(ps.env[lever][i])
                blocked = need is None and raise_unscores(it, ps.env, i, settings, lever)   # scored now
                rows.append({**base, "component": "、".join(c.label for c in it.components), "measure": lever,
                             "name": names[lever].name_zh, "current": cur, "required": need,
                             "value_required": np.nan, "new_best": False,
                             "method": UNSCORED_MOVE if blocked else "按指标得分对该数据项求解（多个分项共用）"})
                continue
            d_target = target / it.points * 100           # points = W·d/100 (every component at d)
            for c, k in zip(it.components, res.detail["coefs"], strict=True):
                x_req = required_value(k.x, i, d_target, settings)
                lever_value = c.solve_lever(ps.env, i, settings.change, x_req, zero_base=settings.zero_base) \
                    if not np.isnan(x_req) else None
                method = "功效系数公式闭式求解"
                if not np.isnan(x_req) and not passes_at(x_req, settings):
                    above.append((ind.id, c.label))
                    method += f"；须高于门槛{fmt_num(settings.gate)}（等于{fmt_num(settings.gate)}不得分）"
                others = np.delete(k.x, i)
                best_other = float(np.nanmax(others)) if np.isfinite(others).any() else np.nan
                keep[(ind.id, c.label)] = sides(k, settings)
                rows.append({**base, "component": c.label, "measure": c.lever, "name": names[c.lever].name_zh,
                             "current": float(ps.env[c.lever][i]), "required": lever_value,
                             "value_required": x_req, "new_best": bool(x_req > best_other) if np.isfinite(
                                 best_other) else True, "method": method})
    full = pd.DataFrame(rows, columns=COLUMNS)      # the same columns when nothing can be solved
    there = full["current_points"] >= full["target_points"] - 1e-9
    out = full[~there].reset_index(drop=True)       # not yet there
    out.attrs["benchmark"] = bench
    done = full[there & ~full["indicator"].isin(out["indicator"])].drop_duplicates("indicator")
    out.attrs["reached"] = done[["indicator", "target_points", "current_points"]].to_dict("records")
    out.attrs["missing"] = sorted(set(missing))
    out.attrs["zero_base"] = sorted(set(zero))
    out.attrs["above"] = above
    out.attrs["keep"] = keep          # (indicator, component) → the gate and goalposts its value is compared with
    return out


COLUMNS = ["indicator", "target_points", "current_points", "component", "measure", "name", "current", "required",
           "value_required", "new_best", "method"]


def required_text(df: pd.DataFrame, county: str, only: int | None = None) -> str:
    """The table in words, then the indicators left out and why (target reached, data missing);
    `only`: one indicator asked for."""
    bench = df.attrs.get("benchmark")
    lines = [*([bench.describe()] if bench is not None else []),
             f"{county} 各功效系数法指标达到目标分所需的数值（其他县保持不变）："]
    reached = [r for r in df.attrs.get("reached", []) if only is None or r["indicator"] == only]
    missing = [i for i in df.attrs.get("missing", []) if only is None or i == only]
    zero = [i for i in df.attrs.get("zero_base", []) if only is None or i == only]
    above = set(df.attrs.get("above", []))
    if df.empty and not reached and not missing and not zero:
        lines.append("  没有可求解的指标。")
    for _, r in df.iterrows():
        unit = load_measures()[r["measure"]].unit
        sides = df.attrs.get("keep", {}).get((r["indicator"], r["component"]), ())   # 89.99999 is not 90
        strict = (r["indicator"], r["component"]) in above and not pd.isna(r["required"])
        need = f"在允许范围内无法达到（{UNSCORED_MOVE}）" if r["method"] == UNSCORED_MOVE else \
            "在允许范围内无法达到" if r["required"] is None or pd.isna(r["required"]) else \
            f"{fmt_num(r['required'], keep=sides)}{unit}" + (f"（等于{fmt_num(r['required'], keep=sides)}{unit}不得分）" if strict else "")
        keep = () if pd.isna(r["required"]) else (float(r["required"]),)
        done = "（已达到）" if r["current_points"] >= r["target_points"] - 1e-9 else ""
        best = "，将成为对标组新的最优" if r["new_best"] else ""
        lines.append(f"  指标{r['indicator']} {r['component']}：目标{fmt_num(r['target_points'])}分"
                     f"（现{fmt_num(r['current_points'])}分）{done}；{r['name']}现为{fmt_num(r['current'], keep=keep + sides)}{unit}，"
                     f"{'需高于' if strict else '需达到' if keep else ''}{need}{best}")
    lines += [f"  指标{r['indicator']}：现{fmt_num(r['current_points'])}分，已达到目标{fmt_num(r['target_points'])}分，无需提高"
              for r in reached]
    if missing:
        lines.append(f"  指标{'、'.join(map(str, missing))}：本县数据缺失，无法求解（见计分结果中的“数据不完整”）")
    if zero:
        lines.append(f"  指标{'、'.join(map(str, zero))}：{ZERO_BASE_STATUS}（按所选口径不计分，数据已填报），提高本年数量不能得分，无法求解")
    return "\n".join(lines)
