"""Growth from a zero base (indicators 19, 20: 数量和增长率分别按功效系数法计算得分后，按0.6、0.4的权重加权).

Expectations by hand. Panel A (indicator 19, q19.smes_helped / q19.smes_helped_prev):
甲 100/50 (growth 100 %), 乙 50/50 (0 %), 丙 150/100 (50 %), 丁 10/0 (from a zero base).
Level component: x_s = 10, x_h = 150 → d = 60 + 40·(x − 10)/140.
Growth under "top" / "null": goalposts from 甲乙丙 only (0 … 100) → d 100, 60, 80; 丁: 100 (top) or none.
Growth under "pp": 丁 = 10 − 0 = 10, goalposts still 0 … 100 → d(丁) = 60 + 40·10/100 = 64.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qstrong.analysis.gaps import gaps
from qstrong.analysis.ladder import ladder
from qstrong.analysis.path import cheapest_path
from qstrong.analysis.required import required_text, required_values
from qstrong.benchmark import benchmark
from qstrong.config import ScoringConfig
from qstrong.errors import InputError
from qstrong.measures import load_measures
from qstrong.scoring import score_arrays, score_panel

YEAR = 2022
CUR, PREV = "q19.smes_helped", "q19.smes_helped_prev"
A = {"甲县": (100, 50), "乙县": (50, 50), "丙县": (150, 100), "丁县": (10, 0)}


def frame(rows: dict[str, tuple]) -> pd.DataFrame:
    out = []
    for county, (cur, prev) in rows.items():
        out.append((county, YEAR, CUR, cur))
        if prev is not None:
            out.append((county, YEAR, PREV, prev))
    return pd.DataFrame(out, columns=["county", "year", "measure", "value"])


def config(**kw) -> ScoringConfig:
    return ScoringConfig.from_dict({"efficacy": {"19": kw}})


def lvl(x: float) -> float:
    return 60 + 40 * (x - 10) / 140


def pts(d_level: float, d_growth: float) -> float:
    return 2 * (0.6 * d_level + 0.4 * d_growth) / 100


def growth_d(ps, county: str) -> float:
    return float(ps.results[19][0].detail["coefs"][1].d[ps.counties.index(county)])


@pytest.mark.parametrize("policy, d_ding", [("top", 100.0), ("null", None), ("pp", 64.0)])
def test_zero_to_ten_under_each_policy(policy, d_ding):
    ps = score_panel(frame(A), YEAR, config(zero_base=policy))
    s = ps.scores[19]
    assert s["甲县"] == pytest.approx(pts(lvl(100), 100))
    assert s["乙县"] == pytest.approx(pts(lvl(50), 60))
    assert s["丙县"] == pytest.approx(pts(100, 80))           # 1.84
    card = ps.county("丁县")
    row = card.indicators[18]
    assert not row.missing                                      # everything indicator 19 uses was reported
    text = row.explanation + "".join(card.warnings)
    assert "q19." not in text and "数据不完整" not in text
    if d_ding is None:
        assert np.isnan(s["丁县"]) and row.score is None and row.status == "zero_base"
        assert "帮扶数量增长率：上年为0、本年为10：增长率无法计算，本项不计分（数据已填报，不属于数据缺失）" in row.explanation
        assert "指标19：无法计算增长率：上年为0（按所选口径不计分；数据已填报，不属于数据缺失），总分不含这2分" in card.warnings
        assert card.to_dict()["indicators"][18]["status"] == "zero_base"
        assert "提醒：指标19：无法计算增长率：上年为0" in str(card)
        assert "无法计算增长率：上年为0" in card._repr_html_()
        assert bool(ps.uncomputable.loc["丁县", 19]) and ps.uncomputable.to_numpy().sum() == 1
    else:
        assert s["丁县"] == pytest.approx(pts(60, d_ding))   # top: 1.52, pp: 1.232
        assert growth_d(ps, "丁县") == pytest.approx(d_ding) and row.status == "scored"
        assert card.to_dict()["indicators"][18]["status"] == "scored"
        tail = {"top": "增长率无法计算，按高于所有对标县计，d=100", "pp": "增长率无法计算，按增加量计：10−0=10"}[policy]
        assert f"帮扶数量增长率：上年为0、本年为10：{tail}" in row.explanation
        assert not ps.uncomputable.to_numpy().any()


def test_default_is_top():
    assert ScoringConfig.default().settings(19).zero_base == "top"
    assert score_panel(frame(A), YEAR).scores.loc["丁县", 19] == pytest.approx(1.52)  # 2·(0.6·60 + 0.4·100)/100


@pytest.mark.parametrize("goalposts", [{"policy": "minmax"}, {"policy": "topk", "k": 2},
                                       {"policy": "quantile", "low": 0.25, "high": 0.75},
                                       {"policy": "fixed", "low": 0, "high": 100}])
@pytest.mark.parametrize("policy", ["top", "null"])
def test_zero_base_county_leaves_the_others_growth_goalposts_alone(goalposts, policy):
    """Under top/null the zero-base county is not a number in the growth goalposts: the others' growth d
    equal those of the panel without it, under every goalposts policy."""
    cfg = config(zero_base=policy, goalposts=goalposts)
    withd = score_panel(frame(A), YEAR, cfg)
    without = score_panel(frame({k: v for k, v in A.items() if k != "丁县"}), YEAR, cfg)
    for c in ("甲县", "乙县", "丙县"):
        assert growth_d(withd, c) == pytest.approx(growth_d(without, c))
    assert (growth_d(withd, "丁县") == pytest.approx(100)) if policy == "top" else np.isnan(growth_d(withd, "丁县"))


def test_topk_by_hand():
    # growth of 甲乙丙 100, 0, 50: top-2 mean 75, bottom-2 mean 25 → 甲 clipped to 100, 乙 to 60, 丙 60 + 40·25/50 = 80
    ps = score_panel(frame(A), YEAR, config(goalposts={"policy": "topk", "k": 2}))
    assert [growth_d(ps, c) for c in ("甲县", "乙县", "丙县", "丁县")] == pytest.approx([100, 60, 80, 100])


@pytest.mark.parametrize("base, span", [(50, 50), (0, 80)])
def test_top_is_base_plus_span(base, span):
    ps = score_panel(frame(A), YEAR, config(base=base, span=span))
    assert growth_d(ps, "丁县") == pytest.approx(base + span)
    assert f"按高于所有对标县计，d={base + span}" in ps.county("丁县").indicators[18].explanation


@pytest.mark.parametrize("policy", ["top", "null", "pp"])
def test_zero_to_zero_is_zero_growth(policy):
    # 甲 100/50, 乙 50/50, 戊 0/0 — levels 100, 50, 0 → d 100, 80, 60; growths 100, 0, 0 → d 100, 60, 60
    ps = score_panel(frame({"甲县": (100, 50), "乙县": (50, 50), "戊县": (0, 0)}), YEAR, config(zero_base=policy))
    assert ps.scores[19].tolist() == pytest.approx([2.0, 1.44, 1.2])
    assert "帮扶数量增长率：上年为0、本年为0：增长率按0计" in ps.county("戊县").indicators[18].explanation


def test_missing_previous_is_missing_not_zero_base():
    ps = score_panel(frame({**A, "己县": (30, None)}), YEAR)
    card = ps.county("己县")
    row = card.indicators[18]
    assert row.score is None and row.status == "missing" and row.missing == [PREV]
    assert not card.complete and row.explanation.startswith("缺少数据")
    assert not ps.uncomputable.to_numpy().any()


def test_change_pp_says_nothing_of_a_zero_base():
    ps = score_panel(frame(A), YEAR, config(change="pp"))      # growth as 10 − 0 = 10 points of change
    text = ps.county("丁县").indicators[18].explanation
    assert "当年10−上年0=10" in text and "上年为0、" not in text and "增长率无法计算" not in text


def test_vectorised_over_leading_axes():
    """score_arrays on (scenario, county) arrays: each row as if scored alone."""
    names = list(A)
    env = {m: np.full((2, 4), np.nan) for m in load_measures()}
    env[CUR][:] = [A[c][0] for c in names]
    env[PREV][:] = [A[c][1] for c in names]
    env[PREV][1, 3] = 5                                         # scenario 2: 丁 from 5 to 10, growth 100 %
    got = score_arrays(env)[..., 18]
    assert got[0] == pytest.approx(score_panel(frame(A), YEAR).scores[19].to_numpy())
    other = score_panel(frame({**A, "丁县": (10, 5)}), YEAR).scores[19].to_numpy()
    assert got[1] == pytest.approx(other)
    assert got[1, 3] == pytest.approx(pts(60, 100))             # 100 % growth is the best peer's


def test_analyses_on_a_zero_base_county():
    """丁 already has full growth marks under top: the analyses raise only its level (to 150, the best)."""
    bench = benchmark(frame(A), "丁县", YEAR)
    req = required_values(bench, points={19: 2})
    row = req.set_index("indicator").loc[19]
    assert row["required"] == 150                              # level 150 → d 100, growth stays 100 → 2 points
    rep = gaps(bench)
    assert "帮扶数量增长率" not in rep.indicators.loc[19, "recovery"]
    assert "帮扶中小企业数量" in rep.indicators.loc[19, "recovery"]
    assert rep.indicators.loc[19, "status"] == "已计分"
    lad = ladder(bench)
    assert set(lad.loc[lad["indicator"] == 19, "component"]) == {"帮扶中小企业数量(家)"}


def test_analyses_under_null():
    cfg = config(zero_base="null")
    bench = benchmark(frame(A), "丁县", YEAR, config=cfg)
    req = required_values(bench)
    assert req.attrs["zero_base"] == [19] and 19 not in req.attrs["missing"]
    text = required_text(req, "丁县", only=19)
    assert "指标19：无法计算增长率：上年为0（按所选口径不计分，数据已填报），提高本年数量不能得分，无法求解" in text and "数据缺失" not in text
    rep = gaps(bench)
    assert rep.indicators.loc[19, "status"] == "无法计算增长率：上年为0" and rep.indicators.loc[19, "missing"] == ""
    assert ladder(bench).query("indicator == 19").empty
    plan = cheapest_path(bench, target=99)
    assert "指标19无法计算增长率：上年为0" in plan.message and 19 not in plan.missing


def test_config_round_trip_and_bad_values():
    cfg = ScoringConfig.from_dict({"efficacy": {"19": {"zero_base": "pp"}}})
    assert cfg.settings(19).zero_base == "pp" and cfg.settings(20).zero_base == "top"
    assert cfg.to_dict()["efficacy"]["19"]["zero_base"] == "pp"
    assert ScoringConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(InputError) as err:
        ScoringConfig.from_dict({"efficacy": {"19": {"zero_base": "zero"}, "*": {"zero_base": None}}})
    text = str(err.value)
    assert "efficacy.19.zero_base：上年为0时增长率的处理文本“zero”无效" in text
    assert "efficacy.*.zero_base" in text and "可选：top（按高于所有对标县计）、null（无法计算，不计分）、pp（按增加量计）" in text


SAMPLE = "data/sample/zibo_panel.csv"


@pytest.mark.parametrize("policy, points", [("top", 2.0), ("null", None), ("pp", 2.0)])
def test_complete_panel_with_a_zero_base(policy, points):
    """临淄区 of the sample panel (everything reported) with its 2021 count of helped SMEs set to 0: the card
    stays complete under every policy; under null indicator 19 is unscored and the total loses its 2 points.
    临淄区 has the panel's largest count (84), so its level d is 100, and under pp its growth 84 − 0 = 84
    is above every peer's percentage growth (the best is 20): d = 100 → 2 points."""
    df = pd.read_csv(SAMPLE, dtype=str)
    year = int(df["year"].max())
    base = score_panel(df, year, config(zero_base=policy))
    hit = (df["county"] == "临淄区") & (df["year"] == str(year)) & (df["measure"] == PREV)
    df.loc[hit, "value"] = "0"
    ps = score_panel(df, year, config(zero_base=policy))
    card = ps.county("临淄区")
    assert card.complete and bool(ps.complete["临淄区"]) and card.to_dict()["complete"] is True
    assert "数据不完整" not in str(card)
    got = ps.scores.loc["临淄区", 19]
    assert np.isnan(got) if points is None else got == pytest.approx(points)
    before = base.totals["临淄区"] - base.scores.loc["临淄区", 19]
    assert ps.totals["临淄区"] == pytest.approx(before + (points or 0))


def test_zero_to_zero_county_is_told_one_is_enough():
    """戊 0/0 (growth 0, d 60 against 甲 100 % and 乙 0 %): under top any count above 0 makes its growth a
    growth from a zero base, counted above every peer — the step says 1 and why."""
    rep = gaps(frame({"甲县": (100, 50), "乙县": (50, 50), "戊县": (0, 0)}), "戊县", YEAR)
    steps = rep.steps[rep.steps["indicator"] == 19]
    growth = steps[steps["action"].str.startswith("提高帮扶数量增长率")].iloc[0]
    assert growth["targets"] == ((CUR, 1.0),)
    assert "（上年为0：本年大于0即按高于所有对标县计）" in growth["action"]
    assert growth["gain"] == pytest.approx(2 * 0.4 * (100 - 60) / 100)     # 0.32


def test_options_of_a_zero_base_county_name_no_number_for_its_growth():
    from qstrong.analysis.path import county_options, load_effort

    ps = score_panel(frame(A), YEAR)
    opts = [o for o in county_options(ps, 3, load_effort())[0] if o.indicator == 19]     # 丁县
    best = max(opts, key=lambda o: o.step.gain)
    assert best.step.targets == ((CUR, 150.0),) and best.step.gain == pytest.approx(2 * 0.6 * 40 / 100)
    assert "帮扶数量增长率仍为上年为0的增长，d仍为100" in best.step.action and "nan" not in best.step.action
