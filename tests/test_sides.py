"""One computation of the gate and goalposts a value is compared with (`rules.efficacy.sides`), and every
text that prints the value keeps the decimals that put it on its side of them.

By hand, indicator 41 (技术交易额占GDP比重 = tech_trade ÷ gdp × 100, minmax goalposts, no gate), gdp 100:
甲 2.99999, 乙 1, 丙 3 → x_s = 1, x_h = 3; 2.99999 rounds to 3 at four decimals, so a text that forgot
the goalposts would print “由3到3”. Indicator 26 (gate 90, fixed goalposts 90…100): sides (90, 90, 100).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qstrong.analysis.gaps import gaps
from qstrong.analysis.required import required_text, required_values
from qstrong.config import ScoringConfig
from qstrong.efficacy import EfficacySettings, Goalposts, coefficient
from qstrong.rules.efficacy import sides
from qstrong.scoring import score_panel

YEAR = 2022


def _panel(values: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame([(c, YEAR, m, v) for c, t in values.items() for m, v in (("q41.tech_trade", t), ("gdp", 100.0))],
                        columns=["county", "year", "measure", "value"])


def test_sides_by_hand():
    k = coefficient(np.array([85.0, 92.0, 99.0]), EfficacySettings(gate=90, goalposts=Goalposts()))
    assert sides(k, EfficacySettings(gate=90, goalposts=Goalposts())) == (90.0, 92.0, 99.0)   # 85 is gated out
    s = EfficacySettings(goalposts=Goalposts(policy="fixed", low=90, high=100))
    assert sides(coefficient(np.array([95.0]), s), s) == (90.0, 100.0)                        # no gate
    empty = coefficient(np.array([np.nan, np.nan]), s.updated(goalposts=Goalposts()))
    assert sides(empty, s) == ()                                                               # no goalposts


def test_explanation_steps_and_required_values_share_the_sides():
    df = _panel({"甲县": 2.99999, "乙县": 1, "丙县": 3})
    ps = score_panel(df, YEAR)
    item, res = ps.catalog.indicator(41).items_for(None)[0], ps.results[41][0]
    k, s = res.detail["coefs"][0], res.detail["settings"]
    assert sides(k, s) == (1.0, 3.0)
    explanation = ps.county("甲县").indicators[40].explanation
    assert "=2.99999；面板最高/最低值 x_h=3、x_s=1" in explanation, explanation
    step = item.steps(res, ps.env, 0, 2.0)[0].action
    assert step.startswith("提高技术交易额占GDP比重(%)：由2.99999到3（对标最优）"), step
    req = required_values(df, "甲县", year=YEAR)
    label = item.components[0].label
    assert req.attrs["keep"][(41, label)] == sides(k, s)
    assert "现为2.99999亿元，需达到3亿元" in required_text(req, "甲县", only=41)
    assert "由2.99999到3" in gaps(df, "甲县", YEAR).indicators.loc[41, "recovery"]


@pytest.mark.parametrize("inclusive", [True, False])
def test_the_gate_is_one_of_the_sides(inclusive):
    df = pd.DataFrame([(c, YEAR, "q26.disposal_rate", v) for c, v in (("甲县", 89.99999), ("乙县", 95))],
                      columns=["county", "year", "measure", "value"])
    cfg = ScoringConfig.from_dict({"efficacy": {"26": {"gate_inclusive": inclusive}}})
    ps = score_panel(df, YEAR, cfg)
    res = ps.results[26][0]
    assert sides(res.detail["coefs"][0], res.detail["settings"]) == (90.0, 90.0, 100.0)
    assert "=89.99999；低于90，d=0" in ps.county("甲县").indicators[25].explanation
    req = required_values(df, "甲县", points={26: 2.0}, year=YEAR, config=cfg)
    assert "现为89.99999%" in required_text(req, "甲县", only=26)


def test_peer_values_below_top_and_component_points_by_hand():
    from qstrong.catalog import load_catalog
    from qstrong.rules.efficacy import below_top, peer_values

    s = EfficacySettings(gate=90, goalposts=Goalposts())
    k = coefficient(np.array([85.0, 92.0, np.nan, 99.0, 95.0]), s, np.array([False, False, False, False, True]))
    # 85 fails the gate, NaN has no value, 95 is a growth from 0 (top: above every peer, not a goalpost)
    assert peer_values(k, 1).tolist() == [99.0] and peer_values(k, 3).tolist() == [92.0]
    assert below_top(k, s).tolist() == [True, True, False, False, False]    # d = 0, 60, —, 100, 100
    item = load_catalog().indicator(19).items_for(None)[0]                  # 2 points: level 0.6, growth 0.4
    level, growth = item.components
    assert item.component_points(level, 100.0) == pytest.approx(1.2)
    assert item.component_points(growth, 60.0) == pytest.approx(0.48)
