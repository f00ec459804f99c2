"""Scoring a panel: every county at once (vectorised), and one county's explained scorecard."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from .catalog import Catalog, Indicator, load_catalog
from .config import ScoringConfig
from .measures import fmt_num
from .panel import Panel, PanelError, Problem, load_panel
from .rules import Env, ItemResult
from .rules.efficacy import ZERO_BASE_STATUS, zero_base_unscored

ROUND = 10  # decimals kept in outputs: removes float noise, keeps ≥ 6 decimals of precision
THIN_GOALPOSTS = 5  # goalposts resting on fewer counties' values than this are said in the scorecard


def clean(x: float) -> float | None:
    """A float for output: None for NaN, rounded to ROUND decimals (no 0.30000000000000004)."""
    return None if x is None or np.isnan(x) else round(float(x), ROUND) + 0.0


def evaluate_indicator(ind: Indicator, env: Env, config: ScoringConfig) -> tuple[np.ndarray, list[ItemResult]]:
    """Scores of one indicator for every county (last axis), and the item results behind them."""
    settings = config.settings(ind.id)
    items = ind.items_for(config.variants.get(ind.id))
    results = [it.evaluate(env, settings) for it in items]
    total = sum(r.points for r in results)
    return np.minimum(total, ind.cap), results


def score_arrays(env: Env, config: ScoringConfig | None = None, catalog: Catalog | None = None) -> np.ndarray:
    """Scores as an array (..., counties, 43) from measure arrays (..., counties); NaN = missing."""
    catalog = catalog or load_catalog()
    config = config or ScoringConfig.default(catalog)
    return np.stack([evaluate_indicator(ind, env, config)[0] for ind in catalog.indicators], axis=-1)


#: why an indicator has no score: its data are missing, or a growth starts from zero (``zero_base: null``)
STATUS_ZH = {"scored": "已计分", "missing": "缺少数据", "zero_base": ZERO_BASE_STATUS}


@dataclass
class IndicatorScore:
    indicator: int
    points: float
    score: float | None
    missing: list[str]
    explanation: str
    status: str = "scored"      # a key of STATUS_ZH; "zero_base" is not missing data


@dataclass
class CountyScore:
    """One county's scorecard: total, veto, completeness and every indicator explained.

    `complete`: no indicator lacks data. An indicator left unscored because its growth starts from zero
    (``zero_base: null``, status ``zero_base``) is not missing data: it does not make the card incomplete,
    but it is said in `warnings` and its points are not in `max_scored`."""

    county: str
    year: int
    total: float
    vetoed: bool
    veto_reasons: list[str]
    veto_unknown: list[str]
    complete: bool
    indicators: list[IndicatorScore]
    catalog: Catalog = field(repr=False)
    sources: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)   # degenerate goalposts, said aloud

    @property
    def max_scored(self) -> float:
        """Points available over the indicators that could be scored."""
        return sum(s.points for s in self.indicators if s.score is not None)

    def to_dict(self) -> dict:
        return {
            "county": self.county, "year": self.year, "total": clean(self.total),
            "vetoed": self.vetoed, "veto_reasons": self.veto_reasons, "veto_unknown": self.veto_unknown,
            "complete": self.complete, "sources": self.sources, "warnings": self.warnings,
            "indicators": [{"indicator": s.indicator, "points": clean(s.points), "score": clean(s.score),
                            "missing": s.missing, "status": s.status, "explanation": s.explanation}
                           for s in self.indicators],
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per indicator: levels, points, score, lost points, missing inputs, explanation."""
        rows = []
        for s in self.indicators:
            ind = self.catalog.indicator(s.indicator)
            rows.append({
                "indicator": s.indicator, "level1": ind.level1, "level2": ind.level2,
                "criterion": ind.criterion, "points": s.points, "score": clean(s.score),
                "lost": None if s.score is None else clean(s.points - s.score),
                "missing": " ".join(s.missing), "departments": "、".join(ind.departments),
                "explanation": s.explanation,
            })
        return pd.DataFrame(rows).set_index("indicator")

    def _repr_html_(self) -> str:
        from .display import scorecard_html

        return scorecard_html(self)

    def __str__(self) -> str:
        from .display import scorecard_text

        return scorecard_text(self)


@dataclass
class PanelScores:
    """Scores of every county of a panel in one year, with what explanations need."""

    panel: Panel
    year: int
    config: ScoringConfig
    counties: list[str]
    env: dict[str, np.ndarray]
    scores: pd.DataFrame                      # counties × indicator ids
    results: dict[int, list[ItemResult]] = field(repr=False)

    @property
    def catalog(self) -> Catalog:
        return self.panel.catalog

    @property
    def totals(self) -> pd.Series:
        return self.scores.sum(axis=1, skipna=True).rename("total")

    @property
    def complete(self) -> pd.Series:
        """No indicator lacks data (an indicator unscored for a zero base, :attr:`uncomputable`, is not missing)."""
        return (self.scores.notna() | self.uncomputable).all(axis=1).rename("complete")

    @cached_property
    def uncomputable(self) -> pd.DataFrame:
        """counties × indicators: unscored although every input is reported, because a growth starts from
        zero under ``zero_base: null`` (status “无法计算增长率：上年为0”)."""
        cols = {ind.id: zero_base_unscored(ind.items_for(self.config.variants.get(ind.id)), self.results[ind.id],
                                           self.env) & self.scores[ind.id].isna().to_numpy()
                for ind in self.catalog.indicators}
        out = pd.DataFrame(cols, index=self.scores.index)
        out.columns.name = "indicator"
        return out

    @property
    def vetoed(self) -> pd.Series:
        veto = np.zeros(len(self.counties), dtype=bool)
        for m in self.catalog.veto.measures:
            veto |= self.env[m] > 0.5
        return pd.Series(veto, index=self.scores.index, name="vetoed")

    def to_frame(self) -> pd.DataFrame:
        """counties × (43 indicator scores, total, complete, vetoed)."""
        return pd.concat([self.scores, self.totals, self.complete, self.vetoed], axis=1)

    def _repr_html_(self) -> str:
        head = f"<h4>{self.year}年 {len(self.counties)}个县（市、区）得分</h4>"
        return head + self.to_frame().round(4).to_html()

    def county(self, name: str) -> CountyScore:
        if name not in self.counties:
            raise PanelError([Problem(f"{self.year}年的面板中没有县（市、区）“{name}”，"
                                      f"现有：{'、'.join(self.counties)}", source=self.panel.source)])
        i = self.counties.index(name)
        cat = self.catalog
        rows = [self.indicator_score(ind, i) for ind in cat.indicators]
        zero = [r for r in rows if r.status == "zero_base"]
        veto_reasons = [cat.measures[m].name_zh for m in cat.veto.measures if self.env[m][i] > 0.5]
        veto_unknown = [m for m in cat.veto.measures if np.isnan(self.env[m][i])]
        return CountyScore(
            county=name, year=self.year, total=float(self.totals.iat[i]), vetoed=bool(veto_reasons),
            veto_reasons=veto_reasons, veto_unknown=veto_unknown,
            complete=all(r.status != "missing" for r in rows), indicators=rows, catalog=cat,
            sources=self.panel.sources(self.year), warnings=self.goalpost_warnings(i) + [
                f"指标{'、'.join(str(r.indicator) for r in zero)}：{ZERO_BASE_STATUS}（按所选口径不计分；"
                f"数据已填报，不属于数据缺失），总分不含这{fmt_num(sum(r.points for r in zero))}分"] * bool(zero),
        )

    def goalpost_warnings(self, i: int) -> list[str]:
        """Efficacy values of county `i` whose goalposts are degenerate, one sentence per kind: resting on
        fewer than :data:`THIN_GOALPOSTS` counties' values, or on counties that all have the same value
        (d is then base + span — full marks — for everyone)."""
        thin: dict[int, list[str]] = {}
        equal: list[str] = []
        for ind in self.catalog.indicators:
            items = ind.items_for(self.config.variants.get(ind.id))
            for it, res in zip(items, self.results[ind.id], strict=True):
                fixed = getattr(res.detail.get("settings"), "goalposts", None)
                if fixed is not None and fixed.policy == "fixed":
                    continue                   # goalposts given, not drawn from the counties
                for comp, k in zip(getattr(it, "components", ()), res.detail.get("coefs", ()), strict=False):
                    if np.isnan(k.x[i]) or k.gated_out[i]:
                        continue
                    used = int((np.isfinite(k.x) & ~k.gated_out).sum())
                    where = f"指标{ind.id}（{comp.label}）"
                    if used < THIN_GOALPOSTS:
                        thin.setdefault(used, []).append(where)
                    if not float(k.high[0]) > float(k.low[0]):
                        equal.append(where)
        out = [f"{'、'.join(v)}的标杆只依据{n}个县（市、区）的数值（少于{THIN_GOALPOSTS}个），得分和排名意义有限"
               for n, v in sorted(thin.items())]
        if equal:
            out.append(f"{'、'.join(equal)}：对标县（市、区）的数值全部相同，标杆重合，一律按满分计")
        return out

    def indicator_score(self, ind: Indicator, i: int) -> IndicatorScore:
        """The scorecard line of indicator `ind` for the county at position `i`: score and explanation."""
        s = self.scores.iat[i, ind.id - 1]
        items = ind.items_for(self.config.variants.get(ind.id))
        used = dict.fromkeys(m for it in items for m in it.measures())
        missing = [m for m in used if np.isnan(self.env[m][i])]
        status = "scored" if not np.isnan(s) else "missing" if missing else \
            "zero_base" if self.uncomputable.iat[i, ind.id - 1] else "missing"
        return IndicatorScore(ind.id, ind.points, None if np.isnan(s) else float(s), missing,
                              self._explain(ind, items, i, missing), status)

    def _explain(self, ind: Indicator, items, i: int, missing: list[str]) -> str:
        if missing:
            names = "、".join(self.catalog.measures[m].name_zh for m in missing)
            return f"缺少数据：{names}，本项不计分"
        results = self.results[ind.id]
        parts = [it.explain(r, self.env, i, self.counties) for it, r in zip(items, results, strict=True)]
        s = self.scores.iat[i, ind.id - 1]
        if np.isnan(s):
            return minus_signs("；".join(parts))
        raw = sum(float(r.points[i]) for r in results)
        if len(parts) > 1 or raw > ind.cap:
            tail = f"合计{fmt_num(raw, keep=(ind.cap,))}" + (f"，封顶{fmt_num(ind.cap)}分" if raw > ind.cap else "分")
            parts.append(tail)
        return minus_signs("；".join(parts))


_NEGATIVE = re.compile(r"(?<![\w.])-(?=\d)")


def num(x: float, digits: int = 2, sign: bool = False) -> str:
    """A number for people: fixed decimals, negatives with “−” (U+2212), `sign` adds “+” to positives;
    a value that rounds to zero shows no sign."""
    text = f"{x:+.{digits}f}" if sign else f"{x:.{digits}f}"
    if float(text) == 0:
        text = f"{0:.{digits}f}"
    return text.replace("-", "−")


VETO_EFFECT = "不予评定，排名仅按总分列出"       # what a triggered veto means (score --all, brief, task packages)


def minus_signs(text: str) -> str:
    """One minus sign (U+2212) for negative numbers in Chinese text; ranges such as 1-2项 keep their hyphen."""
    return _NEGATIVE.sub("−", text)


def score_panel(panel: Panel | pd.DataFrame | str, year: int | None = None,
                config: ScoringConfig | Mapping | None = None) -> PanelScores:
    """Score every county of the panel in `year` (default: the latest year in the panel)."""
    panel = load_panel(panel)
    cat = panel.catalog
    if config is None:
        config = ScoringConfig.default(cat)
    elif isinstance(config, Mapping):
        config = ScoringConfig.from_dict(config, cat)
    year = panel.latest_year() if year is None else int(year)
    if year not in panel.years:
        raise PanelError([Problem(f"面板中没有{year}年的数据，现有年份：{'、'.join(map(str, panel.years))}",
                                  source=panel.source)])
    wide = panel.wide(year)
    env = {m: wide[m].to_numpy() for m in wide.columns}
    cols, results = {}, {}
    for ind in cat.indicators:
        cols[ind.id], results[ind.id] = evaluate_indicator(ind, env, config)
    scores = pd.DataFrame(cols, index=wide.index)
    scores.columns.name = "indicator"
    return PanelScores(panel, year, config, list(wide.index), env, scores, results)


def score(panel: Panel | pd.DataFrame | str, county: str, year: int | None = None,
          config: ScoringConfig | Mapping | None = None) -> CountyScore:
    """Score one county against the panel's other counties (its peers)."""
    return score_panel(panel, year, config).county(county)
