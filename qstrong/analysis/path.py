"""Cheapest path to a target score: the least effort that lifts one county's total to N points.

Options. Every rule item of the county offers its alternative improvement levels (`options` of the
item classes): reach a threshold or flag; +1, +2, … units of a per-unit item up to its cap or the
indicator's room; each higher tier or level; each better case; fill 1, 2, … of a deduction's
missing items (least effort first; the floor at 0 makes the gain non-linear); a group's sub-items.
An efficacy item offers, per lever measure (a component's declared `levers`, e.g. every award of 42),
the values that bring a component to d = 60, 65, …, 100
(`required_value`, `Component.solve_lever`), each re-scored exactly against the unchanged peers.
Every option carries its measure targets, so it can be applied and checked; its effort is
Σ |target − current| × effort per unit (bool or level: per step) from the effort table
(`qstrong/data/effort.csv`, editable; `load_effort`). Indicators with missing data are not
recoverable and offer nothing.

Formulation: an exact mixed-integer linear programme (HiGHS via ``scipy.optimize.milp``, gap 0)

    x_o ∈ {0, 1}          option o is chosen; g_o its gain, e_o its effort
    y_p ∈ [0, room_p]     realised gain of pool p: an indicator (room = points − score) or a group
                          inside it (room = group cap − group points)
    minimise    Σ_o e_o·x_o
    subject to  Σ_{o∈s} x_o ≤ 1                          every choice set s: a rule item, or the
                                                          components of an efficacy item one lever moves
                y_p − Σ_{o∈p} g_o·x_o − Σ_{q⊂p} y_q ≤ 0  every pool p (q: the groups inside it)
                Σ_{indicators p} y_p ≥ target − current

y_p only has to stay below both its room and what its options gain, so y_p = min(room_p, Σ gains)
is attainable: the caps (an indicator's points, 4's 4 points, 43's 9, 15's group cap of 2) are
exact without linearising a min. Choice sets touch disjoint measures, so their gains add up. A
second solve keeps the least effort and picks, among such plans, the one that gains most.
"""

from __future__ import annotations

import difflib
import html
import math
import os
import re
import sys
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd

from ..benchmark import Benchmark, benchmark
from ..config import ScoringConfig
from ..departments import canonical
from ..errors import InputError
from ..measures import Measure, fmt_num, format_value, load_measures
from ..names import clean_text, normalise_name
from ..panel import Panel
from ..panelcsv import tab_separated
from ..params import check_params
from ..rules.base import Step
from ..rules.composite import Group
from ..rules.efficacy import ZERO_BASE_STATUS, Efficacy
from ..scoring import PanelScores
from ..textfiles import read_text
from .required import points_with

TOL = 1e-9
_PER = re.compile(r"^\s*(\d+(?:\.\d+)?)?\s*(\S.*?)\s*$")
_NUMBER = re.compile(r"[+-]?(?:\d{1,30}(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?", re.ASCII)
_PERCENT_UNITS = {"%", "个百分点", "百分点"}
EFFORT_UNIT = ("工作量为相对点数（无量纲），取自可编辑的工作量表（随包附带 qstrong/data/effort.csv，可用自己的表覆盖）："
               "每项措施的工作量 = Σ |目标值 − 现值| × 该数据项每单位的工作量（是/否、等级类按每一档计）。")


class EffortError(InputError):
    """An effort table with problems; every one is listed, in Chinese."""

    def __init__(self, problems: list[str], source: str):
        super().__init__(problems, f"工作量表 {source} 有{{n}}处问题")


@dataclass(frozen=True)
class EffortTable:
    """Effort per unit of each measure (per step for bool and level measures)."""

    per_unit: dict[str, float]
    frame: pd.DataFrame

    def cost(self, targets, current: Mapping[str, float]) -> float:
        return round(float(sum(abs(v - current[m]) * self.per_unit[m] for m, v in targets)), 10)


def _per_quantity(m: Measure, per: str) -> tuple[float | None, str | None]:
    """How many measure units the `per` column names, or a Chinese problem."""
    per = per.strip()
    if m.kind in ("bool", "level"):
        want = "是" if m.kind == "bool" else "级"
        return (1.0, None) if per == want else (None, f"单位“{clean_text(per)}”应为“{want}”")
    mt = _PER.match(per)
    units = {m.unit} | (_PERCENT_UNITS if m.unit == "%" else set())
    if not mt or mt.group(2) not in units:
        return None, f"单位“{clean_text(per)}”与数据项单位不符，应如“1 {'个百分点' if m.unit == '%' else m.unit}”"
    qty = float(mt.group(1) or 1)
    return (qty, None) if 0 < qty < math.inf else (None, f"单位“{clean_text(per)}”的数量应为大于0的有限数")


def _parse_effort(text: str, source: str) -> tuple[dict[str, float], pd.DataFrame]:
    try:
        sep = "\t" if tab_separated(text) else ","      # Excel's "Unicode text" (UTF-16) is tab-separated
        df = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False, sep=sep)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise EffortError([f"无法按CSV读取：{str(exc).strip() or '文件为空'}"], source) from None
    df.columns = [normalise_name(c) for c in df.columns]
    lacking = [c for c in ("measure", "effort", "per") if c not in df.columns]
    if lacking:
        raise EffortError([f"缺少必需的列：{'、'.join(lacking)}（应有 measure,effort,per,note）"], source)
    measures, problems, per_unit, seen = load_measures(), [], {}, {}
    for line, (raw_mid, eff, per) in enumerate(zip(df["measure"], df["effort"].str.strip(), df["per"], strict=True),
                                               start=2):
        mid = normalise_name(raw_mid)
        where = f"第{line}行（{clean_text(mid) or '数据项为空'}）"
        if mid not in measures:
            close = difflib.get_close_matches(mid, measures, n=1, cutoff=0.75)
            problems.append(f"{where}：未知的数据项" + (f"，是否应为 {close[0]}？" if close else ""))
            continue
        if mid in seen:
            problems.append(f"{where}：与第{seen[mid]}行重复")
            continue
        seen[mid] = line
        e = float(eff) if _NUMBER.fullmatch(eff) else None
        if e is None:
            problems.append(f"{where}：工作量“{clean_text(eff)}”不是数字")
        elif not math.isfinite(e):
            problems.append(f"{where}：工作量“{eff}”超出可表示的范围，不是有限数字")
        elif not e > 0:
            problems.append(f"{where}：工作量“{eff}”应为大于0的数")
        qty, err = _per_quantity(measures[mid], per)
        if err:
            problems.append(f"{where}：{err}")
        if not problems:
            per_unit[mid] = e / qty
    if problems:
        raise EffortError(problems, source)
    df["measure"] = df["measure"].map(normalise_name)
    return per_unit, df


def load_effort(path: str | Path | None = None) -> EffortTable:
    """The shipped effort table, overridden row by row by the CSV at `path` (measure,effort,per,note; UTF-8,
    read by ``textfiles`` and registered as an input). Raises EffortError listing every problem of the
    file (unknown measures, repeats, bad numbers)."""
    shipped = resources.files("qstrong").joinpath("data/effort.csv").read_text(encoding="utf-8-sig")
    per_unit, frame = _parse_effort(shipped, "qstrong/data/effort.csv")
    if path is not None:
        mine, user = _parse_effort(read_text(path, "工作量表"), str(path))
        per_unit = {**per_unit, **mine}
        frame = pd.concat([frame[~frame["measure"].isin(mine)], user], ignore_index=True)
    return EffortTable(per_unit, frame)


@dataclass(frozen=True)
class Option:
    """One alternative improvement: its indicator, choice set, innermost cap (pool), step and effort."""

    indicator: int
    choice: str
    pool: str
    step: Step
    effort: float


def county_options(ps: PanelScores, i: int, effort: EffortTable) -> tuple[list[Option], dict[str, tuple]]:
    """Every option of county `i` and the pools: id → (parent pool or None, room)."""
    env = ps.env
    cur = {m: float(a[i]) for m, a in env.items()}
    rank = effort.per_unit.__getitem__
    opts: list[Option] = []
    pools: dict[str, tuple] = {}

    def walk(items, results, pool: str, room: float, ident: int) -> None:
        for k, (it, r) in enumerate(zip(items, results, strict=True)):
            key = f"{pool}/{k}"
            if isinstance(it, Group):
                sub = min(room, it.cap - r.points[i])
                if sub > TOL:
                    pools[key] = (pool, sub)
                    walk(it.items, r.detail["subs"], key, sub, ident)
                continue
            for st in it.options(r, env, i, room, rank):
                if st.kind == "efficacy" and st.targets and isinstance(it, Efficacy) and \
                        np.isnan(points_with(it, env, i, r.detail["settings"], st.targets)):
                    continue            # the move leaves the item unscored (a growth from 0 under zero_base null)
                if st.gain > TOL and st.targets:
                    # one choice per group of components: two levers of one value never stack
                    choice = key + (f"@{st.group or st.targets[0][0]}" if st.kind == "efficacy" else "")
                    opts.append(Option(ident, choice, pool, st, effort.cost(st.targets, cur)))

    for ind in ps.catalog.indicators:
        s = ps.scores.iat[i, ind.id - 1]
        room = min(ind.points, ind.cap) - s
        if np.isnan(s) or room <= TOL:
            continue
        pools[str(ind.id)] = (None, room)
        walk(ind.items_for(ps.config.variants.get(ind.id)), ps.results[ind.id], str(ind.id), room, ind.id)
    return opts, pools


def realise(chosen: list[Option], pools: dict[str, tuple]) -> tuple[float, dict[str, float]]:
    """Exact gain of options (at most one per choice set) under the caps; per option (by choice) its
    share of the realised gain (a capped pool's gain is shared in proportion)."""
    raw: dict[str, float] = defaultdict(float)
    for o in chosen:
        raw[o.pool] += o.step.gain
    got: dict[str, float] = {}
    for p in sorted(pools, key=lambda p: -p.count("/")):  # innermost pools first
        parent, room = pools[p]
        got[p] = min(room, raw[p])
        if parent is not None:
            raw[parent] += got[p]

    def factor(p: str) -> float:
        f = got[p] / raw[p] if raw[p] > 0 else 0.0
        return f * factor(pools[p][0]) if pools[p][0] is not None else f

    total = sum(g for p, g in got.items() if pools[p][0] is None)
    return total, {o.choice: o.step.gain * factor(o.pool) for o in chosen}


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    """File descriptor 1 sent to /dev/null around a solve: HiGHS can print debug text there directly,
    past ``disp=False`` and past Python's sys.stdout."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:                     # no standard output at all: nothing to protect
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _solve(opts: list[Option], pools: dict[str, tuple], need: float) -> list[Option] | None:
    from scipy.optimize import Bounds, LinearConstraint, milp

    n, names = len(opts), list(pools)
    col = {p: n + k for k, p in enumerate(names)}
    sets: dict[str, list[int]] = defaultdict(list)
    for j, o in enumerate(opts):
        sets[o.choice].append(j)
    A = np.zeros((len(sets) + len(names) + 1, n + len(names)))
    for r, js in enumerate(sets.values()):
        A[r, js] = 1.0
    for r, p in enumerate(names, start=len(sets)):
        A[r, col[p]] = 1.0
        A[r, [j for j, o in enumerate(opts) if o.pool == p]] = [-o.step.gain for o in opts if o.pool == p]
        A[r, [col[q] for q in names if pools[q][0] == p]] = -1.0
    tops = [col[p] for p in names if pools[p][0] is None]
    A[-1, tops] = 1.0
    lb = np.r_[np.full(len(sets) + len(names), -np.inf), need - TOL]
    ub = np.r_[np.ones(len(sets)), np.zeros(len(names)), np.inf]
    cost = np.r_[[o.effort for o in opts], np.zeros(len(names))]
    kw = dict(integrality=np.r_[np.ones(n), np.zeros(len(names))],
              bounds=Bounds(np.zeros(n + len(names)), np.r_[np.ones(n), [pools[p][1] for p in names]]),
              options={"mip_rel_gap": 0.0, "disp": False})
    with _quiet_stdout():
        res = milp(cost, constraints=LinearConstraint(A, lb, ub), **kw)
    if not res.success:
        return None
    best = np.zeros(n + len(names))
    best[tops] = -1.0  # among the cheapest plans, the one that gains most
    limit = res.fun + 1e-9 * max(1.0, abs(res.fun))
    with _quiet_stdout():
        res2 = milp(best, constraints=[LinearConstraint(A, lb, ub), LinearConstraint(cost[None, :], -np.inf, limit)],
                    **kw)
    x = (res2 if res2.success else res).x
    return [o for j, o in enumerate(opts) if x[j] > 0.5]


@dataclass
class PathPlan:
    """The least-effort set of improvements that lifts `county` from `current` to `target`."""

    county: str
    year: int
    target: float
    current: float
    chosen: list[Option]
    shares: dict[str, float]
    best_possible: float
    message: str
    vetoed: bool
    veto_reasons: list[str]
    missing: list[int]
    n_options: int
    seconds: float
    peers: list[str]
    departments: dict[int, list[str]]
    values: dict[str, float]
    benchmark: Benchmark | None = None

    gain = property(lambda self: float(sum(self.shares.values())), doc="realised gain (after the caps)")
    effort = property(lambda self: float(sum(o.effort for o in self.chosen)), doc="total effort")
    total = property(lambda self: self.current + self.gain, doc="the total after the plan")
    reached = property(lambda self: self.total >= self.target - TOL, doc="does the plan reach the target")

    @property
    def totals(self) -> dict:
        return {"current": self.current, "target": self.target, "total": self.total, "gain": self.gain,
                "reached": self.reached, "effort": self.effort, "best_possible": self.best_possible}

    @property
    def changes(self) -> list[tuple[str, float]]:
        """The county's new values (engine encoding): apply them to the panel and re-score."""
        return [t for o in self.chosen for t in o.step.targets]

    def to_frame(self) -> pd.DataFrame:
        ms = load_measures()
        rows = [{"indicator": o.indicator, "action": o.step.action, "gain": self.shares[o.choice],
                 "option_gain": o.step.gain, "effort": o.effort, "kind": o.step.kind,
                 "measures": " ".join(o.step.measures),
                 "targets": "；".join(f"{ms[m].name_zh}：{format_value(ms[m], self.values[m])}→{format_value(ms[m], v)}"
                                     for m, v in o.step.targets),
                 "departments": "、".join(self.departments[o.indicator])} for o in self.chosen]
        cols = ["indicator", "action", "gain", "option_gain", "effort", "kind", "measures", "targets", "departments"]
        return pd.DataFrame(rows, columns=cols)

    def by_department(self) -> pd.DataFrame:
        """Per department: actions, gain and effort; an action shared by several departments counts
        for each (column `shared`)."""
        rows = [{"department": d, "indicator": r["indicator"], "gain": r["gain"], "effort": r["effort"],
                 "shared": len(r["departments"].split("、")) > 1}
                for _, r in self.to_frame().iterrows() for d in r["departments"].split("、")]
        df = pd.DataFrame(rows, columns=["department", "indicator", "gain", "effort", "shared"])
        g = df.groupby("department", sort=False)
        return pd.DataFrame({"actions": g.size(), "indicators": g["indicator"].apply(lambda s: "、".join(map(str, s))),
                             "gain": g["gain"].sum(), "effort": g["effort"].sum(),
                             "shared": g["shared"].sum()}).sort_values("gain", ascending=False)

    def __str__(self) -> str:
        lines = [self.benchmark.describe(),
                 f"{self.county} {self.year}年 达到{fmt_num(self.target, 2)}分的最省力路径"
                 f"（对标组{len(self.peers)}个县（市、区））",
                 f"当前 {self.current:.2f} 分 → 目标 {self.target:.2f} 分；方案后 {self.total:.2f} 分，"
                 f"工作量合计 {fmt_num(self.effort, 2)}；当前排名 {self.benchmark.rank_text()}", self.message]
        if self.vetoed:
            lines.append(f"注意：本县触发一票否决（{'、'.join(self.veto_reasons)}），即使得分达到目标也将被取消资格；"
                         "以下方案仍按得分计算。")
        groups: dict[str, list[str]] = defaultdict(list)
        for _, r in self.to_frame().iterrows():
            groups[r["departments"]].append(f"  指标{r['indicator']}　{r['action']}"
                                            f"（+{r['gain']:.2f}分，工作量{fmt_num(r['effort'], 2)}）")
        for deps, acts in groups.items():
            lines += [f"{deps}：", *acts]
        return "\n".join([*lines, EFFORT_UNIT])

    def _repr_html_(self) -> str:
        e = html.escape
        head = (self.benchmark._repr_html_() + f"<h4>{e(self.county)} {self.year}年 达到{self.target:.2f}分的最省力路径：当前{self.current:.2f}分，"
                f"方案后{self.total:.2f}分，工作量{fmt_num(self.effort, 2)}</h4><p>{e(self.message)}</p>")
        return head + self.to_frame().round(4).to_html(escape=True, index=False) + f"<p>{e(EFFORT_UNIT)}</p>"


def cheapest_path(panel: Benchmark | Panel | pd.DataFrame | str, county: str | None = None,
                  target: float | None = None, year: int | None = None,
                  peers: str | list[str] | None = None, effort: EffortTable | str | Path | None = None,
                  config: ScoringConfig | Mapping | None = None) -> PathPlan:
    """The least-effort plan that lifts `county` to `target` points against the peer group `peers`."""
    start = time.perf_counter()
    if target is None:
        raise InputError(["目标总分（target）：缺少取值"], "参数有{n}处问题")
    values = check_params(target=target, year=year)
    target, year = values["target"], values.get("year")
    table = effort if isinstance(effort, EffortTable) else load_effort(effort)
    bench = benchmark(panel, county, year, peers, config)
    county, ps = bench.county, bench.scores
    ps.county(county)  # a Chinese error when the county has no data in the year
    i, cat = ps.counties.index(county), ps.catalog
    current = float(ps.totals.iat[i])
    opts, pools = county_options(ps, i, table)
    best_of = {o.choice: o for o in sorted(opts, key=lambda o: o.step.gain)}  # each choice set's largest gain
    best = current + realise(list(best_of.values()), pools)[0]
    unscored = [ind.id for ind in cat.indicators if np.isnan(ps.scores.iat[i, ind.id - 1])]
    zero = [j for j in unscored if ps.uncomputable.iat[i, j - 1]]     # growth from a zero base, not missing data
    missing = [j for j in unscored if j not in zero]
    chosen: list[Option] = []
    if target <= current + TOL:
        message = f"当前得分{current:.2f}分已达到目标，无需新增措施。"
    elif target > best + TOL:
        stuck = [p for p, (parent, _) in pools.items() if parent is None and int(p) not in {o.indicator for o in opts}]
        message = (f"目标{target:.2f}分无法达到：当前{current:.2f}分，{len(opts)}项备选措施全部落实后最多可达"
                   f"{best:.2f}分（还差{target - best:.2f}分）。")
        if missing:
            message += f"缺少数据、未计分的指标{len(missing)}项（指标{'、'.join(map(str, missing))}）无法挽回，不计入可达分数。"
        if zero:
            message += f"指标{'、'.join(map(str, zero))}{ZERO_BASE_STATUS}（按所选口径不计分），不计入可达分数。"
        if stuck:
            message += f"指标{'、'.join(stuck)}的失分没有可行措施（如所需数值超出允许范围）。"
    else:
        chosen = _solve(opts, pools, target - current) or []
        message = (f"从{len(opts)}项备选措施中选出{len(chosen)}项，提高{realise(chosen, pools)[0]:.2f}分，"
                   f"工作量合计{fmt_num(sum(o.effort for o in chosen), 2)}。")
    veto = [cat.measures[m].name_zh for m in cat.veto.measures if ps.env[m][i] > 0.5]
    return PathPlan(county, ps.year, target, current, chosen, realise(chosen, pools)[1], best, message,
                    bool(veto), veto, missing, len(opts), time.perf_counter() - start, ps.counties,
                    {ind.id: list(dict.fromkeys(n for n in (canonical(d, cat) for d in ind.departments) if n))
                     for ind in cat.indicators},
                    {m: float(a[i]) for m, a in ps.env.items()}, bench)
