"""The audit's claims rest on enough data (COINr ``get_stats``' availability threshold, a minimum of counties
and of complete pairs): thin indicators are left out and said, too few counties make no claims, constant
indicators have no skew, and only clear negative correlations are flagged."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qstrong.analysis.audit import MIN_N, NEGATIVE, alpha_text, audit, cronbach
from qstrong.analysis.audit_raw import column_stats
from qstrong.benchmark import benchmark
from qstrong.panel import Panel

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "zibo_panel.csv"
SHIPPED = ROOT / "qstrong" / "data" / "peers" / "shandong.csv"
KEEP41 = ["临淄区", "广饶县", "利津县"]              # the only counties with indicator 41's value


def _peers(path: Path, counties: list[str] | None = None) -> Path:
    """淄博+东营 (13 counties), 2021–2022; q41.tech_trade kept for 3 of them, q35 for one (东营区)."""
    d = pd.read_csv(SHIPPED, dtype=str, encoding="utf-8-sig")
    d = d[d["prefecture"].isin(["淄博市", "东营市"]) & d["year"].isin(["2021", "2022"])]
    if counties:
        d = d[d["county"].isin(counties)]
    d = d[~((d["measure"] == "q41.tech_trade") & ~d["county"].isin(KEEP41))]
    d = d[~((d["measure"] == "q35.service_value_added") & (d["county"] != "东营区"))]
    d.to_csv(path, index=False)
    return path


def _audit(tmp_path: Path, counties: list[str] | None = None):
    o = pd.read_csv(SAMPLE, dtype=str)
    (tmp_path / "own.csv").write_text(o[o["measure"] != "q35.service_value_added"].to_csv(index=False), encoding="utf-8")
    own = Panel.from_csv(tmp_path / "own.csv")
    return audit(benchmark(own, "临淄区", None, None, None, Panel.from_csv(_peers(tmp_path / "p.csv", counties))))


@pytest.fixture(scope="module")
def thin(tmp_path_factory):
    return _audit(tmp_path_factory.mktemp("thin"))


def test_thin_indicators_are_left_out_and_said(thin):
    a = thin
    scores = a.benchmark.scores.scores
    n = a.benchmark.n
    assert n == 13 and scores[41].notna().sum() == 3 and scores[35].notna().sum() == 1
    assert not a.stats.loc[41, "enough"] and not a.stats.loc[35, "enough"] and a.stats.loc[5, "enough"]
    text = a.summary()
    assert "指标41数据不足（13个县中仅3个有值）" in text
    assert "指标35数据不足（13个县中仅1个有值）" in text
    assert np.isnan(a.weights.loc[41, "importance"]) and np.isnan(a.weights.loc[35, "importance"])
    assert a.weights["importance"].sum() == pytest.approx(1.0)
    drivers = next(line for line in text.splitlines() if line.startswith("对排名影响最大的指标"))
    assert "指标41（" not in drivers and "指标35（" not in drivers
    for frame in (a.collinear, a.negative):
        assert not ({35, 41} & set(frame["a"]) | {35, 41} & set(frame["b"]))
    assert not any(line.startswith(("指标35的分值", "指标41的分值")) for line in text.splitlines())
    # a pair with fewer than MIN_N complete counties has no correlation
    pair = scores[[39, 41]].dropna()
    assert len(pair) < MIN_N and np.isnan(a.pearson.loc[39, 41]) and np.isnan(a.spearman.loc[39, 41])
    assert f"不少于{MIN_N}个" in text


def test_alpha_not_computable_is_said(thin):
    a = thin
    row = a.alpha[(a.alpha["level"] == "level1") & (a.alpha["group"] == "质量发展成效")].iloc[0]
    cols = a.groups.index[a.groups["level1"] == "质量发展成效"]
    assert row["complete"] == a.benchmark.scores.scores[cols].notna().all(axis=1).sum() == 0
    assert np.isnan(row["alpha"])
    assert "质量发展成效 无法计算：没有各项都有值的县" in a.summary()


def test_negative_and_collinear_thresholds(thin):
    a = thin
    assert (a.negative["r"] < NEGATIVE).all()
    same = a.groups["level2"].to_numpy()
    p = a.pearson.to_numpy()
    weak = (p < 0) & (p >= NEGATIVE) & (same[:, None] == same[None, :])
    assert weak.any()                                   # weak negative pairs exist, and are not flagged
    weak_pairs = {(a.pearson.index[i], a.pearson.columns[j]) for i, j in zip(*np.nonzero(weak), strict=True)}
    assert not weak_pairs & set(zip(a.negative["a"], a.negative["b"], strict=True))
    text = a.summary()
    assert "r<−0.4" in text
    if a.collinear.empty:
        assert "未发现高度相关（r>0.92）的指标对" in text


@pytest.mark.parametrize("counties", [["临淄区"], ["临淄区", "张店区"]])
def test_too_few_counties_make_no_claims(tmp_path, counties):
    a = _audit(tmp_path, counties)
    assert a.benchmark.n == len(counties)
    text = a.summary()
    assert f"至少需要{MIN_N}个" in text
    for claim in ("对排名影响最大", "各县得分完全相同", "高度相关", "负相关", "克朗巴哈α）：", "离群："):
        assert claim not in text
    assert a.alpha["alpha"].isna().all() and a.weights["importance"].isna().all()
    assert a.pearson.isna().all().all() and a.collinear.empty and a.negative.empty


def test_constant_column_has_no_skew_and_no_warning():
    frame = pd.DataFrame({"c": [2.0, 2, 2, 2, 2], "v": [1.0, 2, 3, 4, 10]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        st = column_stats(frame)
    assert np.isnan(st.loc["c", "skew"]) and np.isnan(st.loc["c", "kurtosis"]) and not st.loc["c", "outlier"]
    assert st.loc["v", "skew"] == pytest.approx(frame["v"].skew())


def test_alpha_text_reasons():
    assert alpha_text(np.nan, 1, 9) == "无法计算：只有1项指标"
    assert alpha_text(np.nan, 3, 0) == "无法计算：没有各项都有值的县"
    assert alpha_text(np.nan, 3, 2) == f"无法计算：各项都有值的县只有2个（至少需要{MIN_N}个）"
    assert alpha_text(0.5, 3, 9) == "0.50"


def test_cronbach_minimum_rows():
    x = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [1.0, 3, 2, 4]})
    assert not np.isnan(cronbach(x)) and np.isnan(cronbach(x, min_rows=MIN_N))


def test_charts_say_why_and_keep_the_footer_free(tmp_path, thin):
    from matplotlib.colors import to_hex

    from qstrong.charts.audit import FOOTER, NO_R, alpha_bars, correlation_heatmap, importance_vs_weight

    one = _audit(tmp_path, ["临淄区"])
    texts = [t.get_text() for t in alpha_bars(one).axes[0].texts]
    assert any("只有1个县" in t for t in texts) and not any("各县无差异" in t for t in texts)
    heat = correlation_heatmap(thin)
    assert to_hex(heat.axes[0].images[0].get_cmap().get_bad()) == NO_R
    assert any(NO_R == to_hex(h.get_color()) for h in heat.axes[0].get_legend().get_lines())
    imp = importance_vs_weight(thin)
    assert any("数据不足、未画出：指标35、指标41" == t.get_text() for t in imp.axes[0].texts)
    for fig in (alpha_bars(thin), imp, heat):
        fig.draw_without_rendering()                            # runs the constrained layout
        label = fig.axes[0].xaxis.label.get_window_extent()
        assert label.y0 >= FOOTER * fig.dpi - 1                 # the x-axis label stays above the footer band
