"""Projection and scenario charts: trajectories of the measures that move lost points, scenarios by level 2."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .base import LOST, PEER, POINTS, SCORE, _figure, _grid, _notice, wrap

LOWER_IS_BETTER = ("q38.pm25",)


def trajectory_measures(catalog, scenarios=(), moving: set[str] | None = None) -> list[str]:
    """The efficacy measures a county moves (each component's levers; only those in `moving` when
    given), then any measure a scenario changes."""
    from ..rules.efficacy import Efficacy

    out = [m for ind in catalog.indicators for it in ind.items if isinstance(it, Efficacy)
           for c in it.components for m in c.all_levers if moving is None or m in moving]
    out += [ch.measure for sc in scenarios for ch in sc.changes]
    return list(dict.fromkeys(out))


def trajectories(proj, scenarios=(), title: str | None = None) -> Figure:
    """Small multiples, only for the measures that move lost points (and those a scenario changes): the
    county's actual (solid) and projected (dashed) values with the band shaded, and a target line — the
    scenario's set value where one sets it, otherwise the peer best per year."""
    from ..analysis.ladder import lost_levers
    from ..analysis.projection import METHOD_ZH
    from ..scoring import score_panel

    cat = proj.base.catalog
    vals = proj.values
    own = vals[vals["county"] == proj.county]
    ps = score_panel(proj.base, max(proj.actual_years), proj.config)
    mids = [m for m in trajectory_measures(cat, scenarios, lost_levers(ps, proj.county)) if m in set(own["measure"])]
    sets = {ch.measure: (ch.value, sc.name) for sc in scenarios for ch in sc.changes
            if ch.op == "set" and ch.who in ("county", "all")}
    peers = vals[(vals["county"] != proj.county) & vals["measure"].isin(mids)]
    fig, axes = _grid(len(mids), 3, 13, 3.0, 1.2)
    for ax, m in zip(axes, mids, strict=False):
        meas = cat.measures[m]
        d = own[own["measure"] == m].sort_values("year")
        act, pro = d[d["actual"]], d[~d["actual"]]
        ax.plot(act["year"], act["value"], "-o", color=SCORE, ms=3, label="实际")
        if len(pro):
            link = _with_last(act, pro)
            ax.plot(link["year"], link["value"], "--o", color=SCORE, ms=3, mfc="white", label="趋势外推")
            ax.fill_between(link["year"], link["lower"], link["upper"], color=SCORE, alpha=0.15, lw=0,
                            label="95%预测区间")
        if m in sets:
            ax.axhline(sets[m][0], color=LOST, lw=1, ls=":", label=f"情景目标（{sets[m][1]}）")
        else:
            g = peers[peers["measure"] == m].groupby("year")["value"]
            best = g.min() if m in LOWER_IS_BETTER else g.max()
            if len(best):
                ax.plot(best.index, best.to_numpy(), ":", color=PEER, lw=1.2, label="对标最优")
        method = pro["method"].iloc[0] if len(pro) else ""
        unit = f"（{meas.unit}）" if meas.unit else ""
        ax.set_title(wrap(f"{meas.name_zh}{unit}", 22) + f"\n{METHOD_ZH.get(method, '')}", fontsize=9)
        ax.tick_params(labelsize=8)
        ax.xaxis.get_major_locator().set_params(integer=True)
    if mids:
        handles = {}
        for ax in axes[:len(mids)]:
            for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
                handles.setdefault(lab, h)
        labels = list(handles)
        fig.legend([handles[k] for k in labels], labels, loc="outside lower center", ncols=len(labels), fontsize=9)
    fig.suptitle(title or f"{proj.county} 各数据项趋势外推至{proj.to_year}年（实线实际，虚线外推，阴影为区间）")
    _notice(fig, int(proj.synthetic))
    return fig


def _with_last(act, pro):
    """The projected rows preceded by the last actual row (so the dashed line starts where data ends)."""
    return pd.concat([act.tail(1), pro]) if len(act) else pro


def scenario_by_level2(comparison) -> Figure:
    """Grouped bars of the baseline and each scenario by level-2 indicator (points as outline)."""
    from ..catalog import load_catalog

    df = comparison.by_level2()
    level2 = load_catalog().level2
    fig, ax = _figure(10, 0.5 * len(df) + 1.6)
    y = np.arange(len(df))[::-1]
    k = len(df.columns)
    h = 0.8 / k
    pts = [level2[n][1] if n in level2 else np.nan for n in df.index]
    ax.barh(y, pts, height=0.9, color="none", edgecolor="#bbbbbb", label="分值")
    palette = [POINTS, SCORE, "#27ae60", "#f5b041", "#8e44ad", LOST]
    for j, col in enumerate(df.columns):
        ax.barh(y + 0.4 - h * (j + 0.5), df[col].fillna(0), height=h, label=str(col),
                color=palette[j % len(palette)] if j else "#95a5a6")
    ax.set_yticks(y, [str(v) for v in df.index], fontsize=8)
    ax.set_xlabel("得分")
    ax.set_title(f"{comparison.county} {comparison.year}年 情景比较（按二级指标）")
    ax.legend(loc="lower right", fontsize=8)
    return fig


def projection_charts(proj, scenarios=(), comparison=None) -> dict[str, Figure]:
    """The projection's charts by file stem: trajectories, and the scenario comparison when given."""
    out = {"projection_trajectories": trajectories(proj, scenarios)}
    if comparison is not None:
        out["scenario_by_level2"] = scenario_by_level2(comparison)
    return out
