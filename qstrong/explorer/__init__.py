"""Interactive exploration: change a figure, see the score, rank and lost points move.

``qstrong.explore(panel, county)`` (a lazy wrapper in ``qstrong/__init__.py``) in JupyterLab; ``qstrong explore --county 临淄区`` serves the same
application with Voilà on 127.0.0.1 (``voila.py``). The model (``model.py``) re-scores only what a change
touches; ``session.py`` holds the benchmark choices, the target's path and saving as a scenario;
``views.py`` renders results as HTML; ``app.py`` draws the widgets.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ..benchmark import SHIPPED, Benchmark, benchmark
from ..config import ScoringConfig
from ..errors import InputError
from ..names import normalise_name
from ..panel import Panel
from .model import ExploreModel, State
from .session import Session

__all__ = ["ExploreModel", "Explorer", "Session", "State", "explore", "session"]


def session(source: str | Path | Panel | pd.DataFrame | Benchmark | None = None, county: str | None = None, *,
            peer_panel: str | Path | Panel | None = None, peers: str | list[str] | None = None,
            year: int | None = None, config: ScoringConfig | Mapping | str | Path | None = None,
            save_dir: str | Path | None = None) -> Session:
    """The explorer's session without widgets: `source` is the county's panel (None: the shipped
    136-county panel, where 临淄区 has data) or a Benchmark; peers from `peer_panel` as everywhere;
    `config` a ScoringConfig, a dict or a JSON file (as ``--config``)."""
    if isinstance(config, str | Path):
        config = ScoringConfig.from_json(config)
    if isinstance(source, Benchmark):
        problems = []
        if county is not None and normalise_name(county) != source.county:
            problems.append(f"对标基准是{source.county}的，不能再指定县（市、区）“{county}”")
        if peer_panel is not None or year is not None:
            problems.append("传入对标基准（Benchmark）时，对标面板和年度已在其中：不能再给 peer_panel 或 year")
        if problems:
            raise InputError(problems, "无法启动交互探索")
        universe = source if config is None else source.with_config(config)
    else:
        if source is None:             # the shipped panel is both the county's data and the peers'
            from ..peerdata import peer_panel_path

            source, peer_panel = peer_panel_path(SHIPPED), SHIPPED
        universe = benchmark(source, county, year, SHIPPED, config, peer_panel)
    s = Session.start(universe, save_dir, _command_args(source, peer_panel))
    if peers is not None and (peers if isinstance(peers, str) else ",".join(peers)) != universe.peers:
        s.choose(group=peers if isinstance(peers, str) else ",".join(peers))
    return s


def explore(source: str | Path | Panel | pd.DataFrame | Benchmark | None = None, county: str | None = None, *,
            peer_panel: str | Path | Panel | None = None, peers: str | list[str] | None = None,
            year: int | None = None, config: ScoringConfig | Mapping | str | Path | None = None,
            save_dir: str | Path | None = None, on_error: str = "raise"):
    """The explorer application (ipywidgets) for `county`: display it in JupyterLab. Bad input raises
    InputError (every problem in Chinese); with ``on_error="show"`` (the served page) the problems are
    shown as the page instead, never an English traceback."""
    from .app import Explorer

    try:
        s = session(source, county, peer_panel=peer_panel, peers=peers, year=year, config=config,
                    save_dir=save_dir)
        return Explorer(s)
    except Exception as exc:  # noqa: BLE001 — on the page every failure is said in Chinese
        if on_error != "show":
            raise
        return _failure(exc)


def _failure(exc: Exception):
    """A page saying why the explorer could not start (InputError: its Chinese report)."""
    from html import escape

    import ipywidgets as w

    if isinstance(exc, InputError):
        text = exc.report()
    elif isinstance(exc, ValueError | OSError):
        text = f"错误：{exc}"
    else:
        text = (f"程序内部错误（{type(exc).__name__}：{exc}）。这不是输入数据的问题：请把所用的命令和输入文件"
                "交给维护人员。")
    lines = "".join(f"<div>{escape(line)}</div>" for line in text.splitlines())
    return w.HTML(f"<h3>无法启动交互探索</h3><div style='color:#c0392b'>{lines}</div>")


def _command_args(source, peer_panel) -> list[str]:
    """PANEL and --peer-panel as a ``whatif`` command needs them (a placeholder for an in-memory panel)."""
    if isinstance(source, str | Path):
        out = [str(source)]
    else:
        out = ["<面板CSV>"]
    if isinstance(peer_panel, str | Path):
        out += ["--peer-panel", str(peer_panel)]
    return out


def __getattr__(name: str):
    if name == "Explorer":
        from .app import Explorer

        return Explorer
    raise AttributeError(name)
