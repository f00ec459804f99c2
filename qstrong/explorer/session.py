"""The explorer's session: the benchmark choices (peer group, reading), the target's cheapest path and
saving the changes as a scenario — everything the explorer does besides re-scoring one figure."""

from __future__ import annotations

import dataclasses
import json
import re
import shlex
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

from ..analysis.path import PathPlan, cheapest_path
from ..analysis.scenarios import load_scenario
from ..analysis.sensitivity import DIMENSIONS, interpretation_configs
from ..benchmark import SHIPPED, Benchmark
from ..config import ScoringConfig
from ..errors import InputError
from ..measures import Measure
from ..panel import Panel
from ..peers import GROUPS
from ..writers.files import write_text
from .model import ExploreModel

DEFAULT_READING = "默认解读"
CUSTOM_READING = "自定义解读（--config）"


def readings(bench: Benchmark) -> dict[str, ScoringConfig]:
    """The readings one can switch between, in Chinese: the benchmark's own first (默认解读, or the
    custom --config one, then the default), then every combination of the sensitivity analysis's
    readings around the benchmark's own, named by the choices that differ from it, fewest first.
    What the grid does not vary (zero-base growth, the gate, vetoed peers, …) stays the benchmark's in
    every one — the default offered beside a custom reading keeps its ``vetoed_peers``, so switching
    never changes who is in."""
    default = ScoringConfig.default(bench.panel.catalog)
    combos = interpretation_configs(bench.config)
    first = combos[0][0]
    if bench.config.to_dict() == default.to_dict():
        out = {DEFAULT_READING: bench.config}
    else:
        out = {CUSTOM_READING: bench.config}
        near = dataclasses.replace(default, vetoed_peers=bench.config.vetoed_peers,
                                   impute_peers=bench.config.impute_peers)
        if near.to_dict() != bench.config.to_dict():
            out[DEFAULT_READING] = near
    for choice, cfg in sorted(combos[1:], key=lambda c: sum(v != first[k] for k, v in c[0].items())):
        out.setdefault(" · ".join(f"{DIMENSIONS[k]}：{v}" for k, v in choice.items() if v != first[k]), cfg)
    return out


def peer_groups(universe: Benchmark, current: str) -> dict[str, str]:
    """Peer groups the explorer offers (spec → Chinese): the standard groups drawn from all counties
    and the current one when custom; a universe that is itself a group (a Benchmark passed in) offers
    only itself — its counties are all there is to draw from."""
    def label(spec: str) -> str:
        return GROUPS.get(spec) or f"自定义对标组（{spec[:30]}{'…' if len(spec) > 30 else ''}）"

    if universe.peers != SHIPPED:
        return {universe.peers: label(universe.peers)}
    return {**({} if current in GROUPS else {current: label(current)}), **GROUPS}


@dataclass
class Session:
    """The explorer's state: the universe of counties, the chosen group and reading, the model."""

    universe: Benchmark
    model: ExploreModel
    group: str
    reading: str
    save_dir: Path = field(default_factory=Path.cwd)
    command_args: list[str] = field(default_factory=lambda: ["<面板CSV>"])   # PANEL [--peer-panel …] for whatif

    @classmethod
    def start(cls, universe: Benchmark, save_dir: str | Path | None = None,
              command_args: list[str] | None = None) -> Session:
        reading = CUSTOM_READING if CUSTOM_READING in readings(universe) else DEFAULT_READING
        return cls(universe, ExploreModel(universe), universe.peers, reading,
                   Path(save_dir or Path.cwd()).resolve(), command_args or ["<面板CSV>"])

    @property
    def bench(self) -> Benchmark:
        return self.model.bench

    def choose(self, group: str | None = None, reading: str | None = None) -> ExploreModel:
        """Switch peer group and/or reading; the figures changed so far and the weights are kept."""
        group = self.group if group is None else group
        reading = self.reading if reading is None else reading
        options = readings(self.universe)
        if reading not in options:
            raise InputError([f"没有名为“{reading}”的解读"], "无法切换解读")
        bench = self.universe.regrouped(group, options[reading])
        if reading not in (DEFAULT_READING, CUSTOM_READING):
            bench = dataclasses.replace(bench, reading_label=f"解读：{reading}")
        old = self.model
        model = ExploreModel(bench)
        for m, x in old.changes().items():
            model.set(m, x)
        model.set_weights(dict(enumerate(old.weights, start=1)))
        self.model, self.group, self.reading = model, group, reading
        return model

    # ── the figures as a panel ──
    def panel(self) -> Panel:
        """The benchmark's panel with the county's current figures (cleared figures removed)."""
        m = self.model
        panel = m.scenario().apply(self.bench.panel, self.bench.county, self.bench.year)
        cleared = m.cleared()
        if cleared:
            d = panel.data
            drop = (d["county"] == self.bench.county) & (d["year"] == self.bench.year) & d["measure"].isin(cleared)
            panel = Panel(d[~drop].reset_index(drop=True), panel.catalog, panel.source)
        return panel

    def path(self, target: float) -> PathPlan:
        """The cheapest path from the current figures to `target` points (the seed's weights)."""
        return cheapest_path(self.bench.with_panel(self.panel()), target=target)

    # ── saving ──
    def save(self, name: str | None = None) -> tuple[Path, list[str]]:
        """Write the changes as a scenario YAML in `save_dir` (a config JSON beside it when the reading
        is not the default); read it back and check `whatif` gives the same total. Returns the path and
        lines to show (the command to repeat it, the check, what a scenario cannot hold)."""
        m = self.model
        sc = m.scenario()
        if not sc.changes:
            raise InputError(["还没有修改任何数据：没有可保存的情景"], "无法保存情景")
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        stem = _safe(name) if name else f"情景_交互探索_{_safe(self.bench.county)}_{stamp}"
        path = _free(self.save_dir / f"{stem}.yaml")
        config_path = None
        args = ["qstrong", "whatif", *self.command_args, "--county", self.bench.county, "--year",
                str(self.bench.year), "--peers", self.group]
        if self.reading != DEFAULT_READING:
            config_path = _free(path.with_suffix(".config.json"))
            write_text(config_path, json.dumps(self.bench.config.to_dict(), ensure_ascii=False, indent=2) + "\n",
                       "计分解读配置")
            args += ["--config", str(config_path)]
        command = " ".join(map(_quoted, [*args, "--scenario", str(path)]))
        body = {"name": stem, "description": f"{sc.description}。{self.bench.describe()}",
                "changes": [{"measure": c.measure, "set": _written(m.measures[c.measure], c.value), "note": c.note}
                            for c in sc.changes]}
        head = ["# 由 qstrong 交互探索保存", f"# {self.bench.describe()}", f"# 复现：{command}"]
        lines = [f"复现命令：{command}"]
        if m.state.weights_changed:
            head.append("# 注意：探索中调整过的指标权重不属于情景，whatif 按评价办法的分值计分")
            lines.append("探索中调整过的指标权重不属于情景：whatif 按评价办法的分值计分")
        if m.cleared():
            names = "、".join(m.measures[x].name_zh for x in m.cleared())
            head.append(f"# 注意：改为“未填报”的数据项不能写入情景：{names}")
            lines.append(f"改为“未填报”的数据项不能写入情景：{names}")
        text = "\n".join(head) + "\n" + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=1000)
        write_text(path, text, "情景文件")
        lines.insert(0, f"已保存情景：{path}" + (f"（计分解读配置：{config_path}）" if config_path else ""))
        lines.append(self._check(path))
        return path, lines

    def _check(self, path: Path) -> str:
        """Read the saved scenario back, apply it as ``whatif`` does and compare the totals."""
        sc = load_scenario(path)
        bench = self.bench.with_panel(sc.apply(self.bench.panel, self.bench.county, self.bench.year))
        expected = float(self.model.scores.iloc[self.model.i].sum())       # the seed's points, as whatif
        got = bench.total
        same = abs(got - expected) < 1e-9 and not self.model.cleared()
        return (f"已核对：按情景重新计分，总分{got:.2f}，与探索结果一致" if same else
                f"提醒：按情景重新计分总分为{got:.2f}，探索中为{expected:.2f}（有改为未填报的数据项）")


def _quoted(arg: str) -> str:
    """A shell word: as it is when nothing in it is special to a shell (Chinese included), else quoted."""
    return arg if re.fullmatch(r"[^\s'\"\\$`!*?&;|<>(){}\[\]#~=%^]+", arg) else shlex.quote(arg)


def _written(meas: Measure, x: float) -> object:
    """A figure as the scenario file writes it: 是/否, the level's Chinese label, a plain number."""
    if meas.kind == "bool":
        return "是" if x > 0.5 else "否"
    if meas.kind == "level":
        return meas.level_labels[int(x)]
    return int(x) if float(x).is_integer() else float(x)


def _safe(text: str) -> str:
    """A file-name stem from user text: no path separators or control characters, at most 60 characters."""
    bad = '/\\:*?"<>|'
    out = "".join("_" if ch in bad or ord(ch) < 32 or ch == "\x7f" else ch for ch in str(text)).strip(" .")
    return out[:60] or "情景"


def _free(path: Path) -> Path:
    """`path`, or `path` with -2, -3 … when a file of that name exists (never overwrite)."""
    k, out = 2, path
    while out.exists():
        out = path.with_name(f"{path.stem}-{k}{path.suffix}")
        k += 1
    return out
