"""Charts (matplotlib) with Chinese labels rendered through an explicitly registered CJK font."""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

# Tried in order after $QSTRONG_CJK_FONT: Debian/Ubuntu, Windows, macOS.
CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",
)
HINTS = ("wqy", "notosanscjk", "notoserifcjk", "sourcehan", "msyh", "simhei", "simsun", "pingfang", "heiti")

LOST, SCORE, POINTS, HIGHLIGHT, PEER = "#c0392b", "#2e86c1", "#d6eaf8", "#c0392b", "#7f8c8d"


class FontMissing(RuntimeError):
    """No CJK font is installed: charts would show boxes instead of Chinese."""


@cache
def cjk_font() -> str:
    """Register a CJK font with matplotlib (font_manager.addfont) and make it the default; its name."""
    env = os.environ.get("QSTRONG_CJK_FONT")
    paths = [env] if env else []
    paths += [p for p in CANDIDATES if Path(p).is_file()]
    if len(paths) == (1 if env else 0):
        paths += [p for p in font_manager.findSystemFonts()
                  if any(h in Path(p).name.lower().replace("-", "").replace("_", "") for h in HINTS)]
    for path in paths:
        if path and Path(path).is_file():
            font_manager.fontManager.addfont(path)
            name = font_manager.FontProperties(fname=path).get_name()
            plt.rcParams["font.family"] = "sans-serif"
            plt.rcParams["font.sans-serif"] = [name, "DejaVu Sans"]
            plt.rcParams["axes.unicode_minus"] = False
            return name
    raise FontMissing("未找到中文字体，图表中的汉字无法显示。Debian/Ubuntu 请安装 fonts-wqy-microhei"
                      "（sudo apt-get install fonts-wqy-microhei），或设置环境变量 QSTRONG_CJK_FONT 指向字体文件。")


def _figure(w: float, h: float) -> tuple[Figure, plt.Axes]:
    cjk_font()
    fig = Figure(figsize=(w, h), dpi=110, layout="constrained")
    return fig, fig.subplots()


def _grid(n: int, cols: int, w: float, row_h: float, extra: float) -> tuple[Figure, np.ndarray]:
    """A grid for `n` small charts, `cols` a row; the unused axes hidden."""
    cjk_font()
    fig = Figure(figsize=(w, row_h * max(-(-n // cols), 1) + extra), dpi=110, layout="constrained")
    axes = fig.subplots(max(-(-n // cols), 1), cols, squeeze=False).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes


def _for_labels(w: float, labels: list[str], per_line: float, per_row: float) -> tuple[Figure, plt.Axes]:
    """A figure tall enough for wrapped y labels (`per_line` inch a text line, `per_row` a row)."""
    return _figure(w, per_line * sum(t.count("\n") + 1 for t in labels) + per_row * len(labels) + 1.4)


def wrap(text: str, width: int = 24) -> str:
    """A label broken every `width` characters (Chinese has no spaces to break at), never cut short; a
    tail of one or two characters (a full stop) stays on the line before."""
    text = str(text)
    lines = [text[k:k + width] for k in range(0, len(text), width)] or [text]
    if len(lines) > 1 and len(lines[-1]) <= 2:
        lines[-2:] = [lines[-2] + lines[-1]]
    return "\n".join(lines)


def _notice(fig: Figure, synthetic: int) -> None:
    if synthetic:
        fig.text(0.99, 0.003, "示例数据：对标值含合成/虚构数据", ha="right", va="bottom", fontsize=8, color=LOST)


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
    from .analysis.ladder import RUNGS, fences, outliers, rungs

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


def save(figures: dict[str, Figure], out: str | Path, caption: str = "") -> list[Path]:
    """PNG files in `out` (created if missing): checked and written like every output (``writers``);
    `caption` (the benchmark line) is printed at the bottom of every figure, so a chart sent alone still
    says which benchmark produced it."""
    from .errors import InputError
    from .paths import check_output
    from .writers import os_problem, write_atomic

    out = check_output(out, "图表输出目录", directory=True)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError([os_problem(exc, out, "图表输出目录")], "无法写出结果") from None
    if caption:
        for fig in figures.values():
            fig.text(0.005, 0.003, caption, fontsize=7, color="#555555", ha="left", va="bottom")
    return [write_atomic(out / f"{stem}.png", lambda tmp, fig=fig: fig.savefig(tmp, format="png"), "图表文件")
            for stem, fig in figures.items()]


LOWER_IS_BETTER = ("q38.pm25",)


def trajectory_measures(catalog, scenarios=(), moving: set[str] | None = None) -> list[str]:
    """The efficacy measures a county moves (each component's levers; only those in `moving` when
    given), then any measure a scenario changes."""
    from .rules.efficacy import Efficacy

    out = [m for ind in catalog.indicators for it in ind.items if isinstance(it, Efficacy)
           for c in it.components for m in c.all_levers if moving is None or m in moving]
    out += [ch.measure for sc in scenarios for ch in sc.changes]
    return list(dict.fromkeys(out))


def trajectories(proj, scenarios=(), title: str | None = None) -> Figure:
    """Small multiples, only for the measures that move lost points (and those a scenario changes): the
    county's actual (solid) and projected (dashed) values with the band shaded, and a target line — the
    scenario's set value where one sets it, otherwise the peer best per year."""
    from .analysis.ladder import lost_levers
    from .analysis.projection import METHOD_ZH
    from .scoring import score_panel

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
    from .catalog import load_catalog

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
    from .measures import load_measures

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
                ax.text(v, k, f" {v:+.2f} ", va="center", fontsize=7, ha="left" if v > 0 else "right")
    ax.set_yticks(y, labels, fontsize=8)
    ax.axvline(0, color="#333333", lw=0.8)
    ax.margins(x=0.2)
    ax.set_xlabel("总分变化（分）")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(f"{sa.county} 逐项变动对总分的影响（功效系数法指标数据±{step}，规则指标提升一档）")
    return fig


def factor_label(name: str) -> str:
    """A Sobol factor as a reader knows it: 指标N → “N. 三级指标”, a measure id → its Chinese name."""
    from .catalog import load_catalog
    from .measures import load_measures

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


def sensitivity_charts(sa) -> dict[str, Figure]:
    charts = {"rank_intervals": rank_intervals(sa), "tornado": tornado(sa), "score_distribution": score_distribution(sa)}
    if sa.sobol is not None:
        charts["sobol"] = sobol_bars(sa.sobol, f"{sa.county} 总分的Sobol敏感性指数")
    for fig in charts.values():
        _notice(fig, sa.synthetic_values)
    return charts
