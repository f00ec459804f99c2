"""The leader's facts, as data: one Benchmark (plus an optional intake, a target and a number of weight
draws) summarised for the report's front page — total and rank with the rank band under weight
uncertainty, the veto, completeness, the change from last year, the distance to the target and the
first actions of the cheapest path. Every figure comes from the analysis API; nothing is rendered here."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..benchmark import Benchmark
from ..departments import assignment
from ..measures import fmt_num, load_measures
from ..scoring import VETO_EFFECT, num
from .gaps import gaps
from .path import EffortTable, PathPlan, cheapest_path, load_effort
from .scenarios import BASELINE, compare
from .sensitivity import sensitivity

FIRST_ACTIONS = 5
ACTION_ORDER = "按增分从高到低、同分时工作量少者在前排列"   # how the first actions are chosen (said where listed)
MOVERS = 3
VETO_ZH = {"triggered": "已触发", "not": "未触发", "unknown": "无法判断（数据缺失）"}


@dataclass(frozen=True)
class Action:
    """One step of the cheapest path, with who does it and what its effort figure means."""

    indicator: int
    action: str
    departments: str
    gain: float
    effort: float
    meaning: str          # the change and the effort table's rows behind the effort figure


@dataclass(frozen=True)
class Completeness:
    """Measures the county's data lack, by responsible department (from the intake when there is one)."""

    source: str                                     # 部门填报 or 面板
    unreported: tuple[str, ...]                      # measure ids
    by_department: dict[str, tuple[str, ...]]        # department → measure names
    no_evidence: int = 0                             # intake values reported without evidence

    @property
    def count(self) -> int:
        return len(self.unreported)


@dataclass(frozen=True)
class YearChange:
    """The total and the indicators that moved most against the previous year (same benchmark)."""

    year: int
    before: float
    now: float
    movers: tuple[tuple[int, str, float, float], ...]     # indicator, criterion, score before, now

    @property
    def delta(self) -> float:
        return self.now - self.before


@dataclass(frozen=True)
class Summary:
    """What the leader reads first; built by :func:`leader_summary`."""

    benchmark: Benchmark
    total: float
    rank: int
    n: int
    rank_text: str
    rank_band: tuple[int, int]          # 5 % and 95 % quantiles of the rank under weight uncertainty
    draws: int
    spread: float                        # the weights' relative spread in those draws
    veto: str                            # triggered / not / unknown
    veto_items: tuple[str, ...]          # the triggered items, or the items without data
    completeness: Completeness
    change: YearChange | None
    target: float
    plan: PathPlan
    actions: tuple[Action, ...]          # the first FIRST_ACTIONS of the plan
    lost_by_level2: pd.DataFrame
    synthetic_values: int
    warnings: tuple[str, ...] = ()       # degenerate goalposts (CountyScore.warnings), said on the page

    @property
    def distance(self) -> float:
        """Points still needed to reach the target (0 when reached)."""
        return max(0.0, self.target - self.total)

    @property
    def veto_text(self) -> str:
        items = "、".join(self.veto_items)
        return VETO_ZH[self.veto] + (f"（{items}）" if items else "")


def veto_status(bench: Benchmark) -> tuple[str, tuple[str, ...]]:
    """(triggered / not / unknown, the triggered items or the items without data) from the scorecard."""
    card = bench.scores.county(bench.county)
    if card.vetoed:
        return "triggered", tuple(card.veto_reasons)
    if card.veto_unknown:
        names = load_measures()
        return "unknown", tuple(names[m].name_zh for m in card.veto_unknown)
    return "not", ()



def veto_sentence(veto: str, items: tuple[str, ...] | list[str]) -> str:
    """一票否决 in one phrase: its state, the items, and (triggered) that the county is not rated."""
    named = f"（{'、'.join(items)}）" if items else ""
    return f"一票否决{VETO_ZH[veto]}{named}" + (f"：{VETO_EFFECT}" if veto == "triggered" else "")


def veto_departments(catalog=None) -> tuple[str, ...]:
    """The veto's responsible departments (catalog ``veto.departments``), canonical names, groups dropped."""
    from ..catalog import load_catalog
    from ..departments import canonical

    cat = catalog or load_catalog()
    return tuple(dict.fromkeys(n for d in cat.veto.departments if (n := canonical(d, cat))))


def completeness(bench: Benchmark, intake=None) -> Completeness:
    """Unreported measures: the intake's 未填报/未报送 rows nobody else covered, else the county's empty
    measures in the benchmark year; each under its responsible departments."""
    names = load_measures()
    if intake is not None:
        chase = intake.chase()
        gone = chase[chase["status"].ne("缺佐证") & ~chase["covered_by_other"].astype(bool)]
        by_dep = {str(d): tuple(dict.fromkeys(names[m].name_zh for m in g["measure"]))
                  for d, g in gone.groupby("department", sort=False)}
        return Completeness("部门填报", tuple(dict.fromkeys(gone["measure"])), by_dep,
                            int(chase["status"].eq("缺佐证").sum()))
    ps = bench.scores
    i = ps.counties.index(bench.county)
    missing = tuple(m for m in ps.catalog.measures if m in ps.env and np.isnan(ps.env[m][i]))
    owners = assignment(ps.catalog)
    by_dep: dict[str, list[str]] = {}
    for m in missing:
        for d in owners.departments_of(m):
            by_dep.setdefault(d, []).append(names[m].name_zh)
    return Completeness("面板", missing, {d: tuple(v) for d, v in by_dep.items()})


def year_change(bench: Benchmark) -> YearChange | None:
    """Against the previous year of the same benchmark, when the panel has the county in it."""
    before = bench.year - 1
    if before not in bench.panel.years:
        return None
    prev = replace(bench, year=before)
    if bench.county not in prev.counties:
        return None
    now_s, prev_s = bench.scores.scores.loc[bench.county], prev.scores.scores.loc[bench.county]
    moved = (now_s - prev_s).dropna()
    moved = moved[moved.abs() > 1e-9]
    top = moved.reindex(moved.abs().sort_values(ascending=False, kind="stable").index)[:MOVERS]
    crit = {ind.id: ind.criterion for ind in bench.panel.catalog.indicators}
    movers = tuple((int(k), crit[int(k)], float(prev_s[k]), float(now_s[k])) for k in top.index)
    return YearChange(before, prev.total, bench.total, movers)


def _meaning(row: pd.Series, table: EffortTable) -> str:
    frame = table.frame.drop_duplicates("measure", keep="last").set_index("measure")
    names = load_measures()
    ms = [m for m in str(row["measures"]).split() if m in frame.index]
    rows = [(f"{names[m].name_zh}" if len(ms) > 1 else "")
            + f"每{str(frame.at[m, 'per']).replace(' ', '')}计{fmt_num(float(frame.at[m, 'effort']))}点"
            + (f"（{frame.at[m, 'note']}）" if str(frame.at[m, "note"]).strip() else "") for m in ms]
    return f"{row['targets']}；工作量表：{'；'.join(rows)}" if rows else str(row["targets"])


def first_actions(plan: PathPlan, n: int = FIRST_ACTIONS) -> pd.DataFrame:
    """The plan's `n` actions that matter most (:data:`ACTION_ORDER`): points gained (desc), then effort
    (asc), then indicator — the one ordering of the brief and the front page."""
    frame = plan.to_frame()
    return frame.sort_values(["gain", "effort", "indicator"], ascending=[False, True, True], kind="stable").head(n)


def leader_summary(bench: Benchmark, intake=None, target: float = 85.0, draws: int = 10_000, seed: int = 0,
                   effort: EffortTable | str | Path | None = None) -> Summary:
    """The front page's facts for `bench` (the intake, when given, tells who left which measures empty)."""
    table = effort if isinstance(effort, EffortTable) else load_effort(effort)
    sa = sensitivity(bench, draws=draws, seed=seed, progress=False)
    band = sa.weights.loc[bench.county]
    plan = cheapest_path(bench, target=target, effort=table)
    actions = tuple(Action(int(r["indicator"]), str(r["action"]), str(r["departments"]), float(r["gain"]),
                           float(r["effort"]), _meaning(r, table)) for _, r in first_actions(plan).iterrows())
    rep = gaps(bench)
    veto, items = veto_status(bench)
    return Summary(bench, bench.total, bench.rank(), bench.n, bench.rank_text(),
                   (int(band["rank_p05"]), int(band["rank_p95"])), sa.draws, sa.spread, veto, items, completeness(bench, intake),
                   year_change(bench), plan.target, plan, actions, rep.by_level("level2"), rep.synthetic_values,
                   tuple(rep.card.warnings))


@dataclass(frozen=True)
class PlanViews:
    """One scenario read two ways: on the evaluation year's data, and on the trend plus the scenario."""

    scenario: str
    year: int
    to_year: int
    base: float              # the evaluation year's total (基线)
    today: float             # … with the scenario applied
    today_rank: str
    trend: float             # the total projected to `to_year` on trend
    projected: float         # … with the scenario applied to the projection
    projected_rank: str

    @property
    def labels(self) -> tuple[str, str]:
        return (f"情景：{self.year}年实际数据＋规划目标", f"预测：趋势外推至{self.to_year}年＋规划目标")

    def table(self) -> pd.DataFrame:
        """Side by side: without and with the scenario, the scenario's gain and the rank."""
        rows = ["不含规划的总分", "含规划的总分", "规划带来的增分", "含规划的排名"]
        a, b = self.labels
        return pd.DataFrame({"项目": rows, a: [self.base, self.today, self.today - self.base, self.today_rank],
                             b: [self.trend, self.projected, self.projected - self.trend, self.projected_rank]})

    def sentence(self) -> str:
        """The difference of the two totals in one sentence (it adds up exactly)."""
        gain_today, gain_trend = self.today - self.base, self.projected - self.trend
        return (f"两者相差{num(self.projected - self.today, sign=True)}分：情景把规划目标放在{self.year}年的实际数据上（其余数据项和"
                f"对标县都取{self.year}年实际值），预测则先把全部数据项和对标县按趋势外推到{self.to_year}年再放上规划目标，"
                f"其中趋势本身使总分变化{num(self.trend - self.base, sign=True)}分，规划在趋势上的增分"
                f"（{num(gain_trend, sign=True)}）与在今天数据上的增分（{num(gain_today, sign=True)}）相差"
                f"{num(gain_trend - gain_today, sign=True)}分（趋势已部分达到或偏离规划目标）。")


def plan_views(bench: Benchmark, scenario, projection) -> PlanViews:
    """`scenario` on the benchmark's year (scenarios.compare) and on `projection` (Projection.with_scenario)."""
    today = compare(bench, scenarios=[scenario]).table()
    w = projection.with_scenario(scenario)
    ahead = w["comparison"].table()
    name = w["scenario"]
    return PlanViews(name, bench.year, int(w["year"]), float(today.loc[BASELINE, "total"]),
                     float(today.loc[name, "total"]), str(today.loc[name, "rank"]), w["trend"], w["with_scenario"],
                     str(ahead.loc[name, "rank"]))
