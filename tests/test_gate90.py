"""Exactly 90 (indicators 17, 26: “达到90%的……按功效系数法计算得分；90%以下的不得分”).

By hand, indicator 26 (2 points, gate 90, fixed goalposts 90 … 100, d = 60 + 40·(x − 90)/10):
  89.99999 → below the gate: 0 under both readings;
  90       → gate_inclusive (default, 达到90%): d = 60 → 1.2; not inclusive (90%以下 includes 90): 0;
  90.00001 → d = 60 + 40·0.00001/10 = 60.00004 → 2·60.00004/100 = 1.2000008 under both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qstrong.analysis.gaps import gaps
from qstrong.analysis.path import county_options, load_effort
from qstrong.analysis.required import required_text, required_values
from qstrong.config import ScoringConfig
from qstrong.efficacy import EfficacySettings, Goalposts, coefficient, passes_at, required_value
from qstrong.errors import InputError
from qstrong.scoring import score_panel

YEAR = 2022
RATE = "q26.disposal_rate"
VALUES = {"甲县": 89.99999, "乙县": 90, "丙县": 90.00001, "丁县": 95}


def frame(values: dict[str, float], measure: str = RATE, extra: dict | None = None) -> pd.DataFrame:
    rows = [(c, YEAR, measure, v) for c, v in values.items()]
    rows += [(c, YEAR, m, v) for c in values for m, v in (extra or {}).items()]
    return pd.DataFrame(rows, columns=["county", "year", "measure", "value"])


def config(ident: int = 26, **kw) -> ScoringConfig:
    return ScoringConfig.from_dict({"efficacy": {str(ident): kw}})


@pytest.mark.parametrize("inclusive, at_90", [(True, 1.2), (False, 0.0)])
def test_26_at_the_boundary(inclusive, at_90):
    ps = score_panel(frame(VALUES), YEAR, config(gate_inclusive=inclusive))
    s = ps.scores[26]
    assert s["甲县"] == 0
    assert s["乙县"] == pytest.approx(at_90)
    assert s["丙县"] == pytest.approx(1.2000008)
    assert s["丁县"] == pytest.approx(1.6)                      # 2·(60 + 40·5/10)/100
    text = {c: ps.county(c).indicators[25].explanation for c in VALUES}
    assert text["甲县"].startswith("违法违规行为处置率(%)=89.99999；低于90，d=0；得分=2×0÷100=0分")
    assert text["丙县"].startswith("违法违规行为处置率(%)=90.00001；")
    assert "×(90.00001−90)÷(100−90)" in text["丙县"]
    if inclusive:
        assert "d=60+40×(90−90)÷(100−90)=60；得分=2×60÷100=1.2分" in text["乙县"]
    else:
        assert text["乙县"] == "违法违规行为处置率(%)=90；未超过90（按“90以下不得分”含90计），d=0；得分=2×0÷100=0分"


@pytest.mark.parametrize("inclusive, class_a_points", [(True, 0.6), (False, 0.0)])
def test_17_class_a_coverage_at_90(inclusive, class_a_points):
    # 17 = verification rate 100 % (1) + class A coverage 90 % (1·d/100) + energy review 100 % (1)
    extra = {"q17.verification_rate": 100, "q17.energy_review_coverage": 100}
    df = frame({"甲县": 90, "乙县": 100}, "q17.class_a_coverage", extra)
    ps = score_panel(df, YEAR, config(17, gate_inclusive=inclusive))
    assert ps.scores.loc["甲县", 17] == pytest.approx(2 + class_a_points)
    assert ps.scores.loc["乙县", 17] == pytest.approx(3)


def test_the_gate_decides_who_sets_the_goalposts():
    """With panel goalposts, a value at the gate leaves the benchmark when the gate is not inclusive:
    90, 95, 100 → inclusive: x_s = 90, d(95) = 80; not inclusive: 90 scores 0, x_s = 95, d(95) = 60."""
    x = np.array([90.0, 95.0, 100.0])
    inc = coefficient(x, EfficacySettings(gate=90, goalposts=Goalposts()))
    exc = coefficient(x, EfficacySettings(gate=90, goalposts=Goalposts(), gate_inclusive=False))
    assert inc.d.tolist() == pytest.approx([60, 80, 100])
    assert exc.d.tolist() == pytest.approx([0, 60, 100]) and exc.gated_out.tolist() == [True, False, False]


def test_required_value_at_the_gate():
    inc = EfficacySettings(gate=90, goalposts=Goalposts(policy="fixed", low=90, high=100))
    exc = inc.updated(gate_inclusive=False)
    for s in (inc, exc):
        assert required_value(np.array([85.0, 99.0]), 0, 60, s) == 90      # the gate (reached, or just passed)
        assert required_value(np.array([85.0, 99.0]), 0, 80, s) == 95      # 90 + 10·(80 − 60)/40
    assert passes_at(90, inc) and not passes_at(90, exc) and passes_at(95, exc)
    quant = exc.updated(goalposts=Goalposts(policy="quantile", low=0.0, high=1.0))
    v = required_value(np.array([85.0, 95.0, 100.0]), 0, 60, quant)     # bisection: just above the gate
    assert v == pytest.approx(90) and not passes_at(v, quant)


@pytest.mark.parametrize("inclusive, verb", [(True, "需达到90%"), (False, "需高于90%（等于90%不得分）")])
def test_required_text_at_the_gate(inclusive, verb):
    cfg = config(gate_inclusive=inclusive)
    req = required_values(frame(VALUES), "甲县", points={26: 1.2}, year=YEAR, config=cfg)
    row = req.set_index("indicator").loc[26]
    assert row["value_required"] == 90 and row["required"] == pytest.approx(90)
    assert (req.attrs["above"] == [(26, "违法违规行为处置率(%)")]) != inclusive
    text = required_text(req, "甲县", only=26)
    assert f"现为89.99999%，{verb}" in text


@pytest.mark.parametrize("inclusive", [True, False])
def test_options_and_gaps_follow_the_gate(inclusive):
    cfg = config(gate_inclusive=inclusive)
    ps = score_panel(frame(VALUES), YEAR, cfg)
    opts = county_options(ps, 0, load_effort())[0]                  # 甲县 at 89.99999
    at_gate = [o for o in opts if o.indicator == 26 and o.step.targets == ((RATE, 90.0),)]
    assert bool(at_gate) == inclusive                               # 90 recovers 1.2 points only when it passes
    if inclusive:
        assert at_gate[0].step.gain == pytest.approx(1.2)
    rep = gaps(frame(VALUES), "乙县", YEAR, config=cfg)
    assert rep.indicators.loc[26, "lost"] == pytest.approx(2 - (1.2 if inclusive else 0))
    assert rep.indicators.loc[26, "recovery"]                       # a way up is named either way


def test_config_round_trip_and_bad_values():
    cfg = ScoringConfig.from_dict({"efficacy": {"26": {"gate_inclusive": False}}})
    assert cfg.settings(26).gate_inclusive is False and cfg.settings(17).gate_inclusive is True
    assert cfg.to_dict()["efficacy"]["26"]["gate_inclusive"] is False
    assert ScoringConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(InputError) as err:
        ScoringConfig.from_dict({"efficacy": {"26": {"gate_inclusive": "no"}, "17": {"gate_inclusive": 1}}})
    text = str(err.value)
    assert "efficacy.26.gate_inclusive：应为 true（恰好等于门槛按功效系数法计分）或 false（恰好等于门槛不得分），而不是文本“no”" in text
    assert "efficacy.17.gate_inclusive" in text
    assert ScoringConfig.default().settings(26).gate_inclusive is True
