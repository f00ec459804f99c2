"""Realistic targets: per efficacy component a ladder of peer quantiles instead of only "the best peer".

Rungs are quantiles of the OTHER counties' component values (those in the benchmark: present and not
below a gate): 中位数 (50 %), 75%分位, 90%分位 and 最优 (the maximum). For each rung the county's lever
measure is solved so that its component reaches the rung (``Component.solve_lever``), and the points
are read off the engine with that lever value (the indicator re-scored, peers unchanged) — so shared
levers and moved goalposts are counted as the engine counts them.

Outlier rule (robust, stated in every table): a peer value is an outlier when it lies beyond
Q3 + 3·IQR of the peers' component values (Q1 − 3·IQR where lower is better: ``outliers(…,
lower_is_better=True)``; the method scores every component higher-is-better, so the ladder uses the upper
fence); with fewer than ``MIN_PEERS`` peers nothing is flagged. An outlier rung is never the headline
target: the headline is the highest rung that is not an outlier.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..measures import fmt_num, load_measures
from ..rules.efficacy import Efficacy, below_top, peer_values
from ..scoring import PanelScores, evaluate_indicator
from .required import UNSCORED_MOVE, moved, raise_unscores

RUNGS: tuple[tuple[str, float], ...] = (("中位数", 0.5), ("75%分位", 0.75), ("90%分位", 0.9), ("最优", 1.0))
FENCE = 3.0
MIN_PEERS = 4
RULE = "离群：高于对标县数值的Q3+3×IQR（越低越好时低于Q1−3×IQR）"
COLUMNS = ["indicator", "component", "lever_name", "unit", "rung", "peer_value", "outlier", "fence", "headline",
           "reached", "value", "lever_current", "lever_needed", "current_points", "rung_points", "gain",
           "marginal", "marginal_text"]


def fences(peers: np.ndarray) -> tuple[float, float]:
    """(Q1 − 3·IQR, Q3 + 3·IQR) of the finite peer values; (−inf, inf) with fewer than MIN_PEERS."""
    x = np.asarray(peers, dtype=float)
    x = x[np.isfinite(x)]
    if x.size < MIN_PEERS:
        return -np.inf, np.inf
    q1, q3 = np.quantile(x, [0.25, 0.75])
    return float(q1 - FENCE * (q3 - q1)), float(q3 + FENCE * (q3 - q1))


def outliers(values: np.ndarray, peers: np.ndarray, lower_is_better: bool = False) -> np.ndarray:
    """Which of `values` are outliers against the fences of `peers` (upper fence unless lower is better)."""
    lo, hi = fences(peers)
    v = np.asarray(values, dtype=float)
    return v < lo if lower_is_better else v > hi


def rungs(peers: np.ndarray) -> tuple[list[float], np.ndarray, int]:
    """The peers' values at the RUNGS, which of them are outliers, and the headline rung's position."""
    values = [float(np.quantile(peers, q)) for _, q in RUNGS]
    flags = outliers(np.asarray(values), peers)
    return values, flags, max(j for j in range(len(RUNGS)) if not flags[j])


def _scores(source) -> PanelScores:
    return source if isinstance(source, PanelScores) else source.scores


def ladder(source, county: str | None = None) -> pd.DataFrame:
    """One row per efficacy component × rung (see the module text): the peer value at the rung, whether it
    is an outlier, the lever value the county needs, the indicator's points there, the gain over today
    and the marginal figure (lever units per extra 0.1 point from the rung below). `source` is a
    PanelScores or anything with ``.scores`` (a Benchmark, whose county is the default)."""
    ps = _scores(source)
    county = county if county is not None else source.county
    i = ps.counties.index(county)
    measures = load_measures()
    rows = []
    for ind in ps.catalog.indicators:
        items = ind.items_for(ps.config.variants.get(ind.id))
        now = float(ps.scores.iat[i, ind.id - 1])
        for it, res in zip(items, ps.results[ind.id], strict=True):
            if not isinstance(it, Efficacy) or np.isnan(now):
                continue
            s = res.detail["settings"]
            for c, k in zip(it.components, res.detail["coefs"], strict=True):
                peers = peer_values(k, i)
                if np.isnan(k.x[i]) or peers.size == 0:
                    continue
                m = measures[c.lever]
                base = {"indicator": ind.id, "component": c.label, "lever_name": m.name_zh, "unit": m.unit,
                        "value": float(k.x[i]), "lever_current": float(ps.env[c.lever][i]), "current_points": now,
                        "fence": fences(peers)[1]}
                rows += _rungs(base, ps, ind, it, c, s, i, peers)
    df = pd.DataFrame(rows, columns=COLUMNS)
    df.attrs["rule"] = RULE
    return df


def _rungs(base: dict, ps: PanelScores, ind, item: Efficacy, comp, s, i: int, peers: np.ndarray) -> list[dict]:
    """The four rungs of one component, each fed back into the engine (once); marginal from the rung below."""
    out = []
    prev_lever, prev_points = base["lever_current"], base["current_points"]
    values, flags, head = rungs(peers)
    raise_blocked = None                # does a raise of the lever leave the item unscored (asked once)
    for j, ((name, _), v) in enumerate(zip(RUNGS, values, strict=True)):
        reached = base["value"] >= v
        need = base["lever_current"] if reached else comp.solve_lever(ps.env, i, s.change, v, zero_base=s.zero_base)
        pts = np.nan if need is None else _points_at(ps, ind, comp.lever, i, need)
        row = {**base, "rung": name, "peer_value": v, "outlier": bool(flags[j]), "headline": j == head,
               "reached": bool(reached), "lever_needed": np.nan if need is None else need, "rung_points": pts,
               "gain": pts - base["current_points"], "marginal": np.nan, "marginal_text": "已达到" if reached else ""}
        if not reached and need is None and raise_blocked is None:
            raise_blocked = raise_unscores(item, ps.env, i, s, comp.lever)
        blocked = not reached and (bool(np.isnan(pts)) if need is not None else raise_blocked)
        if blocked:       # any such value leaves the indicator unscored (a growth from 0 under zero_base null)
            row.update(lever_needed=np.nan, rung_points=np.nan, gain=np.nan, marginal_text=UNSCORED_MOVE)
        elif need is None:
            row["marginal_text"] = "仅调整该数据项无法达到"
        elif pts > prev_points + 1e-9:
            row["marginal"] = (need - prev_lever) * 0.1 / (pts - prev_points)
            more = "提高" if row["marginal"] >= 0 else "降低"
            row["marginal_text"] = f"每多0.1分需{base['lever_name']}{more}{fmt_num(abs(row['marginal']))}{base['unit']}"
            prev_lever, prev_points = need, pts
        elif not reached:
            row["marginal_text"] = "与前一档得分相同"
        out.append(row)
    return out


def _points_at(ps: PanelScores, ind, lever: str, i: int, value: float) -> float:
    """The indicator's points for county `i` with its `lever` measure at `value` (the engine, peers unchanged)."""
    return float(evaluate_indicator(ind, moved(ps.env, i, ((lever, value),)), ps.config)[0][i])


def lost_levers(ps, county: str) -> set[str]:
    """The lever measures of the efficacy components on which `county` loses points (d below the top)."""
    i = ps.counties.index(county)
    out: set[str] = set()
    for ind in ps.catalog.indicators:
        for it, res in zip(ind.items_for(ps.config.variants.get(ind.id)), ps.results[ind.id], strict=True):
            if isinstance(it, Efficacy):
                out |= {m for c, k in zip(it.components, res.detail["coefs"], strict=True)
                        if below_top(k, res.detail["settings"])[i] for m in c.all_levers}
    return out


def headline(df: pd.DataFrame) -> pd.DataFrame:
    """One row per component: its headline rung (the highest rung that is not an outlier)."""
    return df[df["headline"].astype(bool)].reset_index(drop=True)   # bool even when empty (else a column pick)
