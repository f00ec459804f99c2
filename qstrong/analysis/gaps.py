"""Gap analysis: for each indicator the lost points, why, what would recover them, and who acts.

Rolled up by level 1, level 2 and department; the county's rank (of the total, among the benchmark's
counties) and, labelled 功效系数法部分排名, its rank on the efficacy sub-score; quick wins that need a document, a meeting or a
mechanism rather than years of growth.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..benchmark import Benchmark, benchmark, is_synthetic, peer_provenance
from ..config import ScoringConfig
from ..departments import canonical
from ..panel import Panel
from ..peers import describe
from ..rules.efficacy import Efficacy
from ..scoring import STATUS_ZH, CountyScore, PanelScores
from .required import UNSCORED_MOVE, points_with, raise_unscores

__all__ = ["GapReport", "efficacy_subscores", "gaps", "gaps_steps", "is_synthetic", "peer_provenance"]


@dataclass
class GapReport:
    """Where `county` loses points against its peers, and what would win them back."""

    county: str
    year: int
    peer_spec: str
    peers: list[str]
    card: CountyScore
    indicators: pd.DataFrame          # one row per indicator
    steps: pd.DataFrame               # one row per recovery step
    efficacy: pd.DataFrame            # one row per efficacy component: value, peer best, required value
    rank: dict                        # the efficacy sub-score's rank (功效系数法部分排名), not the total's
    synthetic_values: int             # peer values in the benchmark that are synthetic / invented
    provenance: pd.DataFrame          # per measure: how many peer values are real / synthetic
    subscores: pd.Series = field(repr=False)
    component_values: dict = field(default_factory=dict, repr=False)   # (indicator, label) → peers' x
    benchmark: Benchmark | None = field(default=None, repr=False)

    @property
    def total(self) -> float:
        return self.card.total

    @property
    def rank_text(self) -> str:
        """排名: the total's rank among the benchmark's counties, 第k名/共N个."""
        return self.benchmark.rank_text()

    @property
    def lost(self) -> float:
        return float(self.indicators["lost"].sum())

    def to_frame(self) -> pd.DataFrame:
        return self.indicators

    def by_level(self, level: str = "level2") -> pd.DataFrame:
        """Points, score and lost points by level 1 or level 2 (adds up to 100 − total when complete)."""
        g = self.indicators.groupby(level, sort=False)
        return pd.DataFrame({"points": g["points"].sum(), "score": g["score"].sum(min_count=1),
                             "lost": g["lost"].sum(), "quick_win_points": g["quick_win_points"].sum()})

    def by_department(self) -> pd.DataFrame:
        """Per responsible department: its indicators' points and lost points. An indicator shared by
        several departments counts in full for each (column `shared_lost` says how much is shared)."""
        rows = []
        for ind, r in self.indicators.iterrows():
            for dept in r["departments"].split("、"):
                rows.append({"department": dept, "indicator": ind, "points": r["points"], "lost": r["lost"],
                             "shared_lost": r["lost"] if r["shared"] else 0.0,
                             "quick_win_points": r["quick_win_points"]})
        df = pd.DataFrame(rows)
        g = df.groupby("department", sort=False)
        out = pd.DataFrame({"indicators": g["indicator"].apply(lambda s: "、".join(map(str, s))),
                            "points": g["points"].sum(), "lost": g["lost"].sum(),
                            "shared_lost": g["shared_lost"].sum(), "quick_win_points": g["quick_win_points"].sum()})
        return out.sort_values("lost", ascending=False)

    def quick_wins(self) -> pd.DataFrame:
        """Recovery steps that need a document, a meeting or a mechanism (bool or level measures)."""
        return self.steps[self.steps["kind"] == "document"].sort_values("gain", ascending=False)

    def _repr_html_(self) -> str:
        from ..display import gaps_html

        return gaps_html(self)

    def __str__(self) -> str:
        from ..display import gaps_text

        return gaps_text(self)


def _departments(ind, catalog) -> list[str]:
    names = [canonical(d, catalog) for d in ind.departments]
    return list(dict.fromkeys(n for n in names if n))


def efficacy_subscores(ps: PanelScores) -> pd.Series:
    """Per county, the points of all efficacy items (the part of the score that depends on peers)."""
    total = np.zeros(len(ps.counties))
    for ind in ps.catalog.indicators:
        items = ind.items_for(ps.config.variants.get(ind.id))
        for it, r in zip(items, ps.results[ind.id], strict=True):
            if isinstance(it, Efficacy):
                total = total + np.nan_to_num(r.points)
    return pd.Series(total, index=ps.scores.index, name="efficacy_subscore")


def gaps(panel: Benchmark | Panel | pd.DataFrame | str, county: str | None = None, year: int | None = None,
         peers: str | list[str] | None = None, config: ScoringConfig | None = None) -> GapReport:
    """Gap analysis against a Benchmark (or of `county` in `year` against the peer group `peers` of
    `panel`, default all of it)."""
    bench = benchmark(panel, county, year, peers, config)
    county, spec, ps = bench.county, bench.peers, bench.scores
    card = ps.county(county)
    i = ps.counties.index(county)
    cat = ps.catalog
    ind_rows, step_rows, eff_rows, comp = [], [], [], {}
    for ind, s in zip(cat.indicators, card.indicators, strict=True):
        items = ind.items_for(ps.config.variants.get(ind.id))
        results = ps.results[ind.id]
        room = 0.0 if s.score is None else ind.points - s.score
        deps = _departments(ind, cat)
        steps = []
        notes = []
        for it, r in zip(items, results, strict=True):
            if isinstance(it, Efficacy):
                found, note = _checked_steps(ind.id, it, r, ps, i, room)
                steps += found
                notes += note
            else:
                steps += it.steps(r, ps.env, i, room)
            if isinstance(it, Efficacy):
                eff_rows += _efficacy_rows(ind.id, it, r, ps, i)
                comp.update({(ind.id, c.label): k.x for c, k in zip(it.components, r.detail["coefs"], strict=True)})
        for st in steps:
            step_rows.append({"indicator": ind.id, "action": st.action, "gain": st.gain, "kind": st.kind,
                              "measures": " ".join(st.measures), "targets": st.targets,
                              "departments": "、".join(deps)})
        qw = sum(st.gain for st in steps if st.kind == "document")
        ind_rows.append({
            "indicator": ind.id, "level1": ind.level1, "level2": ind.level2, "criterion": ind.criterion,
            "rule": ind.rule_kind, "points": ind.points, "score": s.score,
            "lost": 0.0 if s.score is None else ind.points - s.score,
            "missing": " ".join(s.missing), "status": STATUS_ZH[s.status], "reason": s.explanation,
            "recovery": "；".join([f"{st.action}（+{st.gain:.2f}分）" for st in steps] + notes),
            "best_step_gain": max((st.gain for st in steps), default=0.0),
            "quick_win_points": min(qw, room), "departments": "、".join(deps), "shared": len(deps) > 1,
        })
    indicators = pd.DataFrame(ind_rows).set_index("indicator")
    steps_df = pd.DataFrame(step_rows, columns=["indicator", "action", "gain", "kind", "measures", "targets",
                                                "departments"])
    sub = efficacy_subscores(ps)
    ranks = sub.rank(method="min", ascending=False)
    rank = {"subscore": float(sub[county]), "rank": int(ranks[county]), "n": len(sub),
            "ties": int((sub == sub[county]).sum() - 1), "median": float(sub.median()),
            "best": float(sub.max()), "best_county": str(sub.idxmax()),
            "max_points": float(sum(it.points for ind in cat.indicators for it in ind.items
                                    if isinstance(it, Efficacy)))}
    provenance = bench.provenance
    synthetic = int(provenance["synthetic"].sum())
    return GapReport(county, ps.year, describe(spec), ps.counties, card, indicators, steps_df,
                     pd.DataFrame(eff_rows), rank, synthetic, provenance, sub, comp, bench)


def _checked_steps(ident: int, item: Efficacy, res, ps: PanelScores, i: int, room: float) -> tuple[list, list[str]]:
    """The item's recovery steps, each checked on the engine: a move that leaves the item unscored
    (a growth from 0 under ``zero_base: null``) is not offered but said; a gain is never more than the
    move really brings; a value beside a gate or goalpost keeps the decimals that put it on its side."""
    s = res.detail["settings"]
    cur = float(res.points[i])
    if np.isnan(cur):
        return [], [UNSCORED_MOVE] if ps.uncomputable.iat[i, ident - 1] else []
    out, notes = [], []
    steps = item.steps(res, ps.env, i, room)
    # a step without targets: no value of its lever reaches it; whether a raise of a lever leaves the item
    # unscored depends only on the county and the item, so it is asked once (each lever once)
    blocked = any(not st.targets for st in steps) and any(
        raise_unscores(item, ps.env, i, s, m) for m in dict.fromkeys(c.lever for c in item.components))
    for st in steps:
        if not st.targets and blocked:
            notes.append(UNSCORED_MOVE)     # no value of the lever scores more: a raise leaves it unscored
            continue
        if st.targets:
            new = points_with(item, ps.env, i, s, st.targets)
            if np.isnan(new):
                notes.append(UNSCORED_MOVE)
                continue
            st = replace(st, gain=min(st.gain, max(new - cur, 0.0)))
        if st.gain > 0:
            out.append(st)
    return out, list(dict.fromkeys(notes))


def _efficacy_rows(ident: int, item: Efficacy, res, ps: PanelScores, i: int) -> list[dict]:
    rows = []
    s = res.detail["settings"]
    for c, k in zip(item.components, res.detail["coefs"], strict=True):
        x = k.x
        valid = ~np.isnan(x)
        best_i = int(np.nanargmax(x)) if valid.any() else None
        rows.append({
            "indicator": ident, "component": c.label, "value": x[i], "d": k.d[i],
            "points": item.component_points(c, k.d[i]),
            "max_points": item.component_points(c, s.base + s.span),
            "peer_best": x[best_i] if best_i is not None else np.nan,
            "best_county": ps.counties[best_i] if best_i is not None else "",
            "peer_median": float(np.nanmedian(x)) if valid.any() else np.nan,
            "peers_with_value": int(valid.sum()), "x_high": float(k.high[0]), "x_low": float(k.low[0]),
            "lever": c.lever,
        })
    return rows


def gaps_steps(ps: PanelScores, county: str) -> list[tuple[int, float, str]]:
    """(indicator, gain, action) of the best next step of every rule item with lost points."""
    i = ps.counties.index(county)
    out = []
    for ind in ps.catalog.indicators:
        s = ps.scores.iat[i, ind.id - 1]
        if np.isnan(s):
            continue
        items = ind.items_for(ps.config.variants.get(ind.id))
        steps = [st for it, r in zip(items, ps.results[ind.id], strict=True) if not isinstance(it, Efficacy)
                 for st in it.steps(r, ps.env, i, ind.points - s)]
        if steps:
            best = max(steps, key=lambda st: st.gain)
            out.append((ind.id, float(best.gain), best.action))
    return out
