"""The combined uncertainty analysis in plain Chinese (summary line and the text section)."""

from __future__ import annotations

import pandas as pd

from ..scoring import num


def most_important(sobol: pd.DataFrame) -> tuple[str, float] | None:
    """(group, ST) of the group with the largest total-effect index; None when there is none."""
    st = sobol["ST"].dropna() if len(sobol) else sobol.get("ST", pd.Series(dtype=float))
    if st is None or st.empty or float(st.max()) <= 0:
        return None
    return str(st.idxmax()), float(st.max())


def sources(c) -> str:
    """What is uncertain in the run, in words (解读、权重与本县数据 / 解读与权重 / …)."""
    names = [g for g, on in (("解读", c.settings["readings"]), ("权重", c.settings["spread"] > 0
             or c.settings["method"] == "dirichlet"), ("本县数据", bool(c.measures))) if on]
    if not names:
        return ""
    return names[0] if len(names) == 1 else "、".join(names[:-1]) + "与" + names[-1]


def pct(p: float) -> str:
    """A probability as a whole percent, never rounded to a certainty it is not (不到1% / 超过99%)."""
    if 0 < p < 0.005:
        return "不到1%"
    if 0.995 <= p < 1:
        return "超过99%"
    return f"{p:.0%}"


def uncertain(c) -> str:
    """“仅权重不确定” / “解读与权重同时不确定” / “解读、权重与本县数据均固定”."""
    src = sources(c)
    if not src:
        return "解读、权重与本县数据均固定"
    return f"{src}同时不确定" if "与" in src else f"仅{src}不确定"


def combined_summary(c) -> str:
    """“排名在第a～b名之间（90%）；三类不确定性中，X影响最大（总效应指数 …）”."""
    row = c.table.loc[c.county]
    n = c.benchmark.n
    lo, hi = int(row["rank_p05"]), int(row["rank_p95"])
    where = f"排名稳定在第{lo}名（至少90%的抽样）" if lo == hi else f"排名在第{lo}～{hi}名之间（90%的抽样）"
    head = f"{c.county}在{uncertain(c)}时，"
    text = (f"{head}{where}，共{n}个；"
            f"排名中位数第{int(row['rank_median'])}名（基准第{int(row['nominal_rank'])}名），"
            f"进入前10的概率{pct(row['p_top10'])}，进入前30的概率{pct(row['p_top30'])}")
    top = most_important(c.sobol)
    groups = "、".join(c.sobol.index)
    k = len(c.sobol)
    if top is None or k < 2:
        note = c.sobol.attrs.get("note", "")
        return text + (f"；{note}" if note else "") + "。"
    head = f"{'三' if k == 3 else '两'}类不确定性（{groups}）中"
    st = c.sobol.sort_values("ST", ascending=False)
    close = [g for g, r in st.iloc[1:].iterrows() if r["ST"] + r["ST_conf"] >= top[1] - st["ST_conf"].iloc[0]]
    tail = f"，但与{'、'.join(close)}的差别在95%置信区间之内，难分高下" if close else ""
    return text + f"；{head}，{top[0]}对排名影响最大（总效应指数{num(top[1], 2)}{tail}）。"


def combined_text(c) -> str:
    """The 综合不确定性 section of the sensitivity text (also ``str(Combined)``)."""
    s = c.settings
    row = c.table.loc[c.county]
    if s["method"] == "dirichlet":
        how = "权重按Dirichlet分布抽样（归一到100分）"
    else:
        how = f"权重均匀±{s['spread']:.0%}（归一到100分）" if s["spread"] > 0 else "权重固定为评价办法的分值"
    parts = [f"{s['reading_count']}种解读等概率" if s["readings"] else "解读固定为所选解读", how]
    if c.measures:
        e = f"{s['input_error']:g}"
        parts.append(f"本县功效系数法指标所用{len(c.measures)}项数据各×U(1−{e}, 1+{e})"
                     "（变动后仍在允许范围内：比率不超过100%，个数取整）")
    elif s["input_error"] > 0:
        parts.append("本县没有可变动的功效系数法数据（缺失或为0），数据误差不起作用")
    lines = [f"综合不确定性（{uncertain(c)}；{s['draws']}次抽样，随机种子{s['seed']}）：",
             "  " + "；".join(parts),
             f"  总分 基准 {row['nominal']:.2f}，中位数 {row['total_median']:.2f}，90%区间 "
             f"{num(row['total_p05'])}～{num(row['total_p95'])}",
             f"  排名 基准 {int(row['nominal_rank'])}，中位数 {int(row['rank_median'])}，90%区间 "
             f"{int(row['rank_p05'])}～{int(row['rank_p95'])}；进入前10的概率 {row['p_top10']:.1%}，"
             f"进入前30的概率 {row['p_top30']:.1%}",
             f"  分组Sobol指数（对本县排名，N={s['sobol_n']}，95%置信区间）："]
    if c.sobol.attrs.get("note"):
        lines.append(f"    说明：{c.sobol.attrs['note']}")
    for name, r in c.sobol.iterrows():
        lines.append(f"    {name}：总效应 {num(r['ST'], 3)}±{r['ST_conf']:.3f}，一阶 {num(r['S1'], 3)}±{r['S1_conf']:.3f}")
    lines.append("  " + c.summary())
    return "\n".join(lines)
