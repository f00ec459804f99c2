"""The audit's charts: what they draw read back from the figures, no missing glyph, files written by
``qstrong audit --charts``."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from qstrong.cli import main

SAMPLE = str(Path(__file__).resolve().parents[1] / "data" / "sample" / "zibo_panel.csv")


@pytest.fixture(scope="module")
def rep():
    from qstrong.analysis.audit import audit
    from qstrong.benchmark import benchmark
    from qstrong.panel import Panel

    return audit(benchmark(Panel.from_csv(SAMPLE), "临淄区", None, "shandong", None, "shandong"))


@pytest.fixture(scope="module")
def figures(rep):
    from qstrong.charts import audit_charts

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figs = audit_charts(rep)
        for fig in figs.values():                       # glyphs are looked up when the figure is drawn
            fig.canvas.draw()
    return figs, [str(w.message) for w in caught]


def test_no_glyph_missing(figures):
    _, caught = figures
    assert not [m for m in caught if "Glyph" in m or "missing from" in m], caught


def test_heatmap_draws_the_correlations_by_level2(rep, figures):
    ax = figures[0]["correlation_heatmap"].axes[0]
    drawn = np.ma.filled(ax.images[0].get_array(), np.nan)
    cat = rep.benchmark.panel.catalog
    order = [i.id for i in sorted(cat.indicators, key=lambda i: [k.level2 for k in cat.indicators].index(i.level2))]
    assert [t.get_text() for t in ax.get_yticklabels()] == [f"指标{i}" for i in order]
    assert np.allclose(drawn, rep.pearson.loc[order, order].to_numpy(), equal_nan=True)
    right = [a for a in figures[0]["correlation_heatmap"].axes[0].child_axes]
    names = [t.get_text() for a in right for t in a.get_yticklabels()]
    assert names == list(dict.fromkeys(i.level2 for i in cat.indicators))       # every level-2 group named


def test_importance_points_and_alpha_bars(rep, figures):
    ax = figures[0]["importance_vs_weight"].axes[0]
    pts = np.vstack([c.get_offsets() for c in ax.collections])
    expect = np.c_[rep.weights["weight"] * 100, rep.weights["importance"] * 100]
    assert pts.shape == expect.shape
    assert np.allclose(np.sort(pts, axis=0), np.sort(expect, axis=0))
    assert rep.benchmark.reading in ax.get_title()
    bars = figures[0]["alpha"].axes[0]
    widths = [p.get_width() for p in bars.patches]
    assert np.allclose(sorted(widths), sorted(np.nan_to_num(rep.alpha["alpha"].to_numpy(float))))
    assert any(line.get_xdata()[0] == 0.7 for line in bars.get_lines())


def test_cli_writes_the_charts(tmp_path, capsys):
    out = tmp_path / "图表"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["audit", SAMPLE, "--county", "临淄区", "--peer-panel", "shandong", "--charts", str(out)]) == 0
    assert not [w for w in caught if "Glyph" in str(w.message)]
    assert "图表已写入" in capsys.readouterr().out
    for stem in ("correlation_heatmap", "importance_vs_weight", "alpha"):
        img = Image.open(out / f"{stem}.png")
        assert img.format == "PNG" and img.size[0] > 500 and img.size[1] > 300
