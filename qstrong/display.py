"""Readable Chinese renderings of results: terminal scorecard and Jupyter HTML."""

from __future__ import annotations

import html
import unicodedata
from typing import TYPE_CHECKING

from .benchmark import rank_text
from .measures import fmt_num, load_measures
from .scoring import VETO_EFFECT, num  # noqa: F401  (re-exported for presentation modules)

if TYPE_CHECKING:
    from .scoring import CountyScore

NUMERALS = "一二三四五六七八九十"


def width(text: str) -> int:
    """Display width in a terminal (CJK characters count 2)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, n: int, right: bool = False) -> str:
    fill = " " * max(n - width(text), 0)
    return fill + text if right else text + fill


def clip(text: str, n: int) -> str:
    if width(text) <= n:
        return text
    out = ""
    for c in text:
        if width(out + c) > n - 1:
            break
        out += c
    return out + "…"


def score_text(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def source_words(source: str) -> str:
    """A source id in Chinese: ``synthetic`` → 合成数据, ``real:<where>`` → 公开来源：<where>."""
    if source == "synthetic":
        return "合成数据（虚构）"
    return f"公开来源：{source.removeprefix('real:')}" if source.startswith("real:") else source


def sources_text(sources: list[str], most: int = 4) -> str:
    shown = "；".join(source_words(s) for s in sources[:most])
    return shown + (f" 等{len(sources)}项" if len(sources) > most else "")


def _groups(card: CountyScore):
    cat = card.catalog
    for k, (l1, l1_pts) in enumerate(cat.level1.items()):
        l2s = [(n, p) for n, (parent, p) in cat.level2.items() if parent == l1]
        yield k, l1, l1_pts, [(n, p, [s for s in card.indicators if cat.indicator(s.indicator).level2 == n])
                              for n, p in l2s]


def _sum(rows) -> float:
    return sum(s.score for s in rows if s.score is not None)




def _veto_text(card: CountyScore) -> str:
    """Triggered (with the items), unknown (an item without data is not "not triggered"), or not."""
    if card.vetoed:
        return "触发——" + "；".join(card.veto_reasons)
    if card.veto_unknown:
        names = load_measures()
        return "无法判断——未填报：" + "、".join(names[m].name_zh if m in names else m for m in card.veto_unknown)
    return "未触发"


def scorecard_text(card: CountyScore, explain: bool = True, rank: str = "") -> str:
    """The scorecard by level 1 → level 2 → indicator, with each indicator's explanation; `rank`
    (第k名/共N个, the benchmark's) beside the total when given."""
    lines = [f"{card.county} {card.year}年 山东省质量强县（市、区）评价自评得分",
             f"总分 {score_text(card.total)} / 100" + (f"，排名 {rank}" if rank else "")
             + ("" if card.complete else f"（数据不完整：仅{fmt_num(card.max_scored)}分的指标可计分）"),
             "一票否决：" + _veto_text(card),
             *([f"数据来源：{sources_text(card.sources)}"] if card.sources else []),
             *[f"提醒：{w}" for w in card.warnings],
             "═" * 72]
    for k, l1, l1_pts, l2s in _groups(card):
        all_rows = [s for _, _, rows in l2s for s in rows]
        lines.append(f"{NUMERALS[k]}、{l1}（{fmt_num(l1_pts)}分）  得分 {_sum(all_rows):.2f}")
        for name, pts, rows in l2s:
            lines.append(f"  {name}（{fmt_num(pts)}分）  得分 {_sum(rows):.2f}")
            for s in rows:
                crit = clip(card.catalog.indicator(s.indicator).criterion, 44)
                lines.append(f"    {s.indicator:>2}  {pad(crit, 44)} {pad(score_text(s.score), 6, True)}"
                             f" / {fmt_num(s.points)}")
                if explain:
                    lines.append(f"        {s.explanation}")
        lines.append("─" * 72)
    return "\n".join(lines)


def scorecard_html(card: CountyScore) -> str:
    """HTML table for Jupyter; every text is escaped."""
    e = html.escape
    head = (f"<h4>{e(card.county)} {card.year}年 自评得分：{score_text(card.total)} / 100"
            f"{'' if card.complete else '（数据不完整）'}"
            f"{'，<b>一票否决：' + e('；'.join(card.veto_reasons)) + '</b>' if card.vetoed else ''}</h4>"
            + (f"<p>数据来源：{e(sources_text(card.sources))}</p>" if card.sources else "")
            + "".join(f"<p>提醒：{e(w)}</p>" for w in card.warnings))
    rows = []
    for _, l1, _, l2s in _groups(card):
        for name, _, items in l2s:
            for s in items:
                ind = card.catalog.indicator(s.indicator)
                rows.append(f"<tr><td>{e(l1)}</td><td>{e(name)}</td><td>{s.indicator}</td>"
                            f"<td>{e(ind.criterion)}</td><td>{fmt_num(s.points)}</td>"
                            f"<td>{score_text(s.score)}</td><td>{e(s.explanation)}</td></tr>")
    return (head + "<table><thead><tr><th>一级指标</th><th>二级指标</th><th>序号</th><th>三级指标</th>"
            "<th>分值</th><th>得分</th><th>说明</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def _table(df, cols: list[tuple[str, str, int, bool]]) -> list[str]:
    """Rows of a fixed-width Chinese table: (column, header, width, right-aligned)."""
    head = " ".join(pad(h, w, r) for _, h, w, r in cols)
    lines = [head, "─" * width(head)]
    for _, row in df.iterrows():
        cells = []
        for c, _, w, r in cols:
            v = row[c] if c in row.index else row.name
            text = num(v) if isinstance(v, float) else str(v)
            cells.append(pad(clip(text, w), w, r))
        lines.append(" ".join(cells))
    return lines


def gaps_text(rep) -> str:
    """The gap analysis as Chinese tables for the terminal."""
    r = rep.rank
    lines = [rep.benchmark.describe(),
             f"{rep.county} {rep.year}年 失分分析（对标见上一行）",
             f"总分 {rep.total:.2f} / 100，排名 {rep.rank_text}，失分 {rep.lost:.2f}"
             + ("" if rep.card.complete else "（数据不完整，缺数指标未计入）"),
             "一票否决：" + _veto_text(rep.card),
             *[f"提醒：{w}" for w in rep.card.warnings]]
    if rep.synthetic_values:
        lines.append(f"注意：对标数据中有{rep.synthetic_values}个数值为合成/示例数据，功效系数法得分仅供演示，不代表真实排名。")
        prov = rep.provenance
        real = prov[prov["real"] > 0]
        if len(real):
            names = load_measures()
            parts = "、".join(f"{names[m].name_zh}{int(r['real'])}个" for m, r in real.iterrows() if m in names)
            lines.append(f"      其中真实数据仅有：{parts}；其余对标数值均为合成/示例数据。")
        else:
            lines.append("      对标数值全部为合成/示例数据。")
    lines += [f"功效系数法部分得分 {r['subscore']:.2f} / {r['max_points']:.0f}，"
              f"功效系数法部分排名 {rank_text(r['rank'], r['n'])}" + (f"（并列{r['ties'] + 1}个）" if r["ties"] else "")
              + f"；中位数 {r['median']:.2f}，最高 {r['best']:.2f}（{r['best_county']}）", ""]
    lv = rep.by_level("level2").reset_index()
    lines.append("按二级指标：")
    lines += _table(lv, [("level2", "二级指标", 14, False), ("points", "分值", 6, True), ("score", "得分", 7, True),
                         ("lost", "失分", 7, True), ("quick_win_points", "速赢", 6, True)])
    lines += ["", "按责任部门（共担指标的失分计入每个部门）："]
    dep = rep.by_department().reset_index()
    lines += _table(dep, [("department", "部门", 30, False), ("lost", "失分", 7, True),
                          ("shared_lost", "其中共担", 8, True), ("quick_win_points", "速赢", 6, True),
                          ("indicators", "指标", 30, False)])
    lines += ["", "失分指标与挽回办法："]
    lost = rep.indicators[rep.indicators["lost"] > 1e-9].sort_values("lost", ascending=False)
    for ind, row in lost.iterrows():
        lines.append(f"  {ind:>2}. {clip(row['criterion'], 40)}  失{row['lost']:.2f}分  责任：{row['departments']}")
        if row["recovery"]:
            for part in row["recovery"].split("；"):
                lines.append(f"        → {part}")
    missing = rep.indicators[rep.indicators["score"].isna()]
    for ind, row in missing.iterrows():
        what = f"缺少数据，未计分：{row['missing']}" if row["missing"] else f"{row['status']}，未计分（数据已填报）"
        lines.append(f"  {ind:>2}. {what}  责任：{row['departments']}")
    qw = rep.quick_wins()
    if len(qw):
        lines += ["", f"速赢清单（只需出台文件、召开会议或建立机制，共{qw['gain'].sum():.2f}分）："]
        for _, s in qw.iterrows():
            lines.append(f"  指标{s['indicator']}：{s['action']}（+{s['gain']:.2f}分；{s['departments']}）")
    return "\n".join(lines)


def gaps_html(rep) -> str:
    e = html.escape
    note = (f"<p><b>注意：对标数据中有{rep.synthetic_values}个数值为合成/示例数据。</b></p>"
            if rep.synthetic_values else "") + f"<p>一票否决：{e(_veto_text(rep.card))}</p>" \
        + "".join(f"<p>提醒：{e(w)}</p>" for w in rep.card.warnings)
    cols = ["level2", "criterion", "points", "score", "lost", "recovery", "departments"]
    table = rep.indicators[cols].round(2).to_html(escape=True, na_rep="—")
    return (f"<p>{e(rep.benchmark.describe())}</p><h4>{e(rep.county)} {rep.year}年 失分分析（{e(rep.peer_spec)}）："
            f"总分 {rep.total:.2f}，排名 {rep.rank_text}，失分 {rep.lost:.2f}</h4>{note}{table}")


def comparison_text(cmp) -> str:
    """Baseline and scenarios side by side: totals, rank, and the indicators that change."""
    lines = [cmp.benchmark.describe(),
             f"{cmp.county} {cmp.year}年 情景比较（对标组{cmp.summary['n'].iloc[0]}个县（市、区）；"
             "排名为各情景下总分在对标组中的排名）", ""]
    summ = cmp.table().reset_index()
    lines += _table(summ, [("scenario", "情景", 16, False), ("total", "总分", 8, True), ("delta", "变化", 8, True),
                           ("efficacy_subscore", "功效系数部分", 12, True), ("rank", "排名", 14, True)])
    for sc in cmp.scenarios:
        lines += ["", f"情景“{sc.name}”：{sc.description}".rstrip("：")]
        lines += [f"  · {c}" for c in sc.describe()]
        for u in sc.unmapped:
            lines.append(f"  · 不移动任何指标：{u['target']}——{u.get('note', '')}")
        moved = score_changes(cmp, sc.name)
        lines.append("  得分变化：" + "；".join(moved) if moved else "  得分无变化")
    return "\n".join(lines)


def score_changes(cmp, name: str) -> list[str]:
    """Per indicator, how scenario `name` changes its score: signed with “−”, and an indicator becoming
    unscored (with why) or scored again said as such — never silent."""
    d = cmp.deltas()[name]
    base, new = cmp.scores.iloc[:, 0], cmp.scores[name]     # the baseline is the first column
    moved = [f"指标{i} {num(v, sign=True)}" for i, v in d[d.abs() > 1e-9].items()]
    moved += [f"指标{i} 变为不计分（原{num(base[i])}分；{_unscored_why(cmp, name, i)}）"
              for i in d.index if base.notna()[i] and new.isna()[i]]
    moved += [f"指标{i} 恢复计分（{num(new[i])}分，原不计分）" for i in d.index if base.isna()[i] and new.notna()[i]]
    return moved


def _unscored_why(cmp, name: str, ident: int) -> str:
    """Why an indicator is unscored in scenario `name`: its status in that scenario, if the comparison has it."""
    return getattr(cmp, "statuses", {}).get(name, {}).get(ident) or "见该情景的计分结果"


def sensitivity_text(sa) -> str:
    """Score range under every reading, rank interval under weight uncertainty, the drivers."""
    t = sa.interpretations
    w = sa.weights.loc[sa.county]
    b = sa.benchmark
    lines = [b.describe(), f"{sa.county} {sa.year}年 敏感性分析（对标见上一行）",
             f"基准得分 {b.total:.2f}，排名 {b.rank_text()}",
             *([f"注意：对标数据中有{sa.synthetic_values}个数值为合成/示例数据，排名仅供演示。"] if sa.synthetic_values else []),
             "",
             f"一、规则解读（{len(t)}种组合）：总分 {t['total'].min():.2f}～{t['total'].max():.2f}，"
             f"排名 {int(t['rank'].min())}～{int(t['rank'].max())}"]
    lines.append("  影响最大的解读选择：")
    for _, e in sa.effects.iterrows():
        lines.append(f"    {pad(e['reading'], 16)} 总分差 {e['effect']:.2f}，排名差 {e['rank_effect']:.1f}（{e['options']}）")
    lo, hi = t.loc[t["total"].idxmin()], t.loc[t["total"].idxmax()]
    for label, row in (("最低", lo), ("最高", hi)):
        lines.append(f"  {label}：{row['total']:.2f}分（{row['goalposts']}，{row['scale']}，{row['gated']}，"
                     f"指标10按{row['change10']}"
                     + "".join(f"，指标{k.removeprefix('variant')}：{row[k]}" for k in row.index if k.startswith("variant"))
                     + "）")
    how = "均匀±" + f"{sa.spread:.0%}" if sa.method == "uniform" else "Dirichlet"
    lines += ["", f"二、权重不确定性（{sa.draws}次抽样，{how}，归一到100分，随机种子{sa.seed}）：",
              f"  总分 中位数 {w['total_median']:.2f}，90%区间 {w['total_p05']:.2f}～{w['total_p95']:.2f}",
              f"  排名 中位数 {int(w['rank_median'])}，90%区间 {int(w['rank_p05'])}～{int(w['rank_p95'])}；"
              f"进入前10的概率 {w['p_top10']:.1%}，进入前30的概率 {w['p_top30']:.1%}"]
    lines += ["", "三、逐项变动（效能指标数据±10%，规则指标提升一档）对总分的影响，前10项："]
    for _, r in sa.oat.head(10).iterrows():
        lines.append(f"  {num(r['delta'], sign=True)}  {clip(r['factor'], 70)}")
    if sa.sobol is not None:
        lines += ["", "四、Sobol全局敏感性（总效应ST，前8项，95%置信区间）："]
        if sa.sobol.attrs.get("note"):
            lines.append(f"  说明：{sa.sobol.attrs['note']}")
        for name, r in sa.sobol.sort_values("ST", ascending=False).head(8).iterrows():
            lines.append(f"  {pad(clip(str(name), 30), 30)} ST {r['ST']:.3f}±{r['ST_conf']:.3f}，"
                         f"S1 {r['S1']:.3f}±{r['S1_conf']:.3f}")
    if getattr(sa, "combined", None) is not None:
        lines += ["", f"{'五' if sa.sobol is not None else '四'}、{sa.combined}"]
    return "\n".join(lines)
