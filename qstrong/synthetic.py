"""Random but valid measure values, for benchmarks and tests (never presented as data)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .catalog import load_catalog
from .measures import load_measures


def random_env(n: int, rng: np.random.Generator, shape: tuple[int, ...] = ()) -> dict[str, np.ndarray]:
    """Engine-encoded arrays (*shape, n) for every measure, each within its allowed range."""
    size = (*shape, n)
    env = {}
    for mid, m in load_measures().items():
        if m.kind == "bool":
            x = (rng.random(size) < (0.02 if mid.startswith("veto.") else 0.7)).astype(float)
        elif m.kind == "level":
            x = rng.integers(0, len(m.levels), size).astype(float)
        elif m.kind == "count":
            x = rng.poisson(3.0, size).astype(float)
        else:
            lo = m.low if m.low is not None else 0.0
            hi = m.high if m.high is not None else lo + 1000.0
            x = rng.uniform(lo, hi, size)
            if m.low_open:
                x = np.maximum(x, lo + 1e-3)
        env[mid] = x
    for c in load_catalog().constraints:  # keep cross-measure checks satisfied
        if c.op in ("<=", "<"):
            env[c.left] = np.minimum(env[c.left], env[c.right] - (c.op == "<"))
    return env


def random_panel_frame(n: int, year: int = 2022, seed: int = 0) -> pd.DataFrame:
    """A long panel (county, year, measure, value) of `n` synthetic counties."""
    env = random_env(n, np.random.default_rng(seed))
    counties = [f"县{k:04d}" for k in range(n)]
    measures = load_measures()
    frames = []
    for mid, x in env.items():
        m = measures[mid]
        if m.kind == "level":
            vals = np.asarray(m.levels, dtype=object)[x.astype(int)]
        elif m.kind == "bool":
            vals = np.where(x > 0.5, "true", "false")
        else:
            vals = x
        frames.append(pd.DataFrame({"county": counties, "year": year, "measure": mid, "value": vals}))
    return pd.concat(frames, ignore_index=True)
