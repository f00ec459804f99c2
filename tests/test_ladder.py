"""Target ladder: rungs fed back into the engine give the stated points; outliers never the headline."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qstrong.analysis.ladder import fences, ladder, outliers
from qstrong.benchmark import benchmark
from qstrong.panel import Panel
from qstrong.rules.efficacy import Efficacy
from qstrong.scoring import score_panel

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "zibo_panel.csv"


def prefab(values: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame([(c, 2022, "q33.prefab_bases", v) for c, v in values.items()],
                        columns=["county", "year", "measure", "value"])


def test_hand_ladder_with_an_injected_outlier():
    # 33 (装配式建筑产业基地, 2 points, count). 甲 1; peers 0, 2, 3, 4, 5 and an injected 40.
    # Peer quantiles (linear) of [0, 2, 3, 4, 5, 40]: median 3.5, 75 % 4.75, 90 % 22.5, best 40.
    # Q1 2.25, Q3 4.75, IQR 2.5 → fence 4.75 + 7.5 = 12.25: 90 % and best are outliers → headline 75 %.
    # Counts round up: 甲 needs 4, 5, 23, 40; goalposts 0…40 → d = 60 + x → points 1.28, 1.3, 1.66, 2
    # (today 1 → 1.22); each base costs 0.02 points, so 0.1 point needs 5 more bases.
    df = prefab({"甲县": 1, "乙县": 0, "丙县": 2, "丁县": 3, "戊县": 4, "己县": 5, "庚县": 40})
    lad = ladder(score_panel(df), "甲县").set_index("rung")
    assert lad["lever_name"].iloc[0] == "装配式建筑产业基地数量" and (lad["indicator"] == 33).all()
    assert lad["peer_value"].tolist() == pytest.approx([3.5, 4.75, 22.5, 40])
    assert lad["lever_needed"].tolist() == [4, 5, 23, 40]
    assert lad["rung_points"].tolist() == pytest.approx([1.28, 1.3, 1.66, 2.0])
    assert lad["gain"].tolist() == pytest.approx([0.06, 0.08, 0.44, 0.78])
    assert lad["marginal"].tolist() == pytest.approx([5, 5, 5, 5])
    assert lad.loc["中位数", "marginal_text"] == "每多0.1分需装配式建筑产业基地数量提高5个"
    assert lad["fence"].iloc[0] == pytest.approx(12.25)
    assert lad["outlier"].tolist() == [False, False, True, True]
    assert lad["headline"].tolist() == [False, True, False, False]


def test_no_outlier_makes_the_best_the_headline_and_reached_rungs_cost_nothing():
    # Peers 0, 2, 3, 4, 5, 6: Q1 2.25, Q3 4.75, IQR 2.5 → fence 12.25; nothing beyond it.
    # 甲 at 4 has passed the median (3.5): reached, no gain.
    df = prefab({"甲县": 4, "乙县": 0, "丙县": 2, "丁县": 3, "戊县": 4, "己县": 5, "庚县": 6})
    lad = ladder(score_panel(df), "甲县").set_index("rung")
    assert not lad["outlier"].any() and lad["headline"].tolist() == [False, False, False, True]
    assert lad.loc["中位数", "reached"] and lad.loc["中位数", "gain"] == 0
    assert lad.loc["中位数", "marginal_text"] == "已达到"
    assert not lad.loc["最优", "reached"] and lad.loc["最优", "lever_needed"] == 6


def test_fences_by_hand():
    peers = np.array([10.0, 12, 14, 16, 18])          # Q1 12, Q3 16, IQR 4 → 0 … 28
    assert fences(peers) == pytest.approx((0.0, 28.0))
    assert outliers(np.array([29.0, 28.0, -1.0]), peers).tolist() == [True, False, False]
    assert outliers(np.array([29.0, -1.0]), peers, lower_is_better=True).tolist() == [False, True]
    assert fences(peers[:3]) == (-np.inf, np.inf)      # too few peers to call anything an outlier


@pytest.fixture(scope="module")
def sample():
    panel = Panel.from_csv(SAMPLE)
    return panel, score_panel(panel, 2022)


def test_every_rung_fed_back_into_the_engine_gives_its_points(sample):
    panel, ps = sample
    levers = {(ind.id, c.label): c.lever for ind in ps.catalog.indicators for it in ind.items
              if isinstance(it, Efficacy) for c in it.components}
    lad = ladder(ps, "临淄区")
    assert len(lad) == 4 * len(levers)
    checked = 0
    for _, r in lad[~lad["reached"] & lad["lever_needed"].notna()].iterrows():
        data = panel.data.copy()
        sel = (data.county == "临淄区") & (data.year == 2022) & (data.measure == levers[r["indicator"], r["component"]])
        assert sel.sum() == 1
        data.loc[sel, "value"] = r["lever_needed"]
        got = score_panel(Panel(data, panel.catalog), 2022).scores.loc["临淄区", r["indicator"]]
        assert got == pytest.approx(r["rung_points"], abs=1e-9), (r["indicator"], r["component"], r["rung"])
        assert r["gain"] == pytest.approx(got - ps.scores.loc["临淄区", r["indicator"]], abs=1e-9)
        checked += 1
    assert checked >= 20
    assert lad.groupby(["indicator", "component"])["headline"].sum().eq(1).all()
    assert not lad.loc[lad["headline"], "outlier"].any()


def test_takes_a_benchmark_and_its_county(sample):
    panel, ps = sample
    b = benchmark(panel, "临淄区", 2022)
    pd.testing.assert_frame_equal(ladder(b), ladder(ps, "临淄区"))
    assert not ladder(b)["lever_name"].str.contains(r"q\d\d\.", regex=True).any()


def test_required_values_omit_indicators_already_at_full_points():
    # 41 (技术交易额占GDP, 2 points): 甲 3 %, 乙 2 %, 丙 1 %. 甲 is the best → full points → no row;
    # 乙 needs 3 亿元 (ties 甲) → one row with all the usual columns.
    from qstrong.analysis.required import COLUMNS, required_values

    df = pd.DataFrame([(c, 2022, m, v) for c, t in (("甲县", 3), ("乙县", 2), ("丙县", 1))
                       for m, v in (("q41.tech_trade", float(t)), ("gdp", 100.0))],
                      columns=["county", "year", "measure", "value"])
    top = required_values(df, "甲县")
    assert top.empty and list(top.columns) == COLUMNS
    second = required_values(df, "乙县")
    assert second["indicator"].tolist() == [41] and second["required"].iloc[0] == pytest.approx(3.0)


def test_gap_step_targets_the_headline_rung_not_the_outlier():
    # The panel of the first test: the best peer 40 is beyond the fence 12.25, so the gap report's step
    # for 33 aims at the 75 % rung 4.75 (d = 60 + 4.75 = 64.75 → 1.295 points, +0.075), i.e. 5 bases.
    from qstrong.analysis.gaps import gaps

    df = prefab({"甲县": 1, "乙县": 0, "丙县": 2, "丁县": 3, "戊县": 4, "己县": 5, "庚县": 40})
    step = gaps(df, "甲县").steps.set_index("indicator").loc[33]
    assert step["targets"] == (("q33.prefab_bases", 5.0),)
    assert step["gain"] == pytest.approx(0.075)
    assert step["action"].startswith("提高") and "75%分位" in step["action"] and "最优值40超出离群界限" in step["action"]
