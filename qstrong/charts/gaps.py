"""Gap charts: lost points by level or department, every indicator against its points, the peers' distribution of each efficacy value."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .base import HIGHLIGHT, LOST, PEER, POINTS, SCORE, _figure, _for_labels, _grid, _notice, wrap


def lost_by(frame, label: str, title: str, synthetic: int = 0) -> Figure:
    """Horizontal bars of lost points (and quick wins) by a roll-up (level 2 or department)."""
    df = frame[frame["lost"] > 1e-9].sort_values("lost")
    fig, ax = _figure(8, 0.45 * max(len(df), 3) + 1.2)
    y = np.arange(len(df))
    ax.barh(y, df["lost"], color=LOST, label="失分")
    if "quick_win_points" in df:
        ax.barh(y, df["quick_win_points"], color="#f5b041", label="其中速赢")
    ax.set_yticks(y, [str(v) for v in df.index])
    for k, v in enumerate(df["lost"]):
        ax.text(v, k, f" {v:.2f}", va="center", fontsize=9)
    ax.set_xlabel("失分")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=9)
    ax.margins(x=0.15)
    _notice(fig, synthetic)
    return fig


def bullet(indicators, title: str, synthetic: int = 0) -> Figure:
    """Every indicator's score against its points (bullet chart), most lost points at the top, full labels."""
    lost = indicators["lost"] if "lost" in indicators else indicators["points"] - indicators["score"]
    df = indicators.assign(_lost=lost.fillna(0)).sort_values("_lost", ascending=False, kind="stable").iloc[::-1]
    labels = [wrap(f"{i}. {c}", 30) for i, c in zip(df.index, df["criterion"], strict=True)]
    fig, ax = _for_labels(11, labels, 0.12, 0.1)
    y = np.arange(len(df))
    ax.barh(y, df["points"], color=POINTS, height=0.8, label="分值")
    ax.barh(y, df["score"].fillna(0), color=SCORE, height=0.4, label="得分")
    missing = df["score"].isna()
    ax.scatter(df["points"][missing], y[missing.to_numpy()], marker="x", color=LOST, label="缺数据", zorder=3)
    for k, (p, v) in enumerate(zip(df["points"], df["_lost"], strict=True)):
        if v > 1e-9:
            ax.text(p, k, f" 失{v:.2f}", va="center", fontsize=7, color=LOST)
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_ylim(-0.6, len(df) - 0.4)
    ax.margins(x=0.12)
    ax.set_xlabel("分")
    ax.set_title(title + "（按失分从多到少）")
    ax.legend(loc="lower right", fontsize=8)
    _notice(fig, synthetic)
    return fig


def peer_distributions(efficacy, values: dict, county: str, title: str, synthetic: int = 0) -> Figure:
    """For each efficacy component, the peers' values (dots) with the county highlighted and the peers
    beyond Q3 + 3·IQR of the peers (``analysis.ladder.outliers``) marked as outliers."""
    from ..analysis.ladder import RUNGS, fences, outliers, rungs

    have = [np.isfinite(np.asarray(values[(i, c)], dtype=float)).any()
            for i, c in zip(efficacy["indicator"], efficacy["component"], strict=True)]
    efficacy = efficacy[have]          # components no county has a value for are not drawn
    fig, axes = _grid(len(efficacy), 3, 12, 2.4, 0.9)
    rng = np.random.default_rng(0)
    for ax, (_, row) in zip(axes, efficacy.iterrows(), strict=False):
        x = np.asarray(values[(row["indicator"], row["component"])], dtype=float)
        x = x[~np.isnan(x)]
        own = np.flatnonzero(x == row["value"])
        peers = np.delete(x, own[:1])
        far = outliers(peers, peers)
        jitter = rng.uniform(-0.3, 0.3, peers.size)
        ax.scatter(peers[~far], jitter[~far], s=10, color=PEER, alpha=0.6)
        if far.any():
            ax.scatter(peers[far], jitter[far], s=40, color=LOST, marker="x", label="离群值")
            ax.axvline(fences(peers)[1], color=LOST, lw=0.8, ls=":")
        if not np.isnan(row["value"]):
            ax.scatter([row["value"]], [0], s=80, color=HIGHLIGHT, marker="D", zorder=3, label=county)
        ax.axvline(row["peer_median"], color="#555555", lw=0.8, ls="--")
        if peers.size:
            goal, _, head = rungs(peers)
            ax.axvline(goal[head], color="#27ae60", lw=1.2, label=f"主要目标（{RUNGS[head][0]}）")
        ax.set_yticks([])
        ax.set_ylim(-0.6, 0.6)
        ax.set_title(wrap(f"{row['indicator']}. {row['component']}", 26), fontsize=8)
        ax.tick_params(labelsize=7)
    fig.suptitle(wrap(title + f"（◆ {county}；虚线为中位数；绿线为主要目标：不离群的最高一档（中位数、75%、90%分位或最优）；"
                      "× 离群值：高于对标县Q3+3×IQR，点线为该界限）", 70))
    _notice(fig, synthetic)
    return fig


def gap_charts(rep) -> dict[str, Figure]:
    """The gap analysis' four charts, by file stem."""
    head = f"{rep.county} {rep.year}年"
    return {
        "lost_by_level2": lost_by(rep.by_level("level2"), "二级指标", f"{head} 各二级指标失分", rep.synthetic_values),
        "lost_by_department": lost_by(rep.by_department(), "部门", f"{head} 各责任部门失分（共担指标计入每个部门）",
                                      rep.synthetic_values),
        "indicator_bullets": bullet(rep.indicators, f"{head} 43项三级指标得分", rep.synthetic_values),
        "peer_distributions": peer_distributions(rep.efficacy, rep.component_values, rep.county,
                                                 f"{head} 功效系数法指标的对标分布（{rep.peer_spec}）",
                                                 rep.synthetic_values),
    }
