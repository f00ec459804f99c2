"""qstrong: 山东省质量强县（市、区）评价 — catalog, scoring engine and analysis tools."""

from .catalog import Catalog, load_catalog
from .config import ScoringConfig
from .efficacy import EfficacySettings, Goalposts
from .panel import Panel, PanelError, load_panel
from .scoring import CountyScore, PanelScores, score, score_arrays, score_panel

__version__ = "0.1.0"


def explore(*args, **kwargs):
    """The interactive explorer (ipywidgets) for one county: ``qstrong.explore(panel_or_benchmark, county,
    peer_panel=…, peers=…, year=…, config=…, save_dir=…)``; see :func:`qstrong.explorer.explore`."""
    from .explorer import explore as _explore

    return _explore(*args, **kwargs)

__all__ = [
    "Catalog", "CountyScore", "EfficacySettings", "Goalposts", "Panel", "PanelError", "PanelScores",
    "ScoringConfig", "explore", "load_catalog", "load_panel", "score", "score_arrays", "score_panel",
]
