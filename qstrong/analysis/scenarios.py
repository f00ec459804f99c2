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
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..catalog import load_catalog
from ..config import ScoringConfig
from ..errors import InputError
from ..measures import Measure, fmt_num, parse_value
from ..panel import Panel, PanelError, Problem, check_constraints, load_panel
from ..peers import select
from ..scoring import score_panel
from .gaps import efficacy_subscores

OPS = ("set", "add", "grow")
WHO = {"county": "本县", "peers": "对标县", "all": "本县及对标县"}
PRESETS = {"plan2025": "plan2025.yaml"}


class ScenarioError(InputError):
    """A scenario file with problems; every problem is listed."""

    def __init__(self, source: str, problems: list[str]):
        super().__init__(problems, f"情景文件{source}有{{n}}处问题")


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


def parse_scenario(data: Any, source: str = "") -> Scenario:
    """Validate a scenario given as plain data; raises ScenarioError listing every problem."""
    measures = load_catalog().measures
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ScenarioError(source, ["顶层应为键值对（name、description、changes）"])
    unknown = set(data) - {"name", "description", "changes", "unmapped"}
    if unknown:
        problems.append(f"未知的键：{'、'.join(sorted(unknown))}（可用：name、description、changes、unmapped）")
    if not str(data.get("name", "")).strip():
        problems.append("缺少情景名称 name")
    changes = []
    raw_changes = data.get("changes") or []
    if not isinstance(raw_changes, list):
        problems.append("changes 应为列表")
        raw_changes = []
    for k, ch in enumerate(raw_changes, 1):
        where = f"第{k}项调整"
        if not isinstance(ch, dict):
            problems.append(f"{where}应为键值对")
            continue
        mid = str(ch.get("measure", "")).strip()
        if mid not in measures:
            close = difflib.get_close_matches(mid, list(measures), n=1, cutoff=0.75)
            problems.append(f"{where}：未知的数据项“{mid}”" + (f"，是否应为 {close[0]}？" if close else ""))
            continue
        m = measures[mid]
        ops = [op for op in OPS if op in ch]
        extra = set(ch) - {"measure", "who", "note", *OPS}
        if extra:
            problems.append(f"{where}（{mid}）：未知的键 {'、'.join(sorted(extra))}")
        if len(ops) != 1:
            problems.append(f"{where}（{mid}）：set、add、grow 三者须且只能有一个")
            continue
        op, raw = ops[0], ch[ops[0]]
        who = str(ch.get("who", "county"))
        if who not in WHO:
            problems.append(f"{where}（{mid}）：who 应为 county、peers 或 all，而不是“{who}”")
            continue
        if op == "set":
            value, err = parse_value(m, raw)
            if err or value is None:
                problems.append(f"{where}（{mid}，{m.name_zh}）：{err or '缺少取值'}")
                continue
        else:
            if m.kind in ("bool", "level"):
                problems.append(f"{where}（{mid}，{m.name_zh}）：是/否或等级类数据项只能用 set，不能 {op}")
                continue
            try:
                value = float(raw)
            except (TypeError, ValueError):
                problems.append(f"{where}（{mid}）：{op} 的值“{raw}”不是数字")
                continue
            if op == "add" and m.kind == "count" and not value.is_integer():
                problems.append(f"{where}（{mid}，{m.name_zh}）：计数类数据项只能增加整数，而不是{raw}")
                continue
        changes.append(Change(mid, op, float(value), who, str(ch.get("note", "")), str(raw)))
    unmapped = data.get("unmapped") or []
    if not isinstance(unmapped, list) or not all(isinstance(u, dict) and "target" in u for u in unmapped):
        problems.append("unmapped 应为列表，每项含 target 与 note")
        unmapped = []
    if problems:
        raise ScenarioError(source, problems)
    return Scenario(str(data["name"]).strip(), str(data.get("description", "")), tuple(changes),
                    tuple(unmapped))


def load_scenario(spec: str | Path | dict) -> Scenario:
    """A scenario from a dict, a .yaml/.yml/.json file, or a preset name (plan2025)."""
    if isinstance(spec, dict):
        return parse_scenario(spec, "")
    if str(spec) in PRESETS:
        text = resources.files("qstrong").joinpath(f"data/scenarios/{PRESETS[str(spec)]}").read_text("utf-8")
        return parse_scenario(_parse_text(text, ".yaml", str(spec)), str(spec))
    path = Path(spec)
    if not path.is_file():
        raise ScenarioError(str(path), ["文件不存在"])
    return parse_scenario(_parse_text(path.read_text(encoding="utf-8-sig"), path.suffix, str(path)), str(path))


def _parse_text(text: str, suffix: str, source: str) -> Any:
    try:
        if suffix.lower() == ".json":
            return json.loads(text)
        import yaml

        return yaml.safe_load(text)
    except Exception as exc:  # noqa: BLE001 — a syntax error is reported, not raised
        raise ScenarioError(source, [f"无法解析：{exc}"]) from None


@dataclass
class Comparison:
    """Baseline and scenarios side by side for one county."""

    county: str
    year: int
    scenarios: list[Scenario]
    scores: pd.DataFrame          # indicators × (基线, scenario names)
    summary: pd.DataFrame         # per column: total, delta, complete, efficacy subscore, rank, n

    def deltas(self) -> pd.DataFrame:
        return self.scores.sub(self.scores["基线"], axis=0).drop(columns="基线")

    def by_level2(self) -> pd.DataFrame:
        cat = load_catalog()
        level2 = pd.Series({i.id: i.level2 for i in cat.indicators})
        return self.scores.groupby(level2, sort=False).sum(min_count=1)

    def to_frame(self) -> pd.DataFrame:
        return self.scores

    def __str__(self) -> str:
        from ..display import comparison_text

        return comparison_text(self)

    def _repr_html_(self) -> str:
        return self.summary.round(2).to_html() + self.deltas().round(4).to_html()


def compare(panel, county: str, scenarios: list[Scenario | str | dict], year: int | None = None,
            peers: str | list[str] | None = None, config: ScoringConfig | None = None) -> Comparison:
    """Score the baseline and every scenario; per-indicator scores, totals and rank among peers."""
    panel = select(load_panel(panel), county, peers)
    year = panel.latest_year() if year is None else int(year)
    scs = [s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios]
    columns, rows = {}, []
    for name, p in [("基线", panel)] + [(s.name, s.apply(panel, county, year)) for s in scs]:
        ps = score_panel(p, year, config)
        card = ps.county(county)
        sub = efficacy_subscores(ps)
        columns[name] = ps.scores.loc[county]
        rows.append({"scenario": name, "total": card.total, "complete": card.complete, "vetoed": card.vetoed,
                     "efficacy_subscore": float(sub[county]),
                     "rank": int(sub.rank(method="min", ascending=False)[county]), "n": len(sub)})
    scores = pd.DataFrame(columns)
    summary = pd.DataFrame(rows).set_index("scenario")
    summary.insert(1, "delta", summary["total"] - summary.loc["基线", "total"])
    return Comparison(county, year, scs, scores, summary)
