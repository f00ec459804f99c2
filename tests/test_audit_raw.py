"""The audit's efficacy raw values: statistics and outlier counties against a hand computation on the
eight counties of the sample panel with one county's value made extreme; ``qstrong audit``'s sheets."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from qstrong.analysis.audit_raw import raw_audit, raw_values, winsorised
from qstrong.cli import main
from qstrong.panel import Panel
from qstrong.scoring import score_panel

SAMPLE = str(Path(__file__).resolve().parents[1] / "data" / "sample" / "zibo_panel.csv")
BASES = "q33.prefab_bases"            # indicator 33: 装配式建筑产业基地数量, scored on the count itself


def _g1_g2(x: np.ndarray) -> tuple[float, float]:
    """Excel's SKEW and KURT written out from the moments (COINr's skew/kurt)."""
    n, d = len(x), x - x.mean()
    m2, m3, m4 = (d ** 2).mean(), (d ** 3).mean(), (d ** 4).mean()
    g1, g2 = m3 / m2 ** 1.5, m4 / m2 ** 2 - 3
    return g1 * np.sqrt(n * (n - 1)) / (n - 2), (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * g2 + 6)


@pytest.fixture(scope="module")
def extreme():
    """The sample's 2022 with 博山区 reporting 30 装配式建筑产业基地 (the others 0–2)."""
    p = Panel.from_csv(SAMPLE)
    data = p.data.copy()
    at = (data["year"] == 2022) & (data["measure"] == BASES) & (data["county"] == "博山区")
    data.loc[at, "value"] = 30.0
    return score_panel(Panel(data, p.catalog, p.source), 2022)


def test_stats_and_outlier_county_by_hand(extreme):
    wide = extreme.panel.wide(2022)
    x = wide[BASES].to_numpy(dtype=float)
    assert x.max() == 30 and np.sort(x)[-2] <= 2                       # one county far above the rest
    skew, kurt = _g1_g2(x)
    assert skew > 2 and kurt > 3.5                                     # the JRC rule holds by hand
    stats, out = raw_audit(extreme)
    r = stats.loc["33.1"]
    assert r["indicator"] == 33 and r["name"] == "指标33 装配式建筑产业基地数量(个)"
    assert r["mean"] == pytest.approx(x.mean()) and r["sd"] == pytest.approx(x.std(ddof=1))
    assert r["skew"] == pytest.approx(skew) and r["kurtosis"] == pytest.approx(kurt)
    assert r["outlier"] and r["outliers"] == "博山区" and r["resolved"]
    # winsorised once (30 → the next value), the rule passes: only 博山区 is named
    y = np.where(x == 30, np.sort(x)[-2], x)
    s2, k2 = _g1_g2(y)
    assert not (abs(s2) > 2 and k2 > 3.5)
    row = out[out["variable"] == "33.1"]
    assert list(row["county"]) == ["博山区"] and row["side"].iloc[0] == "high" and row["value"].iloc[0] == 30
    # min/max goalposts 0 and 30: the others' d lies between 60 and 60 + 40·(second highest)/30
    assert r["others_low"] == pytest.approx(60.0)
    assert r["others_high"] == pytest.approx(60 + 40 * np.sort(x)[-2] / 30)


def test_raw_values_are_the_scored_values(extreme):
    x, d, gated, meta = raw_values(extreme)
    wide = extreme.panel.wide(2022)
    expect = wide["q40.invention_patents"] / wide["population"]         # indicator 40's value, by hand
    assert x["40.1"].to_numpy() == pytest.approx(expect.to_numpy())
    assert list(x.index) == extreme.counties
    assert {"10.1", "10.2", "17.1", "17.2", "38.1"} <= set(x.columns) and "38.2" not in x.columns
    assert meta.loc["10.2", "name"] == "指标10 占比变动幅度(个百分点)"   # a change says its unit
    assert meta.loc["17.1", "policy"] == "fixed"
    below = x["17.1"] < 90                                              # the gate: d = 0, no goalpost
    assert (gated["17.1"] == below).all() and (d.loc[below, "17.1"] == 0).all()


def test_winsorised():
    treated, ok = winsorised(np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 200, np.nan]))
    assert ok and list(np.flatnonzero(treated)) == [11]
    treated, ok = winsorised(np.array([-500.0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]))   # low side
    assert ok and list(np.flatnonzero(treated)) == [0]
    treated, ok = winsorised(np.arange(12.0))                                       # nothing to treat
    assert ok and not treated.any()
    x = np.r_[np.zeros(40), np.arange(1, 9) * 1e3]                                  # 8 steps needed
    treated, ok = winsorised(x, winmax=2)
    assert not ok and treated.sum() == 2


def test_summary_and_sheets_name_the_outlier(extreme, tmp_path, capsys):
    from qstrong.analysis.audit import audit
    from qstrong.benchmark import benchmark

    a = audit(benchmark(extreme.panel, "临淄区", 2022, None, None, None))
    text = a.summary()
    assert "指标33 装配式建筑产业基地数量(个)" in text and "博山区（30）" in text
    frames = a.frames()
    assert list(frames["原始值离群县"].columns) == ["变量", "指标", "名称", "县（市、区）", "数值", "方向", "功效系数d"]
    data = json.loads(json.dumps(a.to_dict()))
    assert any(r["county"] == "博山区" and r["variable"] == "33.1" for r in data["raw_outliers"])


def test_cli_sheets_read_back(tmp_path, capsys):
    out = tmp_path / "audit.xlsx"
    assert main(["audit", SAMPLE, "--county", "临淄区", "--peer-panel", "shandong", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "功效系数法指标原始数值" in printed
    wb = openpyxl.load_workbook(out)
    head = [c.value for c in wb["功效系数原始值"][1]]
    assert head[:5] == ["变量", "指标", "计分数值", "名称", "标杆取法"] and "离群县（市、区）" in head
    rows = pd.DataFrame(list(wb["原始值离群县"].iter_rows(min_row=2, values_only=True)),
                        columns=[c.value for c in wb["原始值离群县"][1]])
    assert len(rows) and rows["县（市、区）"].notna().all() and set(rows["方向"]) <= {"偏高", "偏低"}
    # each listed county's value is the one in the statistics sheet's range
    stats = pd.DataFrame(list(wb["功效系数原始值"].iter_rows(min_row=2, values_only=True)), columns=head).set_index("变量")
    for v, value in zip(rows["变量"], rows["数值"], strict=True):
        assert stats.loc[v, "最小值"] <= value <= stats.loc[v, "最大值"]
        assert stats.loc[v, "离群（|偏度|>2且峰度>3.5）"] == "是"


def test_inert_indicators_say_whose_outlier_squeezes_them():
    import re

    from qstrong.analysis.audit import audit
    from qstrong.benchmark import benchmark

    a = audit(benchmark(Panel.from_csv(SAMPLE), "临淄区", None, "shandong", None, "shandong"))
    flagged = a.raw[a.raw["outlier"] & (a.raw["policy"] == "minmax")]
    said = 0
    for line in a.summary().splitlines():
        hit = re.match(r"指标(\d+)的分值为", line)
        if hit is None:
            continue
        names = [c for t in flagged.loc[flagged["indicator"] == int(hit.group(1)), "outliers"] for c in t.split("、")]
        assert all(c in line for c in names) and ("离群" in line) == bool(names), line
        said += bool(names)
    assert said                                          # the sample has such an indicator (36, 42)
