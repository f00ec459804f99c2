"""Interactive exploration: change a figure, see the score, rank and lost points move.

``qstrong.explore(panel, county)`` (a lazy wrapper in ``qstrong/__init__.py``) in JupyterLab; ``qstrong explore --county 临淄区`` serves the same
application with Voilà on 127.0.0.1 (``voila.py``). The model (``model.py``) re-scores only what a change
touches; ``session.py`` holds the benchmark choices, the target's path and saving as a scenario;
``views.py`` renders results as HTML; ``app.py`` draws the widgets.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..benchmark import SHIPPED, Benchmark, benchmark
from ..panel import Panel
from .model import ExploreModel, State
from .session import Session

__all__ = ["ExploreModel", "Explorer", "Session", "State", "explore", "session"]


def session(source: str | Path | Panel | pd.DataFrame | Benchmark | None = None, county: str | None = None, *,
            peer_panel: str | Path | Panel | None = None, peers: str | list[str] | None = None,
            year: int | None = None, config=None, save_dir: str | Path | None = None) -> Session:
    """The explorer's session without widgets: `source` is the county's panel (None: the shipped
    136-county panel, where 临淄区 has data) or a Benchmark; peers from `peer_panel` as everywhere."""
    if isinstance(source, Benchmark):
        universe = source if config is None else source.with_config(config)
    else:
        if source is None:             # the shipped panel is both the county's data and the peers'
            from ..peerdata import peer_panel_path

            source, peer_panel = peer_panel_path(SHIPPED), SHIPPED
        universe = benchmark(source, county, year, SHIPPED, config, peer_panel)
    s = Session.start(universe, save_dir)
    if peers is not None and (peers if isinstance(peers, str) else ",".join(peers)) != universe.peers:
        s.choose(group=peers if isinstance(peers, str) else ",".join(peers))
    return s


def explore(source: str | Path | Panel | pd.DataFrame | Benchmark | None = None, county: str | None = None, *,
            peer_panel: str | Path | Panel | None = None, peers: str | list[str] | None = None,
            year: int | None = None, config=None, save_dir: str | Path | None = None):
    """The explorer application (ipywidgets) for `county`: display it in JupyterLab."""
    from .app import Explorer

    s = session(source, county, peer_panel=peer_panel, peers=peers, year=year, config=config, save_dir=save_dir)
    hint = _command_hint(source, peer_panel)
    return Explorer(s, hint)


def _command_hint(source, peer_panel) -> str:
    """PANEL and --peer-panel as a whatif command needs them, when they are files (else placeholders)."""
    if source is None:
        from ..peerdata import peer_panel_path

        panel = str(peer_panel_path(SHIPPED))
    elif isinstance(source, str | Path):
        panel = str(source)
    else:
        panel = "<面板CSV>"
    if isinstance(peer_panel, str | Path):
        panel += f" --peer-panel {peer_panel}"
    return panel


def __getattr__(name: str):
    if name == "Explorer":
        from .app import Explorer

        return Explorer
    raise AttributeError(name)
