"""The leader's brief in Word (``qstrong brief``): what it says, as data, and its blocks for the one
docx writer (:mod:`qstrong.writers.docx`).

Every figure comes from the analysis API: the headline, the rank band, the veto, completeness and the
first actions from :func:`~qstrong.analysis.summary.leader_summary` (the HTML front page's facts, so the
two can never disagree), the 2025 outlook from :func:`~qstrong.analysis.projection.project` and
:func:`~qstrong.analysis.summary.plan_views` with the preset scenario ``plan2025``. Two A4 pages at most
(measured with LibreOffice by the tests)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..analysis.path import EffortTable
from ..analysis.projection import Projection, project
from ..analysis.scenarios import load_scenario
from ..analysis.summary import ACTION_ORDER, VETO_ZH, PlanViews, Summary, leader_summary, plan_views
from ..benchmark import Benchmark, share_percent
from ..dates import chinese, read_date
from ..errors import InputError
from ..measures import fmt_num
from ..writers.docx import TEXT_WIDTH_MM, Block, Figures, Heading, Para, Subtitle, Table, Title, write_docx

SCENARIO = "plan2025"
TO_YEAR = 2025
CHART_IN = (2.95, 2.3)          # each chart's size in inches: two side by side fill the text width
NUMERALS = "一二三四五六七八九十"
LISTED = 4                      # departments (or notes) named in the headline; the rest counted
VETO_LISTED = 2                 # veto items named


def brief_date(text: str | dt.date | None = None) -> str:
    """The brief's date in Chinese (2026年11月27日): today, a date, or text as 2026-11-27, 2026/11/27 or
    2026年11月27日 (ASCII or full-width digits, as the other options); anything else is an InputError."""
    if text is None:
        day = dt.date.today()
    elif isinstance(text, dt.date):
        day = text
    else:
        day, problem = read_date(text, "--date（简报日期）")
        if day is None:
            raise InputError([problem], "参数有{n}处问题")
    return chinese(day)


@dataclass(frozen=True)
class Brief:
    """What the brief says, computed once from one benchmark."""

    summary: Summary
    projection: Projection
    views: PlanViews | None          # None: the plan could not be applied (why: `plan_problem`)
    date: str
    own_invented: int                # the county's own values in the benchmark year marked 示例/虚构/合成
    plan_problem: str = ""

    @property
    def benchmark(self) -> Benchmark:
        return self.summary.benchmark

    @property
    def synthetic(self) -> bool:
        """Does anything the brief rests on contain synthetic or invented values?"""
        return bool(self.summary.synthetic_values or self.own_invented or self.projection.synthetic)


def brief_content(bench: Benchmark, intake=None, target: float = 85.0, date: str | dt.date | None = None,
                  draws: int = 10_000, seed: int = 0, effort: EffortTable | str | Path | None = None) -> Brief:
    """The brief's facts for `bench` (`intake`: who left which measures empty; `draws`/`seed`: the rank
    band's weight draws, as on the report's front page)."""
    day = brief_date(date)
    s = leader_summary(bench, intake, target=target, draws=draws, seed=seed, effort=effort)
    proj = project(bench, to_year=max(TO_YEAR, bench.panel.years[-1] + 1), seed=seed)
    views, problem = None, ""
    try:
        views = plan_views(bench, load_scenario(SCENARIO), proj)
    except InputError as exc:           # e.g. a measure the plan adjusts has no base value: said, not fatal
        problem = "；".join(str(p) for p in exc.problems[:2]) + (f"等{len(exc.problems)}处" if len(exc.problems) > 2 else "")
    return Brief(s, proj, views, day, bench.own_invented, problem)


# ── the two charts ──

def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=220)
    return buf.getvalue()


def _figure():
    from matplotlib.figure import Figure

    from ..charts import cjk_font

    cjk_font()
    fig = Figure(figsize=CHART_IN, layout="constrained")
    return fig, fig.subplots()


def lost_chart(b: Brief) -> bytes:
    """Lost points by level-2 indicator (largest on top), the quick-win part shaded."""
    df = b.summary.lost_by_level2
    df = df[df["lost"] > 1e-9].sort_values("lost")
    fig, ax = _figure()
    if df.empty:
        ax.text(0.5, 0.5, "没有可计的失分\n（缺数据的指标不计分）" if b.summary.completeness.count else "各二级指标均无失分",
                ha="center", va="center", fontsize=8, transform=ax.transAxes)
        ax.set_axis_off()
        return _png(fig)
    y = range(len(df))
    ax.barh(y, df["lost"], color="#c0392b", height=0.65, label="失分")
    if "quick_win_points" in df and df["quick_win_points"].gt(0).any():
        ax.barh(y, df["quick_win_points"], color="#f5b041", height=0.65, label="其中速赢")
        ax.legend(fontsize=6.5, loc="lower right", frameon=False)
    for k, v in enumerate(df["lost"]):
        ax.text(v, k, f" {v:.2f}", va="center", fontsize=6.5)
    ax.set_yticks(list(y), [str(v) for v in df.index], fontsize=7)
    ax.tick_params(axis="x", labelsize=6.5)
    ax.set_xlim(0, max(float(df["lost"].max()) * 1.22, 0.5))
    ax.set_xlabel(f"失分（共{100 - b.summary.total:.2f}分）", fontsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def outlook_chart(b: Brief) -> bytes:
    """The total by year: actual, the trend to 2025 with its band, the plan's two readings, the target."""
    t, v = b.projection.totals, b.views
    fig, ax = _figure()
    act, pro = t[t["actual"]], t[~t["actual"]]
    ax.plot(act["year"], act["total"], "-o", color="#2e86c1", ms=3, lw=1.4, label="实际")
    if len(pro):
        link = pd.concat([act.tail(1), pro])
        ax.plot(link["year"], link["total"], "--o", color="#2e86c1", ms=3, mfc="white", lw=1.2, label="趋势外推")
        ax.fill_between(link["year"], link["lower"], link["upper"], color="#2e86c1", alpha=0.15, lw=0)
    plan = [] if v is None else [v.today, v.projected]
    if v is not None:
        ax.plot([v.year, v.to_year], plan, "D", color="#27ae60", ms=4, label="含规划目标2025")
    ax.axhline(b.summary.target, color="#c0392b", lw=1, ls=":", label=f"目标{fmt_num(b.summary.target, 2)}分")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.tick_params(labelsize=6.5)
    ax.set_ylabel("总分", fontsize=7)
    ax.legend(fontsize=6, loc="lower left", frameon=False, ncols=2)
    ax.spines[["top", "right"]].set_visible(False)
    lo = min(float(t["lower"].min()), *plan, b.summary.target)
    hi = max(float(t["upper"].max()), *plan, b.summary.target)
    ax.set_ylim(lo - (hi - lo) * 0.45 - 0.5, hi + (hi - lo) * 0.08 + 0.5)
    return _png(fig)


# ── the text ──

def _veto(s: Summary) -> str:
    items = list(s.veto_items)
    named = "、".join(items[:VETO_LISTED]) + (f"等{len(items)}项" if len(items) > VETO_LISTED else "")
    if s.veto == "unknown":
        return f"无法判断（{len(items)}项缺数据：{named}）"
    return VETO_ZH[s.veto] + (f"（{named}）" if items else "")


def _headline(b: Brief) -> list[Block]:
    s, bench = b.summary, b.benchmark
    lo, hi = s.rank_band
    c = s.completeness
    if c.count:
        deps = "、".join(f"{d}{len(ms)}项" for d, ms in list(c.by_department.items())[:LISTED])
        more = len(c.by_department) - LISTED
        complete = f"有{c.count}项数据未填报（{deps}{f'等{len(c.by_department)}个部门' if more > 0 else ''}），缺数据的指标不计分"
    else:
        complete = "数据齐全，没有未填报的数据项"
    if c.no_evidence:
        complete += f"，另有{c.no_evidence}项缺佐证材料"
    change = ""
    if s.change is not None:
        d = s.change.delta
        change = f"，比{s.change.year}年" + (f"{'上升' if d > 0 else '下降'}{abs(d):.2f}分" if abs(d) >= 0.005 else "持平")
    to_go = (f"距{fmt_num(s.target, 2)}分目标还差{s.distance:.2f}分" if s.distance > 0
             else f"已达到{fmt_num(s.target, 2)}分目标")
    return [
        Para(f"{bench.county}{bench.year}年度自评总分{s.total:.2f}分（满分100分），在对标的{bench.n}个县（市、区）中"
             f"排{s.rank_text}{change}；{to_go}。权重各±{s.spread:.0%}随机抽样{s.draws:,}次，"
             + (f"排名在第{lo}～{hi}名之间。" if lo != hi else f"排名均为第{lo}名。"),
             lead="总分与排名："),
        Para(f"一票否决事项{_veto(s)}；{complete}。", lead="否决与数据："),
        Para(bench.describe(), size=12, line=20),
        *(Para(note, lead="提醒：", size=12, line=20) for note in bench.notes[:LISTED]),
    ]


def _actions(b: Brief) -> list[Block]:
    s = b.summary
    p = s.plan
    if not s.actions:
        if s.distance <= 0:
            return [Para(f"已达到{fmt_num(s.target, 2)}分目标，无需增加措施。")]
        gaps = f"；{len(p.missing)}项指标缺数据、未计分，补齐数据后方能计分" if p.missing else ""
        how = f"全部{p.n_options}项备选措施落实后" if p.n_options else "没有可用的备选措施，"
        return [Para(f"目标{fmt_num(s.target, 2)}分无法达到：{how}最多可达{p.best_possible:.2f}分{gaps}（明细见 qstrong path 输出的最省力路径清单）。")]
    more = len(p.chosen) - len(s.actions)
    lead = (f"按最省力路径（工作量表点数最少），{'达到' if p.reached else '接近'}{fmt_num(s.target, 2)}分共需"
            f"{len(p.chosen)}项措施，方案后{p.total:.2f}分。优先推进以下{len(s.actions)}项（{ACTION_ORDER}"
            + (f"；其余{more}项见部门任务包或最省力路径清单，由 qstrong tasks、qstrong path 生成" if more > 0 else "")
            + "）：")
    rows = tuple((str(k), str(a.indicator), a.action, a.departments, f"+{a.gain:.2f}")
                 for k, a in enumerate(s.actions, 1))
    widths = (13.0, 13.0, 71.0, 44.0, 15.0)
    scale = TEXT_WIDTH_MM / sum(widths)
    return [Para(lead, keep_with_next=True),
            Table(("序号", "指标", "措施", "责任部门", "增分"), rows, tuple(w * scale for w in widths), size=11,
                  right=(4,))]


def _outlook(b: Brief) -> list[Block]:
    v, p, t = b.views, b.projection, b.projection.totals
    last = t[t["year"] == p.to_year].iloc[0]
    actual = t.loc[t["actual"], "year"]
    how = (f"按{int(actual.min())}—{int(actual.max())}年趋势外推" if actual.nunique() > 1
           else f"仅有{int(actual.max())}年数据，按持平外推")
    trend = f"{how}，{p.to_year}年总分约{last['total']:.2f}分（区间{last['lower']:.2f}～{last['upper']:.2f}分）"
    if v is None:
        return [Para(f"{trend}。“规划目标2025”无法计算：{b.plan_problem}。")]
    return [Para(f"{trend}；如期完成“{v.scenario}”各项指标，{v.to_year}年约{v.projected:.2f}分，"
                 f"排{v.projected_rank}；若在{v.year}年实际数据上落实规划目标，为{v.today:.2f}分（{v.today_rank}）。")]


def _notice(b: Brief) -> list[Block]:
    from .. import __version__

    bench = b.benchmark
    parts = []
    share = bench.synthetic_share
    if b.summary.synthetic_values:
        parts.append(f"对标县的数值中有{b.summary.synthetic_values:,}个为合成数据"
                     + (f"（占{share_percent(share)}；真实数据占{share_percent(bench.real_share)}）"
                        if share is not None else ""))
    if b.own_invented:
        parts.append(f"{bench.county}{bench.year}年的{b.own_invented}个数值为示例（虚构）数据")
    if parts:
        text = ("；".join(parts) + "。得分、排名与预测仅用于演示方法，不代表真实情况；替换为真实数据后重新生成即可。")
        return [Para(text, lead="示例数据：", size=12, line=20, red=True),
                Para(f"由 qstrong {__version__} 生成；明细见HTML报告（qstrong report）与差距分析表（qstrong gaps）。", size=12, line=20)]
    return [Para(f"所用数据均未标注为示例或合成数据。由 qstrong {__version__} 生成；明细见HTML报告（qstrong report）与差距分析表（qstrong gaps）。", size=12, line=20)]


def brief_blocks(b: Brief) -> list[Block]:
    """The brief as the docx writer's blocks: title, 总体情况, two charts, first actions, 2025 outlook, notice."""
    bench = b.benchmark
    sample = "（示例数据）" if b.synthetic else ""
    sections: list[tuple[str, list[Block]]] = [
        ("总体情况", _headline(b)),
        ("失分分布与走势", [Figures(((lost_chart(b), f"图1 各二级指标失分（{bench.year}年）"),
                                   (outlook_chart(b), f"图2 总分走势与{b.projection.to_year}年展望")), 74.0, 10.5)]),
        ("优先措施", _actions(b)),
        (f"{b.projection.to_year}年展望", _outlook(b)),
        ("数据说明", _notice(b)),
    ]
    blocks: list[Block] = [Title(f"{bench.county}质量强县评价自评简报"),
                           Subtitle(f"（{bench.year}年度{sample} {b.date}）")]
    for k, (head, body) in enumerate(sections):
        blocks.append(Heading(f"{NUMERALS[k]}、{head}"))
        blocks += body
    return blocks


def write_brief(bench: Benchmark, out: str | Path, intake=None, target: float = 85.0,
                date: str | dt.date | None = None, draws: int = 10_000, seed: int = 0,
                effort: EffortTable | str | Path | None = None) -> Brief:
    """The brief for `bench` written to `out` (.docx; never over an input); returns what it says."""
    b = brief_content(bench, intake, target, date, draws, seed, effort)
    write_docx(brief_blocks(b), out, "简报输出文件")
    return b
