"""Sensitivity: exact nominal at zero perturbation, weights sum to 100, default reading equals the
engine, reproducibility, SALib wiring against the Ishigami benchmark."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from SALib.test_functions import Ishigami

from qstrong.analysis.sensitivity import (
    interpretation_configs,
    interpretations,
    main_effects,
    ranks,
    sensitivity,
    weight_draws,
    weight_totals,
)
from qstrong.analysis.sobol import sobol_indices
from qstrong.panel import Panel
from qstrong.scoring import score_panel

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "zibo_panel.csv"


@pytest.fixture(scope="module")
def ps():
    return score_panel(Panel.from_csv(SAMPLE), 2022)


def test_zero_perturbation_reproduces_the_nominal_exactly(ps):
    scores = ps.scores.to_numpy()
    w = weight_draws(5, spread=0.0)
    totals = weight_totals(scores, w)
    nominal = np.nan_to_num(scores).sum(axis=1)
    assert all(np.array_equal(t, nominal) for t in totals)
    assert totals[0][ps.counties.index("临淄区")] == ps.county("临淄区").total


@pytest.mark.parametrize("method", ["uniform", "dirichlet"])
def test_every_draw_sums_to_100(method):
    w = weight_draws(2000, spread=0.25, method=method, seed=3)
    assert np.allclose(w.sum(axis=1), 100, atol=1e-9) and (w > 0).all()
    if method == "uniform":   # ±25 % before renormalising → every ratio within 0.75/1.25 … 1.25/0.75
        points = weight_draws(1, spread=0.0)[0]
        ratio = w / points
        assert ratio.min() > 0.75 / 1.25 - 1e-9 and ratio.max() < 1.25 / 0.75 + 1e-9


def test_batch_equals_a_loop_over_draws(ps):
    scores = ps.scores.to_numpy()
    w = weight_draws(50, seed=1)
    points = weight_draws(1, spread=0.0)[0]
    loop = np.array([np.nan_to_num(scores) @ (wi / points) for wi in w])
    assert np.allclose(weight_totals(scores, w), loop, rtol=0, atol=1e-9)


def test_ranks_share_ties():
    assert ranks(np.array([3.0, 5.0, 5.0, 1.0])).tolist() == [3, 1, 1, 4]
    assert ranks(np.array([[1.0, 2.0], [2.0, 2.0]])).tolist() == [[2, 1], [1, 1]]


def test_default_reading_equals_the_engine(ps):
    table = interpretations(Panel.from_csv(SAMPLE), "临淄区", 2022)
    assert len(table) == 96 and table["default"].iloc[0] and table["default"].sum() == 1
    assert table["total"].iloc[0] == ps.county("临淄区").total
    assert table["delta"].iloc[0] == 0
    labels, cfg = interpretation_configs()[0]
    assert labels == {"goalposts": "面板最高/最低值", "scale": "60/40", "gated": "固定标杆90～100", "change10": "百分点",
                      "variant15": "“最高2分”只限省秘书处", "variant38": "综合值计分"}
    from qstrong.config import ScoringConfig

    assert cfg.to_dict() == ScoringConfig.default().to_dict()


def test_same_seed_same_tables():
    a = sensitivity(SAMPLE, "临淄区", draws=3000, seed=11, progress=False)
    b = sensitivity(SAMPLE, "临淄区", draws=3000, seed=11, progress=False)
    c = sensitivity(SAMPLE, "临淄区", draws=3000, seed=12, progress=False)
    for name in ("interpretations", "weights", "oat", "effects"):
        assert getattr(a, name).to_csv().encode() == getattr(b, name).to_csv().encode(), name
    assert not a.weights.equals(c.weights)
    w = a.weights.loc["临淄区"]
    assert w["total_p05"] <= w["total_median"] <= w["total_p95"] and w["rank_p05"] <= w["rank_p95"]
    assert 0 <= w["p_top10"] <= w["p_top30"] <= 1


def test_one_at_a_time_has_both_kinds():
    sa = sensitivity(SAMPLE, "临淄区", draws=100, progress=False)
    kinds = set(sa.oat["kind"])
    assert kinds == {"efficacy", "rule"}
    assert (sa.oat.loc[sa.oat["kind"] == "rule", "delta"] > 0).all()
    assert sa.oat["factor"].str.contains("−10%").any() and sa.oat["factor"].str.contains(r"\+10%").any()


def test_salib_wiring_reproduces_ishigami():
    # Analytic indices of Ishigami (a = 7, b = 0.1): S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437).
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    res = sobol_indices(problem, Ishigami.evaluate, 4096, seed=7, num_resamples=300)
    s1 = np.array([0.3139, 0.4424, 0.0])
    st = np.array([0.5576, 0.4424, 0.2437])
    assert (np.abs(res["S1"] - s1) <= res["S1_conf"] + 0.01).all(), res
    assert (np.abs(res["ST"] - st) <= res["ST_conf"] + 0.01).all(), res


def test_weight_sobol_sums_close_to_one_for_an_additive_model(ps):
    from qstrong.analysis.sobol import sobol_for

    res = sobol_for(ps, "临淄区", "weights", 512)
    assert isinstance(res, pd.DataFrame) and len(res) == 43
    assert res["S1"].sum() == pytest.approx(1.0, abs=0.2)        # nearly additive in the weights


def test_cli_sensitivity(tmp_path):
    r = subprocess.run([sys.executable, "-m", "qstrong", "sensitivity", str(SAMPLE), "--county", "临淄区",
                        "--draws", "500", "--sobol-n", "128", "--out", str(tmp_path / "s.xlsx")],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    for text in ("规则解读（96种组合）", "权重不确定性", "进入前10的概率", "Sobol"):
        assert text in r.stdout
    assert (tmp_path / "s.xlsx").exists()


def test_charts_render_chinese_without_missing_glyphs(tmp_path):
    import warnings

    from qstrong.charts import save, sensitivity_charts

    sa = sensitivity(SAMPLE, "临淄区", draws=500, sobol="weights", sobol_n=64, progress=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        paths = save(sensitivity_charts(sa), tmp_path)
    assert [str(w.message) for w in caught if "Glyph" in str(w.message)] == []
    assert sorted(p.name for p in paths) == ["rank_intervals.png", "score_distribution.png", "sobol.png", "tornado.png"]
    assert sa.synthetic_values > 0 and "合成/示例数据" in str(sa)


def test_quantiles_match_numpy_inverted_cdf():
    from qstrong.analysis.sensitivity import _quantiles

    a = np.random.default_rng(0).normal(size=(997, 5))
    want = np.quantile(a, [0.05, 0.5, 0.95], axis=0, method="inverted_cdf")
    assert np.array_equal(_quantiles(a, (0.05, 0.5, 0.95)), want)
    r = np.random.default_rng(1).integers(1, 9, size=(1000, 3)).astype(np.int16)
    assert np.array_equal(_quantiles(r, (0.05, 0.95)), np.quantile(r, [0.05, 0.95], axis=0, method="inverted_cdf"))


def test_readings_grid_is_built_around_the_chosen_reading():
    # a reading off the grid's dimensions (zero-base growth null, the gate excluding 90, vetoed peers
    # kept) stays in every combination; the first row is the nominal total under it
    from qstrong.analysis.sensitivity import OWN, interpretation_configs
    from qstrong.config import ScoringConfig

    cfg = ScoringConfig.from_dict({"efficacy": {"19": {"zero_base": "null"}, "17": {"gate_inclusive": False}},
                                   "variants": {"15": "group_cap"}, "vetoed_peers": "keep"})
    combos = interpretation_configs(cfg)
    assert len(combos) == 96 and combos[0][1] is cfg
    assert combos[0][0]["variant15"] == "“最高2分”限三项技术组织合计"
    for _, c in combos:
        assert c.vetoed_peers == "keep" and c.efficacy[19].zero_base == "null" and not c.efficacy[17].gate_inclusive
    sa = sensitivity(SAMPLE, "临淄区", draws=50, config=cfg, progress=False)
    assert sa.interpretations["total"].iloc[0] == pytest.approx(sa.benchmark.total, abs=1e-12)
    # a setting the grid does not offer (top-5 goalposts for 39): first row labelled OWN, kept out of
    # the main effects, the 96 grid rows after it
    odd = ScoringConfig.default().with_efficacy(39, goalposts={"policy": "topk", "k": 5})
    combos = interpretation_configs(odd)
    assert len(combos) == 97 and combos[0][0]["goalposts"] == OWN and combos[0][1] is odd
    table = interpretations(Panel.from_csv(SAMPLE), "临淄区", 2022, odd)
    assert table["total"].iloc[0] == score_panel(Panel.from_csv(SAMPLE), 2022, odd).county("临淄区").total
    assert OWN not in main_effects(table)["options"].str.cat()


def test_sobol_none_is_accepted_by_the_api_as_by_the_cli():
    """`sobol="none"` (the CLI's and README's word) means no Sobol analysis; a bad word is still refused."""
    from qstrong.analysis.sensitivity import sensitivity
    from qstrong.errors import InputError

    sa = sensitivity(SAMPLE, "临淄区", draws=20, sobol="none", progress=False)
    assert sa.sobol is None
    with pytest.raises(InputError, match="Sobol"):
        sensitivity(SAMPLE, "临淄区", draws=20, sobol="everything", progress=False)
