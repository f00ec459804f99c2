"""Sensitivity charts: rank intervals, the tornado of one-at-a-time moves, Sobol bars, the score distribution,
the combined uncertainty (rank distribution and the groups' Sobol indices)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from ..display import num
from .base import HIGHLIGHT, LOST, SCORE, _figure, _for_labels, _notice, cjk_font, wrap


def rank_intervals(sa, top: int = 40) -> Figure:
    """Median rank with its 5–95 % interval under weight uncertainty, best `top` peers + the county."""
    w = sa.weights.sort_values(["rank_median", "nominal_rank"])
    shown = w.head(top)
    if sa.county not in shown.index:
        shown = pd.concat([shown, w.loc[[sa.county]]])
    fig, ax = _figure(8, 0.22 * len(shown) + 1.5)
    y = np.arange(len(shown))[::-1]
    colors = [HIGHLIGHT if c == sa.county else SCORE for c in shown.index]
    ax.hlines(y, shown["rank_p05"], shown["rank_p95"], colors=colors, lw=2)
    ax.scatter(shown["rank_median"], y, color=colors, s=18, zorder=3)
    ax.axvline(10.5, color="#555555", ls="--", lw=0.8)
    ax.axvline(30.5, color="#999999", ls=":", lw=0.8)
    ax.set_yticks(y, list(shown.index), fontsize=7)
    ax.set_xlabel("排名（1为最好；虚线：前10、前30）")
    ax.set_title(f"{sa.county} {sa.year}年 权重不确定性下的排名区间（{sa.draws}次抽样，5%～95%）")
    return fig


MOVE = re.compile(r"([+−])(\d+%)$")


def tornado_rows(oat: pd.DataFrame) -> pd.DataFrame:
    """The one-at-a-time table as one row per factor: its full label and the change of the total when
    the county's value moves down (`down`) and up (`up`); a rule indicator one tier up is `up` only."""
    from ..measures import load_measures

    names = load_measures()
    rows: dict[str, dict] = {}
    for r in oat.itertuples():
        move = MOVE.search(r.factor) if r.kind == "efficacy" else None
        if move is None:
            rows[r.factor] = {"label": r.factor, "down": np.nan, "up": r.delta, "kind": r.kind, "step": ""}
            continue
        row = rows.setdefault(r.measure, {"label": names[r.measure].name_zh, "down": np.nan, "up": np.nan,
                                          "kind": r.kind, "step": move.group(2)})
        row["up" if move.group(1) == "+" else "down"] = r.delta
    df = pd.DataFrame(list(rows.values()), columns=["label", "down", "up", "kind", "step"])
    size = df[["down", "up"]].abs().max(axis=1)
    return df.assign(size=size).sort_values("size", ascending=False, kind="stable", ignore_index=True)


def tornado(sa, top: int = 15) -> Figure:
    """Change of the total when each of the county's values moves down and up (both bars on one row),
    and each rule indicator one tier up; largest first, labels in full."""
    df = tornado_rows(sa.oat).head(top).iloc[::-1]
    labels = [wrap(t, 22) for t in df["label"]]
    fig, ax = _for_labels(10, labels, 0.16, 0.2)
    y = np.arange(len(df))
    step = next((s for s in df["step"] if s), "10%")
    eff = (df["kind"] == "efficacy").to_numpy()
    ax.barh(y[eff], df["down"][eff].fillna(0), color=LOST, height=0.6, label=f"本县数值−{step}")
    ax.barh(y[eff], df["up"][eff].fillna(0), color=SCORE, height=0.6, label=f"本县数值+{step}")
    ax.barh(y[~eff], df["up"][~eff].fillna(0), color="#f5b041", height=0.6, label="规则指标提升一档")
    for k, (lo, hi) in enumerate(zip(df["down"], df["up"], strict=True)):
        for v in (lo, hi):
            if not np.isnan(v) and v != 0:
                ax.text(v, k, f" {num(v, sign=True)} ", va="center", fontsize=7, ha="left" if v > 0 else "right")
    ax.set_yticks(y, labels, fontsize=8)
    ax.axvline(0, color="#333333", lw=0.8)
    ax.margins(x=0.2)
    ax.set_xlabel("总分变化（分）")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(f"{sa.county} 逐项变动对总分的影响（功效系数法指标数据±{step}，规则指标提升一档）")
    return fig


def factor_label(name: str) -> str:
    """A Sobol factor as a reader knows it: 指标N → “N. 三级指标”, a measure id → its Chinese name."""
    from ..catalog import load_catalog
    from ..measures import load_measures

    hit = re.fullmatch(r"指标(\d+)", str(name))
    if hit:
        return f"{hit.group(1)}. {load_catalog().indicator(int(hit.group(1))).criterion}"
    return load_measures()[name].name_zh if name in load_measures() else str(name)


def sobol_bars(sobol, title: str, top: int = 15) -> Figure:
    """First-order and total-effect Sobol indices (一阶指数/总效应指数) with 95 % intervals, labelled with
    the indicators' or measures' names in full."""
    df = sobol.sort_values("ST", ascending=False).head(top).iloc[::-1]
    labels = [wrap(factor_label(i), 24) for i in df.index]
    fig, ax = _for_labels(10, labels, 0.16, 0.2)
    y = np.arange(len(df))
    ax.barh(y + 0.2, df["ST"], height=0.4, xerr=df["ST_conf"], color=SCORE, label="总效应指数")
    ax.barh(y - 0.2, df["S1"], height=0.4, xerr=df["S1_conf"], color="#f5b041", label="一阶指数")
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlabel("敏感性指数（误差线为95%置信区间）")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="lower right")
    return fig


def score_distribution(sa) -> Figure:
    """The county's total over the weight draws, with the nominal and the 5/95 % quantiles."""
    fig, ax = _figure(8, 3.6)
    ax.hist(sa.county_totals, bins=60, color=SCORE, alpha=0.8)
    w = sa.weights.loc[sa.county]
    for v, label, style in ((w["nominal"], "基准", "-"), (w["total_p05"], "5%", "--"), (w["total_p95"], "95%", "--")):
        ax.axvline(v, color=HIGHLIGHT, ls=style, lw=1)
        ax.text(v, ax.get_ylim()[1] * 0.95, f" {label} {v:.2f}", fontsize=8, color=HIGHLIGHT)
    ax.set_xlabel("总分")
    ax.set_ylabel("抽样次数")
    ax.set_title(f"{sa.county} {sa.year}年 权重不确定性下的总分分布")
    return fig


def combined_chart(c) -> Figure:
    """The county's rank over the combined draws (bars per rank, the nominal rank and the 5–95 % interval
    marked) beside the Sobol indices of the groups of uncertainty (解读/权重/本县数据) for its rank."""
    from ..analysis.uncertainty_text import sources

    cjk_font()
    fig = Figure(figsize=(10, 3.8), dpi=110, layout="constrained")
    ax, bx = fig.subplots(1, 2, width_ratios=[3, 2])
    counts = c.rank_counts
    row = c.table.loc[c.county]
    lo, hi = int(row["rank_p05"]), int(row["rank_p95"])
    shown = counts.loc[max(1, lo - 3):min(len(counts), hi + 3)]
    inside = (shown.index >= lo) & (shown.index <= hi)
    ax.bar(shown.index, shown.to_numpy() / counts.sum(), color=np.where(inside, SCORE, "#bbbbbb"), width=0.8)
    ax.axvline(row["nominal_rank"], color=HIGHLIGHT, lw=1.2)
    ax.text(row["nominal_rank"], ax.get_ylim()[1] * 0.95, f" 基准第{int(row['nominal_rank'])}名", color=HIGHLIGHT,
            fontsize=8)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("排名（1为最好；深色：" + (f"90%的抽样落在第{lo}～{hi}名）" if lo < hi else f"至少90%的抽样为第{lo}名）"))
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel("抽样占比")
    ax.set_title(f"{c.county} 综合不确定性下的排名分布（{c.settings['draws']}次抽样）", fontsize=10)
    df = c.sobol.iloc[::-1]
    y = np.arange(len(df))
    if len(df) and not df["ST"].isna().all():
        bx.barh(y + 0.2, df["ST"], height=0.4, xerr=df["ST_conf"], color=SCORE, label="总效应指数")
        bx.barh(y - 0.2, df["S1"], height=0.4, xerr=df["S1_conf"], color="#f5b041", label="一阶指数")
        bx.legend(fontsize=8, loc="lower right")
    else:
        bx.text(0.5, 0.5, wrap(c.sobol.attrs.get("note", "没有可变动的因素"), 16), ha="center", va="center",
                transform=bx.transAxes, fontsize=9)
    bx.set_yticks(y, list(df.index), fontsize=9)
    bx.set_xlabel("对排名的Sobol指数（误差线为95%置信区间）")
    bx.set_title(f"哪类不确定性影响最大（{sources(c) or '均固定'}）", fontsize=10)
    return fig


def sensitivity_charts(sa) -> dict[str, Figure]:
    charts = {"rank_intervals": rank_intervals(sa), "tornado": tornado(sa), "score_distribution": score_distribution(sa)}
    if sa.sobol is not None:
        charts["sobol"] = sobol_bars(sa.sobol, f"{sa.county} 总分的Sobol敏感性指数")
    if getattr(sa, "combined", None) is not None:
        charts["combined"] = combined_chart(sa.combined)
    for fig in charts.values():
        _notice(fig, sa.synthetic_values)
    return charts
