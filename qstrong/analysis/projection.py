"""Trend projections toward 2025: every county's measures extrapolated, scored, with a band.

Choice rule (per county and numeric measure — kinds count, number, percent — over the panel's years):

* fewer than three years with a value → **flat** (the last value carried), with a note;
* otherwise two least-squares fits on (year, value): **linear** ``a + b·t`` and **compound**
  growth ``exp(a + b·t)`` (OLS on log values, only when every value is > 0); **compound** is chosen
  when every value is positive and its sum of squared errors *in the original scale* is lower than
  the linear fit's (by more than float noise, 1e-12·(1 + Σy²)); else **linear**.

Bool and level measures are carried flat from the last year (``carry``). ``*_prev`` measures whose
base id exists are not fitted: in projected year Y they equal the base's value (actual or projected)
of Y−1 (``prev``). Projected values are clipped to the measure's allowed range, counts rounded to
whole numbers, and ``left <= right`` catalog constraints kept (q23).

Band: a 95 % prediction interval from the fit's residuals, ``±1.96·σ·sqrt(1 + 1/n + (t − t̄)²/Sxx)``
with σ² = SSE/(n − 2) — in the original scale for linear, in log scale (then exponentiated) for
compound; zero width for a perfect fit; no band for flat/carried values.

Score band: ``draws`` samples of the county's projected numeric measures (normal in the fitted scale
with sd = half-band/1.96, seeded, clipped admissible; ``_prev`` follows the drawn base of Y−1), all
scored in one ``score_arrays`` call per year with the peers at their central values; the band is the
5 %/95 % quantiles of the total, widened if needed to contain the central total.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..benchmark import Benchmark, benchmark, is_synthetic
from ..config import ScoringConfig
from ..errors import InputError
from ..panel import Panel
from ..params import check_memory, check_params, param_problems
from ..scoring import score_arrays, score_panel

Z = 1.96
HORIZON = 30         # years beyond the panel's last year a projection may reach
NUMERIC = ("count", "number", "percent")
METHOD_ZH = {"linear": "线性趋势", "compound": "复合增长", "flat": "持平（不足三年数据）",
             "carry": "沿用最后一年（是/否、等级）", "prev": "取基数上一年值", "actual": "实际值"}
RULE_ZH = ("选择规则：有三年及以上数据时，若各年数值均为正且复合增长拟合的误差平方和（原始尺度）小于线性拟合，"
           "取复合增长，否则取线性趋势；不足三年按最后一年持平；是/否与等级类沿用最后一年；"
           "“上一年”数据项取基数上一年的值。区间为95%预测区间。")
_CODES = ("flat", "linear", "compound")


def _ols(tt: np.ndarray, v: np.ndarray, w: np.ndarray):
    """Closed-form OLS of v on tt for every row (weights w = 1 where present)."""
    n = w.sum(-1)
    tbar = (w * tt).sum(-1) / n
    dt = np.where(w, tt - tbar[:, None], 0.0)
    sxx = (dt ** 2).sum(-1)
    b = (dt * np.where(w, v, 0.0)).sum(-1) / sxx
    a = (np.where(w, v, 0.0)).sum(-1) / n - b * tbar
    return a, b, tbar, sxx


def fit_trends(t: np.ndarray, y: np.ndarray, tf: np.ndarray) -> dict[str, np.ndarray]:
    """Fit rows of y (K × T, NaN = missing) on years t (T,) and predict years tf (F,).

    Returns method codes (0 flat, 1 linear, 2 compound), n, central/lower/upper (K × F) and, for the
    draws, the centre and sd in the fitted scale (log for compound)."""
    w = ~np.isnan(y)
    n = w.sum(-1)
    k = y.shape[0]
    tt, tf = t - t[-1], (tf - t[-1])[None, :]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        a, b, tbar, sxx = _ols(tt, y, w)
        y0 = np.where(w, y, 0.0)
        scale = 1e-12 * (1.0 + (y0 ** 2).sum(-1))
        sse_l = (np.where(w, y - (a[:, None] + b[:, None] * tt), 0.0) ** 2).sum(-1)
        pos = (n >= 3) & np.all(~w | (y > 0), axis=-1)
        ly = np.log(np.where(w & (y > 0), y, 1.0))
        a2, b2, _, _ = _ols(tt, ly, w)
        sse_c = (np.where(w, y - np.exp(a2[:, None] + b2[:, None] * tt), 0.0) ** 2).sum(-1)
        sse_log = (np.where(w, ly - (a2[:, None] + b2[:, None] * tt), 0.0) ** 2).sum(-1)
        code = np.where(n >= 3, np.where(pos & (sse_c < sse_l - scale), 2, 1), 0)
        sse_l = np.where(sse_l <= scale, 0.0, sse_l)
        sse_log = np.where(sse_log <= 1e-12 * (1.0 + (ly ** 2).sum(-1)), 0.0, sse_log)
        lever = np.sqrt(1.0 + 1.0 / n[:, None] + (tf - tbar[:, None]) ** 2 / sxx[:, None])
        half_l = Z * np.sqrt(sse_l / (n - 2))[:, None] * lever
        half_c = Z * np.sqrt(sse_log / (n - 2))[:, None] * lever
        lin = a[:, None] + b[:, None] * tf
        logc = a2[:, None] + b2[:, None] * tf
    last_idx = t.size - 1 - np.argmax(w[:, ::-1], axis=-1)
    last = np.where(n > 0, y[np.arange(k), last_idx], np.nan)[:, None] * np.ones_like(tf)
    c = code[:, None]
    centre = np.where(c == 2, logc, np.where(c == 1, lin, last))
    sd = np.where(c == 2, half_c, np.where(c == 1, half_l, 0.0)) / Z
    with np.errstate(over="ignore", invalid="ignore"):
        central = np.where(c == 2, np.exp(logc), centre)
        lower = np.where(c == 2, np.exp(logc - Z * sd), central - Z * sd)
        upper = np.where(c == 2, np.exp(logc + Z * sd), central + Z * sd)
    return {"code": code, "n": n, "central": central, "lower": lower, "upper": upper, "centre": centre, "sd": sd}


def _admissible(x: np.ndarray, kinds: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Round counts (kinds == 1) and clip to the allowed range (arrays broadcast by the caller)."""
    x = np.where(kinds == 1, np.round(x), x)
    return np.clip(x, low, high)


@dataclass
class Projection:
    """A county's (and its peers') measures extrapolated to `to_year`, and the scores on trend."""

    county: str
    to_year: int
    actual_years: list[int]
    years: list[int]                 # projected years
    values: pd.DataFrame             # county, year, measure, value, lower, upper, method, note, actual
    totals: pd.DataFrame             # the county: year, total, lower, upper, complete, actual
    base: Panel = field(repr=False)
    config: ScoringConfig = field(repr=False)
    draws: int = 200
    _panel: Panel | None = field(default=None, repr=False)
    benchmark: Benchmark | None = field(default=None, repr=False)

    def panel(self) -> Panel:
        """Actual + projected years (central values) as a Panel (projected rows: source 趋势外推…)."""
        if self._panel is None:
            d = self.base.data
            p = self.values[~self.values["actual"]]
            new = pd.DataFrame({"county": p["county"].to_numpy(), "year": p["year"].to_numpy(),
                                "measure": p["measure"].to_numpy(), "value": p["value"].to_numpy(),
                                "raw": p["value"].round(10).astype(str).to_numpy(), "line": 0})
            if "source" in d.columns:
                last = d.sort_values("year").groupby(["county", "measure"])["source"].last()
                src = last.reindex(pd.MultiIndex.from_arrays([new["county"], new["measure"]])).to_numpy()
                new["source"] = "趋势外推：" + pd.Series(src, dtype=object).fillna("").astype(str)
            self._panel = Panel(pd.concat([d, new], ignore_index=True), self.base.catalog,
                                source=f"{self.base.source}（趋势外推至{self.to_year}年）")
        return self._panel

    def county_values(self) -> pd.DataFrame:
        return self.values[self.values["county"] == self.county]

    def method_counts(self, county: str | None = None) -> pd.Series:
        v = self.values[~self.values["actual"]]
        if county is not None:
            v = v[v["county"] == county]
        return v.drop_duplicates(["county", "measure"])["method"].value_counts()

    def flat_measures(self) -> list[str]:
        v = self.county_values()
        return list(dict.fromkeys(v.loc[(v["method"] == "flat") & ~v["actual"], "measure"]))

    def compare(self, scenarios, year: int | None = None):
        """scenarios.Comparison on the projected panel at `year` (default to_year): trend = 基线, against
        the same benchmark's counties (in the projected year)."""
        from .scenarios import compare

        year = year or self.to_year
        bench = replace(self.benchmark, panel=self.panel(), year=int(check_params(year=year)["year"]),
                        imputation=None)
        return compare(bench, scenarios=list(scenarios))

    def with_scenario(self, scenario, year: int | None = None) -> dict:
        """The total at `year` on trend versus with `scenario` applied to the projected panel."""
        cmp = self.compare([scenario], year)
        name = cmp.scenarios[0].name
        ind = pd.DataFrame({"trend": cmp.scores["基线"], "scenario": cmp.scores[name]})
        ind["delta"] = ind["scenario"] - ind["trend"]
        s = cmp.summary
        return {"scenario": name, "year": cmp.year, "trend": float(s.loc["基线", "total"]),
                "with_scenario": float(s.loc[name, "total"]), "delta": float(s.loc[name, "delta"]),
                "indicators": ind, "unmapped": list(cmp.scenarios[0].unmapped), "comparison": cmp}

    def to_frame(self) -> pd.DataFrame:
        return self.values

    @property
    def synthetic(self) -> bool:
        return any(is_synthetic(s) for y in self.actual_years for s in self.base.sources(y))

    def __str__(self) -> str:
        from ..display import pad

        n_peers = self.values["county"].nunique() - 1
        lines = [self.benchmark.describe(), f"{self.county} 质量强县评价得分趋势外推（至{self.to_year}年；对标县{n_peers}个；"
                 f"得分区间由{self.draws}次抽样计算）", ""]
        lines.append(f"{pad('年份', 6)}{pad('总分', 9, True)}  {pad('区间（5%–95%）', 18)}说明")
        for r in self.totals.itertuples():
            band = "" if r.actual else f"{r.lower:.2f}–{r.upper:.2f}"
            kind = "实际得分" if r.actual else "趋势外推"
            lines.append(f"{pad(str(r.year), 6)}{r.total:>9.2f}  {pad(band, 18)}{kind}"
                         + ("" if r.complete else "（有指标缺数据）"))
        if not self.years:
            lines.append(f"面板已有至{self.actual_years[-1]}年的数据，无需外推。")
        counts = self.method_counts(self.county)
        lines += ["", "外推方法（本县各数据项）：" + "，".join(f"{METHOD_ZH[m]}{k}项" for m, k in counts.items())]
        allc = self.method_counts()
        lines.append("全部县（含对标县）：" + "，".join(f"{METHOD_ZH[m]}{k}项" for m, k in allc.items()))
        flat = self.flat_measures()
        if flat:
            names = self.base.catalog.measures
            lines.append(f"不足三年数据、按最后一年持平外推：{'、'.join(f'{names[m].name_zh}（{m}）' for m in flat)}")
        lines.append(RULE_ZH)
        if self.synthetic:
            lines.append("注意：基础数据含示例/合成数据（示例数据），外推结果仅供演示。")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html

        head = f"<h4>{html.escape(self.county)} 得分趋势外推至{self.to_year}年</h4><pre>{html.escape(str(self))}</pre>"
        return head + self.totals.round(2).to_html(index=False)


def project(panel: Benchmark | Panel | pd.DataFrame | str, county: str | None = None, to_year: int = 2025,
            peers=None, config: ScoringConfig | Mapping | None = None, draws: int = 200, seed: int = 0) -> Projection:
    """Project `county` and every peer to `to_year` (see the module docstring for the rules).

    `to_year` must lie after the panel's last year and at most 30 years after it; `draws` and `seed` as
    declared in ``qstrong.params``; every bad value is listed, and the draws' memory is checked first."""
    parsed, early = param_problems(to_year=to_year, draws=draws, seed=seed)
    if early and "to_year" not in parsed:
        raise InputError(early, "参数有{n}处问题")
    bench = benchmark(panel, county, None, peers, config)   # --to is checked against its last year,
    county, panel, config, cat = bench.county, bench.panel, bench.config, bench.panel.catalog
    last = panel.years[-1]                                  # with the other values, all listed together
    v = check_params({"to_year": (last + 1, last + HORIZON)}, to_year=to_year, draws=draws, seed=seed)
    to_year, draws, seed = v["to_year"], v["draws"], v["seed"]
    ayears = panel.years
    fyears = list(range(ayears[-1] + 1, int(to_year) + 1))
    mids = list(cat.measures)
    meas = [cat.measures[m] for m in mids]
    counties = panel.counties
    C, M, T, F = len(counties), len(mids), len(ayears), len(fyears)
    d = panel.data
    ci = pd.Index(counties).get_indexer(d["county"])
    mi = pd.Index(mids).get_indexer(d["measure"])
    ti = pd.Index(ayears).get_indexer(d["year"])
    A = np.full((C, M, T), np.nan)
    A[ci, mi, ti] = d["value"].to_numpy(float)

    kinds = np.array([1 if m.kind == "count" else 0 for m in meas])
    low = np.array([-np.inf if m.low is None else m.low + (1e-9 if m.low_open else 0.0) for m in meas])
    high = np.array([np.inf if m.high is None else m.high for m in meas])
    prev = {j: mids.index(m[:-5]) for j, m in enumerate(mids) if m.endswith("_prev") and m[:-5] in cat.measures}
    num = np.array([m.kind in NUMERIC and j not in prev for j, m in enumerate(meas)])

    check_memory(draws * (M * F * 8 * 5 + C * 8 * (M + 43 * 3)), f"外推{F}年的{draws:,}次抽样（{C}个县、{M}个数据项）",
                 "请减少 --draws 或缩短外推年限（--to）")
    t, tf = np.array(ayears, float), np.array(fyears, float)
    K = int(num.sum())
    fit = fit_trends(t, A[:, num, :].reshape(-1, T), tf)
    P = np.full((C, M, F), np.nan)
    sd = np.zeros((C, M, F))
    centre = np.full((C, M, F), np.nan)
    method = np.full((C, M), "carry", dtype=object)
    P[:, num] = fit["central"].reshape(C, K, F)
    lo, up = P.copy(), P.copy()
    lo[:, num], up[:, num] = fit["lower"].reshape(C, K, F), fit["upper"].reshape(C, K, F)
    sd[:, num], centre[:, num] = fit["sd"].reshape(C, K, F), fit["centre"].reshape(C, K, F)
    code = fit["code"].reshape(C, K)
    method[:, num] = np.array(_CODES, dtype=object)[code]
    nyears = np.zeros((C, M), int)
    nyears[:, num] = fit["n"].reshape(C, K)
    # bool / level: the last value present
    w = ~np.isnan(A)
    last = np.take_along_axis(A, (T - 1 - np.argmax(w[..., ::-1], axis=-1))[..., None], -1)[..., 0]
    other = ~num & ~np.isin(np.arange(M), list(prev))
    P[:, other] = lo[:, other] = up[:, other] = last[:, other, None]
    is_comp = np.broadcast_to((method == "compound")[..., None], P.shape)

    def clip(x):
        return _admissible(x, kinds[:, None], low[:, None], high[:, None])

    def prev_fill(X, actual_last):
        for j, jb in prev.items():
            X[..., j, 0] = actual_last[..., jb]
            X[..., j, 1:] = X[..., jb, :-1]

    def constrain(X):
        for c in cat.constraints:
            if c.op in ("<=", "<") and c.left in cat.measures and c.right in cat.measures:
                jl, jr = mids.index(c.left), mids.index(c.right)
                X[..., jl, :] = np.fmin(X[..., jl, :], X[..., jr, :])

    P, lo, up = clip(P), clip(lo), clip(up)
    if F:
        for X in (P, lo, up):
            prev_fill(X, A[:, :, -1])
            constrain(X)
    for j in prev:
        method[:, j] = "prev"

    note = np.full((C, M), "", dtype=object)
    flat = (method == "flat") & (nyears > 0)
    note[flat] = "不足三年数据（" + nyears[flat].astype(str).astype(object) + "年），按最后一年持平"
    for j, jb in prev.items():
        note[:, j] = f"取{mids[jb]}上一年的值"

    # long values: actual then projected
    ca, ma, ta = np.nonzero(~np.isnan(A))
    av = A[ca, ma, ta]
    cp, mp, tp = np.nonzero(~np.isnan(P))
    cn, mn = np.array(counties, dtype=object), np.array(mids, dtype=object)
    values = pd.concat([
        pd.DataFrame({"county": cn[ca], "year": np.array(ayears)[ta], "measure": mn[ma], "value": av,
                      "lower": av, "upper": av, "method": "actual", "note": "", "actual": True}),
        pd.DataFrame({"county": cn[cp], "year": np.array(fyears, int)[tp], "measure": mn[mp],
                      "value": P[cp, mp, tp], "lower": lo[cp, mp, tp], "upper": up[cp, mp, tp],
                      "method": method[cp, mp], "note": note[cp, mp], "actual": False}),
    ], ignore_index=True)

    proj = Projection(county, int(to_year), ayears, fyears, values, pd.DataFrame(), panel, config, draws,
                      benchmark=bench)
    full = proj.panel()
    rows = []
    k = counties.index(county)
    dr = _draws(A[k], P[k], centre[k], sd[k], is_comp[k], method[k], draws, seed, clip, prev, constrain, F)
    for y in ayears + fyears:
        ps = score_panel(full, y, config)
        if county not in ps.counties:  # an actual year without the county's data (e.g. only its latest year)
            continue
        total, complete = float(ps.totals[county]), bool(ps.complete[county])
        lower = upper = total
        if y in fyears and draws:
            f = fyears.index(y)
            wide = full.wide(y)
            i = list(wide.index).index(county)
            env = {m: np.broadcast_to(wide[m].to_numpy(), (draws, len(wide))) for m in wide.columns}
            for j in np.nonzero(np.any((dr[:, :, f] != P[k, :, f]) & ~np.isnan(P[k, :, f]), axis=0))[0]:
                arr = env[mids[j]].copy()
                arr[:, i] = dr[:, j, f]
                env[mids[j]] = arr
            tot = np.nansum(score_arrays(env, config, cat)[:, i, :], axis=-1)
            q5, q95 = np.quantile(tot, [0.05, 0.95])
            lower, upper = min(float(q5), total), max(float(q95), total)
        rows.append({"year": y, "total": total, "lower": lower, "upper": upper, "complete": complete,
                     "actual": y in ayears})
    proj.totals = pd.DataFrame(rows)
    return proj


def _draws(a, p, centre, sd, comp, method, draws, seed, clip, prev, constrain, F) -> np.ndarray:
    """draws × measures × projected years for one county: fitted-scale normal, admissible."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((draws, *p.shape))
    fitted = np.isin(method, ("linear", "compound"))[:, None] & (sd > 0)
    with np.errstate(over="ignore", invalid="ignore"):
        x = np.where(comp, np.exp(centre + z * sd), centre + z * sd)
    out = np.where(fitted, clip(x), p)
    if F:
        for j, jb in prev.items():
            out[:, j, 0] = p[j, 0]
            out[:, j, 1:] = out[:, jb, :-1]
        constrain(out)
    return out
