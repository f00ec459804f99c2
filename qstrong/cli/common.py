"""Helpers shared by the command-line sub-commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..benchmark import SHIPPED, Benchmark, benchmark
from ..config import ScoringConfig
from ..panel import Panel
from ..writers import About, frame_to_csv, visible_text, write_text

PEER_PANEL_HELP = ("对标面板：CSV路径，或 shandong（随包附带的山东省136个县（市、区）面板，含合成数据）；"
                   "其中其他县的数据作为对标，被评价县以面板CSV为准")

AS_PEERS_HELP = "把面板CSV中其他县也加入对标（默认不加入）"

PEERS_HELP = ("对标组：shandong（全部，默认）、prefecture（同市）、type（同类型）、strong2022（首批质量强县）、"
              "逗号分隔的县名，或 @文件")

IMPUTE_HELP = ("对标县的缺失值：none 不插补（默认）；median 按同市（否则同类型）对标县的中位数插补，逐个标明、"
               "列入“插补值”表（被评价县、是/否与等级数据项、一票否决项不插补）；优先于计分配置中的 impute_peers")


def _emit(text: str, out: str | None) -> None:
    """Text (a table, JSON) to the file `out` or the screen; control characters shown as ``\\x1b``, so
    no user text can drive the terminal."""
    text = visible_text(text)
    if out:
        write_text(out, text if text.endswith("\n") else text + "\n")
        print(f"已写入 {out}", file=sys.stderr)
    else:
        print(text)

def _inputs(args: argparse.Namespace) -> list[tuple[str, str]]:
    """The command's input files as (role, path): panel, peer panel, scenario files, config."""
    rows = [("面板", getattr(args, "panel", None))]
    peer = getattr(args, "peer_panel", None)
    if peer:
        from ..peerdata import peer_panel_path

        rows.append(("对标面板", str(peer_panel_path(peer))))
    rows += [("情景文件", s) for s in getattr(args, "scenario", None) or [] if Path(s).is_file()]
    rows.append(("计分解读配置", getattr(args, "config", None)))
    return [(role, str(p)) for role, p in rows if p]


def _about(args: argparse.Namespace, title: str, bench: Benchmark | None = None,
           invented: int | None = None) -> About:
    """The 说明 of a file the command writes: `title`, the benchmark, the input files, the data notice."""
    return About.of(title, bench, _inputs(args), invented)


def _write_csv(df, out: str | None) -> None:
    text = frame_to_csv(df, out)
    if out:
        print(f"已写入 {out}", file=sys.stderr)
    else:
        print(text, end="")

def _config(args: argparse.Namespace) -> ScoringConfig | None:
    """--config's reading with --impute-peers merged in (the option wins over the file's impute_peers,
    said on stderr when they differ)."""
    cfg = ScoringConfig.from_json(args.config) if getattr(args, "config", None) else None
    mode = getattr(args, "impute_peers", None)
    if mode is None:
        return cfg
    if cfg is not None and cfg.impute_peers != mode and _file_says_impute(args.config):
        print(f"提醒：--impute-peers {mode} 优先于计分配置“{args.config}”中的 impute_peers（{cfg.impute_peers}）",
              file=sys.stderr)
    return (cfg or ScoringConfig.default()).with_impute_peers(mode)

def _file_says_impute(path: str) -> bool:
    """Does the config file itself set impute_peers (not merely inherit the default)?"""
    from ..textfiles import parse_json

    data, _ = parse_json(Path(path))
    return isinstance(data, dict) and "impute_peers" in data


MERGED_CONFIG = "计分配置（含--impute-peers）.json"


def _config_path(args: argparse.Namespace, folder: str | Path) -> str | None:
    """The config file a notebook reads (``report``, ``explore``): --config as given, or with
    --impute-peers the merged reading written as JSON into `folder` (kept beside what it produced)."""
    if getattr(args, "impute_peers", None) is None:
        return args.config
    from ..writers import to_json
    from ..writers.files import os_problem

    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from ..errors import InputError

        raise InputError([os_problem(exc, folder, "输出目录")], "无法写出结果") from None
    cfg = _config(args)
    return str(write_text(folder / MERGED_CONFIG, to_json(cfg.to_dict()) + "\n", "计分配置（合并后）"))


def _save_charts(figures: dict, out: str, bench=None) -> None:
    from ..charts import save

    paths = save(figures, out, bench.describe() if bench is not None else "")
    print(f"图表已写入 {out}：{'、'.join(p.name for p in paths)}")

def _benchmark(args: argparse.Namespace, county: str | None = None) -> Benchmark:
    """The benchmark of the command: PANEL's county against --peer-panel (its other counties added only
    with --panel-counties-as-peers) and --peers; its line and notes are said on stderr (提醒)."""
    peer_panel = args.peer_panel
    if peer_panel and peer_panel != SHIPPED:
        from ..peerdata import peer_panel_path

        peer_panel = _read_panel(peer_panel_path(peer_panel))
    bench = benchmark(_read_panel(args.panel), county or args.county, getattr(args, "year", None),
                      getattr(args, "peers", None), _config(args), peer_panel,
                      getattr(args, "panel_counties_as_peers", False))
    for note in bench.notes:
        print(f"提醒：{note}", file=sys.stderr)
    return bench


def _benchmark_with_intake(args: argparse.Namespace) -> tuple[Benchmark, object | None]:
    """(benchmark, intake result) as the report builds them: with --intake the folder scores its year
    (--resolve applied when the command has it) and PANEL the other years; without, :func:`_benchmark`."""
    if not args.intake:
        return _benchmark(args), None
    from ..reports.inputs import load_inputs

    loaded = load_inputs(args.county, args.panel, args.intake, args.peer_panel, args.year, args.peers,
                         args.panel_counties_as_peers, getattr(args, "resolve", None))
    bench = loaded.benchmark.with_config(_config(args))
    for note in bench.notes:
        print(f"提醒：{note}", file=sys.stderr)
    return bench, loaded.intake


def _read_panel(path) -> Panel:
    panel = Panel.from_csv(path)
    for note in panel.notes[:10]:
        print(f"提醒：{note}", file=sys.stderr)
    if len(panel.notes) > 10:
        print(f"提醒：……另有{len(panel.notes) - 10}处名称已规范化（{path}）", file=sys.stderr)
    return panel
