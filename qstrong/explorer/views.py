"""What the explorer shows, as HTML fragments from the model's state (no widgets, every text escaped):
the total, the rank, the lost-points chart by level 2, the changed indicators, the path's actions."""

from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd

from ..analysis.path import EFFORT_UNIT, PathPlan
from ..analysis.summary import veto_sentence
from ..catalog import Catalog
from ..measures import fmt_num
from .model import State

MINUS = "−"
CSS = """
<style>
.qs-app { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; }
.qs-app table.qs-table { border-collapse: collapse; font-size: 13px; width: 100%; }
.qs-app table.qs-table th, .qs-app table.qs-table td { border-bottom: 1px solid #ddd; padding: 3px 6px;
  text-align: left; vertical-align: top; }
.qs-app .qs-num { text-align: right !important; white-space: nowrap; }
.qs-app .qs-nowrap { white-space: nowrap; }
.qs-app .qs-bar { height: 9px; background: #c0392b; border-radius: 2px; }
.qs-app .qs-bar-base { height: 5px; background: #bbb; border-radius: 2px; margin-top: 2px; }
.qs-app .qs-up { color: #1e7b34; } .qs-app .qs-down { color: #c0392b; }
.qs-app .qs-changed input, .qs-app .qs-changed select { background: #fff7d6; }
.qs-app .qs-big { font-size: 22px; font-weight: bold; }
.qs-app .qs-muted { color: #666; font-size: 12px; }
</style>
"""


def signed(x: float, digits: int = 2) -> str:
    """+1.23 / −1.23 with one minus sign (U+2212) and no −0.00."""
    r = round(float(x), digits)
    if r == 0:
        return f"{0:.{digits}f}"
    return f"+{r:.{digits}f}" if r > 0 else f"{MINUS}{-r:.{digits}f}"


def _delta_class(x: float) -> str:
    return "qs-up" if x > 5e-3 else "qs-down" if x < -5e-3 else "qs-muted"


def weights_html(total: float, seed: float) -> str:
    """The weights' sum, and what it means when it is not the seed's 100 points."""
    if total <= 0:
        return "<span class='qs-down'>权重合计为0：所有县（市、区）总分都是0，排名没有意义</span>"
    extra = "" if abs(total - seed) < 1e-9 else f"：总分的满分为{total:.1f}分"
    return f"权重合计 {total:.1f} 分（评价办法：{seed:g}分）{extra}"


def total_html(state: State, baseline: float) -> str:
    """总分 with two decimals first (the test hook reads it), then the county's own total (its own
    figures, the seed's points) and the change."""
    d = state.total - baseline
    weights = "（按调整后的权重）" if state.weights_changed else ""
    return (f'<span>总分 </span><span class="qs-big">{state.total:.2f}</span>'
            f'<span class="qs-muted">分{weights}　原{baseline:.2f}，</span>'
            f'<span class="{_delta_class(d)}">{signed(d)}</span>')


def rank_html(state: State, baseline_rank: int) -> str:
    d = baseline_rank - state.rank
    move = "不变" if d == 0 else f"上升{d}位" if d > 0 else f"下降{-d}位"
    return (f'<span>排名 </span><span class="qs-big">{escape(state.rank_text)}</span>'
            f'<span class="qs-muted">　原第{baseline_rank}名，</span><span class="{_delta_class(d)}">{move}</span>')


def veto_html(state: State) -> str:
    color = {"triggered": "qs-down", "unknown": "qs-down", "not": "qs-muted"}[state.veto]
    return f'<span class="{color}">{escape(veto_sentence(state.veto, state.veto_items))}</span>'


def completeness_html(state: State) -> str:
    if state.complete:
        return '<span class="qs-muted">数据完整：43项指标均已计分</span>'
    ids = "、".join(map(str, state.missing_indicators))
    return (f'<span class="qs-down">数据不完整：指标{escape(ids)}缺少数据、未计分'
            f'（{len(state.missing_indicators)}项）</span>')


def lost_html(lost: pd.DataFrame) -> str:
    """Lost points by level 2 as bars: red = now, grey = the county's own figures; scaled to the
    largest level-2 weight, so bars of different groups compare."""
    scale = float(lost["points"].max()) or 1.0
    rows = []
    for name, r in lost.iterrows():
        now, base = float(r["lost"]), float(r["baseline_lost"])
        d = now - base
        change = "" if abs(d) < 5e-3 else f'<span class="{_delta_class(-d)}">（{signed(d)}）</span>'
        rows.append(
            f"<tr><td>{escape(str(name))}</td><td class='qs-num'>{now:.2f}/{float(r['points']):g}{change}</td>"
            f"<td style='width:45%'><div class='qs-bar' style='width:{100 * max(now, 0) / scale:.1f}%'></div>"
            f"<div class='qs-bar-base' style='width:{100 * max(base, 0) / scale:.1f}%'></div></td></tr>")
    total = float(lost["lost"].sum())
    return ("<b>各二级指标失分</b><span class='qs-muted'>（红：当前；灰：本县原数据）</span>"
            "<table class='qs-table qs-lost'><tr><th>二级指标</th><th class='qs-num'>失分/分值</th><th></th></tr>"
            + "".join(rows) + f"<tr><td><b>合计</b></td><td class='qs-num'><b>{total:.2f}</b></td><td></td></tr></table>")


def _score(x: object) -> str:
    return "未计分" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{float(x):.2f}"


def changed_html(changed: pd.DataFrame, catalog: Catalog) -> str:
    """The indicators that read a changed figure: old and new score and the new explanation."""
    if changed.empty:
        return "<b>变化的指标</b><p class='qs-muted'>尚未修改任何数据。修改左侧任一数据，这里列出受影响的指标及其计分说明。</p>"
    rows = []
    for _, r in changed.iterrows():
        ind = catalog.indicator(int(r["indicator"]))
        b, s = r["baseline"], r["score"]
        d = "" if b is None or s is None or pd.isna(b) or pd.isna(s) else \
            f" <span class='{_delta_class(s - b)}'>{signed(s - b)}</span>"
        rows.append(f"<tr><td class='qs-nowrap'>指标{ind.id}</td>"
                    f"<td class='qs-num'>{_score(b)} → {_score(s)}{d}<br><span class='qs-muted'>满分{ind.points:g}</span></td>"
                    f"<td><span class='qs-muted'>{escape(ind.criterion)}</span><br>{escape(str(r['explanation']))}</td></tr>")
    return ("<b>变化的指标</b><table class='qs-table qs-changed-list'><tr><th>指标</th><th class='qs-num'>得分</th>"
            "<th>计分说明（修改后）</th></tr>" + "".join(rows) + "</table>")


def path_html(plan: PathPlan) -> str:
    """The cheapest path's actions, by department, with points and effort."""
    head = (f"<p><b>{escape(plan.message)}</b><br>当前{plan.current:.2f}分 → 目标{plan.target:.2f}分；"
            f"方案后{plan.total:.2f}分，工作量合计{fmt_num(plan.effort, 2)}。</p>")
    if plan.vetoed:
        head += f"<p class='qs-down'>注意：本县触发一票否决（{escape('、'.join(plan.veto_reasons))}），即使得分达到目标也将被取消资格。</p>"
    df = plan.to_frame()
    if df.empty:
        return head
    rows = "".join(
        f"<tr><td>{escape(r['departments'])}</td><td class='qs-nowrap'>指标{int(r['indicator'])}</td>"
        f"<td>{escape(r['action'])}</td>"
        f"<td class='qs-num'>{signed(r['gain'])}</td><td class='qs-num'>{fmt_num(r['effort'], 2)}</td></tr>"
        for _, r in df.iterrows())
    return (head + "<table class='qs-table qs-path'><tr><th>责任部门</th><th>指标</th><th>措施</th>"
            "<th class='qs-num'>得分</th><th class='qs-num'>工作量</th></tr>" + rows + "</table>"
            f"<p class='qs-muted'>{escape(EFFORT_UNIT)}</p>")


def lines_html(lines: list[str], error: bool = False) -> str:
    cls = "qs-down" if error else ""
    return "".join(f"<div class='{cls}'>{escape(line)}</div>" for line in lines)
