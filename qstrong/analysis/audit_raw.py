"""The audit's efficacy raw values: COINr ``get_stats`` figures of the values 功效系数法 scores (the x the
goalposts are taken on: a rate, a growth, a change — what ``explain`` shows), and the counties that are
outliers, named.

Outlier counties follow COINr's default treatment (``winsorise``, https://search.r-project.org/CRAN/refmans/
COINr/html/winsorise.html): while a value set fails the JRC rule (|skew| > 2 and kurtosis > 3.5), the most
extreme value on the side of the skew is reassigned the next value, at most ``WINMAX`` times; the
counties so treated are the outliers. With min/max goalposts such a county sets x_h (or x_s) alone, and
every other county's d is squeezed into a small part of base…base + span.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from ..efficacy import POLICY_ZH, Coefficient, EfficacySettings
from ..measures import fmt_num
from ..rules.efficacy import Component, Efficacy
from ..scoring import PanelScores, num

SKEW_LIMIT, KURT_LIMIT = 2.0, 3.5
WINMAX = 5                       # COINr winsorise(): at most this many steps


def column_stats(frame: pd.DataFrame) -> pd.DataFrame:
    """Per column, COINr ``get_stats``' figures: availability, mean, sd, min, max, skew, kurtosis (pandas'
    bias-corrected G1/G2: Excel's SKEW/KURT, e1071 ``type = 2``), distinct values, and the JRC outlier
    flag (|skew| > 2 and kurtosis > 3.5). Skew and kurtosis are NaN when sd = 0 (pandas 2 said 0, pandas 3 NaN)."""
    n = len(frame)
    sd = frame.std(ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):     # a constant column: 0/0 (Excel's #DIV/0!)
        skew, kurt = frame.skew().where(sd > 0), frame.kurt().where(sd > 0)
    out = pd.DataFrame({
        "available": frame.notna().sum() / n if n else np.nan,
        "mean": frame.mean(), "sd": sd, "min": frame.min(), "max": frame.max(),
        "skew": skew, "kurtosis": kurt, "distinct": frame.nunique(),
    })
    out["outlier"] = failing(out["skew"], out["kurtosis"])
    return out


def failing(skew, kurtosis):
    """The JRC rule (COINr ``check_SkewKurt``): |skew| > 2 and kurtosis > 3.5 (NaN never fails)."""
    return (abs(skew) > SKEW_LIMIT) & (kurtosis > KURT_LIMIT)


def winsorised(x: np.ndarray, winmax: int = WINMAX) -> tuple[np.ndarray, bool]:
    """(positions treated, whether the values then pass): COINr ``winsorise`` — while |skew| > 2 and
    kurtosis > 3.5, the highest value (skew ≥ 0; else the lowest, ties together) takes the next value;
    at most `winmax` steps. NaN is left out."""
    v = np.asarray(x, dtype=float).copy()
    ok = np.isfinite(v)
    treated = np.zeros(v.shape, dtype=bool)
    for step in range(winmax + 1):
        s = pd.Series(v[ok])
        skew = s.skew()
        if not failing(skew, s.kurt()):
            return treated, True
        if step == winmax:
            break
        high = skew >= 0
        at = ok & (v == (v[ok].max() if high else v[ok].min()))
        rest = v[ok & ~at]
        if rest.size == 0:
            break
        v[at] = rest.max() if high else rest.min()
        treated |= at
    return treated, False


def _efficacy(items, results) -> Iterator[tuple[Component, Coefficient, EfficacySettings]]:
    """Every efficacy component of an indicator's items (groups walked), with its coefficient and settings."""
    for it, res in zip(items, results, strict=True):
        if isinstance(it, Efficacy):
            for c, k in zip(it.components, res.detail["coefs"], strict=True):
                yield c, k, res.detail["settings"]
        elif hasattr(it, "items") and "subs" in res.detail:
            yield from _efficacy(it.items, res.detail["subs"])


def component_name(ind: int, comp: Component, s: EfficacySettings) -> str:
    """指标N and the component's label; a change says its unit when the label does not."""
    label = comp.label
    if comp.is_change and "(" not in label:
        label += "(个百分点)" if s.change == "pp" else "(%)"
    return f"指标{ind} {label}"


def raw_values(ps: PanelScores) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(x, d, gated, meta): counties × efficacy components (key ``N.j``, the j-th component of indicator N) —
    the value scored (NaN where missing or a growth from a zero base counted above every peer), its d,
    and whether it failed the gate (d = 0, no goalpost set); meta per component: indicator, component,
    name, goalposts (``policy``), base, span and the number of growths from a zero base."""
    xs, ds, gs, meta = {}, {}, {}, []
    for ind in ps.catalog.indicators:
        items = ind.items_for(ps.config.variants.get(ind.id))
        for j, (c, k, s) in enumerate(_efficacy(items, ps.results[ind.id]), 1):
            key = f"{ind.id}.{j}"
            xs[key] = k.x
            ds[key], gs[key] = k.d, k.gated_out
            meta.append({"variable": key, "indicator": ind.id, "component": c.label,
                         "name": component_name(ind.id, c, s), "policy": s.goalposts.policy,
                         "base": s.base, "span": s.span, "zero_base": int(k.zero_base.sum())})
    index = pd.Index(ps.counties, name="county")
    cols = pd.Index(list(xs), name="variable")
    x = pd.DataFrame(xs, index=index, columns=cols)
    d = pd.DataFrame(ds, index=index, columns=cols)
    gated = pd.DataFrame(gs, index=index, columns=cols)
    return x, d, gated, pd.DataFrame(meta, columns=["variable", "indicator", "component", "name", "policy", "base", "span",
                                             "zero_base"]).set_index("variable")


def raw_audit(ps: PanelScores) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(stats, outliers) of the efficacy raw values.

    stats, per component: meta, :func:`column_stats`, ``outliers`` (the treated counties, 、-joined),
    ``resolved`` (winsorising them passes the rule; None when not flagged) and, for min/max goalposts, ``others_low``/
    ``others_high`` (the other counties' lowest and highest d: how far the outliers squeeze them).
    outliers, one row per county: variable, indicator, name, county, value, side (high/low), d."""
    x, d, gated, meta = raw_values(ps)
    stats = meta.join(column_stats(x))
    stats = stats.assign(outliers="", resolved=pd.Series(None, index=stats.index, dtype=object),
                         others_low=np.nan, others_high=np.nan)
    rows = []
    for key in stats.index[stats["outlier"]]:
        v = x[key].to_numpy()
        treated, ok = winsorised(v)
        names = x.index[treated]
        median = np.nanmedian(v)
        rows += [{"variable": key, "indicator": meta.at[key, "indicator"], "name": meta.at[key, "name"],
                  "county": c, "value": x.at[c, key], "side": "high" if x.at[c, key] > median else "low",
                  "d": d.at[c, key]} for c in names]
        stats.at[key, "outliers"], stats.at[key, "resolved"] = "、".join(names), ok
        if meta.at[key, "policy"] == "minmax":
            rest = d[key][~treated & ~gated[key].to_numpy()].dropna()
            stats.loc[key, ["others_low", "others_high"]] = rest.min(), rest.max()
    out = pd.DataFrame(rows, columns=["variable", "indicator", "name", "county", "value", "side", "d"])
    return stats, out


def raw_lines(stats: pd.DataFrame, outliers: pd.DataFrame, county: str) -> list[str]:
    """The summary's sentences on the raw values: which are skewed with outliers, which counties (`county`
    said as 本县), and (min/max goalposts) how far the others' d is squeezed."""
    flagged = stats[stats["outlier"]]
    if flagged.empty:
        return ["功效系数法指标的原始数值均无明显离群（|偏度|>2且峰度>3.5）"]
    lines = ["功效系数法指标原始数值偏态且有离群值（|偏度|>2且峰度>3.5；功效系数以最高、最低值为标杆，"
             "一个离群值会压缩其他县的得分差距）："]
    for key, r in flagged.iterrows():
        rows = outliers[outliers["variable"] == key]
        who = "、".join(f"{c}（{'本县，' if c == county else ''}{fmt_num(v, 2)}）"
                       for c, v in zip(rows["county"], rows["value"], strict=True))
        text = f"· {r['name']}：偏度{num(r['skew'])}，峰度{num(r['kurtosis'])}，离群：{who or '—'}"
        if r["policy"] == "minmax" and pd.notna(r["others_high"]):
            high = r["base"] + r["span"]
            text += (f"；其余县（市、区）的d只在{num(r['others_low'], 1)}～{num(r['others_high'], 1)}之间"
                     f"（d本可在{fmt_num(r['base'])}～{fmt_num(high)}之间拉开）")
        elif r["policy"] != "minmax":
            text += f"（标杆按{POLICY_ZH[r['policy']]}，不由离群值决定）"
        if not r["resolved"]:
            text += f"（缩尾{WINMAX}次仍偏态）"
        lines.append(text)
    return lines
