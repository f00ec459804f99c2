"""Gap analysis: hand-derived figures, roll-ups, required values fed back, charts in Chinese."""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qstrong.analysis.gaps import gaps
from qstrong.catalog import load_catalog
from qstrong.config import ScoringConfig
from qstrong.efficacy import EfficacySettings, Goalposts, coefficient, required_value
from qstrong.panel import Panel
from qstrong.scoring import evaluate_indicator, score_panel

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "zibo_panel.csv"


def long(rows: dict[str, dict[str, object]], year: int = 2022) -> pd.DataFrame:
    return pd.DataFrame([(c, year, m, v) for c, ms in rows.items() for m, v in ms.items()],
                        columns=["county", "year", "measure", "value"])


@pytest.fixture(scope="module")
def sample_report():
    return gaps(SAMPLE, "临淄区")


def test_rollups_add_up_to_lost_points(sample_report):
    rep = sample_report
    assert rep.card.complete
    lost = 100 - rep.total
    assert rep.by_level("level1")["lost"].sum() == pytest.approx(lost, abs=1e-9)
    assert rep.by_level("level2")["lost"].sum() == pytest.approx(lost, abs=1e-9)
    assert rep.by_level("level1")["points"].tolist() == [12, 15, 31, 42]
    # Department roll-up: a shared indicator counts in full for each of its departments.
    dep = rep.by_department()
    ind = rep.indicators
    for name, row in dep.iterrows():
        mine = ind[ind["departments"].str.split("、").map(lambda ds, n=name: n in ds)]
        assert row["lost"] == pytest.approx(mine["lost"].sum())
        assert row["shared_lost"] == pytest.approx(mine.loc[mine["shared"], "lost"].sum())
    assert ind.loc[9, "shared"] and not ind.loc[12, "shared"]


def test_hand_computed_gaps_on_a_small_panel():
    # 33 (装配式建筑产业基地, 2 points): 甲 1, 乙 3, 丙 5 → x_s=1, x_h=5.
    # 甲: d=60 → 1.2 points, lost 0.8; to reach the best 5: +0.8.  乙: d=80 → 1.6, lost 0.4.
    # 7 (2 points): 甲 has the plan but no mobilisation meeting → 1 point, lost 1, a quick win.
    # 14 (4 points): 甲 international 0, national led 1 (0.5), participated 2 (0.25), provincial 3 (1)
    #     → 1.75, lost 2.25; next steps: international +2, national led to 2 +0.5, participated to 3 +0.25.
    base14 = {"q14.international": 0, "q14.national_led": 1, "q14.national_participated": 2,
              "q14.provincial_local_led": 3}
    df = long({"甲县": {"q33.prefab_bases": 1, "q07.work_plan": "是", "q07.mobilization_meeting": "否", **base14},
               "乙县": {"q33.prefab_bases": 3}, "丙县": {"q33.prefab_bases": 5}})
    rep = gaps(df, "甲县")
    ind = rep.indicators
    assert ind.loc[33, "score"] == pytest.approx(1.2) and ind.loc[33, "lost"] == pytest.approx(0.8)
    assert ind.loc[7, ["score", "lost", "quick_win_points"]].tolist() == [1, 1, 1]
    assert ind.loc[14, ["score", "lost"]].tolist() == [1.75, 2.25]
    steps = rep.steps.set_index(["indicator", "measures"])
    assert steps.loc[(33, "q33.prefab_bases"), "gain"] == pytest.approx(0.8)
    assert steps.loc[(33, "q33.prefab_bases"), "targets"] == (("q33.prefab_bases", 5.0),)
    assert steps.loc[(14, "q14.international"), "gain"] == 2
    assert steps.loc[(14, "q14.national_led"), "gain"] == 0.5
    assert steps.loc[(14, "q14.national_participated"), "gain"] == 0.25
    assert "provincial" not in " ".join(steps.loc[14].index)       # already in the top tier
    assert list(rep.quick_wins()["indicator"]) == [7]
    eff = rep.efficacy.set_index("indicator").loc[33]
    assert (eff["value"], eff["peer_best"], eff["best_county"], eff["peer_median"]) == (1, 5, "丙县", 3)
    assert "（最高丙县，最低甲县）" in rep.card.indicators[32].explanation   # who sets the goalposts
    # Indicators without data are not counted as lost, and are listed as missing.
    assert np.isnan(ind.loc[1, "score"]) and ind.loc[1, "lost"] == 0 and ind.loc[1, "missing"]


@pytest.mark.parametrize("values, i, target, expected", [
    ([1.0, 3.0, 5.0], 0, 80.0, 4.0),    # 甲 is the minimum: raising it moves x_s to 3 → 3 + ½·2 = 4
    ([1.0, 3.0, 5.0], 1, 100.0, 5.0),   # reaching the peer best: tie with 丙
    ([1.0, 3.0, 5.0], 2, 100.0, 3.0),   # 丙 is the best: it may fall to the others' max 3 and keep d=100
    ([2.0, 2.0, 2.0], 0, 90.0, 2.0),    # all equal: max = min → d = 100 already at 2
])
def test_required_value_fed_back_gives_the_points(values, i, target, expected):
    s = EfficacySettings()
    x = np.array(values)
    req = required_value(x, i, target, s)
    assert req == pytest.approx(expected)
    y = x.copy()
    y[i] = req
    assert coefficient(y, s).d[i] >= target - 1e-9


def test_required_value_new_peer_best_through_the_engine():
    # 40 (每万人口发明专利, 2 points): 甲 10 patents/10 万人 = 1, 乙 20/10 = 2, 丙 30/10 = 3.
    # To become the peer best 甲 needs 3 per 万人 → 30 patents; fed back: 甲 ties 丙 at d=100 → 2 points.
    df = long({c: {"q40.invention_patents": p, "population": 10} for c, p in (("甲县", 10), ("乙县", 20), ("丙县", 30))})
    rep = gaps(df, "甲县")
    step = rep.steps.set_index("indicator").loc[40]
    assert step["targets"] == (("q40.invention_patents", 30.0),)
    assert step["gain"] == pytest.approx(2 - 2 * 0.6)
    df2 = df.copy()
    df2.loc[(df2.county == "甲县") & (df2.measure == "q40.invention_patents"), "value"] = 30
    assert score_panel(df2).scores.loc["甲县", 40] == pytest.approx(2.0)
    # Beyond the old best: 甲 at 40 becomes the new best alone and 丙 drops below 100.
    df2.loc[(df2.county == "甲县") & (df2.measure == "q40.invention_patents"), "value"] = 40
    s = score_panel(df2).scores
    assert s.loc["甲县", 40] == pytest.approx(2.0) and s.loc["丙县", 40] == pytest.approx(2 * (60 + 40 * (3 - 2) / (4 - 2)) / 100)  # x_s=2 (乙), x_h=4 (甲)


def test_gated_and_fixed_goalposts_required_values():
    s = EfficacySettings(goalposts=Goalposts("fixed", low=90, high=100), gate=90)
    assert required_value(np.array([85.0, 99.0]), 0, 60, s) == 90      # the gate itself
    assert required_value(np.array([85.0, 99.0]), 0, 80, s) == 95
    assert required_value(np.array([85.0, 99.0]), 0, 100, s) == 100


def test_every_step_applied_recovers_its_gain(sample_report):
    rep = sample_report
    panel = Panel.from_csv(SAMPLE)
    base = score_panel(panel, 2022).scores.loc["临淄区"]
    for _, st in rep.steps.iterrows():
        if not st["targets"]:
            continue
        wide = panel.wide(2022).copy()
        for m, v in st["targets"]:
            wide.loc["临淄区", m] = v
        env = {m: wide[m].to_numpy() for m in wide.columns}
        ind = load_catalog().indicator(st["indicator"])
        new = evaluate_indicator(ind, env, ScoringConfig.default())[0][list(wide.index).index("临淄区")]
        got = new - base[st["indicator"]]
        if st["kind"] == "efficacy":
            assert got >= st["gain"] - 1e-6, st["action"]     # a lever may lift a second component too
        else:
            assert got == pytest.approx(st["gain"], abs=1e-12), st["action"]


def test_rank_with_ties():
    # Two counties identical on every efficacy value share rank 1; the third is 3rd.
    same = {"q33.prefab_bases": 3, "q39.hightech_share": 50}
    df = long({"甲县": same, "乙县": same, "丙县": {"q33.prefab_bases": 1, "q39.hightech_share": 40}})
    r = gaps(df, "乙县").rank
    assert (r["rank"], r["ties"], r["n"]) == (1, 1, 3)
    assert gaps(df, "丙县").rank["rank"] == 3


def test_peer_group_by_custom_list():
    rep = gaps(SAMPLE, "临淄区", peers="张店区,淄川区")
    assert rep.peers == ["淄川区", "张店区", "临淄区"] and rep.peer_spec == "自定义对标组"


def test_charts_render_chinese_without_missing_glyphs(sample_report, tmp_path):
    from qstrong.charts import gap_charts, save

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        paths = save(gap_charts(sample_report), tmp_path)
    glyphs = [str(w.message) for w in caught if "Glyph" in str(w.message) or "missing from" in str(w.message)]
    assert glyphs == []
    assert [p.name for p in paths] == ["lost_by_level2.png", "lost_by_department.png", "indicator_bullets.png",
                                       "peer_distributions.png"]
    assert all(p.stat().st_size > 10_000 for p in paths)


def test_text_report_mentions_synthetic_peers(sample_report):
    text = str(sample_report)
    assert "合成/示例数据" in text and "速赢清单" in text and "按责任部门" in text


@pytest.fixture(scope="module")
def shandong():
    from qstrong.panel import with_peers
    from qstrong.peerdata import SHIPPED

    return with_peers(Panel.from_csv(SAMPLE), Panel.from_csv(SHIPPED), "临淄区")


@pytest.mark.parametrize("spec, n, label", [
    ("shandong", 132, "全省"),            # 136 less the 4 vetoed in 2022 (寒亭区、夏津县、茌平区、邹平市)
    ("prefecture", 8, "同一地级市"),      # 淄博市: 5 districts + 3 counties
    ("type", 56, "同类型"),               # 58 市辖区 in counties.csv, less 寒亭区 and 茌平区 (vetoed)
    ("strong2022", 11, "2022年首批质量强县"),  # the ten named in 2022, plus 临淄区 itself
])
def test_peer_groups_on_the_shandong_panel(shandong, spec, n, label):
    rep = gaps(shandong, "临淄区", peers=spec)
    assert len(rep.peers) == n and rep.peer_spec == label and "临淄区" in rep.peers
    assert rep.rank["n"] == n and 1 <= rep.rank["rank"] <= n
    assert rep.synthetic_values > 0 and "合成/示例数据" in str(rep)


def test_strong2022_group_names_the_real_counties(shandong):
    rep = gaps(shandong, "临淄区", peers="strong2022")
    assert {"崂山区", "历下区", "黄岛区", "寿光市", "荣成市"} <= set(rep.peers)


def test_unknown_custom_peer_is_reported():
    from qstrong.panel import PanelError

    with pytest.raises(PanelError, match="不在面板中"):
        gaps(SAMPLE, "临淄区", peers="张店区,不存在县")


def test_says_plainly_which_peer_figures_are_real(shandong):
    rep = gaps(shandong, "临淄区")
    prov = rep.provenance
    assert prov["synthetic"].sum() == rep.synthetic_values
    assert prov.loc["gdp", "real"] >= 1 and prov.loc["q10.quality_funding", "real"] == 0
    assert "其中真实数据仅有：地区生产总值" in str(rep)


def test_a_raise_that_leaves_the_item_unscored_is_asked_once_per_item(monkeypatch):
    """戊 0/0 helped SMEs under zero_base null (19: level 0.6 + growth 0.4, one lever q19.smes_helped): any
    raise makes its growth one from 0, unscored. By hand, _checked_steps needs two engine calls: the level
    step's target (unscored → said, not offered) and one probe of the shared lever for the growth step,
    which has no target — not one probe per component, and not a re-evaluation of today's points."""
    from qstrong.analysis import gaps as gaps_module
    from qstrong.analysis.required import UNSCORED_MOVE
    from qstrong.rules.efficacy import Efficacy

    df = long({c: {"q19.smes_helped": cur, "q19.smes_helped_prev": prev}
               for c, (cur, prev) in {"甲县": (100, 50), "乙县": (50, 50), "戊县": (0, 0)}.items()})
    ps = score_panel(df, 2022, ScoringConfig.from_dict({"efficacy": {"19": {"zero_base": "null"}}}))
    item, res = ps.catalog.indicator(19).items_for(None)[0], ps.results[19][0]
    steps = item.steps(res, ps.env, 2, 2.0)
    assert [bool(st.targets) for st in steps] == [True, False]
    calls = []
    real = Efficacy.evaluate
    monkeypatch.setattr(Efficacy, "evaluate", lambda self, env, s: calls.append(1) or real(self, env, s))
    found, notes = gaps_module._checked_steps(19, item, res, ps, 2, 2.0)
    assert (found, notes, len(calls)) == ([], [UNSCORED_MOVE], 2)
