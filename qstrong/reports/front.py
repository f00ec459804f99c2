"""The report's front page for the leader: the facts of :class:`~qstrong.analysis.summary.Summary`
as one printable A4 sheet (inline CSS, the chart an inline PNG, every text escaped)."""

from __future__ import annotations

import base64
import io
from html import escape as e

from ..analysis.path import EFFORT_UNIT
from ..analysis.summary import ACTION_ORDER, Summary
from ..charts import lost_by
from ..display import num
from ..measures import fmt_num

CSS = """
.front h1{font-size:1.45em;margin:.2em 0 .3em} .front .bench{margin:.2em 0;font-size:.92em}
.front .small{font-size:.8em;color:#555;margin:.2em 0} .front .facts{width:100%;font-size:14px}
.front .facts th{width:8.5em;text-align:left} .front .big{font-size:1.35em;font-weight:bold}
.front .bad{color:#c0392b;font-weight:bold} .front .ok{color:#1e7e34;font-weight:bold}
.front .warn{color:#b9770e;font-weight:bold} .front table.actions{width:100%;font-size:12px}
.front table.actions td.num{text-align:right;white-space:nowrap} .front table.actions th{white-space:nowrap}
.front .meaning{font-size:.85em;color:#444}
.front img.chart{display:block;max-width:100%;max-height:95mm;width:auto;margin:.3em 0}
.front h2{font-size:1.1em;margin:.6em 0 .2em}
@page{size:A4;margin:9mm 11mm}
@media print{
 nav,.after-front{display:none!important}
 body{max-width:none;margin:0;padding:0;font-size:10pt;line-height:1.35}
 .front{break-inside:avoid} .front table{margin:.25em 0 .4em} .front .facts{font-size:10pt}
 .front table.actions{font-size:8pt} .front img.chart{max-height:82mm}
 .front td,.front th{padding:1px 5px}
}
"""


def chart_png(s: Summary) -> bytes:
    """Lost points by level 2 (the gap analysis' chart) as PNG bytes."""
    title = f"{s.benchmark.county} {s.benchmark.year}年 各二级指标失分"
    fig = lost_by(s.lost_by_level2, "二级指标", title, s.synthetic_values)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _veto(s: Summary) -> str:
    cls = {"triggered": "bad", "not": "ok", "unknown": "warn"}[s.veto]
    return f'<span class="{cls}">{e(s.veto_text)}</span>'


def _completeness(s: Summary) -> str:
    c = s.completeness
    if not c.count:
        text = f'<span class="ok">数据齐全</span>（{e(c.source)}）：没有未填报的数据项'
    else:
        deps = "、".join(f"{e(d)} {len(ms)}项" for d, ms in c.by_department.items())
        text = (f'<span class="warn">未填报数据项 {c.count} 项</span>（{e(c.source)}），缺数据的指标不计分。'
                f"涉及部门：{deps}（明细见“部门任务清单”页）")
    if c.no_evidence:
        text += f"；另有{c.no_evidence}项已填报但缺佐证材料"
    return text


def _change(s: Summary) -> str:
    ch = s.change
    if ch is None:
        return f"面板中没有本县{s.benchmark.year - 1}年的数据，无法比较"
    moved = "；".join(f"指标{i} {e(crit)} {fmt_num(a, 2)}→{fmt_num(b, 2)}" for i, crit, a, b in ch.movers)
    return (f"比{ch.year}年：{ch.before:.2f} → {ch.now:.2f} 分（<b>{num(ch.delta, sign=True)}</b>）"
            + (f"。变化最大的指标：{moved}" if moved else "。各指标得分均未变化"))


def _distance(s: Summary) -> str:
    p = s.plan
    if s.distance <= 0:
        return f'<span class="ok">已达到目标{fmt_num(s.target, 2)}分</span>'
    head = f'距目标{fmt_num(s.target, 2)}分还差 <span class="big">{s.distance:.2f}</span> 分'
    if not p.chosen:
        return f"{head}。{e(p.message)}"
    return (f"{head}。最省力路径共{len(p.chosen)}项措施，方案后{p.total:.2f}分，工作量合计{fmt_num(p.effort, 2)}"
            "（工作量表点数）")


def _actions(s: Summary) -> str:
    if not s.actions:
        return ""
    rows = "".join(f"<tr><td>{a.indicator}</td><td>{e(a.action)}<div class=meaning>{e(a.meaning)}</div></td>"
                   f"<td>{e(a.departments)}</td><td class=num>+{a.gain:.2f}</td><td class=num>{fmt_num(a.effort, 2)}</td></tr>"
                   for a in s.actions)
    more = len(s.plan.chosen) - len(s.actions)
    tail = f"<p class=small>另有{more}项措施见“情景与2025年预测”页的最省力路径。</p>" if more > 0 else ""
    return (f"<h2>最省力路径中优先推进的{len(s.actions)}项措施</h2><p class=small>{e(ACTION_ORDER)}</p><table class=actions><tr><th>指标</th><th>措施（工作量的含义）</th>"
            f"<th>责任部门</th><th>增分</th><th>工作量（点）</th></tr>{rows}</table>{tail}")


def front_section(s: Summary, synthetic_notice: str = "") -> str:
    """The front page as a <section class="front"> (for the top of index.html); `synthetic_notice` is
    trusted markup placed under the benchmark line."""
    b = s.benchmark
    lo, hi = s.rank_band
    notes = "".join(f"<p class=small>提醒：{e(n)}</p>" for n in (*b.notes, *s.warnings))
    facts = (
        f"<tr><th>总分与排名</th><td><span class=big>{s.total:.2f}</span> 分，<span class=big>{e(s.rank_text)}</span>；"
        f"权重各±{s.spread:.0%}随机抽样{s.draws:,}次，排名5%～95%区间：第{lo}～{hi}名</td></tr>"
        f"<tr><th>一票否决</th><td>{_veto(s)}</td></tr>"
        f"<tr><th>数据完整性</th><td>{_completeness(s)}</td></tr>"
        f"<tr><th>与上年相比</th><td>{_change(s)}</td></tr>"
        f"<tr><th>距目标</th><td>{_distance(s)}</td></tr>")
    png = base64.b64encode(chart_png(s)).decode("ascii")
    return (f'<section class="front"><h1>{e(b.county)} {b.year}年 山东省质量强县（市、区）评价 · 领导摘要</h1>'
            f"<p class=bench><b>{e(b.describe())}</b></p>{notes}{synthetic_notice}"
            f"<table class=facts>{facts}</table>{_actions(s)}<p class=small>{e(EFFORT_UNIT)}</p>"
            f'<img class=chart alt="各二级指标失分" src="data:image/png;base64,{png}"></section>')
