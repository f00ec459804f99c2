"""The explorer's model: one county's figures changed one at a time, re-scored against its benchmark.

No widgets here (``app.py`` draws them): :class:`ExploreModel` holds the benchmark, the county's current
figures, the indicator weights, and what follows from them — total, rank, lost points by level 2, the
indicators that changed with their explanation, veto and completeness. A change re-evaluates only the
indicators that read the changed figure (one engine call for those indicators, every county at once:
a county's figure moves the goalposts of its peers' scores too), so a change costs about a millisecond.

Everything it shows is what ``qstrong score`` shows for the panel with the same changes applied; the
tests check that. Changes save as a scenario that ``qstrong whatif --scenario`` reads back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..analysis.scenarios import Change, Scenario
from ..benchmark import Benchmark, rank_text, ranks
from ..catalog import Catalog
from ..errors import InputError
from ..measures import Measure, fmt_num, format_value, parse_value
from ..panel import OPS
from ..rules.efficacy import zero_base_unscored
from ..scoring import PanelScores, evaluate_indicator

VETO_GROUP = "一票否决"
COMMON_GROUP = "共用数据（地区生产总值、常住人口）"


def _same(a: float, b: float) -> bool:
    """Two engine values are one figure: equal, or both missing (NaN)."""
    return (np.isnan(a) and np.isnan(b)) or a == b


@dataclass(frozen=True)
class State:
    """What the explorer shows after a change (all for the evaluated county)."""

    total: float                     # under the current weights
    rank: int
    n: int
    complete: bool
    missing_indicators: tuple[int, ...]
    veto: str                        # triggered / not / unknown
    veto_items: tuple[str, ...]      # triggered items, or the items without data
    lost: pd.DataFrame               # level 2 × (points, baseline_lost, lost), under the current weights
    changed: pd.DataFrame            # indicators reading a changed figure: old/new score, explanation
    weights_changed: bool

    @property
    def rank_text(self) -> str:
        return rank_text(self.rank, self.n)


class ExploreModel:
    """The county of `bench` with figures that can be changed, reset and saved as a scenario."""

    def __init__(self, bench: Benchmark):
        self.bench = bench
        ps: PanelScores = bench.scores
        self.catalog: Catalog = ps.catalog
        self.measures: dict[str, Measure] = self.catalog.measures
        self.i = ps.counties.index(bench.county)
        self._ps = ps
        self.baseline_values = {m: float(a[self.i]) for m, a in ps.env.items()}
        self._env = {m: np.array(a, dtype=float, copy=True) for m, a in ps.env.items()}
        self._scores = ps.scores.to_numpy(dtype=float, copy=True)          # counties × 43
        self._baseline_scores = self._scores[self.i].copy()
        self._results = dict(ps.results)
        self.points = np.array([ind.points for ind in self.catalog.indicators], dtype=float)
        self.weights = self.points.copy()
        self.readers = self._readers()
        self.engine_calls = 0
        self.state = self._state()

    # ── what the county's figures are ──
    def _readers(self) -> dict[str, tuple[int, ...]]:
        """Measure → the indicators whose rules (under this benchmark's reading) read it."""
        out: dict[str, list[int]] = {m: [] for m in self.measures}
        for ind in self.catalog.indicators:
            for it in ind.items_for(self.bench.config.variants.get(ind.id)):
                for m in it.measures():
                    if ind.id not in out[m]:
                        out[m].append(ind.id)
        return {m: tuple(v) for m, v in out.items()}

    def value(self, measure: str) -> float | None:
        """The county's current figure (engine encoding: bool 1/0, level index; None = missing)."""
        x = self._env[measure][self.i]
        return None if np.isnan(x) else float(x)

    def baseline(self, measure: str) -> float | None:
        x = self.baseline_values[measure]
        return None if np.isnan(x) else x

    def changes(self) -> dict[str, float | None]:
        """Measures whose current figure differs from the county's own, with the new figure."""
        out = {}
        for m, b in self.baseline_values.items():
            v = self._env[m][self.i]
            if not _same(v, b):
                out[m] = None if np.isnan(v) else float(v)
        return out

    def shown(self, measure: str, x: float | None = None) -> str:
        """A figure as people read it: 是/否, the level's Chinese label, the number with its unit."""
        x = self.value(measure) if x is None else x
        if x is None:
            return "未填报"
        return format_value(self.measures[measure], x)

    # ── changing them ──
    def parse(self, measure: str, raw: object) -> float | None:
        """`raw` (a number, 是/否, a level's label or id, '' for no data) in engine encoding, or InputError."""
        if measure not in self.measures:
            raise InputError([f"没有数据项“{measure}”"], "无法修改")
        m = self.measures[measure]
        if isinstance(raw, float) and np.isnan(raw):
            raise InputError([f"{m.name_zh}：NaN 不是数字（不填报请给空值）"], "无法修改")
        if m.kind == "level" and isinstance(raw, int | float) and not isinstance(raw, bool):
            if float(raw).is_integer() and 0 <= raw < len(m.levels):
                return float(raw)
        x, problem = parse_value(m, raw)
        if problem:
            raise InputError([f"{m.name_zh}：{problem}"], "无法修改")
        return x

    def set(self, measure: str, raw: object) -> State:
        """Set one figure of the county (None or '' = no data); re-scores only the indicators reading it."""
        return self.set_many({measure: raw})

    def set_many(self, values: Mapping[str, object]) -> State:
        """Several figures at once (a path's actions, say): every value checked first, one re-scoring."""
        parsed, problems = {}, []
        for m, raw in values.items():
            try:
                parsed[m] = self.parse(m, raw)
            except InputError as exc:
                problems += exc.problems
        problems += self._constraint_problems({m: np.nan if x is None else x for m, x in parsed.items()})
        if problems:
            raise InputError(problems, "无法修改")
        moved = [m for m, x in parsed.items() if not _same(np.nan if x is None else x, self._env[m][self.i])]
        for m in moved:
            self._env[m][self.i] = np.nan if parsed[m] is None else parsed[m]
        return self._moved(moved)

    def _constraint_problems(self, new: Mapping[str, float]) -> list[str]:
        """The catalog's constraints between figures (抽查达标数 ≤ 抽查数 …) with `new` in place."""
        out = []
        for c in self.catalog.constraints:
            if c.left not in new and c.right not in new:
                continue
            left, right = (new.get(k, self._env[k][self.i]) for k in (c.left, c.right))
            if not (np.isnan(left) or np.isnan(right) or OPS[c.op](left, right)):
                out.append(f"{c.message}（{self.measures[c.left].name_zh}：{self.shown(c.left, left)}，"
                           f"{self.measures[c.right].name_zh}：{self.shown(c.right, right)}）")
        return out

    def reset(self, measure: str | None = None) -> State:
        """Back to the county's own figure for `measure`, or for every measure (None)."""
        moved = [m for m in ([measure] if measure else self.changes())
                 if not _same(self._env[m][self.i], self.baseline_values[m])]
        for m in moved:
            self._env[m][self.i] = self.baseline_values[m]
        return self._moved(moved)

    def _moved(self, measures: list[str]) -> State:
        """After `measures` changed: one engine call for the indicators reading them (none read a veto
        item, whose change still moves the state), then the new state."""
        if measures:
            self._rescore(tuple(dict.fromkeys(j for m in measures for j in self.readers[m])))
            self.state = self._state()
        return self.state

    def _rescore(self, indicators: tuple[int, ...]) -> None:
        """One engine evaluation of the indicators that read the changed figures, for every county."""
        self.engine_calls += 1
        for ident in indicators:
            ind = self.catalog.indicator(ident)
            col, self._results[ident] = evaluate_indicator(ind, self._env, self.bench.config)
            self._scores[:, ident - 1] = col

    # ── weights ──
    def set_weight(self, indicator: int, points: float) -> State:
        """The weight (points) of one indicator; the total is Σ score × weight / seed points."""
        return self.set_weights({indicator: points})

    def set_weights(self, weights: Mapping[int, float] | None = None) -> State:
        """Several weights at once; None = the seed's points."""
        if weights is None:
            self.weights = self.points.copy()
        else:
            for k, v in weights.items():
                if not (np.isfinite(v) and v >= 0):
                    raise InputError([f"指标{k}的权重应为不小于0的数，收到{v}"], "无法修改权重")
                self.weights[int(k) - 1] = float(v)
        self.state = self._state()
        return self.state

    # ── what follows ──
    @property
    def scores(self) -> pd.DataFrame:
        """Counties × indicators under the current figures (seed points)."""
        return pd.DataFrame(self._scores, index=self._ps.scores.index, columns=self._ps.scores.columns)

    def totals(self) -> pd.Series:
        """Every county's total under the current figures and weights."""
        return self._weighted(self._scores).rename("total")

    def _weighted(self, scores: np.ndarray) -> pd.Series:
        return pd.Series(np.nansum(scores * (self.weights / self.points), axis=1), index=self._ps.scores.index)

    @property
    def baseline_total(self) -> float:
        """The county's total for its own figures under the seed's points (the benchmark's total): what
        every change — of figures or of weights — is measured from."""
        return float(self._ps.totals.iat[self.i])

    @property
    def baseline_rank(self) -> int:
        return int(ranks(self._ps.totals).iat[self.i])

    def panel_scores(self) -> PanelScores:
        """The current figures as a PanelScores (what ``qstrong score`` would compute for them)."""
        return dataclasses.replace(self._ps, env=self._env, scores=self.scores, results=dict(self._results))

    def _state(self) -> State:
        totals = self.totals()
        r = ranks(totals)
        row = self._scores[self.i]
        missing = tuple(int(j + 1) for j in np.flatnonzero(np.isnan(row)) if not self._zero_base(int(j + 1)))
        veto_m = self.catalog.veto.measures
        triggered = tuple(self.measures[m].name_zh for m in veto_m if self._env[m][self.i] > 0.5)
        unknown = tuple(self.measures[m].name_zh for m in veto_m if np.isnan(self._env[m][self.i]))
        veto = "triggered" if triggered else "unknown" if unknown else "not"
        return State(float(totals.iat[self.i]), int(r.iat[self.i]), len(totals), not missing, missing, veto,
                     triggered or unknown, self._lost(row), self._changed(), bool((self.weights != self.points).any()))

    def _zero_base(self, ident: int) -> bool:
        """Indicator `ident` of the county is unscored for a growth from zero, not for missing data (its
        own results; the panel-wide ``PanelScores.uncomputable`` would rebuild every county's)."""
        ind = self.catalog.indicator(ident)
        items = ind.items_for(self.bench.config.variants.get(ident))
        return bool(zero_base_unscored(items, self._results[ident], self._env, self.i))

    def _lost(self, row: np.ndarray) -> pd.DataFrame:
        """Lost points by level 2 (current weights) now and for the county's own figures."""
        w = self.weights
        level2 = [ind.level2 for ind in self.catalog.indicators]
        now = w - np.nan_to_num(row) * w / self.points
        base = w - np.nan_to_num(self._baseline_scores) * w / self.points
        df = pd.DataFrame({"level2": level2, "points": w, "baseline_lost": base, "lost": now})
        return df.groupby("level2", sort=False).sum()

    def _changed(self) -> pd.DataFrame:
        """Indicators reading a changed figure: score before and after, and the new explanation."""
        idents = list(dict.fromkeys(j for m in self.changes() for j in self.readers[m]))
        ps = self.panel_scores() if idents else None
        rows = []
        for j in sorted(idents):
            line = ps.indicator_score(self.catalog.indicator(j), self.i)
            b = self._baseline_scores[j - 1]
            rows.append({"indicator": j, "points": self.points[j - 1],
                         "baseline": None if np.isnan(b) else float(b), "score": line.score,
                         "explanation": line.explanation})
        return pd.DataFrame(rows, columns=["indicator", "points", "baseline", "score", "explanation"])

    # ── saving ──
    def scenario(self, name: str = "交互探索") -> Scenario:
        """The changes as a scenario of `set` changes (what ``qstrong whatif --scenario`` applies)."""
        out = []
        for m, x in self.changes().items():
            if x is None:
                continue        # "no data" is not a scenario change: said in the saved file's notes
            meas = self.measures[m]
            text = meas.levels[int(x)] if meas.kind == "level" else fmt_num(x, 10) if meas.kind != "bool" else \
                ("true" if x > 0.5 else "false")
            out.append(Change(m, "set", x, "county", f"原值：{self.shown(m, self.baseline(m))}", text))
        return Scenario(name, f"交互探索中修改的数据（{self.bench.county}，{self.bench.year}年）", tuple(out))

    def cleared(self) -> list[str]:
        """Measures changed to 'no data' (a scenario cannot say that)."""
        return [m for m, x in self.changes().items() if x is None]
