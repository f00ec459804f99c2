"""Required values fed back into the engine give the requested points."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qstrong.analysis.required import required_values
from qstrong.panel import Panel
from qstrong.scoring import score_panel

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "zibo_panel.csv"


@pytest.mark.parametrize("share", [0.7, 0.9, 1.0])
def test_fed_back_values_reach_the_points(share):
    panel = Panel.from_csv(SAMPLE)
    req = required_values(panel, "临淄区", share=share)
    base = score_panel(panel, 2022).scores.loc["临淄区"]
    for ind, rows in req.groupby("indicator"):
        if (rows["current_points"] >= rows["target_points"] - 1e-9).all() or rows["required"].isna().any():
            continue
        data = panel.data.copy()
        for _, r in rows.iterrows():
            sel = (data.county == "临淄区") & (data.year == 2022) & (data.measure == r["measure"])
            data.loc[sel, "value"] = r["required"]
        new = score_panel(Panel(data, panel.catalog), 2022).scores.loc["临淄区", ind]
        target = rows["target_points"].iloc[0]
        other_items = base[ind] - rows["current_points"].iloc[0] if ind == 17 else 0.0
        assert new >= target + other_items - 1e-6 * max(1, target), (ind, new, target)


def test_closed_form_new_best_by_hand():
    # 41 (技术交易额占GDP, 2 points): 甲 1/100 = 1 %, 乙 2 %, 丙 3 %. Full points for 甲 need 3 %, i.e.
    # tech_trade 3 亿元 on a GDP of 100; 1.8 points need d = 90 → x = 2 + 0.75·(3 − 2) = 2.75 %
    # (甲 rises above 乙, so the goalposts become 2…3) → 2.75 亿元.
    df = pd.DataFrame([(c, 2022, m, v) for c, t in (("甲县", 1), ("乙县", 2), ("丙县", 3))
                       for m, v in (("q41.tech_trade", float(t)), ("gdp", 100.0))],
                      columns=["county", "year", "measure", "value"])
    full = required_values(df, "甲县").set_index("indicator").loc[41]
    assert full["required"] == pytest.approx(3.0) and full["value_required"] == pytest.approx(3.0)
    part = required_values(df, "甲县", points={41: 1.8}).set_index("indicator").loc[41]
    assert part["required"] == pytest.approx(2.75)
    df.loc[(df.county == "甲县") & (df.measure == "q41.tech_trade"), "value"] = 2.75
    assert score_panel(df).scores.loc["甲县", 41] == pytest.approx(1.8)


def test_shared_lever_is_solved_on_the_engine():
    # 19: helped SMEs level (0.6) and growth (0.4) both move with q19.smes_helped.
    rows = {"甲县": (10, 10), "乙县": (20, 10), "丙县": (30, 20)}
    df = pd.DataFrame([(c, 2022, m, v) for c, (cur, prev) in rows.items()
                       for m, v in (("q19.smes_helped", cur), ("q19.smes_helped_prev", prev))],
                      columns=["county", "year", "measure", "value"])
    r = required_values(df, "甲县").set_index("indicator").loc[19]
    assert r["measure"] == "q19.smes_helped" and r["required"] == 30   # ties 丙 on both level and growth (+100 %)
    df.loc[(df.county == "甲县") & (df.measure == "q19.smes_helped"), "value"] = r["required"]
    assert score_panel(df).scores.loc["甲县", 19] == pytest.approx(2.0)
    df.loc[(df.county == "甲县") & (df.measure == "q19.smes_helped"), "value"] = r["required"] - 1
    assert score_panel(df).scores.loc["甲县", 19] < 2.0


def test_cli_required():
    r = subprocess.run([sys.executable, "-m", "qstrong", "required", str(SAMPLE), "--county", "临淄区",
                        "--indicator", "40", "--points", "1.8"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert "指标40" in r.stdout and "有效发明专利拥有量" in r.stdout and np.isfinite(1.0)


def test_targets_when_base_plus_span_is_below_100():
    # 41 (2 points) read with base 50, span 40: at most 2·90/100 = 1.8 points. 甲 1 %, 乙 2 %, 丙 3 % (GDP 100).
    # 1.62 points need d = 81 → (81 − 50)/40 = 0.775 of the way from 乙's 2 to 丙's 3 (甲 passes 乙) → 2.775;
    # 1.8 (or more, capped) need the best, 3.
    from qstrong.config import ScoringConfig

    df = pd.DataFrame([(c, 2022, m, v) for c, t in (("甲县", 1), ("乙县", 2), ("丙县", 3))
                       for m, v in (("q41.tech_trade", float(t)), ("gdp", 100.0))],
                      columns=["county", "year", "measure", "value"])
    cfg = ScoringConfig.from_dict({"efficacy": {"41": {"base": 50, "span": 40}}})
    for asked, target, need in ((1.62, 1.62, 2.775), (1.8, 1.8, 3.0), (2.0, 1.8, 3.0)):
        r = required_values(df, "甲县", points={41: asked}, config=cfg).set_index("indicator").loc[41]
        assert (r["target_points"], r["required"]) == pytest.approx((target, need))
        fed = df.copy()
        fed.loc[(fed.county == "甲县") & (fed.measure == "q41.tech_trade"), "value"] = need
        assert score_panel(fed, 2022, cfg).scores.loc["甲县", 41] == pytest.approx(target)
    assert required_values(df, "丙县", config=cfg).empty       # 丙 has the 1.8 it can have
