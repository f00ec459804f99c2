"""Sobol indices through SALib (its sampler and analyser; no home-made estimator).

``sobol_indices`` wires any vectorised model ``f(X) -> y`` (X: samples × factors) to SALib's
Saltelli/Sobol sampling and analysis; ``sobol_for`` applies it to a county's total over the 43
indicator weights or over its own input values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample
from tqdm import tqdm

from ..params import WORK_BUDGET, check_memory, check_params, check_work
from ..rules.efficacy import Efficacy
from ..scoring import score_arrays


def sobol_indices(problem: dict, model, n: int, seed: int = 0, num_resamples: int = 200) -> pd.DataFrame:
    """First (S1) and total (ST) indices with 95 % bootstrap half-widths, one row per factor (per group
    when the problem has SALib's ``groups``).

    Degenerate cases are said, not computed into NaN warnings: no factor → an empty table; one group
    only → S1 = ST = 1 by definition (SALib cannot split one group); an output that does not vary →
    every index 0 (there is no variance to apportion); ``attrs["note"]`` says which."""
    if problem["num_vars"] == 0 or single_group(problem):
        return sobol_frame(problem, None, seed, num_resamples)
    X = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    return sobol_frame(problem, model(X), seed, num_resamples)


def sobol_frame(problem: dict, y, seed: int = 0, num_resamples: int = 200) -> pd.DataFrame:
    """SALib's analysis of outputs `y` of the problem's Sobol sample as a table (see :func:`sobol_indices`;
    `y` None: no factor)."""
    names = list(dict.fromkeys(problem["groups"])) if problem.get("groups") else problem["names"]
    index = pd.Index(names, name="group" if problem.get("groups") else "factor")
    columns = ["S1", "S1_conf", "ST", "ST_conf"]
    if problem["num_vars"] and single_group(problem):
        out = pd.DataFrame({"S1": 1.0, "S1_conf": 0.0, "ST": 1.0, "ST_conf": 0.0}, index=index)
        out.attrs["note"] = f"只有“{index[0]}”一类因素可变动，按定义其一阶与总效应指数均为1（无需抽样估计）"
        return out
    if problem["num_vars"] == 0 or y is None:
        out = pd.DataFrame(columns=columns, index=index, dtype=float)
        out.attrs["note"] = "没有可变动的因素（本县相关数据缺失或为0），无法计算Sobol指数"
        return out
    y = np.asarray(y, dtype=float)
    if not np.isfinite(y).all() or np.ptp(y) == 0:
        out = pd.DataFrame(0.0, columns=columns, index=index)
        out.attrs["note"] = "结果不随这些因素变化（方差为0），各Sobol指数记为0"
        return out
    res = sobol_analyze.analyze(problem, y, calc_second_order=False, num_resamples=num_resamples, seed=seed)
    return pd.DataFrame({"S1": res["S1"], "S1_conf": res["S1_conf"], "ST": res["ST"], "ST_conf": res["ST_conf"]},
                        index=index)


def single_group(problem: dict) -> bool:
    """All factors in one of SALib's ``groups``: SALib then ignores the groups (its sample has N·(D+2)
    rows, its analysis expects N·3), so the indices are set by definition instead."""
    return bool(problem.get("groups")) and len(set(problem["groups"])) == 1


def perturbed(measure, value: float, mult: np.ndarray) -> np.ndarray:
    """`value` × `mult`, kept admissible as scenarios keep a computed value (``scenarios._admissible``:
    a rate at most 100, above its lower bound; a count rounded to the nearest whole, then so kept)."""
    from .scenarios import _admissible

    x = np.asarray(value * np.asarray(mult, dtype=float), dtype=float)
    if measure.kind == "count":
        x = np.round(x)
    return np.frompyfunc(lambda v: _admissible(measure, v), 1, 1)(x).astype(float)


def _input_measures(ps, i: int) -> list[str]:
    """The county's efficacy inputs that can vary (present and non-zero)."""
    return sorted({m for ind in ps.catalog.indicators for it in ind.items if isinstance(it, Efficacy)
                   for m in it.measures() if not np.isnan(ps.env[m][i]) and ps.env[m][i] != 0})


def sobol_bytes(ps, county: str, what: str, n: int, chunk: int = 1000) -> int:
    """Memory of :func:`sobol_for`: N × (D + 2) samples of D factors (and their renormalised copy or
    outputs), SALib's bootstrap resamples, and one chunk of the panel's arrays for the inputs model."""
    d = len(ps.catalog.indicators) if what == "weights" else len(_input_measures(ps, ps.counties.index(county)))
    runs = n * (d + 2)
    samples = runs * d * 8 * 2 + runs * 8 * 2 + n * 200 * 8 * 3
    if what == "inputs":
        samples += min(chunk, runs) * len(ps.counties) * 8 * (len(ps.env) + 2 * len(ps.catalog.indicators))
    return samples


def check_sobol_work(ps, county: str, what: str, n: int) -> None:
    """The inputs model scores every county N × (D + 2) times: refused beyond ``params.WORK_BUDGET``, with
    the largest --sobol-n that fits (weights only reweigh the scores, so they are cheap)."""
    if what != "inputs":
        return
    d, c = len(_input_measures(ps, ps.counties.index(county))), len(ps.counties)
    runs = n * (d + 2) * c
    fits = 2 ** int(np.floor(np.log2(max(WORK_BUDGET / ((d + 2) * c), 1))))
    advice = (f"请把 --sobol-n 减到{fits}或更小" if fits >= 16 else "请缩小对标组（--peers）") + \
        "，或改用 --sobol weights"
    check_work(runs, f"N×(D+2)×县数 = {n:,}×({d}+2)×{c}", f"Sobol分析（inputs，N={n:,}）", advice)


def sobol_for(ps, county: str, what: str = "weights", n: int = 1024, seed: int = 0, spread: float = 0.25,
              input_step: float = 0.10, chunk: int = 1000, progress: bool = True) -> pd.DataFrame:
    """Sobol indices of the county's total over the weights (±`spread`, renormalised to 100) or over
    its efficacy input values (±`input_step`, kept admissible by :func:`perturbed`, peers unchanged)."""
    v = check_params(sobol=what, sobol_n=n, spread=spread, seed=seed)
    n, spread, seed = v["sobol_n"], v["spread"], v["seed"]
    check_memory(sobol_bytes(ps, county, what, n, chunk), f"Sobol分析（N={n:,}）", "请减少 --sobol-n")
    check_sobol_work(ps, county, what, n)
    cat = ps.catalog
    i = ps.counties.index(county)
    if what == "weights":
        points = np.array([ind.points for ind in cat.indicators])
        s = np.nan_to_num(ps.scores.to_numpy()[i])
        problem = {"num_vars": len(points), "names": [f"指标{ind.id}" for ind in cat.indicators],
                   "bounds": [[p * (1 - spread), p * (1 + spread)] for p in points]}

        def model(X: np.ndarray) -> np.ndarray:
            w = X / X.sum(axis=1, keepdims=True) * 100
            return (w / points) @ s

        return sobol_indices(problem, model, n, seed)
    if what != "inputs":
        raise ValueError(f"Sobol 分析对象应为 weights 或 inputs，而不是 {what!r}")
    measures = _input_measures(ps, i)
    problem = {"num_vars": len(measures), "names": [cat.measures[m].name_zh for m in measures],
               "bounds": [[1 - input_step, 1 + input_step]] * len(measures)}
    config = ps.config

    def model(X: np.ndarray) -> np.ndarray:
        out = np.empty(len(X))
        for start in tqdm(range(0, len(X), chunk), desc="Sobol", delay=2, leave=False, disable=not progress):
            block = X[start:start + chunk]
            env = {m: np.broadcast_to(a, (len(block), a.size)).copy() for m, a in ps.env.items()}
            for k, m in enumerate(measures):
                env[m][:, i] = perturbed(cat.measures[m], ps.env[m][i], block[:, k])
            out[start:start + chunk] = np.nansum(score_arrays(env, config, cat)[:, i, :], axis=-1)
        return out

    return sobol_indices(problem, model, n, seed)
