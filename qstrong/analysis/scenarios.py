"""What-if scenarios as data (YAML or JSON): set, add or grow measures for the county or its peers.

    name: 规划目标2025
    description: …
    changes:
      - {measure: q34.online_rate, set: 100, note: 在监工程项目上线率达100%}
      - {measure: q43.provincial_honors, add: 1, note: 省长质量奖实现突破}
      - {measure: q40.invention_patents, grow: 10, who: all}      # +10 %, county and peers
    unmapped:                                                     # targets that move no indicator
      - {target: "“好品山东”品牌企业超过5个", note: …}

Validated against the catalog with every problem reported at once; applying returns a new panel.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..benchmark import COLUMN as BENCH_COLUMN
from ..benchmark import NOTICE_COLUMN, Benchmark, benchmark, rank_text
from ..catalog import load_catalog
from ..config import ScoringConfig
from ..efficacy import shown_value
from ..errors import InputError
from ..measures import Measure, fmt_num, parse_value
from ..names import clean_text, normalise_name
from ..panel import Panel, PanelError, Problem, check_constraints
from ..params import check_params
from ..scoring import STATUS_ZH
from ..textfiles import TextError, load_data, parse_yaml, unreported
from ..vocabulary import COLUMNS
from .gaps import efficacy_subscores

OPS = ("set", "add", "grow")
WHO = {"county": "本县", "peers": "对标县", "all": "本县及对标县"}
PRESETS = {"plan2025": "plan2025.yaml"}


class ScenarioError(InputError):
    """A scenario file with problems; every problem is listed."""

    def __init__(self, source: str, problems: list[str]):
        super().__init__(problems, f"情景文件“{source}”有{{n}}处问题" if source else "情景有{n}处问题")


@dataclass(frozen=True)
class Change:
    measure: str
    op: str
    value: float          # engine encoding for set; delta for add; percent for grow
    who: str = "county"
    note: str = ""
    text: str = ""        # the value as written

    def describe(self, m: Measure) -> str:
        unit = "%" if m.unit == "%" else ""
        verb = {"set": f"设为{self.text}{unit}", "add": f"增加{self.text}{m.unit}", "grow": f"增长{self.text}%"}[self.op]
        return f"{WHO[self.who]}{m.name_zh}{verb}" + (f"（{self.note}）" if self.note else "")


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str = ""
    changes: tuple[Change, ...] = ()
    unmapped: tuple[dict, ...] = field(default_factory=tuple)

    def describe(self) -> list[str]:
        measures = load_catalog().measures
        return [c.describe(measures[c.measure]) for c in self.changes]

    def apply(self, panel: Panel, county: str, year: int) -> Panel:
        """A new panel with the changes applied in `year` (the input panel is not modified)."""
        data = panel.data.copy()
        measures = panel.catalog.measures
        problems: list[Problem] = []
        in_year = data["year"] == year
        for ch in self.changes:
            m = measures[ch.measure]
            targets = {"county": [county], "peers": [c for c in panel.counties if c != county],
                       "all": panel.counties}[ch.who]
            for c in targets:
                rows = in_year & (data["county"] == c) & (data["measure"] == ch.measure)
                old = data.loc[rows, "value"]
                if ch.op == "set":
                    new = ch.value
                elif old.empty or np.isnan(old.iloc[0]):
                    if c == county:
                        problems.append(Problem(f"情景“{self.name}”要在{year}年的基础上调整{m.name_zh}，但没有基础值",
                                                county=c, measure=ch.measure))
                    continue
                else:
                    base = float(old.iloc[0])
                    new = base + ch.value if ch.op == "add" else base * (1 + ch.value / 100.0)
                    if not np.isfinite(new) or (m.low is not None and new < m.low):
                        problems.append(Problem(f"情景“{self.name}”{ch.describe(m)}后为{fmt_num(new)}，"
                                                f"不在允许范围（{m.describe_allowed()}）内", county=c, measure=ch.measure))
                        continue
                new = _admissible(m, new)
                if old.empty:
                    row = {"county": c, "year": year, "measure": ch.measure, "value": new,
                           "raw": fmt_num(new, 10), "line": 0, "source": f"情景：{self.name}"}
                    data = pd.concat([data, pd.DataFrame([row])], ignore_index=True)
                    in_year = data["year"] == year
                else:
                    data.loc[rows, "value"] = new
                    data.loc[rows, "raw"] = fmt_num(new, 10)
                    if "source" in data.columns:
                        data.loc[rows, "source"] = f"情景：{self.name}"
        problems += check_constraints(data, panel.catalog, f"情景“{self.name}”")
        if problems:
            raise PanelError(problems)
        return Panel(data, panel.catalog, source=f"{panel.source}（情景：{self.name}）")


def _admissible(m: Measure, x: float) -> float:
    """Keep a computed value inside the measure's allowed range (counts whole)."""
    if m.kind == "count":
        x = float(np.floor(x + 1e-9))
    if m.low is not None:
        x = max(x, m.low + (1e-9 if m.low_open else 0.0))
    if m.high is not None:
        x = min(x, m.high)
    return x


MAX_ADD = 1e12        # an addition beyond this is a typing slip, not a plan
MAX_GROW = 1e5       # percent: at most a thousandfold


def _number(m: Measure, raw: object, integer: bool) -> tuple[float | None, str]:
    """An add/grow amount: a finite number by the measure rules (a yes/no value or text is refused)."""
    plain = replace(m, kind="count" if integer else "number", low=None, high=None, low_open=False)
    try:
        value, err = parse_value(plain, raw)
    except OverflowError:
        return None, f"“{str(raw)[:20]}…”超出可表示的范围"
    if err and integer and "不是整数" in err:
        err = f"计数类数据项只能增加整数，而不是{raw}"
    return value, err or ("" if value is not None else "缺少取值")


def _text(data: dict, key: str, where: str, problems: list[str], required: bool = False) -> str:
    """A text field (name, description, note); numbers are kept as written, other kinds refused."""
    v = data.get(key)
    if v is None:
        if required:
            problems.append(f"{where}缺少{key}")
        return ""
    if isinstance(v, bool) or not isinstance(v, str | int | float):
        problems.append(f"{where}{key} 应为文本，而不是{shown_value(v)}")
        return ""
    text = clean_text(v).strip()
    if required and not text:
        problems.append(f"{where}{key} 不能为空")
    return text


def _change(k: int, ch: object, measures: dict[str, Measure], problems: list[str]) -> Change | None:
    """One entry of `changes`, or None with its problems appended."""
    where = f"第{k}项调整"
    if not isinstance(ch, dict):
        problems.append(f"{where}应为键值对（measure 与 set、add 或 grow 之一），而不是{shown_value(ch)}")
        return None
    raw_mid = ch.get("measure")
    mid = normalise_name(raw_mid) if isinstance(raw_mid, str) else ""
    if mid not in measures:
        close = difflib.get_close_matches(mid, list(measures), n=1, cutoff=0.75)
        shown = f"“{mid}”" if isinstance(raw_mid, str) else shown_value(raw_mid)
        problems.append(f"{where}：未知的数据项{shown}" + (f"，是否应为 {close[0]}？" if close else ""))
        return None
    m = measures[mid]
    ops = [op for op in OPS if op in ch]
    extra = [str(key) for key in ch if key not in ("measure", "who", "note", *OPS)]
    if extra:
        problems.append(f"{where}（{mid}）：未知的键 {'、'.join(sorted(extra))}")
    if len(ops) != 1:
        problems.append(f"{where}（{mid}）：set、add、grow 三者须且只能有一个")
        return None
    op, raw = ops[0], ch[ops[0]]
    who = ch.get("who", "county")
    if not isinstance(who, str) or who not in WHO:
        problems.append(f"{where}（{mid}）：who 应为 county、peers 或 all，而不是{shown_value(who)}")
        return None
    note = _text(ch, "note", f"{where}（{mid}）：", problems)
    label = f"{where}（{mid}，{m.name_zh}）"
    if op == "set":
        try:
            value, err = parse_value(m, raw)
        except OverflowError:
            value, err = None, f"“{str(raw)[:20]}…”超出可表示的范围"
        if err or value is None:
            problems.append(f"{label}：{err or '缺少取值'}")
            return None
    elif m.kind in ("bool", "level"):
        problems.append(f"{label}：是/否或等级类数据项只能用 set，不能 {op}")
        return None
    else:
        value, err = _number(m, raw, op == "add" and m.kind == "count")
        if err:
            problems.append(f"{label}：{op} 的值{err}" if err.startswith("“") else f"{label}：{err}")
            return None
        if op == "grow" and value <= -100:
            problems.append(f"{label}：grow: {value:g} 表示减少100%或更多，会得到零或负数；减少应大于-100")
            return None
        cap = MAX_GROW if op == "grow" else MAX_ADD
        if abs(value) > cap:
            problems.append(f"{label}：{op} 的值{value:g}过大（绝对值应不超过{fmt_num(cap)}），请检查是否多写了位数")
            return None
    return Change(mid, op, float(value), who, note, clean_text(raw))


MAX_CHANGES = 500     # a scenario is a plan's targets, not a data set
_REACH = {"county": {"county"}, "peers": {"peers"}, "all": {"county", "peers"}}


def _repeated(changes: list[Change]) -> list[str]:
    """Two changes of one measure for the same counties (who overlapping): which would win is a guess."""
    problems, first = [], {}
    for k, ch in enumerate(changes, 1):
        for j, earlier in first.get(ch.measure, []):
            if _REACH[ch.who] & _REACH[earlier.who]:
                problems.append(f"第{k}项调整（{ch.measure}，who: {ch.who}）与第{j}项（who: {earlier.who}）调整同一数据项的"
                                "同一些县：每个数据项对同一些县只能调整一次，请合并为一项")
                break
        first.setdefault(ch.measure, []).append((k, ch))
    return problems


def parse_scenario(data: Any, source: str = "") -> Scenario:
    """Validate a scenario given as plain data; raises ScenarioError listing every problem."""
    measures = load_catalog().measures
    problems: list[str] = []
    if data is None:
        raise ScenarioError(source, ["文件为空：应含 name 与 changes"])
    if not isinstance(data, dict):
        raise ScenarioError(source, [f"顶层应为键值对（name、description、changes），而不是{shown_value(data)}"])
    unknown = [str(k) for k in data if k not in ("name", "description", "changes", "unmapped")]
    if unknown:
        problems.append(f"未知的键：{'、'.join(sorted(unknown))}（可用：name、description、changes、unmapped）")
    if data.get("name") is None:
        problems.append("缺少情景名称 name")
        name = ""
    else:
        name = _text(data, "name", "情景名称 ", problems, required=True)
    description = _text(data, "description", "", problems)
    raw_changes = data.get("changes") or []
    if not isinstance(raw_changes, list):
        problems.append(f"changes 应为列表，而不是{shown_value(raw_changes)}")
        raw_changes = []
    if len(raw_changes) > MAX_CHANGES:
        problems.append(f"changes 有{len(raw_changes):,}项调整，超过上限{MAX_CHANGES}项：一个情景是一组规划目标，"
                        "请检查是否选错了文件，或拆成几个情景")
        raw_changes = []
    changes = [c for k, ch in enumerate(raw_changes, 1) if (c := _change(k, ch, measures, problems))]
    problems += _repeated(changes)
    unmapped = data.get("unmapped") or []
    if not isinstance(unmapped, list) or not all(isinstance(u, dict) and isinstance(u.get("target"), str)
                                                 and isinstance(u.get("note", ""), str) for u in unmapped):
        problems.append("unmapped 应为列表，每项含文本 target 与 note")
        unmapped = []
    if problems:
        raise ScenarioError(source, problems)
    return Scenario(name, description, tuple(changes), tuple(unmapped))


def load_scenario(spec: str | Path | dict) -> Scenario:
    """A scenario from a dict, a .yaml/.yml/.json file (strict, see ``qstrong.textfiles``; registered as
    an input), or a preset name (plan2025). The file's refused values (NaN, duplicate keys, aliases) are
    listed together with the scenario's own problems."""
    if isinstance(spec, dict):
        return parse_scenario(spec, "")
    if str(spec) in PRESETS:
        text = resources.files("qstrong").joinpath(f"data/scenarios/{PRESETS[str(spec)]}").read_text("utf-8")
        return _checked(lambda: parse_yaml(text, str(spec)), str(spec))
    path = Path(spec)
    if not path.is_file():
        hint = f"（预置情景：{'、'.join(PRESETS)}）" if not path.suffix else ""
        what = "不是普通文件（是目录或设备）" if path.exists() else "文件不存在"
        raise ScenarioError(str(path), [f"{what}{hint}"])
    return _checked(lambda: load_data(path, "情景文件"), str(path))


def _checked(read, source: str) -> Scenario:
    """The scenario `read()` gives as (data, refused-value problems); a syntax error or any problem is a
    ScenarioError naming the file, every problem listed once."""
    try:
        data, refused = read()
    except TextError as exc:
        raise ScenarioError(source, [p if str(p).startswith("无法解析") else f"无法解析：{p}"
                                     for p in exc.problems]) from None
    try:
        scenario = parse_scenario(data, source)
    except ScenarioError as exc:
        raise ScenarioError(source, refused + unreported(exc.problems)) from None
    if refused:
        raise ScenarioError(source, refused)
    return scenario


@dataclass
class Comparison:
    """Baseline and scenarios side by side for one county."""

    county: str
    year: int
    scenarios: list[Scenario]
    scores: pd.DataFrame          # indicators × (基线, scenario names)
    summary: pd.DataFrame         # per column: total, delta, complete, efficacy subscore, rank (of the total), n
    benchmark: Benchmark | None = field(default=None, repr=False)
    statuses: dict = field(default_factory=dict, repr=False)   # column → {indicator: why it is unscored (Chinese)}

    def deltas(self) -> pd.DataFrame:
        return self.scores.sub(self.scores["基线"], axis=0).drop(columns="基线")

    def by_level2(self) -> pd.DataFrame:
        cat = load_catalog()
        level2 = pd.Series({i.id: i.level2 for i in cat.indicators})
        return self.scores.groupby(level2, sort=False).sum(min_count=1)

    def to_frame(self) -> pd.DataFrame:
        return self.scores

    def table(self) -> pd.DataFrame:
        """The summary as shown: 排名 as 第k名/共N个 (the total's rank in each scenario)."""
        s = self.summary
        return s.drop(columns="n").assign(rank=[rank_text(r, n) for r, n in zip(s["rank"], s["n"], strict=True)])

    def __str__(self) -> str:
        from ..display import comparison_text

        return comparison_text(self)

    def _repr_html_(self) -> str:
        return self.benchmark._repr_html_() + self.table().round(2).to_html() + self.deltas().round(4).to_html()


BASELINE = "基线"


DELTA_SUFFIX = "（变化）"
# whatif CSV columns, and the English column names the writers translate (a scenario named "total"
# would be headed 总分)
RESERVED = (BASELINE, "indicator", "指标", BENCH_COLUMN, NOTICE_COLUMN, *COLUMNS)


def distinct_names(scs: list[Scenario]) -> None:
    """Scenario names become table columns (and name（变化） their changes): a name twice (compared after
    NFKC, spaces and invisible characters dropped), a fixed column's name, or a generated one would hide a
    column."""
    problems, seen = [], set()
    reserved = {normalise_name(r): r for r in RESERVED}
    for sc in scs:
        key = normalise_name(sc.name)
        if key == BASELINE:
            problems.append(f"情景名称“{sc.name}”已用于基线，请换一个名称")
        elif key in reserved:
            problems.append(f"情景名称“{sc.name}”已用作输出表的列名“{reserved[key]}”，请换一个名称")
        elif key.endswith(normalise_name(DELTA_SUFFIX)):
            problems.append(f"情景名称“{sc.name}”以“{DELTA_SUFFIX}”结尾，与输出表中各情景变化量的列名相混，请换一个名称")
        elif key in seen:
            problems.append(f"情景名称“{sc.name}”出现了不止一次（同一情景文件给了两次，或两个文件同名；"
                            "比较时不计空格、全角/半角）：请只给一次或改名")
        seen.add(key)
    if problems:
        raise InputError(problems, "情景（--scenario）有{n}处问题")


def compare(panel: Benchmark | Panel | pd.DataFrame | str, county: str | None = None,
            scenarios: list[Scenario | str | dict] = (), year: int | None = None,
            peers: str | list[str] | None = None, config: ScoringConfig | None = None) -> Comparison:
    """Score the baseline (the benchmark's own scores) and every scenario applied to the benchmark's
    counties; per-indicator scores, totals, and the rank of each total among them (排名)."""
    year = check_params(year=year).get("year")
    bench = benchmark(panel, county, year, peers, config)
    county, year, panel = bench.county, bench.year, bench.panel
    scs = [s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios]
    distinct_names(scs)
    columns, rows, statuses = {}, [], {}
    # each scenario is a benchmark of its own figures: the reading's rules on who is in (a peer the
    # scenario vetoes leaves under vetoed_peers=exclude) apply to it as to the baseline
    runs = [(BASELINE, bench)] + [(s.name, bench.with_panel(s.apply(panel, county, year))) for s in scs]
    for name, b in runs:
        ps = b.scores
        card = ps.county(county)
        columns[name] = ps.scores.loc[county]
        statuses[name] = {s.indicator: STATUS_ZH[s.status] for s in card.indicators if s.score is None}
        rows.append({"scenario": name, "total": card.total, "complete": card.complete, "vetoed": card.vetoed,
                     "efficacy_subscore": float(efficacy_subscores(ps)[county]),
                     "rank": b.rank(), "n": b.n})
    scores = pd.DataFrame(columns)
    summary = pd.DataFrame(rows).set_index("scenario")
    summary.insert(1, "delta", summary["total"] - summary.loc[BASELINE, "total"])
    return Comparison(county, year, scs, scores, summary, bench, statuses)
