"""The model behind the combined uncertainty analysis: totals of every county for a batch of runs.

A run is (reading k, 43 weights, multipliers of the county's own efficacy inputs). The readings are
scored once each (per indicator, once per distinct setting: an indicator's score depends only on its
own settings and variant), so a batch without input noise is, per reading present, one matrix
product. With input noise the indicators fed by the county's inputs are rescored by the engine for
every county (the county is among the goalposts), batched per distinct setting of each indicator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import ScoringConfig
from ..rules.efficacy import Efficacy
from ..scoring import evaluate_indicator
from .sensitivity import OWN, _choices, interpretation_configs
from .sobol import _input_measures, perturbed

#: the zero-base growth policy (``EfficacySettings.zero_base``) as a reading: label → setting
ZERO_BASE = {"上年为0按高于所有对标县计": "top", "上年为0不计分": "null", "上年为0按增加量计": "pp"}


def growth_indicators(cfg: ScoringConfig, catalog) -> list[int]:
    """Efficacy indicators with a growth (change) component: those the zero-base policy can move."""
    return [ind.id for ind in catalog.indicators if ind.id in cfg.efficacy and any(
        getattr(c, "is_change", False) for it in ind.items if isinstance(it, Efficacy) for c in it.components)]


def reading_configs(base: ScoringConfig, catalog, readings: bool = True) -> list[tuple[dict[str, str], ScoringConfig]]:
    """The interpretation grid around `base` × the zero-base policy of the growth indicators, `base`
    itself first (only `base` when `readings` is False). Labels: the grid's, plus ``zero_base``."""
    growth = growth_indicators(base, catalog)
    own = {base.efficacy[i].zero_base for i in growth}
    own_label = next((lb for lb, z in ZERO_BASE.items() if own == {z}), OWN)
    if not readings:
        return [({**dict.fromkeys(interpretation_configs(base)[0][0], ""), "zero_base": own_label}, base)]
    options = [(own_label, None)] + [(lb, z) for lb, z in ZERO_BASE.items() if lb != own_label]
    out = []
    for labels, cfg in interpretation_configs(base):
        for lb, z in options:
            out.append(({**labels, "zero_base": lb}, cfg if z is None else cfg.with_efficacy(growth, zero_base=z)))
    return out


def reading_count(base: ScoringConfig, catalog, readings: bool = True) -> int:
    """At most how many readings :func:`reading_configs` gives (without building them)."""
    if not readings:
        return 1
    return (int(np.prod([len(o) for o in _choices().values()])) + 1) * (len(ZERO_BASE) + 1)


def reading_label(labels: dict[str, str]) -> str:
    """A reading in words: its options joined (empty dimensions left out)."""
    return "·".join(v for v in labels.values() if v)


def _uses(ind, measures: set[str]) -> bool:
    variants = [None, *ind.variants]
    return any(m in measures for v in variants for it in ind.items_for(v) for m in it.measures())


class Model:
    """Totals (runs × counties) of the benchmark's counties for runs (reading, weights, multipliers)."""

    def __init__(self, ps, county: str, configs: list[ScoringConfig], input_error: float = 0.0) -> None:
        self.ps, self.configs, self.catalog = ps, configs, ps.catalog
        self.i = ps.counties.index(county)
        self.points = np.array([ind.points for ind in self.catalog.indicators])
        self.n = len(ps.counties)
        inds = self.catalog.indicators
        # per indicator: which configs share its setting (group id per config) and one config per group
        self.groups: list[np.ndarray] = []
        self.reps: list[list[ScoringConfig]] = []
        for ind in inds:
            keys: dict[tuple, int] = {}
            gid = np.array([keys.setdefault((c.settings(ind.id), c.variants.get(ind.id)), len(keys)) for c in configs])
            first = {g: k for k, g in reversed(list(enumerate(gid)))}
            self.groups.append(gid)
            self.reps.append([configs[first[g]] for g in range(len(keys))])
        S = np.empty((len(configs), self.n, len(inds)))
        for j, ind in enumerate(inds):
            per = np.stack([evaluate_indicator(ind, ps.env, c)[0] for c in self.reps[j]])     # groups × counties
            S[:, :, j] = per[self.groups[j]]
        self.scores = S                                      # readings × counties × 43, NaN = unscored
        # totals as the engine's PanelScores sums them (pandas, NaN skipped): the nominal exactly
        # (a frame over the Fortran-ordered scores has PanelScores' layout: one block, indicators × counties)
        self.nominal = np.stack([pd.DataFrame(np.asfortranarray(s)).sum(axis=1).to_numpy() for s in S])
        self.S0 = np.nan_to_num(S)
        self.error = float(input_error)
        self.measures = _input_measures(ps, self.i) if self.error > 0 else []
        used = set(self.measures)
        self.affected = [j for j, ind in enumerate(inds) if used and _uses(ind, used)]

    @property
    def k(self) -> int:
        return len(self.configs)

    def totals(self, r: np.ndarray, w: np.ndarray, mult: np.ndarray | None = None) -> np.ndarray:
        """Totals (runs × counties) for readings `r` (runs), weights `w` (runs × 43, summing to 100) and
        multipliers `mult` (runs × the county's input measures; None: the inputs as reported).

        totals = nominal_k + (w/points − 1) · scores_k, so unperturbed runs give the nominal exactly."""
        r = np.asarray(r, dtype=np.intp)
        ratio = w / self.points
        out = np.empty((len(r), self.n))
        order = np.argsort(r, kind="stable")
        ks, starts = np.unique(r[order], return_index=True)
        for k, rows in zip(ks, np.split(order, starts[1:]), strict=True):     # a loop per reading, not per run
            out[rows] = self.nominal[k] + (ratio[rows] - 1.0) @ self.S0[k].T
        if mult is not None and self.affected:
            self._rescore(r, ratio, mult, out)
        return out

    def _rescore(self, r: np.ndarray, ratio: np.ndarray, mult: np.ndarray, out: np.ndarray) -> None:
        """Add to `out` the change of the affected indicators when the county's inputs are multiplied by
        `mult`, kept admissible (``sobol.perturbed``: a rate stays ≤ 100; the engine scores every county:
        peers move when the county is a goalpost)."""
        env, i, n = self.ps.env, self.i, self.n
        col = {m: c for c, m in enumerate(self.measures)}
        for j in self.affected:
            ind = self.catalog.indicators[j]
            g = self.groups[j][r]
            order = np.argsort(g, kind="stable")
            gs, starts = np.unique(g[order], return_index=True)
            for gv, rows in zip(gs, np.split(order, starts[1:]), strict=True):   # per distinct setting
                cfg = self.reps[j][gv]
                sub = {}
                for it in ind.items_for(cfg.variants.get(ind.id)):
                    for m in it.measures():
                        if m in col and m not in sub:      # the county's value moved; the others' as reported
                            a = np.empty((len(rows), n))
                            a[:] = env[m]
                            a[:, i] = perturbed(self.catalog.measures[m], env[m][i], mult[rows, col[m]])
                            sub[m] = a
                        elif m not in sub:
                            sub[m] = env[m]               # unmoved: one row, broadcast by the engine
                new = evaluate_indicator(ind, sub, cfg)[0]
                new = np.where(np.isnan(new), 0.0, new)
                out[rows] += ratio[rows, j, None] * (new - self.S0[r[rows[0]], :, j])  # one setting: one score row
