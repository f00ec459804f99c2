"""Combined uncertainty: the reading, the weights and the county's own figures uncertain at once.

One Monte Carlo over the benchmark's counties; each run draws

* a reading — one of the interpretation grid's readings (``sensitivity.interpretation_configs``: the
  efficacy readings × the variants of 15 and 38, around the chosen config) × the zero-base growth policy
  (``EfficacySettings.zero_base`` top/null/pp on the growth indicators), each equally likely
  (``readings=False``: the chosen reading only);
* the 43 weights — ``sensitivity.weight_draws`` (±`spread` uniform, or Dirichlet), renormalised to 100;
* optionally the county's own efficacy inputs (present, non-zero; ``sobol._input_measures``), each ×
  U(1 − e, 1 + e), e = `input_error` — the indicators they feed are rescored by the engine for every
  county (the county is among the goalposts, so peers move too).

Per county: total and rank quantiles (5/50/95 %), P(top 10), P(top 30); the county's rank distribution;
and Sobol indices of the three groups of factors (解读 / 权重 / 本县数据) on the county's rank and total,
by SALib with ``groups`` (the reading is one U(0,1) factor mapped to floor(u·K); a group that cannot
vary — readings off, spread 0, no input noise — is left out). Vectorised: the readings are scored once,
a batch of runs is one matrix product per reading (``uncertainty_model.Model``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from tqdm import tqdm

from ..benchmark import Benchmark, benchmark
from ..params import check_memory, check_params, check_work
from .sensitivity import mc_summary, ranks, weight_draws
from .sobol import _input_measures, single_group, sobol_frame
from .uncertainty_model import Model, reading_configs, reading_count, reading_label

GROUPS = {"readings": "解读", "weights": "权重", "inputs": "本县数据"}
COLUMNS = ["nominal", "nominal_rank", "total_p05", "total_median", "total_p95", "rank_p05", "rank_median",
           "rank_p95", "p_top10", "p_top30"]
CHUNK = 2000


@dataclass
class Combined:
    """What the combined Monte Carlo found: per county (`table`), the county's draws, the Sobol groups."""

    benchmark: Benchmark = field(repr=False)
    table: pd.DataFrame                 # per county: COLUMNS
    county_ranks: np.ndarray = field(repr=False)       # the county's rank in each draw
    county_totals: np.ndarray = field(repr=False)      # its total in each draw
    sobol: pd.DataFrame                 # index: group (解读/权重/本县数据); S1, S1_conf, ST, ST_conf — of the rank
    sobol_total: pd.DataFrame           # the same for the county's total
    readings: list[str]                 # every reading drawn from, the chosen one first
    reading_draws: np.ndarray = field(repr=False)      # the reading index of each draw
    measures: list[str] = field(default_factory=list)  # the county's inputs varied (empty: no input noise)
    settings: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict, repr=False)   # time spent: readings scored, draws, Sobol

    @property
    def county(self) -> str:
        return self.benchmark.county

    @property
    def rank_counts(self) -> pd.Series:
        """How many draws gave the county each rank (1 … N)."""
        n = self.benchmark.n
        return pd.Series(np.bincount(self.county_ranks, minlength=n + 1)[1:], index=pd.RangeIndex(1, n + 1, name="rank"),
                         name="draws")

    def summary(self) -> str:
        """The result in plain Chinese (rank interval, top-10/30 odds, which group matters most)."""
        from .uncertainty_text import combined_summary

        return combined_summary(self)

    def frames(self) -> dict[str, pd.DataFrame]:
        """The tables for an xlsx, by Chinese sheet name (headers the vocabulary lacks named here)."""
        counts = self.rank_counts
        dist = pd.DataFrame({"抽样次数": counts, "share": counts / max(len(self.county_ranks), 1)})
        drawn = np.bincount(self.reading_draws, minlength=len(self.readings))
        sobol = {f"Sobol分组指数（{what}）": df.rename_axis("不确定性来源")
                 for what, df in (("排名", self.sobol), ("总分", self.sobol_total))}
        return {"综合不确定性": self.table, "本县排名分布": dist, **sobol,
                "解读组合": pd.DataFrame({"reading": self.readings, "抽样次数": drawn})}

    def to_dict(self) -> dict:
        row = self.table.loc[self.county]
        return {"benchmark": self.benchmark.to_dict(), "settings": self.settings, "measures": self.measures,
                "county": {k: (int(v) if "rank" in k else float(v)) for k, v in row.items()},
                "rank_counts": {int(k): int(v) for k, v in self.rank_counts.items() if v},
                "sobol": _records(self.sobol), "sobol_total": _records(self.sobol_total),
                "readings": self.readings, "summary": self.summary(),
                "table": self.table.reset_index(names="county").to_dict(orient="records")}

    def __str__(self) -> str:
        from .uncertainty_text import combined_text

        return combined_text(self)


def _records(sobol: pd.DataFrame) -> dict:
    """Sobol indices per group for JSON, keyed in English (reading/weights/inputs; NaN → None), with the
    note when there is one."""
    key = {zh: en for en, zh in GROUPS.items()}
    out = {key.get(g, g): {k: (None if pd.isna(v) else float(v)) for k, v in r.items()} for g, r in sobol.iterrows()}
    return {**out, **({"note": sobol.attrs["note"]} if sobol.attrs.get("note") else {})}


def combined_bytes(draws: int, counties: int, readings: int, chunk: int = CHUNK) -> int:
    """Memory of :func:`combined`: the readings' scores (readings × counties × 43, twice), all totals
    (float64) and ranks with their sorted copies, the weight draws, and one chunk's work arrays."""
    return (readings * counties * 43 * 8 * 2 + draws * counties * (8 + 4) * 2 + draws * 43 * 8 * 2
            + min(chunk, draws) * counties * 8 * 6)


def check_combined(bench: Benchmark, draws: int, sobol_n: int, readings: bool, input_error: float) -> int:
    """The memory :func:`combined` needs (bytes); InputError beforehand when, with input noise, the engine
    would score more than ``params.WORK_BUDGET`` counties (draws and Sobol runs × counties)."""
    n, i = bench.n, bench.counties.index(bench.county)
    k = reading_count(bench.config, bench.scores.catalog, bool(readings))
    if input_error > 0 and (d := len(_input_measures(bench.scores, i))):
        runs = (draws + sobol_n * (len(GROUPS) + 2)) * n
        check_work(runs, f"(抽样次数+Sobol样本)×县数 = ({draws:,}+{sobol_n * (len(GROUPS) + 2):,})×{n}",
                   f"综合不确定性分析（本县{d}项数据有误差）", "请减少 --draws，或缩小对标组（--peers），"
                   "或不设本县数据误差（--input-error 0）")
    return combined_bytes(draws, n, k)


def combined(bench, draws: int = 10_000, seed: int = 0, spread: float = 0.25, method: str = "uniform",
             readings: bool = True, input_error: float = 0.0, sobol_n: int = 256, progress: bool = True,
             county: str | None = None) -> Combined:
    """The combined Monte Carlo for the benchmark's county (every peer's figures too). `bench` is a
    Benchmark (or a panel, with `county`). Parameters are checked first, every bad one listed."""
    v = check_params(draws=draws, seed=seed, spread=spread, method=method, sobol_n=sobol_n, input_error=input_error)
    draws, seed, spread, sobol_n, error = v["draws"], v["seed"], v["spread"], v["sobol_n"], v["input_error"]
    if not isinstance(bench, Benchmark):
        bench = benchmark(bench, county)
    check_memory(check_combined(bench, draws, sobol_n, readings, error), f"综合不确定性分析（{draws:,}次抽样 × "
                 f"{bench.n}个县）", "请减少 --draws，或缩小对标组（--peers）")
    ps = bench.scores
    clock = [time.perf_counter()]
    configs = reading_configs(bench.config, ps.catalog, bool(readings))
    n = len(ps.counties)
    model = Model(ps, bench.county, [c for _, c in configs], error)
    clock.append(time.perf_counter())
    d = len(model.measures)
    rng = np.random.default_rng([seed, 15])
    r = rng.integers(model.k, size=draws) if readings else np.zeros(draws, dtype=np.intp)
    w = weight_draws(draws, spread, method, seed)
    mult = rng.uniform(1 - error, 1 + error, size=(draws, d)) if d else None
    i = ps.counties.index(bench.county)
    totals = np.empty((draws, n))
    rk = np.empty((draws, n), dtype=np.int32)
    chunks = range(0, draws, CHUNK)
    for start in tqdm(chunks, desc="综合不确定性", disable=not progress or len(chunks) < 2, delay=2, leave=False):
        sl = slice(start, start + CHUNK)
        totals[sl] = model.totals(r[sl], w[sl], None if mult is None else mult[sl])
        rk[sl] = ranks(totals[sl])
    table = pd.DataFrame(mc_summary(totals, rk), index=ps.scores.index)[COLUMNS[2:]]
    clock.append(time.perf_counter())
    table.insert(0, "nominal", model.nominal[0])
    table.insert(1, "nominal_rank", ranks(model.nominal[0]))
    s_rank, s_total = group_sobol(model, i, readings=bool(readings), spread=spread, method=method, n=sobol_n, seed=seed)
    clock.append(time.perf_counter())
    settings = {"draws": draws, "seed": seed, "spread": spread, "method": method, "readings": bool(readings),
                "input_error": error, "sobol_n": sobol_n, "reading_count": model.k}
    out = Combined(bench, table, rk[:, i].copy(), totals[:, i].copy(), s_rank, s_total,
                   [reading_label(lb) for lb, _ in configs], r, list(model.measures), settings)
    out.seconds = dict(zip(("readings", "draws", "sobol"), np.diff(clock).tolist(), strict=True))
    return out


def group_problem(model: Model, readings: bool, spread: float, method: str) -> dict:
    """SALib's problem with ``groups``: the reading (one factor), the 43 weights, the county's inputs;
    a group that cannot vary is left out. Every factor is U(0, 1), mapped in :func:`group_runs`."""
    names, groups = [], []
    if readings and model.k > 1:
        names.append("reading")
        groups.append(GROUPS["readings"])
    if spread > 0 or method == "dirichlet":
        names += [f"w{ind.id}" for ind in model.catalog.indicators]
        groups += [GROUPS["weights"]] * len(model.points)
    names += list(model.measures)
    groups += [GROUPS["inputs"]] * len(model.measures)
    return {"num_vars": len(names), "names": names, "groups": groups, "bounds": [[0.0, 1.0]] * len(names)}


def group_runs(model: Model, problem: dict, X: np.ndarray, spread: float, method: str, error: float):
    """(readings, weights, multipliers) of Sobol samples X (samples × factors, each in [0, 1])."""
    names, col = problem["names"], 0
    r = np.zeros(len(X), dtype=np.intp)
    if names[:1] == ["reading"]:
        r = np.minimum((X[:, 0] * model.k).astype(np.intp), model.k - 1)
        col = 1
    w = np.broadcast_to(model.points, (len(X), len(model.points))).astype(float)
    if col < len(names) and names[col].startswith("w"):
        u = X[:, col:col + len(model.points)]
        col += len(model.points)
        if method == "dirichlet":
            from scipy.stats import gamma

            conc = max(1.0 / max(spread, 1e-9) ** 2, 1.0) * 3        # as sensitivity.weight_draws
            w = gamma.ppf(np.clip(u, 1e-12, 1 - 1e-12), model.points / 100 * conc * 100 / 3)
        else:
            w = model.points * (1 - spread + 2 * spread * u)
        w = w / w.sum(axis=1, keepdims=True) * 100
    mult = 1 - error + 2 * error * X[:, col:] if model.measures else None
    return r, w, mult


def group_sobol(model: Model, i: int, readings: bool, spread: float, method: str, n: int, seed: int,
                county_model=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sobol indices per group of factors for the county's rank and total (SALib, ``groups``).
    `county_model(r, w, mult) -> (rank, total)` replaces the benchmark's (for tests)."""
    from SALib.sample import sobol as sobol_sample

    problem = group_problem(model, readings, spread, method)
    if problem["num_vars"] == 0:
        empty = sobol_frame(problem, None, seed)
        empty.attrs["note"] = "解读、权重与本县数据均固定，没有可变动的因素，无法计算Sobol指数"
        return empty, empty.copy()
    if single_group(problem):                    # S1 = ST = 1 by definition; SALib would mis-size the sample
        one = sobol_frame(problem, None, seed)
        return one, one.copy()
    X = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    r, w, mult = group_runs(model, problem, X, spread, method, model.error)
    if county_model is None:
        rank, total = np.empty(len(X)), np.empty(len(X))
        for s in range(0, len(X), CHUNK):
            t = model.totals(r[s:s + CHUNK], w[s:s + CHUNK], None if mult is None else mult[s:s + CHUNK])
            total[s:s + CHUNK], rank[s:s + CHUNK] = t[:, i], ranks(t)[:, i]
    else:
        rank, total = county_model(r, w, mult)
    return sobol_frame(problem, rank, seed), sobol_frame(problem, total, seed)
