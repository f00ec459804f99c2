"""The Shandong peer panel: real divisions and figures kept, synthetic values plausible and scorable."""

from importlib import resources

import numpy as np
import pandas as pd
import pytest

from qstrong import peerdata
from qstrong.catalog import load_catalog
from qstrong.panel import Panel
from qstrong.rules.efficacy import Efficacy
from qstrong.scoring import score_panel

DATA = resources.files("qstrong").joinpath("data/shandong")
SHIPPED = resources.files("qstrong").joinpath("data/peers/shandong.csv")
YEARS = (2019, 2020, 2021, 2022)


def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA.joinpath(name), dtype=str, keep_default_na=False, encoding="utf-8-sig")


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return peerdata.generate()


@pytest.fixture(scope="module")
def wide(df) -> pd.DataFrame:
    return df.pivot(index=["code", "year"], columns="measure", values="value")


@pytest.fixture(scope="module")
def scores(df):
    return score_panel(df, 2022)


def test_counties_are_the_real_136(df):
    real = _csv("counties.csv")
    c = peerdata.load_counties()
    assert len(c) == 136 and c["code"].is_unique and c["county"].is_unique
    pd.testing.assert_frame_equal(c[["code", "name", "prefecture", "type"]], real[["code", "name", "prefecture", "type"]])
    assert set(c.loc[c["name"] == "市中区", "county"]) == {"市中区（济南市）", "市中区（枣庄市）"}
    assert (c["county"] == c["name"]).sum() == 134
    per_row = df[["code", "county", "prefecture", "type"]].drop_duplicates().sort_values("code", ignore_index=True)
    pd.testing.assert_frame_equal(per_row, c[["code", "county", "prefecture", "type"]])
    assert (df.groupby(["year", "measure"]).size() == 136).all()


def test_every_measure_every_year(df):
    # every efficacy measure (calibrated), and synthetic values of every rule and veto measure so
    # that peers have totals to rank on
    used = {m for ind in load_catalog().indicators for it in ind.items if isinstance(it, Efficacy)
            for m in it.measures()}
    assert used | {"gdp", "population"} <= set(df["measure"])
    assert set(df["measure"]) == set(load_catalog().measures)
    assert sorted(df["year"].unique()) == list(YEARS)
    assert len(df) == 136 * len(YEARS) * len(load_catalog().measures)
    rule = df[~df["measure"].isin(used | {"gdp", "population"})]
    assert (rule["source"] == "synthetic").all()


def test_census_population_untouched(df):
    census = _csv("census2020_population.csv").set_index("code")["pop_census2020_total"].astype(int)
    c = peerdata.load_counties().set_index("code")
    assert (c["population_2020"] == census.loc[c.index] / 10000).all()
    pop = df[(df["measure"] == "population") & (df["year"] == 2020)].set_index("code")
    assert (pop["value"] == census.loc[pop.index] / 10000).all()
    assert pop["source"].str.startswith("real:census2020 (leiii/census").all()


def test_sources_and_real_figures(df, wide):
    assert df["source"].ne("").all() and df["source"].notna().all()
    assert df["source"].str.startswith("real:").where(df["source"] != "synthetic", True).all()
    f = _csv("county_figures_partial.csv")
    f = f[f["year"].isin([str(y) for y in YEARS])]
    checked = 0
    for r in f.itertuples():
        key = (r.county_code, int(r.year))
        v, w = float(r.value), wide.loc[key]
        got = {"GDP": w["gdp"], "tertiary_value_added": w["q35.service_value_added"],
               "tertiary_share_of_GDP": w["q35.service_value_added"] / w["gdp"] * 100,
               "hightech_share_of_industrial_output": w["q39.hightech_share"], "PM2.5_annual_mean": w["q38.pm25"],
               "good_air_days": w["q38.good_days_ratio"] * (366 if int(r.year) % 4 == 0 else 365) / 100,
               "resident_population_year_end": w["population"]}.get(r.indicator)
        if got is None:
            continue
        # shares are stated to 1–2 decimals; the good-days ratio is stored to 4 decimals
        tol = {"tertiary_share_of_GDP": 0.05, "good_air_days": 1e-3}.get(r.indicator, 1e-9)
        assert got == pytest.approx(v, abs=tol), (r.county, r.year, r.indicator)
        measure = {"GDP": "gdp", "PM2.5_annual_mean": "q38.pm25", "good_air_days": "q38.good_days_ratio",
                   "resident_population_year_end": "population", "hightech_share_of_industrial_output":
                   "q39.hightech_share"}.get(r.indicator, "q35.service_value_added")
        src = df.loc[(df["code"] == r.county_code) & (df["year"] == int(r.year)) & (df["measure"] == measure), "source"]
        assert src.iloc[0].startswith(f"real:{r.source_url}")
        checked += 1
    assert checked >= 25
    # the *_prev of year Y is the current value of year Y − 1, source included
    for prev, cur in peerdata.PREV.items():
        a = df[df["measure"] == prev].set_index(["code", "year"])
        b = df[df["measure"] == cur].set_index(["code", "year"]).rename(index=lambda y: y + 1, level=1)
        both = a.merge(b, left_index=True, right_index=True, suffixes=("", "_cur"))
        assert len(both) == 136 * 3
        assert (both["value"] == both["value_cur"]).all() and (both["source"] == both["source_cur"]).all()


def test_deterministic(df, tmp_path):
    a = peerdata.write(tmp_path / "a.csv").read_bytes()
    assert a == peerdata.write(tmp_path / "b.csv").read_bytes()
    assert a.startswith(b"\xef\xbb\xbf")
    other = peerdata.generate(seed=7)
    assert (other[["county", "year", "measure", "source"]] == df[["county", "year", "measure", "source"]]).all().all()
    real = ~df["source"].str.contains("synthetic")
    assert (other.loc[real, "value"] == df.loc[real, "value"]).all()
    assert (other.loc[~real, "value"] != df.loc[~real, "value"]).mean() > 0.5


def test_shipped_file_is_generate_default(df):
    assert SHIPPED.read_bytes() == peerdata.to_csv_bytes(df)
    peers = peerdata.load_peers()
    assert len(peers) == len(df) and (peers["value"].to_numpy() == df["value"].to_numpy()).all()


def test_loads_and_scores_every_efficacy_indicator(df, scores):
    Panel.from_frame(df)  # raises on any problem
    for ind in (10, 19, 20, 26, 28, 33, 35, 36, 37, 38, 39, 40, 41, 42):
        assert scores.scores[ind].notna().all(), ind
    for r in scores.results[17][1:]:  # the two coverage parts (the verification rate is not a peer measure)
        assert not np.isnan(r.points).any()


def test_plausible(df, wide):
    w = wide.reset_index().merge(peerdata.load_counties()[["code", "type", "prefecture"]], on="code")
    y22 = w[w["year"] == 2022]
    share = y22["q35.service_value_added"] / y22["gdp"] * 100
    assert share[y22["type"] == "区"].mean() > share[y22["type"] == "县"].mean()
    assert w.loc[w["year"] == 2019, "q38.pm25"].mean() > y22["q38.pm25"].mean()
    assert abs(y22.loc[y22["prefecture"] == "淄博市", "q38.pm25"].mean() - 43) < 3
    per_capita = y22["gdp"].sum() / y22["population"].sum()  # 万元/人
    assert 0.8 < per_capita / (92068.7 / 10122.97 / 1.05) < 1.2
    assert 60 < y22["q38.good_days_ratio"].mean() < 75
    assert 10 < (y22["q40.invention_patents"] / y22["population"]).mean() < 28.17
    cov = w[["q17.class_a_coverage", "q17.energy_review_coverage", "q26.disposal_rate"]]
    assert 0.6 < (cov >= 90).mean().mean() < 0.99


def test_the_peer_panel_readme_states_the_file_as_it_is():
    """Its row and measure counts are the shipped file's (they once said 35 measures, 19,040 rows)."""
    import re
    from pathlib import Path

    import pandas as pd

    here = Path(__file__).resolve().parents[1] / "qstrong" / "data" / "peers"
    data = pd.read_csv(here / "shandong.csv", encoding="utf-8-sig")
    text = (here / "README.md").read_text(encoding="utf-8")
    counties, years, measures, rows = map(lambda s: int(s.replace(",", "")), re.search(
        r"(\d+) × (\d+) years × (\d+) measures = ([\d,]+) rows", text).groups())
    assert (counties, years, measures, rows) == (data["county"].nunique(), data["year"].nunique(),
                                                 data["measure"].nunique(), len(data))
