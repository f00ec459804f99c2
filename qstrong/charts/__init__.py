"""Charts (matplotlib) with Chinese labels rendered through an explicitly registered CJK font:
basics and saving (``base``), gap charts, projection and scenario charts, sensitivity charts, audit charts."""

from .audit import alpha_bars, audit_charts, correlation_heatmap, importance_vs_weight
from .base import CANDIDATES, HINTS, FontMissing, cjk_font, save, wrap
from .gaps import bullet, gap_charts, lost_by, peer_distributions
from .projection import (
    LOWER_IS_BETTER,
    projection_charts,
    scenario_by_level2,
    trajectories,
    trajectory_measures,
)
from .sensitivity import (
    factor_label,
    rank_intervals,
    score_distribution,
    sensitivity_charts,
    sobol_bars,
    tornado,
    tornado_rows,
)

__all__ = ["CANDIDATES", "HINTS", "LOWER_IS_BETTER", "FontMissing", "alpha_bars", "audit_charts", "bullet", "cjk_font",
           "correlation_heatmap", "factor_label", "gap_charts", "importance_vs_weight", "lost_by",
           "peer_distributions", "projection_charts", "rank_intervals", "save", "scenario_by_level2",
           "score_distribution", "sensitivity_charts", "sobol_bars", "tornado", "tornado_rows", "trajectories",
           "trajectory_measures", "wrap"]
