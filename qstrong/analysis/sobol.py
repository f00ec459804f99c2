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

from ..rules.efficacy import Efficacy
from ..scoring import score_arrays


def sobol_indices(problem: dict, model, n: int, seed: int = 0, num_resamples: int = 200) -> pd.DataFrame:
    """First (S1) and total (ST) indices with 95 % bootstrap half-widths, one row per factor."""
    X = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    y = np.asarray(model(X), dtype=float)
    res = sobol_analyze.analyze(problem, y, calc_second_order=False, num_resamples=num_resamples, seed=seed)
    return pd.DataFrame({"S1": res["S1"], "S1_conf": res["S1_conf"], "ST": res["ST"], "ST_conf": res["ST_conf"]},
                        index=pd.Index(problem["names"], name="factor"))


def sobol_for(ps, county: str, what: str = "weights", n: int = 1024, seed: int = 0, spread: float = 0.25,
              input_step: float = 0.10, chunk: int = 1000, progress: bool = True) -> pd.DataFrame:
    """Sobol indices of the county's total over the weights (±`spread`, renormalised to 100) or over
    its efficacy input values (±`input_step`, peers unchanged)."""
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
    measures = sorted({m for ind in cat.indicators for it in ind.items if isinstance(it, Efficacy)
                       for m in it.measures() if not np.isnan(ps.env[m][i]) and ps.env[m][i] != 0})
    problem = {"num_vars": len(measures), "names": [cat.measures[m].name_zh for m in measures],
               "bounds": [[1 - input_step, 1 + input_step]] * len(measures)}
    config = ps.config

    def model(X: np.ndarray) -> np.ndarray:
        out = np.empty(len(X))
        for start in tqdm(range(0, len(X), chunk), desc="Sobol", delay=2, leave=False, disable=not progress):
            block = X[start:start + chunk]
            env = {m: np.broadcast_to(a, (len(block), a.size)).copy() for m, a in ps.env.items()}
            for k, m in enumerate(measures):
                env[m][:, i] = ps.env[m][i] * block[:, k]
            out[start:start + chunk] = np.nansum(score_arrays(env, config, cat)[:, i, :], axis=-1)
        return out

    return sobol_indices(problem, model, n, seed)
