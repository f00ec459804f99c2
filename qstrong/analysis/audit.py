"""Statistical audit of the index over the benchmark's counties, after the JRC's practice (COINr).

Definitions follow COINr (https://search.r-project.org/CRAN/refmans/COINr/): ``get_stats`` (skew as
e1071 ``type = 2``, i.e. Excel's SKEW; kurtosis as Excel's KURT, the excess kurtosis; outlier flag when
|skew| > 2 and kurtosis > 3.5), ``get_corr`` (Pearson or Spearman, pairwise complete; an indicator
against its parent's aggregate), ``get_cronbach`` (α = k/(k−1)·(1 − Σσᵢ²/σ²_sum), sample variances, complete
cases) and ``get_PCA`` (principal components of the standardised indicators, i.e. of the correlation matrix).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..benchmark import Benchmark
from ..efficacy import POLICY_ZH
from ..scoring import num
from .audit_raw import column_stats, raw_audit, raw_lines

COLLINEAR = 0.92
COMPONENTS = 3
SAME = 0.9                       # share of counties at one value for “几乎相同”
FEW = 10                         # fewer counties: the figures are said to be unstable
MIN_N = 5                        # fewer counties (or complete pairs): no correlation, α, PCA or importance
AVAIL = 0.65                     # COINr get_stats' t_avail: below it an indicator is left out of the claims
NEGATIVE = -0.4                  # COINr get_corr_flags(cor_thresh = -0.4, thresh_type = "low"): JRC negative flag
RAW_HEADERS = {"available": "数据可得率", "mean": "均值", "sd": "标准差", "min": "最小值", "max": "最大值", "skew": "偏度",
               "kurtosis": "峰度", "distinct": "不同取值数", "outlier": "离群（|偏度|>2且峰度>3.5）"}


def indicator_stats(scores: pd.DataFrame, points: pd.Series) -> pd.DataFrame:
    """Per column (indicator): COINr ``get_stats``' figures (:func:`.audit_raw.column_stats`) plus the
    shares at full points and at zero."""
    avail = scores.notna().sum()
    out = column_stats(scores)
    out["full_share"] = scores.ge(points.reindex(scores.columns).to_numpy() - 1e-9).sum() / avail.where(avail > 0)
    out["zero_share"] = scores.eq(0).sum() / avail.where(avail > 0)
    out = out[["available", "mean", "sd", "min", "max", "skew", "kurtosis", "full_share", "zero_share", "distinct",
               "outlier"]]
    out.index.name = "indicator"
    return out


def cronbach(items: pd.DataFrame, min_rows: int = 2) -> float:
    """Cronbach's α of the columns over complete rows: k/(k−1)·(1 − Σσᵢ²/σ²_sum), sample variances
    (COINr ``get_cronbach``). NaN with fewer than two items, fewer than `min_rows` complete rows or a constant sum."""
    x = items.dropna().to_numpy(float)
    k = x.shape[1]
    if k < 2 or len(x) < max(2, min_rows):
        return float("nan")
    total_var = x.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total_var))


def pca_shares(items: pd.DataFrame, components: int = COMPONENTS, min_rows: int = 2) -> np.ndarray:
    """Explained-variance shares of the first principal components of the standardised columns (the
    eigenvalues of their correlation matrix over complete rows, as COINr ``get_PCA``); constant columns
    are left out (they carry no variance). Shorter than `components` when fewer columns vary."""
    x = items.dropna().to_numpy(float)
    if len(x) < max(2, min_rows):
        return np.array([])
    x = x[:, x.std(axis=0, ddof=1) > 0]
    if x.shape[1] == 0:
        return np.array([])
    eig = np.linalg.eigvalsh(np.atleast_2d(np.corrcoef(x, rowvar=False)))[::-1].clip(min=0)
    return (eig / eig.sum())[:components]


def importance(scores: pd.DataFrame, total: pd.Series, use: pd.Series | None = None) -> pd.Series:
    """Main-effect importance on the total: squared Pearson correlation with it, normalised to sum to 1
    (the JRC's weights-vs-importance reading); a constant indicator has importance 0, one outside `use`
    (too little data) NaN."""
    r2 = scores.corrwith(total).pow(2).fillna(0.0)
    r2[scores.nunique() <= 1] = 0.0
    if use is not None:
        r2[~use.reindex(r2.index, fill_value=False)] = np.nan
    s = r2.sum()
    return (r2 / s if s > 0 else r2).rename("importance")


def enough_data(scores: pd.DataFrame) -> pd.Series:
    """Per indicator: available in at least ``AVAIL`` of the counties (COINr ``get_stats``' t_avail) and in at
    least ``MIN_N`` of them — the indicators the audit's claims are made on."""
    count = scores.notna().sum()
    return (count >= AVAIL * len(scores)) & (count >= MIN_N)


def _pairs(corr: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """Upper-triangle pairs of `corr` where `mask` holds, as rows (a, b, r)."""
    iu = np.triu(np.ones(corr.shape, dtype=bool), 1) & mask
    a, b = np.nonzero(iu)
    return pd.DataFrame({"a": corr.index[a], "b": corr.columns[b], "r": corr.to_numpy()[a, b]})


@dataclass
class Audit:
    """The audit: statistics, correlations, α, PCA and importance of the 43 indicators over the counties, and
    the statistics of the efficacy indicators' raw values with their outlier counties."""

    benchmark: Benchmark
    stats: pd.DataFrame          # indicator × statistics (``enough``: the claims are made on it)
    pearson: pd.DataFrame        # indicator × indicator
    spearman: pd.DataFrame
    parents: pd.DataFrame        # indicator × (r with level2, level1, total; Pearson and Spearman)
    collinear: pd.DataFrame      # a, b, r (Pearson > 0.92, both with enough data)
    negative: pd.DataFrame       # a, b, r, group (Pearson < −0.4 inside a level-2 group, both with enough data)
    alpha: pd.DataFrame          # level, group, k, alpha, complete (counties with every item)
    pca: pd.DataFrame            # level1 × PC1..PC3 explained shares
    weights: pd.DataFrame        # indicator × (points, weight, importance, ratio)
    raw: pd.DataFrame            # efficacy component × statistics of its raw values (audit_raw.raw_audit)
    raw_outliers: pd.DataFrame   # variable, indicator, name, county, value, side, d
    groups: pd.DataFrame         # indicator × (level1, level2, points), catalog order

    def summary(self) -> str:
        """What the audit means, in Chinese: which indicators drive the ranking, which are inert or redundant."""
        n = self.benchmark.n
        lines = [f"统计审计（{n}个县（市、区），43项三级指标得分）"]
        if n < MIN_N:
            return "\n".join(lines + [
                f"对标县（市、区）只有{n}个：统计审计要比较多个县（市、区）的得分，至少需要{MIN_N}个，"
                "本次不作相关性、克朗巴哈α、主成分、重要性和离群判断"])
        if n < FEW:
            lines.append(f"提醒：对标县（市、区）少于{FEW}个，相关系数、α和重要性很不稳定，仅供参考")
        enough = self.stats["enough"].astype(bool)
        count = self.benchmark.scores.scores.notna().sum()
        if (~enough).any():
            lines.append(f"以下指标数据不足（有值的县少于{AVAIL:.0%}或少于{MIN_N}个，COINr的可得率标准），不参与"
                         "重要性、高度相关、负相关和离群判断：" + "；".join(
                             f"指标{i}数据不足（{n}个县中仅{count[i]}个有值）" if count[i] else f"指标{i}数据不足（{n}个县均无值）"
                             for i in self.stats.index[~enough]))
        lines.append(f"相关系数只在两项指标都有值的县不少于{MIN_N}个时计算")
        w = self.weights[enough]
        top = w.sort_values("importance", ascending=False).head(5)
        if top.empty or not (top["importance"] > 0).any():
            lines.append("没有数据充足且各县得分有差异的指标，无法判断哪些指标对排名影响最大")
        else:
            lines.append("对排名影响最大的指标：" + "；".join(
                f"指标{i}（{p:g}分，重要性{imp:.1%}，名义权重{wt:.0%}）"
                for i, p, imp, wt in zip(top.index, top["points"], top["importance"], top["weight"], strict=True)))
            own = self.benchmark.scores.scores.loc[self.benchmark.county]
            lines.append(f"{self.benchmark.county}在这些指标上的得分：" + "；".join(
                f"指标{i} {own[i]:g}/{p:g}分" if pd.notna(own[i]) else f"指标{i} 缺数据"
                for i, p in zip(top.index, top["points"], strict=True)))
        inert = w[w["importance"] < w["weight"] / 4].sort_values("points", ascending=False)
        scores = self.benchmark.scores.scores
        squeezed = self.raw[self.raw["outlier"] & (self.raw["policy"] == "minmax")]
        for i, row in inert.head(8).iterrows():
            mode = scores[i].value_counts(normalize=True).max() if scores[i].notna().any() else 1.0
            same = ("各县得分完全相同" if self.stats.loc[i, "distinct"] <= 1 else "各县得分几乎相同" if mode >= SAME
                    else "各县得分高低与总分关系很弱")
            who = "、".join(dict.fromkeys(c + ("（本县）" if c == self.benchmark.county else "")
                                          for t in squeezed.loc[squeezed["indicator"] == i, "outliers"]
                                          for c in t.split("、") if c))
            why = f"（原始数值中{who}离群，标杆由离群值决定，其余各县得分被压缩）" if who else ""
            lines.append(f"指标{i}的分值为{row['points']:g}分，但{same}{why}，对排名影响很小")
        if len(inert) > 8:
            lines.append(f"另有{len(inert) - 8}项指标对排名的影响远小于其分值")
        for a, b, r in self.collinear.head(8).itertuples(index=False):
            lines.append(f"指标{a}与指标{b}高度相关（r={num(r)}），信息重复")
        if self.collinear.empty:
            lines.append(f"未发现高度相关（r>{COLLINEAR}）的指标对")
        neg = f"r<{num(NEGATIVE, 1)}，COINr get_corr_flags的负相关标准"
        if len(self.negative):
            lines.append(f"同一二级指标内明显负相关（{neg}）：" + "；".join(
                f"指标{a}与指标{b}（r={num(r, 3)}）"
                for a, b, r, _ in self.negative.sort_values("r").head(8).itertuples(index=False)))
        else:
            lines.append(f"同一二级指标内未发现明显负相关（{neg}）")
        out = self.stats.index[self.stats["outlier"] & enough]
        if len(out):
            lines.append("存在离群值（|偏度|>2且峰度>3.5）的指标：" + "、".join(f"指标{i}" for i in out))
        a1 = self.alpha[self.alpha["level"] == "level1"]
        if len(a1):
            lines.append("一级指标内部一致性（克朗巴哈α）：" + "；".join(
                f"{g} {alpha_text(a, k, c)}" for g, a, k, c in zip(a1["group"], a1["alpha"], a1["k"], a1["complete"],
                                                                  strict=True)))
        raw_n = self.raw["available"] * len(self.benchmark.scores.scores)
        raw = self.raw[(self.raw["available"] >= AVAIL) & (raw_n >= MIN_N - 1e-9)]
        return "\n".join(lines + raw_lines(raw, self.raw_outliers, self.benchmark.county))

    def __str__(self) -> str:
        return self.benchmark.describe() + "\n" + self.summary()

    def frames(self) -> dict[str, pd.DataFrame]:
        """The tables for people, Chinese headers, one per sheet."""
        st = self.stats.rename(columns={**RAW_HEADERS, "full_share": "满分占比", "zero_share": "零分占比",
                                        "enough": f"数据充足（可得率≥{AVAIL:.0%}）"})
        par = self.parents.rename(columns={
            "pearson_level2": "与二级指标相关（Pearson）", "pearson_level1": "与一级指标相关（Pearson）",
            "pearson_total": "与总分相关（Pearson）", "spearman_level2": "与二级指标相关（Spearman）",
            "spearman_level1": "与一级指标相关（Spearman）", "spearman_total": "与总分相关（Spearman）"})
        pair = {"a": "指标甲", "b": "指标乙", "r": "相关系数", "group": "二级指标"}
        alpha = self.alpha.replace({"level": {"level1": "一级指标", "level2": "二级指标"}}).rename(
            columns={"level": "层级", "group": "指标组", "k": "指标数", "alpha": "克朗巴哈α", "complete": "各项都有值的县数"})
        pca = self.pca.rename(columns=lambda c: f"第{c[2:]}主成分解释方差占比")
        pca.index.name = "一级指标"
        wt = self.weights.rename(columns={"points": "分值", "weight": "名义权重", "importance": "重要性",
                                          "ratio": "重要性/名义权重"})
        corr = self.pearson.copy()
        corr.index.name = "指标"
        sp = self.spearman.copy()
        sp.index.name = "指标"
        for f in (st, par, wt):
            f.index.name = "指标"
        def listed(df: pd.DataFrame, none: str) -> pd.DataFrame:
            return df.rename(columns=pair) if len(df) else pd.DataFrame({"说明": [none]})

        return {"指标统计": st, "与上级相关": par, "Pearson相关": corr, "Spearman相关": sp,
                "高度相关": listed(self.collinear, f"没有相关系数大于{COLLINEAR}的指标对"),
                "组内负相关": listed(self.negative, f"同一二级指标内没有相关系数小于{num(NEGATIVE, 1)}的指标对"),
                "克朗巴哈α": alpha, "主成分分析": pca, "重要性与权重": wt, **self.raw_frames()}

    def raw_frames(self) -> dict[str, pd.DataFrame]:
        """The efficacy raw values' sheets, Chinese headers: statistics per component, outlier counties."""
        raw = self.raw.drop(columns=["base", "span"]).replace({"policy": POLICY_ZH}).rename(columns={
            "indicator": "指标", "component": "计分数值", "name": "名称", "policy": "标杆取法",
            "zero_base": "上年为0的增长（个）", **RAW_HEADERS,
            "outliers": "离群县（市、区）", "resolved": "缩尾后不再偏态",
            "others_low": "其余县最低d", "others_high": "其余县最高d"})
        raw.index.name = "变量"
        out = self.raw_outliers.replace({"side": {"high": "偏高", "low": "偏低"}}).rename(columns={
            "variable": "变量", "indicator": "指标", "name": "名称", "county": "县（市、区）", "value": "数值",
            "side": "方向", "d": "功效系数d"})
        if out.empty:
            out = pd.DataFrame({"说明": ["功效系数法指标的原始数值均无离群值（|偏度|>2且峰度>3.5）"]})
        return {"功效系数原始值": raw, "原始值离群县": out}

    def to_dict(self) -> dict:
        def rec(df: pd.DataFrame, index: bool = True) -> list[dict]:
            d = df.reset_index() if index else df
            return json_safe(d.to_dict(orient="records"))

        return {"benchmark": self.benchmark.to_dict(), "stats": rec(self.stats), "parents": rec(self.parents),
                "collinear": rec(self.collinear, False), "negative": rec(self.negative, False),
                "alpha": rec(self.alpha, False), "pca": rec(self.pca), "weights": rec(self.weights),
                "raw_stats": rec(self.raw), "raw_outliers": rec(self.raw_outliers, False), "summary": self.summary()}


def alpha_text(alpha: float, k: int, complete: int) -> str:
    """α as said: the number, or why it could not be computed."""
    if pd.notna(alpha):
        return num(alpha)
    if k < 2:
        return "无法计算：只有1项指标"
    if complete == 0:
        return "无法计算：没有各项都有值的县"
    if complete < MIN_N:
        return f"无法计算：各项都有值的县只有{complete}个（至少需要{MIN_N}个）"
    return "无法计算：各县合计得分相同"


def json_safe(rows: list[dict]) -> list[dict]:
    """NaN as None, numpy scalars as Python ones."""
    def v(x):
        if isinstance(x, (np.floating, float)):
            return None if np.isnan(x) else float(x)
        if isinstance(x, np.integer):
            return int(x)
        if isinstance(x, np.bool_):
            return bool(x)
        return x
    return [{str(k): v(x) for k, x in r.items()} for r in rows]


def _parents(scores: pd.DataFrame, meta: pd.DataFrame, total: pd.Series) -> pd.DataFrame:
    """indicator × r with its level-2 group's sum, its level-1 group's sum and the total, Pearson and Spearman
    (COINr ``get_corr`` against the parent aggregate)."""
    out = {}
    for level in ("level1", "level2"):
        agg = scores.T.groupby(meta[level].to_numpy(), sort=False).sum(min_count=1).T   # counties × groups
        parent = agg[meta[level].to_numpy()].set_axis(scores.columns, axis=1)
        for method in ("pearson", "spearman"):
            x, p = (scores, parent) if method == "pearson" else (scores.rank(), parent.rank())
            out[f"{method}_{level}"] = x.corrwith(p)
    for method in ("pearson", "spearman"):
        x, t = (scores, total) if method == "pearson" else (scores.rank(), total.rank())
        out[f"{method}_total"] = x.corrwith(t)
    return pd.DataFrame(out)[[f"{m}_{lv}" for m in ("pearson", "spearman") for lv in ("level2", "level1", "total")]]


def audit(bench: Benchmark) -> Audit:
    """The statistical audit of `bench`'s counties and their 43 indicator scores."""
    ps = bench.scores
    scores = ps.scores.astype(float)
    cat = bench.panel.catalog
    meta = pd.DataFrame([(i.id, i.level1, i.level2, i.points) for i in cat.indicators],
                        columns=["indicator", "level1", "level2", "points"]).set_index("indicator").reindex(scores.columns)
    total = ps.totals
    stats = indicator_stats(scores, meta["points"])
    enough = enough_data(scores)
    stats["enough"] = enough
    pearson = scores.corr(min_periods=MIN_N)
    spearman = scores.corr(method="spearman", min_periods=MIN_N)
    parents = _parents(scores, meta, total)
    both = enough.to_numpy()[:, None] & enough.to_numpy()[None, :]
    collinear = _pairs(pearson, (pearson > COLLINEAR).to_numpy() & both)
    l2 = meta["level2"].to_numpy()
    negative = _pairs(pearson, (pearson < NEGATIVE).to_numpy() & both & (l2[:, None] == l2[None, :]))
    negative["group"] = meta.loc[negative["a"], "level2"].to_numpy() if len(negative) else []
    alpha = pd.DataFrame([(level, g, len(cols), cronbach(scores[cols], MIN_N), int(scores[cols].notna().all(axis=1).sum()))
                          for level in ("level1", "level2")
                          for g, cols in meta.groupby(level, sort=False).groups.items()],
                         columns=["level", "group", "k", "alpha", "complete"])
    shares = {g: pca_shares(scores[cols], min_rows=MIN_N)
              for g, cols in meta.groupby("level1", sort=False).groups.items()}
    pca = pd.DataFrame({g: pd.Series(v, index=[f"PC{k + 1}" for k in range(len(v))], dtype=float)
                        for g, v in shares.items()}).T
    pca.index.name = "level1"
    imp = importance(scores, total, enough)
    weights = pd.DataFrame({"points": meta["points"], "weight": meta["points"] / meta["points"].sum(),
                            "importance": imp})
    weights["ratio"] = weights["importance"] / weights["weight"]
    raw, raw_out = raw_audit(ps)
    return Audit(bench, stats, pearson, spearman, parents, collinear, negative, alpha, pca, weights, raw, raw_out,
                 meta)
