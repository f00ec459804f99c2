"""Sensitivity and uncertainty of a county's score and rank.

* Interpretations — every combination of the engine's configurable readings (goalposts, scale, gated
  rates, indicator 10's change, the catalog's variants of 15 and 38), scored: total and rank under each, the range, the main effects.
* Weights — Monte Carlo over the indicator points (±25 % uniform or Dirichlet, renormalised to 100).
  An indicator's score scales with its points (score × new points / points), so a batch of weight
  vectors is one matrix product over draws × counties × indicators, chunked to bound memory;
  totals = nominal + scores · (ratio − 1), so zero perturbation reproduces the nominal exactly.
* One at a time — each efficacy measure of the county ±10 %, each rule indicator one tier up.
* Combined — the reading, the weights and the county's own inputs uncertain at once (``uncertainty``).
* Sobol — first and total-order indices with bootstrap intervals over the weights or the county's
  input values, by SALib's Saltelli/Sobol sampler and analyser (``sobol_indices``).
Counties lacking an input score 0 on that indicator here (they cannot gain from its weight).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from tqdm import tqdm

from ..benchmark import Benchmark, benchmark
from ..catalog import load_catalog
from ..config import ScoringConfig
from ..efficacy import CHANGE_ZH, Goalposts
from ..params import check_memory, check_params
from ..peers import describe
from ..scoring import score_arrays, score_panel

if TYPE_CHECKING:
    from .uncertainty import Combined

# the grid's options, labelled with the wording of the explanations and the benchmark line (one vocabulary)
GOALPOSTS = {Goalposts(**o).describe(): o for o in ({"policy": "minmax"}, {"policy": "topk", "k": 3},
                                                      {"policy": "quantile", "low": 0.1, "high": 0.9})}
SCALES = {"60/40": (60.0, 40.0), "0/100": (0.0, 100.0)}
GATED = {Goalposts("fixed", 90, 100).describe(): {"policy": "fixed", "low": 90, "high": 100},
         "达标同行" + Goalposts().describe().removeprefix("面板"): {"policy": "minmax"}}
CHANGE10 = {words: code for code, words in CHANGE_ZH.items()}
DIMENSIONS = {"goalposts": "标杆取值", "scale": "分值区间", "gated": "门槛比率标杆", "change10": "指标10变动幅度",
              **{f"variant{ind.id}": f"指标{ind.id}解读" for ind in load_catalog().indicators if ind.variants}}


def variant_options() -> dict[str, dict[str, str | None]]:
    """Per indicator with variants (catalog data): its readings in words → variant name (None: default)."""
    return {f"variant{ind.id}": {ind.reading: None, **{note: name for name, (note, _) in ind.variants.items()}}
            for ind in load_catalog().indicators if ind.variants}


OWN = "所选解读"          # the option label of a dimension whose setting in the chosen reading is none of the grid's


def _choices() -> dict[str, dict[str, object]]:
    """Every dimension of the grid → its options (label → the setting it stands for)."""
    return {"goalposts": GOALPOSTS, "scale": SCALES, "gated": GATED, "change10": CHANGE10, **variant_options()}


def _apply(cfg: ScoringConfig, dim: str, option: object) -> ScoringConfig:
    """`cfg` with one dimension of the grid set to `option` (everything else of `cfg` kept)."""
    gated = [k for k, s in cfg.efficacy.items() if s.gate is not None]
    if dim == "goalposts":
        return cfg.with_efficacy([k for k in cfg.efficacy if k not in gated], goalposts=Goalposts(**option))
    if dim == "scale":
        return cfg.with_efficacy("*", base=option[0], span=option[1])
    if dim == "gated":
        return cfg.with_efficacy(gated, goalposts=Goalposts(**option))
    if dim == "change10":
        return cfg.with_efficacy(10, change=option)
    return cfg.with_variant(int(dim.removeprefix("variant")), option)


def own_choices(base: ScoringConfig) -> dict[str, str]:
    """The grid's label of each dimension as `base` has it (OWN when it has none of the grid's options)."""
    out = {}
    for dim, options in _choices().items():
        same = [label for label, opt in options.items() if _apply(base, dim, opt).to_dict() == base.to_dict()]
        out[dim] = same[0] if same else OWN
    return out


def interpretation_configs(base: ScoringConfig | None = None) -> list[tuple[dict[str, str], ScoringConfig]]:
    """Every combination of the readings (the efficacy settings and the catalog's variants) around `base`
    (default: the engine's), `base` itself first. The grid varies only its dimensions: everything else
    of `base` (zero-base growth, the gate, vetoed peers, any indicator's own setting) is kept in every
    combination. When `base` has a setting the grid does not offer, it comes first labelled OWN there."""
    base = ScoringConfig.default() if base is None else base
    choices = _choices()
    own = own_choices(base)
    out = [(own, base)]
    for combo in itertools.product(*choices.values()):
        labels = dict(zip(choices, combo, strict=True))
        if labels == own:
            continue
        cfg = base
        for dim, label in labels.items():
            cfg = _apply(cfg, dim, choices[dim][label])
        out.append((labels, cfg))
    return out


def ranks(totals: np.ndarray) -> np.ndarray:
    """Rank 1 = best, ties share the best rank ('min'), along the last axis (one argsort per row)."""
    t = np.atleast_2d(totals).reshape(-1, np.shape(totals)[-1])
    n = t.shape[-1]
    order = np.argsort(-t, axis=-1)
    pos = np.broadcast_to(np.arange(1, n + 1, dtype=np.int32), t.shape)
    st = np.take_along_axis(t, order, axis=-1)
    tie = st[:, 1:] == st[:, :-1]
    if tie.any():  # equal totals share the first position of their run
        new = np.ones(t.shape, dtype=bool)
        new[:, 1:] = ~tie
        pos = np.maximum.accumulate(np.where(new, pos, 0), axis=-1)
    out = np.empty(t.shape, dtype=np.int32)
    out[np.arange(t.shape[0])[:, None], order] = pos
    return out.reshape(np.shape(totals))


def _quantiles(a: np.ndarray, qs: tuple[float, ...]) -> np.ndarray:
    """Quantiles along axis 0 by the inverted CDF (an observed value): sorted[ceil(q·N) − 1]."""
    idx = np.maximum(np.ceil(np.asarray(qs) * len(a)).astype(int) - 1, 0)
    return np.sort(a, axis=0)[idx]


def interpretations(panel, county: str, year: int | None = None, config: ScoringConfig | None = None) -> pd.DataFrame:
    """Total and rank of `county` under every combination of readings around `config` (the chosen
    reading, first; panel = its peer group)."""
    rows = []
    for labels, cfg in interpretation_configs(config):
        ps = score_panel(panel, year, cfg)
        totals = ps.totals                 # the engine's one total (the benchmark's, bit for bit)
        r = ranks(totals.to_numpy())[ps.counties.index(county)]
        rows.append({**labels, "total": float(totals[county]), "rank": int(r), "n": len(totals)})
    df = pd.DataFrame(rows)
    df.insert(0, "default", [True] + [False] * (len(df) - 1))
    df["delta"] = df["total"] - df["total"].iloc[0]
    return df


def main_effects(table: pd.DataFrame) -> pd.DataFrame:
    """Per reading: the spread of the mean total across its options (which choice moves most)."""
    rows = []
    grid = table[~(table[list(DIMENSIONS)] == OWN).any(axis=1)]      # the chosen reading when off the grid
    for dim, name in DIMENSIONS.items():
        means = grid.groupby(dim)["total"].mean()
        rank_means = grid.groupby(dim)["rank"].mean()
        rows.append({"reading": name, "options": "、".join(means.index), "effect": float(means.max() - means.min()),
                     "rank_effect": float(rank_means.max() - rank_means.min())})
    return pd.DataFrame(rows).sort_values("effect", ascending=False, ignore_index=True)


def weight_draws(n: int, spread: float = 0.25, method: str = "uniform", seed: int = 0,
                 concentration: float | None = None) -> np.ndarray:
    """`n` vectors of the 43 indicator points, each summing to 100 (row 0 stays nominal if n > 0
    and spread == 0)."""
    check_params(draws=n, spread=spread, method=method, seed=seed)
    points = np.array([i.points for i in load_catalog().indicators])
    rng = np.random.default_rng(seed)
    if method == "dirichlet":
        conc = concentration if concentration is not None else max(1.0 / max(spread, 1e-9) ** 2, 1.0) * 3
        w = rng.dirichlet(points / 100 * conc * 100 / 3, size=n) * 100
    elif method == "uniform":
        w = points * rng.uniform(1 - spread, 1 + spread, size=(n, len(points)))
        w = w / w.sum(axis=1, keepdims=True) * 100
    else:
        raise ValueError(f"未知的权重抽样方法 {method!r}，可选 uniform、dirichlet")
    if spread == 0 and method == "uniform":
        w = np.broadcast_to(points, (n, len(points))).copy()
    return w


def weight_totals(scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Totals (draws × counties) from nominal scores (counties × 43) and weight draws (draws × 43)."""
    points = np.array([i.points for i in load_catalog().indicators])
    s = np.nan_to_num(scores)
    nominal = s.sum(axis=1)
    return nominal[None, :] + (weights / points - 1.0) @ s.T


def weight_mc_bytes(draws: int, counties: int, chunk: int = 2000) -> int:
    """Memory of :func:`weight_mc`: the draws (43 float64), all totals (float32) and ranks (int16), their
    sorted copies and top-k masks, and one chunk's float64 work arrays."""
    return draws * (43 * 8 + counties * (4 + 2) * 2 + counties * 2) + min(chunk, draws) * counties * 8 * 4


def weight_mc(scores: np.ndarray, weights: np.ndarray, chunk: int = 2000, progress: bool = True) -> dict:
    """Per county over the draws: total and rank quantiles (5/50/95 %), P(top 10), P(top 30).

    Draws are scored in chunks (bounded memory: a chunk's float64 totals and ranks); all totals are
    kept as float32 and ranks as int16 (2,844 counties × 10,000 draws ≈ 170 MB) for exact quantiles.
    """
    n_draws, n = weights.shape[0], scores.shape[0]
    totals = np.empty((n_draws, n), dtype=np.float32)
    rk = np.empty((n_draws, n), dtype=np.int16 if n < 32_000 else np.int32)
    chunks = range(0, n_draws, chunk)
    for start in tqdm(chunks, desc="权重蒙特卡洛", disable=not progress or len(chunks) < 2, delay=2, leave=False):
        t = weight_totals(scores, weights[start:start + chunk])
        totals[start:start + chunk] = t
        rk[start:start + chunk] = ranks(t)
    return {**mc_summary(totals, rk), "totals": totals, "ranks": rk}


def mc_summary(totals: np.ndarray, rk: np.ndarray) -> dict[str, np.ndarray]:
    """Per county (columns) over the draws (rows): total and rank quantiles (5/50/95 %), P(top 10/30)."""
    qt = _quantiles(totals, (0.05, 0.5, 0.95))
    qr = _quantiles(rk, (0.05, 0.5, 0.95))
    return {"total_p05": qt[0], "total_median": qt[1], "total_p95": qt[2], "rank_p05": qr[0],
            "rank_median": qr[1], "rank_p95": qr[2], "p_top10": (rk <= 10).mean(axis=0),
            "p_top30": (rk <= 30).mean(axis=0)}


@dataclass
class Sensitivity:
    """Everything the sensitivity analysis found for one county."""

    county: str
    year: int
    peer_spec: str
    counties: list[str]
    nominal: pd.Series                       # total per county
    interpretations: pd.DataFrame
    effects: pd.DataFrame
    weights: pd.DataFrame                    # per county: total and rank quantiles, top-10/30 odds
    oat: pd.DataFrame
    draws: int
    seed: int
    spread: float
    method: str
    county_totals: np.ndarray = field(repr=False, default=None)
    sobol: pd.DataFrame | None = None
    synthetic_values: int = 0               # peer values that are synthetic / invented
    benchmark: Benchmark | None = field(default=None, repr=False)
    combined: Combined | None = field(default=None, repr=False)   # readings, weights, inputs at once

    def to_frame(self) -> pd.DataFrame:
        return self.weights

    def __str__(self) -> str:
        from ..display import sensitivity_text

        return sensitivity_text(self)

    def _repr_html_(self) -> str:
        return (self.benchmark._repr_html_() + self.interpretations.round(2).to_html() + self.weights.round(3).to_html()
                + self.oat.round(3).to_html())


def one_at_a_time(ps, county: str, step: float = 0.10) -> pd.DataFrame:
    """County's efficacy measures ±`step`, rule indicators one tier up: change of the total."""
    from ..rules.efficacy import Efficacy
    from .gaps import gaps_steps

    cat = ps.catalog
    i = ps.counties.index(county)
    base_total = float(np.nansum(ps.scores.iloc[i]))
    measures = sorted({m for ind in cat.indicators for it in ind.items if isinstance(it, Efficacy)
                       for m in it.measures()})
    rows = []
    for m in measures:
        if np.isnan(ps.env[m][i]):
            continue
        for sign in (-1, 1):
            env = dict(ps.env)
            env[m] = ps.env[m].copy()
            env[m][i] *= 1 + sign * step
            total = float(np.nansum(score_arrays(env, ps.config, cat)[i]))
            rows.append({"factor": f"{cat.measures[m].name_zh}{'+' if sign > 0 else '−'}{step:.0%}", "measure": m,
                         "kind": "efficacy", "delta": total - base_total})
    for ind, gain, text in gaps_steps(ps, county):
        rows.append({"factor": f"指标{ind}提升一档：{text}", "measure": "", "kind": "rule", "delta": gain})
    frame = pd.DataFrame(rows, columns=["factor", "measure", "kind", "delta"])   # columns even when empty
    return frame.sort_values("delta", key=np.abs, ascending=False, ignore_index=True)


def sensitivity(panel, county: str | None = None, year: int | None = None, peers=None, draws: int = 10_000,
                seed: int = 0, spread: float = 0.25, method: str = "uniform", config: ScoringConfig | None = None,
                sobol: str | None = None, sobol_n: int = 1024, progress: bool = True, combined: bool = False,
                input_error: float = 0.0, readings: bool = True) -> Sensitivity:
    """The whole analysis for `county` against its peer group (parameters checked first, every bad one
    listed; the memory the draws need is estimated and refused beyond ``params.memory_budget``).
    `panel` may be a Benchmark: its scores are the nominal ones. `combined`: also the combined Monte
    Carlo (``uncertainty.combined``: readings, weights and, with `input_error` > 0, the county's inputs)."""
    v = check_params(draws=draws, seed=seed, spread=spread, method=method, sobol=sobol, sobol_n=sobol_n, year=year,
                     input_error=input_error)
    draws, seed, spread, sobol_n, year = v["draws"], v["seed"], v["spread"], v["sobol_n"], v.get("year")
    sobol = None if sobol == "none" else sobol          # the CLI's and the README's word for no Sobol
    bench = benchmark(panel, county, year, peers, config)
    county, group, ps = bench.county, bench.panel, bench.scores
    i = ps.counties.index(county)
    if sobol:
        from .sobol import check_sobol_work, sobol_bytes, sobol_for

        check_sobol_work(ps, county, sobol, sobol_n)
    both = 0
    if combined:
        from .uncertainty import check_combined

        both = check_combined(bench, draws, sobol_n, readings, v["input_error"])
    check_memory(weight_mc_bytes(draws, len(ps.counties)) + (sobol_bytes(ps, county, sobol, sobol_n) if sobol else 0)
                 + both, f"{draws:,}次权重抽样 × {len(ps.counties)}个县" + (f"及Sobol（N={sobol_n:,}）" if sobol else "")
                 + ("及综合不确定性分析" if combined else ""),
                 "请减少 --draws" + ("或 --sobol-n" if sobol else "") + "，或缩小对标组（--peers）")
    table = interpretations(group, county, ps.year, bench.config)
    w = weight_draws(draws, spread, method, seed)
    mc = weight_mc(ps.scores.to_numpy(), w, progress=progress)
    keys = ["total_p05", "total_median", "total_p95", "rank_p05", "rank_median", "rank_p95", "p_top10", "p_top30"]
    frame = pd.DataFrame({k: mc[k] for k in keys}, index=ps.scores.index)
    nominal = ps.totals
    frame.insert(0, "nominal", nominal)
    frame.insert(1, "nominal_rank", ranks(nominal.to_numpy()))
    county_totals = mc["totals"][:, i].astype(float)
    result = Sensitivity(county, ps.year, describe(bench.peers), ps.counties, nominal, table, main_effects(table),
                         frame, one_at_a_time(ps, county), draws, seed, spread, method, county_totals,
                         benchmark=bench)
    result.synthetic_values = int(bench.provenance["synthetic"].sum())
    if sobol:
        result.sobol = sobol_for(ps, county, sobol, sobol_n, seed, spread, progress=progress)
    if combined:
        from .uncertainty import combined as run_combined

        result.combined = run_combined(bench, draws, seed, spread, method, readings, v["input_error"],
                                       sobol_n=sobol_n, progress=progress)
    return result
