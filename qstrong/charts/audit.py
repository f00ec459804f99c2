"""Statistical audit charts: the correlation heat map by level-2 group, importance against nominal weight,
and Cronbach's α per group (:class:`qstrong.analysis.audit.Audit`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure

from ..analysis.audit import MIN_N
from ..display import num
from ..measures import fmt_num
from .base import HIGHLIGHT, PEER, SCORE, _figure, _notice

ALPHA_GOOD = 0.7                 # the usual floor of an acceptable Cronbach's α
FOOTER = 0.3                     # inches kept free at the bottom for the benchmark line and 示例数据 tag
NO_R = "#bdbdbd"                 # a correlation that cannot be computed (constant scores, too few pairs)
LEVEL1_COLORS = ("#2e86c1", "#e67e22", "#27ae60", "#8e44ad", "#c0392b", "#7f8c8d")


def _colors(meta: pd.DataFrame) -> dict[str, str]:
    """One colour per level-1 group, in catalog order."""
    return {g: LEVEL1_COLORS[k % len(LEVEL1_COLORS)] for k, g in enumerate(dict.fromkeys(meta["level1"]))}


def _room(fig: Figure) -> Figure:
    """Keep ``FOOTER`` inches under the axes free, so the footer texts (``base.save``'s benchmark line,
    ``_notice``) never overlap the x-axis labels."""
    bottom = FOOTER / fig.get_figheight()
    fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom))
    return fig


def _head(rep) -> str:
    b = rep.benchmark
    return f"{b.county} {b.year}年（{b.n}个县（市、区））"


def correlation_heatmap(rep) -> Figure:
    """Pearson correlations of the 43 indicator scores, ordered by level-2 group, the groups framed and
    named (left: level 2; the level-1 groups by colour of their names)."""
    meta = rep.groups
    meta = meta.iloc[np.argsort(pd.factorize(meta["level2"])[0], kind="stable")]    # each group together
    order = meta.index
    corr = rep.pearson.loc[order, order].to_numpy(float)
    n = len(order)
    fig, ax = _figure(11, 9.6)
    cmap = colormaps["RdBu_r"].with_extremes(bad=NO_R)
    im = ax.imshow(np.ma.masked_invalid(corr), cmap=cmap, vmin=-1, vmax=1, interpolation="nearest")
    labels = [f"指标{i}" for i in order]
    ax.set_xticks(range(n), labels, rotation=90, fontsize=6)
    ax.set_yticks(range(n), labels, fontsize=6)
    runs = _runs(meta["level2"].tolist())
    for start, stop, _ in runs:
        ax.add_patch(_frame(start, stop))
        if start:
            ax.axhline(start - 0.5, color="#555555", lw=0.5)
            ax.axvline(start - 0.5, color="#555555", lw=0.5)
    colors = _colors(meta)
    right = ax.secondary_yaxis("right")
    right.set_yticks([(a + b - 1) / 2 for a, b, _ in runs], [g for _, _, g in runs], fontsize=8)
    for tick, (a, _, _) in zip(right.get_yticklabels(), runs, strict=True):
        tick.set_color(colors[meta["level1"].iloc[a]])
    right.tick_params(length=0)
    bar = fig.colorbar(im, ax=ax, shrink=0.6, pad=0.1)
    bar.set_label("Pearson相关系数")
    ax.set_title(f"{_head(rep)} 43项三级指标得分的相关系数（方框内为同一二级指标）\n"
                 "右侧为二级指标，颜色表示所属一级指标（见下方图例）", fontsize=10)
    for g, c in colors.items():
        ax.plot([], [], color=c, lw=6, label=g)
    ax.plot([], [], color=NO_R, lw=6, label="灰色：无法计算（各县得分相同或两项都有值的县不足）")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.09), ncol=len(colors), fontsize=8, frameon=False)
    _notice(fig, rep.benchmark.invented)
    return _room(fig)


def _runs(values: list) -> list[tuple[int, int, str]]:
    """Consecutive runs of equal values as (start, stop, value)."""
    out: list[tuple[int, int, str]] = []
    for k, v in enumerate(values):
        if out and out[-1][2] == v:
            out[-1] = (out[-1][0], k + 1, v)
        else:
            out.append((k, k + 1, v))
    return out


def _frame(start: int, stop: int):
    from matplotlib.patches import Rectangle

    return Rectangle((start - 0.5, start - 0.5), stop - start, stop - start, fill=False, ec="#222222", lw=1.2)


def importance_vs_weight(rep, label: int = 8) -> Figure:
    """Each indicator's importance (its squared correlation with the total, normalised) against its nominal
    weight (points / 100), the 45° line where they agree; the `label` farthest from it named (half above,
    with the county's score; half below, one label per weight)."""
    w = rep.weights
    meta = rep.groups
    colors = _colors(meta)
    fig, ax = _figure(9, 7)
    for g, c in colors.items():
        sel = meta.index[meta["level1"] == g]
        ax.scatter(w.loc[sel, "weight"] * 100, w.loc[sel, "importance"] * 100, s=36, color=c, alpha=0.85,
                   label=g, zorder=3)
    top = float(np.nanmax([w["weight"].max(), w["importance"].max()])) * 100 * 1.1
    ax.plot([0, top], [0, top], color=PEER, ls="--", lw=1, label="重要性=名义权重")
    b = rep.benchmark
    own = b.scores.scores.loc[b.county]
    gap = w["importance"] - w["weight"]
    for k, i in enumerate(gap[gap > 0].sort_values(ascending=False).head(label // 2).index):
        score = "本县缺数据" if pd.isna(own[i]) else f"本县{fmt_num(own[i], 2)}/{w.at[i, 'points']:g}分"
        ax.annotate(f"指标{i}（{score}）", (w.at[i, "weight"] * 100, w.at[i, "importance"] * 100), xytext=(6, 2 - 4 * (k % 2)),
                    textcoords="offset points", fontsize=8, color=SCORE)
    below = gap[gap < 0].sort_values().head(label // 2).index
    for weight, ids in pd.Series(below, index=below).groupby(w.loc[below, "weight"]):
        y = float(w.loc[ids.to_numpy(), "importance"].max()) * 100
        ax.annotate("、".join(f"指标{i}" for i in ids) + "：影响小于分值", (weight * 100, y), xytext=(10, 14),
                    textcoords="offset points", fontsize=8, color=HIGHLIGHT, arrowprops={"arrowstyle": "-", "color": HIGHLIGHT,
                                                                                     "lw": 0.6})
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("名义权重（分值占100分的比例，%）")
    ax.set_ylabel("重要性（与总分相关系数的平方，归一化，%）")
    ax.set_title(f"{_head(rep)} 指标的实际重要性与名义权重\n解读：{b.reading}；虚线上方的指标比其分值更能拉开各县差距，"
                 "下方的指标对排名影响小于其分值", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    thin = w.index[w["importance"].isna()]
    if len(thin) == len(w):
        ax.text(0.5, 0.5, f"只有{b.n}个县（市、区），无法计算重要性（至少需要{MIN_N}个）" if b.n < MIN_N
                else "没有数据充足的指标，无法计算重要性", transform=ax.transAxes, ha="center", fontsize=11, color=HIGHLIGHT)
    elif len(thin):
        more = f"等{len(thin)}项" if len(thin) > 6 else ""
        ax.text(0.99, 0.01, "数据不足、未画出：" + "、".join(f"指标{i}" for i in thin[:6]) + more,
                transform=ax.transAxes, ha="right", va="bottom", fontsize=8, color="#555555")
    _notice(fig, b.invented)
    return _room(fig)


def alpha_bars(rep) -> Figure:
    """Cronbach's α of each level-1 group and each level-2 group (bars; groups of one indicator have none),
    with the 0.7 line of acceptable internal consistency."""
    a = rep.alpha.copy()
    a["label"] = [f"{'一级' if lv == 'level1' else '二级'}：{g}（{k}项）"
                  for lv, g, k in zip(a["level"], a["group"], a["k"], strict=True)]
    a = a.iloc[::-1]
    fig, ax = _figure(9, 0.28 * len(a) + 1.6)
    y = np.arange(len(a))
    vals = a["alpha"].to_numpy(float)
    colors = [SCORE if lv == "level1" else "#85c1e9" for lv in a["level"]]
    ax.barh(y, np.nan_to_num(vals), color=colors, height=0.65)
    for k, v in enumerate(vals):
        text = num(v) if not np.isnan(v) else f"—（{_no_alpha(a.iloc[k], rep.benchmark.n)}）"
        ax.text(0 if np.isnan(v) or v < 0 else v, k, f" {text}", va="center", fontsize=7)
    ax.axvline(ALPHA_GOOD, color=HIGHLIGHT, ls="--", lw=1)
    ax.text(ALPHA_GOOD, len(a) - 0.4, f" {ALPHA_GOOD}（一般认为可接受）", color=HIGHLIGHT, fontsize=8, va="bottom")
    ax.axvline(0, color="#333333", lw=0.8)
    ax.set_yticks(y, list(a["label"]), fontsize=8)
    ax.set_xlim(min(0.0, float(np.nanmin(vals)) - 0.1) if np.isfinite(vals).any() else 0.0, 1.05)
    ax.set_xlabel("克朗巴哈α（组内各指标得分的一致性）")
    ax.set_title(f"{_head(rep)} 各组指标的内部一致性（克朗巴哈α）", fontsize=10)
    _notice(fig, rep.benchmark.invented)
    return _room(fig)


def _no_alpha(row: pd.Series, n: int) -> str:
    """Why a group's α is missing, short, for its bar."""
    if row["k"] < 2:
        return "仅1项指标"
    if n == 1:
        return "只有1个县"
    if row["complete"] < MIN_N:
        return f"各项都有值的县不足{MIN_N}个"
    return "各县无差异"


def audit_charts(rep) -> dict[str, Figure]:
    """The audit's charts by file stem."""
    return {"correlation_heatmap": correlation_heatmap(rep), "importance_vs_weight": importance_vs_weight(rep),
            "alpha": alpha_bars(rep)}
