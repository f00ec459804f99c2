"""Trend projections: fits, admissibility, _prev consistency, scores, bands, scenarios, CLI, charts."""

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qstrong.analysis.projection import fit_trends, project
from qstrong.analysis.scenarios import load_scenario
from qstrong.panel import Panel
from qstrong.scoring import score_panel

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "zibo_panel.csv"


def panel_of(series: dict[tuple[str, str], dict[int, object]]) -> Panel:
    """A panel from {(county, measure): {year: value}}."""
    rows = [{"county": c, "year": y, "measure": m, "value": v}
            for (c, m), by_year in series.items() for y, v in by_year.items()]
    return Panel.from_frame(pd.DataFrame(rows))


def rows(proj, county: str, measure: str) -> pd.DataFrame:
    v = proj.values
    return v[(v["county"] == county) & (v["measure"] == measure)].set_index("year")


YEARS = (2019, 2020, 2021, 2022)


@pytest.fixture(scope="module")
def sample():
    panel = Panel.from_csv(SAMPLE)
    return panel, project(panel, "临淄区", panel.latest_year() + 3, draws=100)


def test_linear_history_projected_exactly_with_zero_band():
    p = panel_of({("甲县", "q36.service_revenue"): dict(zip(YEARS, (10, 12, 14, 16), strict=True)),
                  ("乙县", "q36.service_revenue"): dict(zip(YEARS, (20, 21, 22, 23), strict=True))})
    pr = project(p, "甲县", 2025, draws=20)
    r = rows(pr, "甲县", "q36.service_revenue")
    assert (r.loc[2023:, "method"] == "linear").all()
    assert r.loc[2023:, "value"].to_numpy() == pytest.approx([18, 20, 22])
    assert np.allclose(r.loc[2023:, "upper"] - r.loc[2023:, "lower"], 0, atol=1e-9)
    assert not r.loc[2023:, "actual"].any() and r.loc[2022, "actual"]


def test_exponential_history_chooses_compound():
    hist = [100 * 1.1 ** k for k in range(4)]
    p = panel_of({("甲县", "q36.service_revenue"): dict(zip(YEARS, hist, strict=True)),
                  ("乙县", "q36.service_revenue"): dict(zip(YEARS, (20, 21, 22, 23), strict=True))})
    pr = project(p, "甲县", 2025, draws=20)
    r = rows(pr, "甲县", "q36.service_revenue")
    assert (r.loc[2023:, "method"] == "compound").all()
    assert r.loc[2023:, "value"].to_numpy() == pytest.approx([100 * 1.1 ** k for k in (4, 5, 6)], rel=1e-9)
    assert np.allclose(r.loc[2023:, "upper"], r.loc[2023:, "lower"], rtol=1e-9)
    assert "复合增长" in str(pr)


def test_fit_trends_vectorised_rule():
    t = np.array([2019.0, 2020, 2021, 2022])
    y = np.array([[1, 2, 3, 4], [1, 2, 4, 8], [-1, 2, 4, 8], [5, np.nan, np.nan, 7], [3, 3, 3, 3]], float)
    f = fit_trends(t, y, np.array([2023.0]))
    assert list(f["code"]) == [1, 2, 1, 0, 1]           # linear, compound, linear (a value ≤ 0), flat, linear
    assert f["central"][0, 0] == pytest.approx(5) and f["central"][1, 0] == pytest.approx(16, rel=0.1)
    assert f["central"][3, 0] == 7 and f["central"][4, 0] == pytest.approx(3)
    assert f["upper"][2, 0] > f["central"][2, 0] > f["lower"][2, 0]


def test_fewer_than_three_years_is_flat_and_says_so():
    p = panel_of({("甲县", "q36.service_revenue"): {2021: 10, 2022: 15},
                  ("乙县", "q36.service_revenue"): {2021: 20, 2022: 30}})
    pr = project(p, "甲县", 2024, draws=10)
    r = rows(pr, "甲县", "q36.service_revenue")
    assert (r.loc[2023:, "method"] == "flat").all() and (r.loc[2023:, "value"] == 15).all()
    assert (r.loc[2023:, "lower"] == r.loc[2023:, "upper"]).all()
    assert "不足三年" in r.loc[2023, "note"]
    text = str(pr)
    assert "不足三年数据、按最后一年持平外推" in text and "q36.service_revenue" in text


def test_prev_measures_follow_the_base_of_the_year_before():
    series = {}
    for c, base in (("甲县", 50), ("乙县", 80)):
        series[(c, "q19.smes_helped")] = {y: base + 7 * k for k, y in enumerate(YEARS)}
        series[(c, "q19.smes_helped_prev")] = {y: base + 7 * (k - 1) for k, y in enumerate(YEARS)}
        series[(c, "q38.pm25")] = {y: 50 * 0.93 ** k for k, y in enumerate(YEARS)}
        series[(c, "q38.pm25_prev")] = {y: 50 * 0.93 ** (k - 1) for k, y in enumerate(YEARS)}
    pr = project(panel_of(series), "甲县", 2025, draws=10)
    v = pr.values.set_index(["county", "year", "measure"])["value"]
    for c in ("甲县", "乙县"):
        for base in ("q19.smes_helped", "q38.pm25"):
            for y in (2023, 2024, 2025):
                assert v[(c, y, base + "_prev")] == v[(c, y - 1, base)]
    assert (pr.values.loc[~pr.values["actual"] & pr.values["measure"].str.endswith("_prev"), "method"]
            == "prev").all()


def test_admissible_rates_clipped_and_counts_whole():
    p = panel_of({("甲县", "q39.hightech_share"): dict(zip(YEARS, (85, 90, 95, 99), strict=True)),
                  ("甲县", "q33.prefab_bases"): dict(zip(YEARS, (1, 2, 2, 3), strict=True)),
                  ("乙县", "q39.hightech_share"): dict(zip(YEARS, (50, 51, 52, 53), strict=True)),
                  ("乙县", "q33.prefab_bases"): dict(zip(YEARS, (0, 0, 1, 1), strict=True))})
    pr = project(p, "甲县", 2026, draws=10)
    rate = rows(pr, "甲县", "q39.hightech_share")
    assert rate.loc[2025, "value"] == 100 and (rate["upper"] <= 100).all()
    proj = pr.values[~pr.values["actual"] & (pr.values["measure"] == "q33.prefab_bases")]
    for col in ("value", "lower", "upper"):
        assert (proj[col] == np.round(proj[col])).all() and (proj[col] >= 0).all()


def test_projected_scores_equal_score_panel_on_panel(sample):
    panel, pr = sample
    full = pr.panel()
    assert full.years == panel.years + pr.years and len(pr.years) == 3
    for r in pr.totals.itertuples():
        ps = score_panel(full, r.year)
        assert r.total == pytest.approx(ps.totals["临淄区"], abs=1e-9)
        assert r.complete == bool(ps.complete["临淄区"])
    actual = pr.totals[pr.totals["actual"]]
    for r in actual.itertuples():                               # actual years: the real score
        assert r.total == pytest.approx(score_panel(panel, r.year).totals["临淄区"], abs=1e-9)
        assert r.lower == r.upper == r.total


def test_band_contains_central_total(sample):
    _, pr = sample
    t = pr.totals[~pr.totals["actual"]]
    assert len(t) == 3
    assert (t["lower"] <= t["total"] + 1e-12).all() and (t["total"] <= t["upper"] + 1e-12).all()
    assert (t["upper"] - t["lower"] > 0).any()


def test_plan2025_scores_at_least_trend(sample):
    panel, pr = sample
    res = pr.with_scenario(load_scenario("plan2025"), year=pr.to_year)
    assert res["with_scenario"] >= res["trend"] - 1e-9
    assert (res["indicators"]["delta"] >= -1e-9).all()
    assert res["trend"] == pytest.approx(float(pr.totals.set_index("year").loc[pr.to_year, "total"]))
    assert res["unmapped"] and all("target" in u for u in res["unmapped"])


def test_text_and_html(sample):
    _, pr = sample
    text = str(pr)
    assert "临淄区" in text and "趋势外推" in text and "选择规则" in text and "实际得分" in text
    assert "<table" in pr._repr_html_()
    assert set(pr.to_frame().columns) == {"county", "year", "measure", "value", "lower", "upper", "method",
                                          "note", "actual"}


def test_seeded_draws_reproducible(sample):
    panel, pr = sample
    again = project(panel, "临淄区", pr.to_year, draws=100)
    pd.testing.assert_frame_equal(pr.totals, again.totals)


def test_cli_project(tmp_path):
    to = Panel.from_csv(SAMPLE).latest_year() + 2
    out, charts = tmp_path / "values.csv", tmp_path / "charts"
    r = subprocess.run([sys.executable, "-m", "qstrong", "project", str(SAMPLE), "--county", "临淄区",
                        "--to", str(to), "--peers", "prefecture", "--scenario", "plan2025", "--draws", "50",
                        "--out", str(out), "--charts", str(charts)],
                       capture_output=True, text=True, encoding="utf-8", cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert "趋势外推" in r.stdout and "规划目标2025" in r.stdout and "不移动任何指标" in r.stdout
    assert f"{to}年得分" in r.stdout
    df = pd.read_csv(out, encoding="utf-8-sig")
    assert {"县（市、区）", "年份", "数据项", "数值", "下限", "上限", "方法", "说明", "实际值"} <= set(df.columns)
    assert df["年份"].max() == to
    assert {p.name for p in charts.iterdir()} == {"projection_trajectories.png", "scenario_by_level2.png"}


def test_cli_unknown_county_exit_2():
    r = subprocess.run([sys.executable, "-m", "qstrong", "project", str(SAMPLE), "--county", "无此县"],
                       capture_output=True, text=True, encoding="utf-8", cwd=ROOT)
    assert r.returncode == 2 and "无此县" in r.stderr


def test_charts_without_missing_glyphs(sample, tmp_path):
    from qstrong.charts import projection_charts, save, trajectory_measures

    _, pr = sample
    plan = load_scenario("plan2025")
    cmp = pr.compare([plan])
    assert "q34.online_rate" in trajectory_measures(pr.base.catalog, [plan])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        paths = save(projection_charts(pr, [plan], cmp), tmp_path)
    assert [p.name for p in paths] == ["projection_trajectories.png", "scenario_by_level2.png"]
    glyph = [w for w in caught if "Glyph" in str(w.message) and "missing" in str(w.message)]
    assert not glyph, [str(w.message) for w in glyph]


def test_county_with_a_single_year_among_multi_year_peers():
    # the county reports only its latest year (e.g. from intake); peers have a history
    from qstrong.analysis.projection import project
    from qstrong.panel import Panel

    df = Panel.from_csv(SAMPLE).data
    df = df[~((df["county"] == "临淄区") & (df["year"] < 2022))]
    pj = project(Panel(df.reset_index(drop=True)), "临淄区", 2024, draws=20)
    assert list(pj.totals["year"]) == [2022, 2023, 2024]
    assert "不足三年" in str(pj) or pj.flat_measures()
