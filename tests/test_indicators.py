"""Per-indicator scores, worked out by hand from the 评价标准 column of annex 2 (附件2) of the seed.

Every expectation below is derived from the seed's text, not from the catalog or the engine; the
arithmetic is written beside it. Rule results are exact (==); efficacy results use pytest.approx.

功效系数法 (defaults): d = 60 + 40·(x − x_s)/(x_h − x_s), points = W·d/100, x_h/x_s = max/min over
the panel counties having the value; d = 100 when max = min; no value → NaN and out of the benchmark.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from qstrong.config import ScoringConfig
from qstrong.scoring import score_panel

YEAR = 2022


def panel(rows: dict[str, dict[str, object]]) -> pd.DataFrame:
    """{county: {measure: value}} → the long panel frame (None values are left out = missing)."""
    return pd.DataFrame(
        [(county, YEAR, m, v) for county, ms in rows.items() for m, v in ms.items() if v is not None],
        columns=["county", "year", "measure", "value"],
    )


def scores(rows: dict[str, dict[str, object]], config: ScoringConfig | None = None) -> pd.DataFrame:
    return score_panel(panel(rows), year=YEAR, config=config).scores


def one(ind: int, measures: dict[str, object], config: ScoringConfig | None = None) -> float:
    """Score of indicator `ind` for a single county 甲县 reporting `measures`."""
    return float(scores({"甲县": measures}, config).loc["甲县", ind])


def is_nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


# ─────────────────────────────── 1–3: yes/no items ───────────────────────────────

@pytest.mark.parametrize("value, expected", [(True, 2), (False, 0), ("是", 2), ("否", 0)])
def test_01_quality_spirit(value, expected):
    # 有，得2分；无，不得分。
    assert one(1, {"q01.spirit_in_official_docs": value}) == expected


@pytest.mark.parametrize("value, expected", [(True, 2), (False, 0), ("true", 2)])
def test_02_development_model(value, expected):
    # 有，得2分；无，不得分。
    assert one(2, {"q02.development_model": value}) == expected


@pytest.mark.parametrize("activities, publicity, expected", [
    (True, True, 2),     # 1 + 1
    (True, False, 1),    # 1 + 0
    (False, True, 1),    # 0 + 1
    (False, False, 0),   # 0 + 0
])
def test_03_quality_culture(activities, publicity, expected):
    assert one(3, {"q03.mass_activities": activities, "q03.publicity": publicity}) == expected


# ─────────────────────────────── 4: commendations & media, caps ───────────────────────────────

def q04(nat=0, prov=0, muni=0, nat_media=0, prov_media=0) -> dict[str, object]:
    return {"q04.national_commendations": nat, "q04.provincial_commendations": prov,
            "q04.municipal_commendations": muni, "q04.national_media_reports": nat_media,
            "q04.provincial_media_reports": prov_media}


@pytest.mark.parametrize("kw, expected", [
    ({}, 0),
    ({"nat": 1}, 2),                 # 国家级表彰 2分/次
    ({"nat": 2}, 4),                 # 2×2 = 4 = 最高4分
    ({"nat": 3}, 4),                 # 3×2 = 6 → 最高4分
    ({"prov": 1}, 1),                # 省级表彰 1分/次
    ({"prov": 2}, 2),                # 2×1 = 2
    ({"prov": 3}, 2),                # 3×1 = 3 → 最高2分
    ({"muni": 1}, 0.5),              # 市级表彰 0.5分/次
    ({"muni": 2}, 1),                # 2×0.5 = 1
    ({"muni": 5}, 1),                # 2.5 → 最高1分
    ({"nat_media": 1}, 1),           # 国家级媒体 1分/次
    ({"nat_media": 4}, 2),           # 4 → 最高2分
    ({"prov_media": 1}, 0.5),        # 省级媒体 0.5分/次
    ({"prov_media": 3}, 1),          # 1.5 → 最高1分
    ({"prov": 1, "muni": 1, "nat_media": 1, "prov_media": 1}, 3),   # 1 + 0.5 + 1 + 0.5 = 3
    ({"prov": 2, "muni": 2, "nat_media": 1}, 4),                     # 2 + 1 + 1 = 4, exactly 累计4分
    ({"prov": 2, "muni": 2, "nat_media": 1, "prov_media": 1}, 4),    # 4.5 → 累计不超过4分
    ({"nat": 5, "prov": 5, "muni": 5, "nat_media": 5, "prov_media": 5}, 4),  # 4+2+1+2+1 = 10 → 4
])
def test_04_commendations_and_media(kw, expected):
    assert one(4, q04(**kw)) == expected


# ─────────────────────────────── 5–8 ───────────────────────────────

@pytest.mark.parametrize("level, expected", [
    ("national", 2), ("provincial", 1), ("none", 0),   # 国家级 2分；省级 1分；无 0
    ("国家级", 2), ("省级", 1), ("无", 0),
])
def test_05_event_level(level, expected):
    assert one(5, {"q05.event_level": level}) == expected


@pytest.mark.parametrize("body, attendee, expected", [
    (True, "party_secretary", 4),     # 2 + 委书记 2
    (True, "county_head", 3),         # 2 + 县长 1
    (True, "other_leader", 2.5),      # 2 + 其他主要领导 0.5
    (True, "none", 2),                # 2 + 未召开 0
    (False, "party_secretary", 2),    # 0 + 2
    (False, "county_head", 1),        # 0 + 1
    (False, "other_leader", 0.5),     # 0 + 0.5
    (False, "none", 0),               # 0 + 0
    (True, "县(市、区)委书记", 4),     # Chinese label of party_secretary
    (True, "县(市、区)长", 3),         # Chinese label of county_head
    (True, "其他主要领导", 2.5),
    (True, "未召开", 2),
])
def test_06_coordination_body_and_meeting(body, attendee, expected):
    assert one(6, {"q06.coordination_body": body, "q06.meeting_top_attendee": attendee}) == expected


@pytest.mark.parametrize("plan, meeting, expected", [
    (True, True, 2), (True, False, 1), (False, True, 1), (False, False, 0),   # 1 + 1
])
def test_07_work_plan_and_mobilization(plan, meeting, expected):
    assert one(7, {"q07.work_plan": plan, "q07.mobilization_meeting": meeting}) == expected


@pytest.mark.parametrize("policy, punishment, expected", [
    (True, True, 1), (True, False, 0.5), (False, True, 0.5), (False, False, 0),   # 0.5 + 0.5
])
def test_08_credit(policy, punishment, expected):
    assert one(8, {"q08.credit_policy": policy, "q08.joint_punishment": punishment}) == expected


# ─────────────────────────────── 9: funding in 9 areas, −0.5 per missing ───────────────────────────────

Q09 = ["q09.funded.quality_development", "q09.funded.quality_supervision", "q09.funded.standardization",
       "q09.funded.metrology", "q09.funded.inspection_testing", "q09.funded.certification_accreditation",
       "q09.funded.brand", "q09.funded.credit", "q09.funded.trademark_patent"]


@pytest.mark.parametrize("lacking, expected", [
    (0, 3),     # 3
    (1, 2.5),   # 3 − 0.5
    (2, 2),     # 3 − 1
    (5, 0.5),   # 3 − 2.5
    (6, 0),     # 3 − 3 = 0
    (7, 0),     # 3 − 3.5 → 扣完为止 0
    (9, 0),     # 3 − 4.5 → 0
])
def test_09_funding_deduction(lacking, expected):
    ms = {m: i >= lacking for i, m in enumerate(Q09)}
    assert one(9, ms) == expected


# ─────────────────────────────── 10: share and its change, 0.6 / 0.4 ───────────────────────────────

Q10_PANEL = {
    # share = funding/expenditure·100; previous share likewise
    "甲县": {"q10.quality_funding": 200, "q10.public_expenditure": 10000,        # 2 %
            "q10.quality_funding_prev": 100, "q10.public_expenditure_prev": 10000},   # 1 %
    "乙县": {"q10.quality_funding": 100, "q10.public_expenditure": 10000,        # 1 %
            "q10.quality_funding_prev": 100, "q10.public_expenditure_prev": 10000},   # 1 %
    "丙县": {"q10.quality_funding": 300, "q10.public_expenditure": 10000,        # 3 %
            "q10.quality_funding_prev": 200, "q10.public_expenditure_prev": 10000},   # 2 %
}


def test_10_share_and_pp_change_default():
    s = scores(Q10_PANEL)
    # shares 2, 1, 3 → x_s=1, x_h=3: d甲=60+40·1/2=80, d乙=60, d丙=100
    # change (pp) 1, 0, 1 → x_s=0, x_h=1: d甲=100, d乙=60, d丙=100
    assert s.loc["甲县", 10] == pytest.approx(1.76)   # 2·(0.6·80 + 0.4·100)/100 = 2·88/100
    assert s.loc["乙县", 10] == pytest.approx(1.2)    # 2·(0.6·60 + 0.4·60)/100
    assert s.loc["丙县", 10] == pytest.approx(2.0)    # 2·(0.6·100 + 0.4·100)/100


def test_10_relative_change_config():
    cfg = ScoringConfig.default().with_efficacy(10, change="relative")
    s = scores(Q10_PANEL, cfg)
    # shares as before: d = 80, 60, 100
    # change (relative) (2/1−1)·100=100, 0, (3/2−1)·100=50 → x_s=0, x_h=100: d = 100, 60, 80
    assert s.loc["甲县", 10] == pytest.approx(1.76)   # 2·(48 + 40)/100
    assert s.loc["乙县", 10] == pytest.approx(1.2)    # 2·(36 + 24)/100
    assert s.loc["丙县", 10] == pytest.approx(1.84)   # 2·(0.6·100 + 0.4·80)/100 = 2·92/100


# ─────────────────────────────── 11–13 ───────────────────────────────

@pytest.mark.parametrize("ind, measure, points", [
    (11, "q11.support_policies", 3),
    (12, "q12.one_stop_platform", 2),
    (22, "q22.complaint_channel", 1),
    (29, "q29.agri_safety_county", 2),
    (30, "q30.food_safety_county", 2),
])
@pytest.mark.parametrize("value", [True, False])
def test_single_flag_indicators(ind, measure, points, value):
    # 有/达标 → full points; 无/未达标 → 0
    assert one(ind, {measure: value}) == (points if value else 0)


@pytest.mark.parametrize("plan, policy, expected", [
    (True, True, 1), (True, False, 0.5), (False, True, 0.5), (False, False, 0),   # 0.5 + 0.5
])
def test_13_standardization_plan_and_policy(plan, policy, expected):
    assert one(13, {"q13.in_development_plan": plan, "q13.policy_measures": policy}) == expected


# ─────────────────────────────── 14: standards, tiers, cap 4 ───────────────────────────────

def q14(intl=0, led=0, part=0, prov=0) -> dict[str, object]:
    return {"q14.international": intl, "q14.national_led": led,
            "q14.national_participated": part, "q14.provincial_local_led": prov}


@pytest.mark.parametrize("kw, expected", [
    ({}, 0),
    ({"intl": 1}, 2),          # 国际标准 2分
    ({"intl": 3}, 2),          # still 2 (not per item)
    ({"led": 1}, 0.5),         # 主导国家标准 1项 0.5
    ({"led": 2}, 1),           # 2项及以上 1
    ({"led": 7}, 1),
    ({"part": 1}, 0.25),       # 参与国家标准 1-2项 0.25
    ({"part": 2}, 0.25),
    ({"part": 3}, 0.5),        # 3项及以上 0.5
    ({"prov": 1}, 0.5),        # 省级地方标准 1-2项 0.5
    ({"prov": 2}, 0.5),
    ({"prov": 3}, 1),          # 3项及以上 1
    ({"intl": 1, "led": 1, "part": 1, "prov": 3}, 3.75),   # 2 + 0.5 + 0.25 + 1 = 3.75
    ({"intl": 1, "led": 2, "prov": 3}, 4),                 # 2 + 1 + 1 = 4
    ({"intl": 1, "led": 2, "part": 3, "prov": 3}, 4),      # 2 + 1 + 0.5 + 1 = 4.5 → 累计不超过4分
])
def test_14_standards(kw, expected):
    assert one(14, q14(**kw)) == expected


# ─────────────────────────────── 15: organisations & pilots, caps ───────────────────────────────

def q15(intl=0, nat_sec=0, prov_sec=0, nat_pilots=0, prov_pilots=0) -> dict[str, object]:
    return {"q15.intl_tc_members": intl, "q15.national_tc_secretariats": nat_sec,
            "q15.provincial_tc_secretariats": prov_sec, "q15.national_pilots": nat_pilots,
            "q15.provincial_pilots": prov_pilots}


@pytest.mark.parametrize("kw, expected", [
    ({}, 0),
    ({"intl": 1}, 2),                       # 国际TC成员 2分/个
    ({"nat_sec": 1}, 1.5),                  # 国家TC秘书处 1.5分/个
    ({"prov_sec": 1}, 1),                   # 省TC秘书处 1分/个
    ({"prov_sec": 2}, 2),                   # 2
    ({"prov_sec": 3}, 2),                   # 3 → 最高2分
    ({"nat_pilots": 1}, 1),                 # 国家级试点 1-2项 1分
    ({"nat_pilots": 2}, 1),
    ({"nat_pilots": 3}, 2),                 # 3项及以上 2分
    ({"prov_pilots": 1}, 0.5),              # 省级试点 1-4项 0.5
    ({"prov_pilots": 4}, 0.5),
    ({"prov_pilots": 5}, 1),                # 5项及以上 1分
    ({"nat_pilots": 3, "prov_pilots": 4}, 2.5),            # 2 + 0.5
    ({"nat_pilots": 3, "prov_pilots": 5}, 3),              # 2 + 1 = 3
    ({"prov_sec": 1, "nat_pilots": 3, "prov_pilots": 5}, 3),   # 1 + 2 + 1 = 4 → 累计不超过3分
    # default reading: “最高2分” binds to its own clause (the provincial secretariats), as every
    # “，最高N分” of indicator 4 does
    ({"nat_sec": 1, "prov_sec": 1}, 2.5),   # 1.5 + 1 = 2.5 (no cap on the committees together)
    ({"nat_sec": 1, "prov_sec": 1, "prov_pilots": 1}, 3),   # 1.5 + 1 + 0.5 = 3
    ({"intl": 1, "nat_sec": 1}, 3),         # 2 + 1.5 = 3.5 → 累计不超过3分
    ({"nat_sec": 1, "prov_pilots": 1}, 2),  # 1.5 + 0.5
    ({"nat_sec": 2}, 3),                    # 2×1.5 = 3
    ({"prov_sec": 3, "prov_pilots": 1}, 2.5),   # min(3, 2) + 0.5
])
def test_15_standard_organisations_default(kw, expected):
    assert one(15, q15(**kw)) == expected


@pytest.mark.parametrize("kw, expected", [
    # variant group_cap: the three committee items together 最高2分
    ({"prov_sec": 3}, 2),                   # 3 → 2
    ({"intl": 1, "nat_sec": 1}, 2),         # 2 + 1.5 = 3.5 → 2
    ({"nat_sec": 1, "prov_sec": 1}, 2),     # 1.5 + 1 = 2.5 → 2
    ({"nat_sec": 1, "prov_sec": 1, "prov_pilots": 1}, 2.5),   # min(2.5, 2) + 0.5
    ({"nat_sec": 2, "nat_pilots": 3}, 3),   # min(3, 2) + 2 = 4 → 累计不超过3分
    ({"nat_sec": 1, "prov_pilots": 1}, 2),  # 1.5 + 0.5
])
def test_15_group_cap_variant(kw, expected):
    cfg = ScoringConfig.default().with_variant(15, "group_cap")
    assert one(15, q15(**kw), cfg) == expected


# ─────────────────────────────── 16–18: metrology ───────────────────────────────

@pytest.mark.parametrize("mech, center, expected", [
    (True, True, 2), (True, False, 1), (False, True, 1), (False, False, 0),   # 1 + 1
])
def test_16_metrology_mechanism_and_center(mech, center, expected):
    assert one(16, {"q16.coordination_mechanism": mech, "q16.metrology_center": center}) == expected


def test_17_metrology_rates():
    s = scores({
        "甲县": {"q17.verification_rate": 100, "q17.class_a_coverage": 100, "q17.energy_review_coverage": 100},
        "乙县": {"q17.verification_rate": 99.9, "q17.class_a_coverage": 95, "q17.energy_review_coverage": 90},
        "丙县": {"q17.verification_rate": 100, "q17.class_a_coverage": 89.9, "q17.energy_review_coverage": 95},
        "丁县": {"q17.verification_rate": 100, "q17.class_a_coverage": 90, "q17.energy_review_coverage": 89.9},
    })
    # 检定率: 100 → 1, else 0.  coverages: <90 → 0; else d = 60 + 40·(x−90)/(100−90), points = 1·d/100
    assert s.loc["甲县", 17] == pytest.approx(3.0)   # 1 + 1·100/100 + 1·100/100
    assert s.loc["乙县", 17] == pytest.approx(1.4)   # 0 + (60+40·5/10)/100=0.8 + 60/100=0.6
    assert s.loc["丙县", 17] == pytest.approx(1.8)   # 1 + 0 (89.9 < 90) + 0.8
    assert s.loc["丁县", 17] == pytest.approx(1.6)   # 1 + 0.6 + 0


@pytest.mark.parametrize("rate, expected", [(100, 3.0), (99.9, 2.0), (99, 2.0)])
def test_17_verification_rate_requires_100(rate, expected):
    # coverages at 100 → 1 + 1; verification rate 100 → +1, anything below → 0
    got = one(17, {"q17.verification_rate": rate, "q17.class_a_coverage": 100,
                   "q17.energy_review_coverage": 100})
    assert got == pytest.approx(expected)


def q18(ent=True, pol=True, act=True, streets=1, units=100, benefit=True) -> dict[str, object]:
    return {"q18.enterprise_policy": ent, "q18.integrity_policy": pol, "q18.integrity_activities": act,
            "q18.demo_streets": streets, "q18.demo_units": units, "q18.public_benefit_activities": benefit}


@pytest.mark.parametrize("kw, expected", [
    ({}, 2),                                       # 0.5 + 1 + 0.5
    ({"units": 99}, 1.5),                          # 0.5 + 0.5 (数量不达标) + 0.5
    ({"units": 250, "streets": 3}, 2),             # 0.5 + 1 + 0.5
    ({"streets": 0}, 1.5),                         # no 示范街 → 0.5 + 0.5 + 0.5
    ({"streets": 0, "units": 0}, 1.5),             # policy + activities only → 0.5
    ({"pol": False}, 1),                           # 0.5 + 0 (否则) + 0.5
    ({"act": False}, 1),                           # 0.5 + 0 + 0.5
    ({"pol": False, "act": False, "units": 0, "streets": 0}, 1),   # 0.5 + 0 + 0.5
    ({"ent": False}, 1.5),                         # 0 + 1 + 0.5
    ({"benefit": False}, 1.5),                     # 0.5 + 1 + 0
    ({"ent": False, "benefit": False, "units": 99}, 0.5),   # 0 + 0.5 + 0
    ({"ent": False, "pol": False, "benefit": False}, 0),    # 0 + 0 + 0
])
def test_18_metrology_policy_integrity_activities(kw, expected):
    assert one(18, q18(**kw)) == expected


# ─────────────────────────────── 19–20: number and growth, 0.6 / 0.4 ───────────────────────────────

def test_19_smes_helped_level_and_growth():
    s = scores({
        "甲县": {"q19.smes_helped": 100, "q19.smes_helped_prev": 50},    # growth (100/50−1)·100 = 100
        "乙县": {"q19.smes_helped": 50, "q19.smes_helped_prev": 50},     # growth 0
        "丙县": {"q19.smes_helped": 150, "q19.smes_helped_prev": 100},   # growth 50
    })
    # level 100, 50, 150 → x_s=50, x_h=150: d = 80, 60, 100
    # growth 100, 0, 50 → x_s=0, x_h=100: d = 100, 60, 80
    assert s.loc["甲县", 19] == pytest.approx(1.76)   # 2·(0.6·80 + 0.4·100)/100
    assert s.loc["乙县", 19] == pytest.approx(1.2)    # 2·(0.6·60 + 0.4·60)/100
    assert s.loc["丙县", 19] == pytest.approx(1.84)   # 2·(0.6·100 + 0.4·80)/100


def test_20_certificates_level_and_growth():
    s = scores({
        "甲县": {"q20.certificates": 400, "q20.certificates_prev": 320},   # growth 25
        "乙县": {"q20.certificates": 200, "q20.certificates_prev": 200},   # growth 0
        "丙县": {"q20.certificates": 300, "q20.certificates_prev": 200},   # growth 50
    })
    # level 400, 200, 300 → d = 100, 60, 80;  growth 25, 0, 50 → d = 80, 60, 100
    assert s.loc["甲县", 20] == pytest.approx(1.84)   # 2·(60 + 32)/100
    assert s.loc["乙县", 20] == pytest.approx(1.2)    # 2·(36 + 24)/100
    assert s.loc["丙县", 20] == pytest.approx(1.76)   # 2·(48 + 40)/100


# ─────────────────────────────── 21–27: quality management ───────────────────────────────

Q21 = ["q21.plan.production_safety", "q21.plan.environment", "q21.plan.food", "q21.plan.drug",
       "q21.plan.other_products"]


@pytest.mark.parametrize("lacking, expected", [
    (0, 2),   # 2
    (1, 1),   # 2 − 1
    (2, 0),   # 2 − 2
    (3, 0),   # 2 − 3 → 扣完为止
    (5, 0),
])
def test_21_risk_warning_plans(lacking, expected):
    ms = {m: i >= lacking for i, m in enumerate(Q21)}
    assert one(21, ms) == expected


@pytest.mark.parametrize("policy, sampled, compliant, expected", [
    (True, 10, 10, 1),      # 0.5 + 0.5 (均建立)
    (True, 10, 9, 0.5),     # 0.5 + 0 (有一家未建立)
    (False, 10, 10, 0.5),   # 0 + 0.5
    (False, 10, 0, 0),      # 0 + 0
    (True, 1, 1, 1),        # 0.5 + 0.5
    (True, 0, 0, 0.5),      # nobody sampled → 0 for the sampling item (our reading)
    (False, 0, 0, 0),
])
def test_23_post_quality_norms(policy, sampled, compliant, expected):
    assert one(23, {"q23.policy": policy, "q23.sampled": sampled,
                    "q23.sampled_compliant": compliant}) == expected


@pytest.mark.parametrize("exchange, training, expected", [
    (0, 0, 0), (1, 0, 0.5), (0, 1, 0.5), (1, 1, 1), (3, 2, 1),   # 至少一次 → 0.5 each
])
def test_24_exchange_and_training(exchange, training, expected):
    assert one(24, {"q24.exchange_events": exchange, "q24.training_events": training}) == expected


@pytest.mark.parametrize("injury, system, policy, expected", [
    ("implemented", True, True, 2),        # 1 + 1 (体系并政策)
    ("implemented", True, False, 1.5),     # 1 + 0.5 (仅体系)
    ("implemented", False, True, 1.5),     # 1 + 0.5 (仅政策)
    ("implemented", False, False, 1),      # 1 + 0
    ("researching", True, True, 1.5),      # 0.5 + 1
    ("researching", False, False, 0.5),    # 0.5 + 0
    ("none", True, True, 1),               # 0 + 1
    ("none", False, True, 0.5),            # 0 + 0.5
    ("none", False, False, 0),
    ("已在骨干医院推行", False, False, 1),    # Chinese label of implemented
    ("正在研究探索", True, False, 1),         # 0.5 + 0.5
    ("未研究", False, False, 0),
])
def test_25_injury_monitoring_and_recall(injury, system, policy, expected):
    assert one(25, {"q25.injury_monitoring": injury, "q25.recall_system": system,
                    "q25.recall_policy": policy}) == expected


def test_26_disposal_rate_gate_and_fixed_goalposts():
    s = scores({"甲县": {"q26.disposal_rate": 89.9}, "乙县": {"q26.disposal_rate": 90},
                "丙县": {"q26.disposal_rate": 95}, "丁县": {"q26.disposal_rate": 100}})
    assert s.loc["甲县", 26] == pytest.approx(0.0)   # 89.9 < 90 → 不得分
    assert s.loc["乙县", 26] == pytest.approx(1.2)   # d = 60 + 40·0/10 = 60 → 2·0.6
    assert s.loc["丙县", 26] == pytest.approx(1.6)   # d = 60 + 40·5/10 = 80 → 2·0.8
    assert s.loc["丁县", 26] == pytest.approx(2.0)   # d = 100 → 2


@pytest.mark.parametrize("level, expected", [
    ("published_regularly", 1), ("conducted", 0.5), ("none", 0),
    ("定期分析并向社会发布", 1), ("已开展未定期发布", 0.5), ("未开展", 0),
])
def test_27_status_analysis(level, expected):
    assert one(27, {"q27.status_analysis": level}) == expected


# ─────────────────────────────── 28–34: product and construction quality ───────────────────────────────

def test_28_supervision_funding_per_resident():
    s = scores({
        "甲县": {"q28.supervision_funding": 500, "population": 50},    # 10
        "乙县": {"q28.supervision_funding": 300, "population": 50},    # 6
        "丙县": {"q28.supervision_funding": 1400, "population": 100},  # 14
    })
    # x_s=6, x_h=14: d甲 = 60 + 40·4/8 = 80, d乙 = 60, d丙 = 100; W = 1
    assert s.loc["甲县", 28] == pytest.approx(0.8)
    assert s.loc["乙县", 28] == pytest.approx(0.6)
    assert s.loc["丙县", 28] == pytest.approx(1.0)


@pytest.mark.parametrize("ind, measure, points", [
    (31, "q31.drug_inspection_coverage", 1),
    (32, "q32.green_design_rate", 2),
])
@pytest.mark.parametrize("rate, full", [(100, True), (99.9, False), (0, False)])
def test_31_32_rates_must_reach_100(ind, measure, points, rate, full):
    assert one(ind, {measure: rate}) == (points if full else 0)


def test_33_prefab_bases():
    s = scores({"甲县": {"q33.prefab_bases": 0}, "乙县": {"q33.prefab_bases": 2},
                "丙县": {"q33.prefab_bases": 4}})
    # x_s=0, x_h=4: d = 60, 80, 100; W = 2
    assert s.loc["甲县", 33] == pytest.approx(1.2)
    assert s.loc["乙县", 33] == pytest.approx(1.6)
    assert s.loc["丙县", 33] == pytest.approx(2.0)


@pytest.mark.parametrize("system, online, expected", [
    (True, 100, 2),     # 系统 and 上线率100% → 2
    (True, 99.9, 0),    # 上线率未达100% → 0
    (False, 100, 0),    # no system → 0
    (False, 50, 0),
])
def test_34_smart_site(system, online, expected):
    assert one(34, {"q34.smart_site_system": system, "q34.online_rate": online}) == expected


# ─────────────────────────────── 35–38: service and environment ───────────────────────────────

def test_35_service_share_of_gdp():
    s = scores({
        "甲县": {"q35.service_value_added": 50, "gdp": 100},    # 50 %
        "乙县": {"q35.service_value_added": 40, "gdp": 100},    # 40 %
        "丙县": {"q35.service_value_added": 120, "gdp": 200},   # 60 %
    })
    # x_s=40, x_h=60: d = 80, 60, 100; W = 3
    assert s.loc["甲县", 35] == pytest.approx(2.4)
    assert s.loc["乙县", 35] == pytest.approx(1.8)
    assert s.loc["丙县", 35] == pytest.approx(3.0)


def test_36_service_enterprises_and_revenue_averaged():
    s = scores({
        "甲县": {"q36.service_enterprises": 100, "q36.service_revenue": 20},
        "乙县": {"q36.service_enterprises": 50, "q36.service_revenue": 50},
        "丙县": {"q36.service_enterprises": 150, "q36.service_revenue": 10},
    })
    # enterprises 100, 50, 150 → d = 80, 60, 100; revenue 20, 50, 10 → d = 60+40·10/40=70, 100, 60
    assert s.loc["甲县", 36] == pytest.approx(2.25)   # 3·(80+70)/2/100
    assert s.loc["乙县", 36] == pytest.approx(2.4)    # 3·(60+100)/2/100
    assert s.loc["丙县", 36] == pytest.approx(2.4)    # 3·(100+60)/2/100


def test_37_energy_intensity_reduction_may_be_negative():
    s = scores({"甲县": {"q37.energy_intensity_reduction": -2},
                "乙县": {"q37.energy_intensity_reduction": 3},
                "丙县": {"q37.energy_intensity_reduction": 8}})
    # x_s=−2, x_h=8: d = 60, 60+40·5/10=80, 100; W = 3
    assert s.loc["甲县", 37] == pytest.approx(1.8)
    assert s.loc["乙县", 37] == pytest.approx(2.4)
    assert s.loc["丙县", 37] == pytest.approx(3.0)


def test_38_air_quality_composite():
    s = scores({
        # 0.4·good + 0.6·(prev − pm25)/prev·100
        "甲县": {"q38.good_days_ratio": 70, "q38.pm25": 40, "q38.pm25_prev": 50},   # 28 + 0.6·20 = 40
        "乙县": {"q38.good_days_ratio": 60, "q38.pm25": 50, "q38.pm25_prev": 50},   # 24 + 0 = 24
        "丙县": {"q38.good_days_ratio": 80, "q38.pm25": 30, "q38.pm25_prev": 50},   # 32 + 0.6·40 = 56
    })
    # x_s=24, x_h=56: d甲 = 60 + 40·16/32 = 80, d乙 = 60, d丙 = 100; W = 3
    assert s.loc["甲县", 38] == pytest.approx(2.4)
    assert s.loc["乙县", 38] == pytest.approx(1.8)
    assert s.loc["丙县", 38] == pytest.approx(3.0)


# ─────────────────────────────── 39–42: innovation ───────────────────────────────

def test_39_hightech_share():
    s = scores({"甲县": {"q39.hightech_share": 20}, "乙县": {"q39.hightech_share": 30},
                "丙县": {"q39.hightech_share": 40}})
    # x_s=20, x_h=40: d = 60, 80, 100; W = 2
    assert s.loc["甲县", 39] == pytest.approx(1.2)
    assert s.loc["乙县", 39] == pytest.approx(1.6)
    assert s.loc["丙县", 39] == pytest.approx(2.0)


def test_40_patents_per_10000_residents():
    s = scores({
        "甲县": {"q40.invention_patents": 1000, "population": 50},   # 20 per 万人
        "乙县": {"q40.invention_patents": 500, "population": 50},    # 10
        "丙县": {"q40.invention_patents": 3000, "population": 100},  # 30
    })
    # x_s=10, x_h=30: d = 80, 60, 100; W = 2
    assert s.loc["甲县", 40] == pytest.approx(1.6)
    assert s.loc["乙县", 40] == pytest.approx(1.2)
    assert s.loc["丙县", 40] == pytest.approx(2.0)


def test_41_tech_trade_share_of_gdp():
    s = scores({
        "甲县": {"q41.tech_trade": 2, "gdp": 100},   # 2 %
        "乙县": {"q41.tech_trade": 1, "gdp": 100},   # 1 %
        "丙县": {"q41.tech_trade": 6, "gdp": 200},   # 3 %
    })
    # x_s=1, x_h=3: d = 80, 60, 100; W = 2
    assert s.loc["甲县", 41] == pytest.approx(1.6)
    assert s.loc["乙县", 41] == pytest.approx(1.2)
    assert s.loc["丙县", 41] == pytest.approx(2.0)


Q42 = [f"q42.{a}.{r}" for a in ("national_first", "national_second", "provincial_first",
                                "provincial_second", "provincial_third") for r in ("lead", "partner")]


def q42(**counts) -> dict[str, object]:
    """All ten award counts, zero unless given, e.g. q42(national_first_lead=1)."""
    return {m: counts.get(m[4:].replace(".", "_"), 0) for m in Q42}


def test_42_award_points_then_efficacy():
    s = scores({
        # 3·1 + 2·0.5·1 + 2·0.5·1 + 0.5·2 = 3 + 1 + 1 + 1 = 6
        "甲县": q42(national_first_lead=1, national_second_partner=1, provincial_first_partner=1,
                   provincial_third_lead=2),
        "乙县": q42(),                                                       # 0
        # 2·2 + 3·0.5·2 + 2·1 + 1·1 + 1·0.5·2 + 0.5·0.5·4 = 4 + 3 + 2 + 1 + 1 + 1 = 12
        "丙县": q42(national_second_lead=2, national_first_partner=2, provincial_first_lead=1,
                   provincial_second_lead=1, provincial_second_partner=2, provincial_third_partner=4),
    })
    # x_s=0, x_h=12: d = 60 + 40·6/12 = 80, 60, 100; W = 3
    assert s.loc["甲县", 42] == pytest.approx(2.4)
    assert s.loc["乙县", 42] == pytest.approx(1.8)
    assert s.loc["丙县", 42] == pytest.approx(3.0)


@pytest.mark.parametrize("award, pts", [
    ("national_first_lead", 3), ("national_first_partner", 1.5),       # 3; 50% → 1.5
    ("national_second_lead", 2), ("national_second_partner", 1),       # 2; 1
    ("provincial_first_lead", 2), ("provincial_first_partner", 1),     # 2; 1
    ("provincial_second_lead", 1), ("provincial_second_partner", 0.5),  # 1; 0.5
    ("provincial_third_lead", 0.5), ("provincial_third_partner", 0.25),  # 0.5; 0.25
])
def test_42_each_award_weight(award, pts):
    s = scores({
        "参照县": q42(national_first_lead=2),   # 2·3 = 6 = x_h
        "零县": q42(),                          # 0 = x_s
        "甲县": q42(**{award: 1}),              # pts
    })
    # d = 60 + 40·pts/6; points = 3·d/100 = 1.8 + 0.2·pts
    assert s.loc["甲县", 42] == pytest.approx(1.8 + 0.2 * pts)


# ─────────────────────────────── 43: honours, cap 9 ───────────────────────────────

@pytest.mark.parametrize("nat, prov, expected", [
    (0, 0, 0),
    (1, 0, 3),    # 国家级 3分/个
    (0, 1, 2),    # 省级 2分/个
    (2, 1, 8),    # 6 + 2
    (3, 0, 9),    # 9 = 累计9分
    (0, 4, 8),    # 8
    (0, 5, 9),    # 10 → 9
    (2, 2, 9),    # 6 + 4 = 10 → 9
    (3, 1, 9),    # 9 + 2 = 11 → 9
    (5, 5, 9),    # 25 → 9
])
def test_43_honours(nat, prov, expected):
    assert one(43, {"q43.national_honors": nat, "q43.provincial_honors": prov}) == expected


# ─────────────────────────────── efficacy edge cases ───────────────────────────────

def test_efficacy_max_equals_min_gives_full_points():
    s = scores({"甲县": {"q39.hightech_share": 30}, "乙县": {"q39.hightech_share": 30}})
    # x_h = x_s → d = 100 → 2·100/100
    assert s.loc["甲县", 39] == pytest.approx(2.0)
    assert s.loc["乙县", 39] == pytest.approx(2.0)


def test_efficacy_single_county_gets_full_points():
    # one county: its own value is both max and min → d = 100 → 3
    assert one(37, {"q37.energy_intensity_reduction": 1.5}) == pytest.approx(3.0)


def test_efficacy_missing_value_left_out_of_benchmark():
    s = scores({"甲县": {"q39.hightech_share": 20}, "乙县": {"q39.hightech_share": 40},
                "丙县": {"q33.prefab_bases": 1}})   # 丙县 reports no hightech share
    # benchmark over 甲, 乙 only: x_s=20, x_h=40 → d = 60, 100
    assert s.loc["甲县", 39] == pytest.approx(1.2)
    assert s.loc["乙县", 39] == pytest.approx(2.0)
    assert np.isnan(s.loc["丙县", 39])


def test_efficacy_base_and_span_config():
    cfg = ScoringConfig.default().with_efficacy("*", base=0, span=100)
    rows = {"甲县": {"q39.hightech_share": 20, "q26.disposal_rate": 95},
            "乙县": {"q39.hightech_share": 30, "q26.disposal_rate": 89.9},
            "丙县": {"q39.hightech_share": 40, "q26.disposal_rate": 100}}
    s = scores(rows, cfg)
    # 39: d = 0 + 100·(x−20)/20 = 0, 50, 100 → 2·d/100
    assert s.loc["甲县", 39] == pytest.approx(0.0)
    assert s.loc["乙县", 39] == pytest.approx(1.0)
    assert s.loc["丙县", 39] == pytest.approx(2.0)
    # 26 (goalposts still fixed 90…100, gate 90): 95 → d = 0 + 100·5/10 = 50 → 1; 89.9 → 0; 100 → 2
    assert s.loc["甲县", 26] == pytest.approx(1.0)
    assert s.loc["乙县", 26] == pytest.approx(0.0)
    assert s.loc["丙县", 26] == pytest.approx(2.0)
    # the default config on the same panel: 39 → 1.2, 1.6, 2.0; 26 → 1.6, 0, 2.0
    d = scores(rows)
    assert d.loc["乙县", 39] == pytest.approx(1.6)
    assert d.loc["甲县", 26] == pytest.approx(1.6)


# ─────────────────────────────── missing inputs ───────────────────────────────

def test_missing_rule_input_gives_nan_and_is_listed():
    ms = q04(nat=1)
    del ms["q04.municipal_commendations"]
    ps = score_panel(panel({"甲县": ms, "乙县": q04(nat=1)}), year=YEAR)
    assert np.isnan(ps.scores.loc["甲县", 4])
    assert ps.scores.loc["乙县", 4] == 2          # 2·1
    card = ps.county("甲县")
    ind4 = card.indicators[3]
    assert ind4.indicator == 4
    assert ind4.score is None
    assert ind4.missing == ["q04.municipal_commendations"]
    assert not card.complete
    assert ps.county("乙县").indicators[3].missing == []


def test_missing_efficacy_input_gives_nan_and_is_listed():
    ps = score_panel(panel({
        "甲县": {"q28.supervision_funding": 500, "population": 50},
        "乙县": {"q28.supervision_funding": 300},                    # population missing
    }), year=YEAR)
    assert np.isnan(ps.scores.loc["乙县", 28])
    assert ps.scores.loc["甲县", 28] == pytest.approx(1.0)   # only county with a value → d = 100
    ind28 = ps.county("乙县").indicators[27]
    assert ind28.indicator == 28
    assert ind28.score is None
    assert ind28.missing == ["population"]


def test_unreported_indicators_are_nan():
    s = scores({"甲县": {"q01.spirit_in_official_docs": True}})
    assert s.loc["甲县", 1] == 2
    assert all(is_nan(s.loc["甲县", k]) for k in range(2, 44))
    assert list(s.columns) == list(range(1, 44))


# ─────────────────────────────── explanations ───────────────────────────────

def explanation(rows, county, ind, config=None) -> str:
    card = score_panel(panel(rows), year=YEAR, config=config).county(county)
    return card.indicators[ind - 1].explanation


def test_explanation_4_caps():
    text = explanation({"甲县": q04(nat=3, prov=1)}, "甲县", 4)
    # 国家级表彰 3×2 = 6 → 封顶4; 省级 1×1 = 1 → 合计5 → 累计封顶4分
    assert "封顶" in text
    assert "3次×2=6" in text and "封顶4" in text
    assert "合计5" in text


def test_explanation_9_deductions():
    ms = {m: i >= 2 for i, m in enumerate(Q09)}
    text = explanation({"甲县": ms}, "甲县", 9)
    # 缺少2项 → 扣 0.5×2 = 1 → 3 − 1 = 2分
    assert "缺少2项" in text and "0.5×2=1" in text and "得2分" in text
    assert "质量发展" in text   # names a missing area
    ms = {m: i >= 7 for i, m in enumerate(Q09)}
    text = explanation({"甲县": ms}, "甲县", 9)
    # 缺少7项 → 0.5×7 = 3.5 > 3 → 扣完为止, 0分
    assert "0.5×7=3.5" in text and "扣完为止" in text and "得0分" in text


def test_explanation_15_provincial_cap():
    text = explanation({"甲县": q15(prov_sec=3, nat_sec=1)}, "甲县", 15)
    # 1×1.5 = 1.5; 3×1 = 3 → 封顶2 (the provincial secretariats' own cap); 合计3.5 → 累计封顶3
    assert "1.5" in text and "封顶2" in text and "封顶3" in text


def test_explanation_15_group_cap():
    cfg = ScoringConfig.default().with_variant(15, "group_cap")
    text = explanation({"甲县": q15(nat_sec=1, prov_sec=1)}, "甲县", 15, cfg)
    # 1×1.5 = 1.5; 1×1 = 1; 小计2.5 → 最高2分
    assert "1.5" in text and "2.5" in text and "封顶2" in text


def test_explanation_43_cap():
    text = explanation({"甲县": {"q43.national_honors": 2, "q43.provincial_honors": 2}}, "甲县", 43)
    # 2×3 = 6; 2×2 = 4; 合计10 → 累计不超过9分
    assert "×3=6" in text and "×2=4" in text and "10" in text and "封顶9" in text


def test_explanation_efficacy_39():
    text = explanation({"甲县": {"q39.hightech_share": 30}, "乙县": {"q39.hightech_share": 20},
                        "丙县": {"q39.hightech_share": 40}}, "甲县", 39)
    # x_h = 40, x_s = 20, d = 60 + 40·(30−20)/(40−20) = 80, points = 2·80/100 = 1.6
    for part in ("x_h=40", "x_s=20", "=80", "1.6"):
        assert part in text


def test_explanation_efficacy_10_weights():
    text = explanation(Q10_PANEL, "甲县", 10)
    # share d = 80, pp change d = 100, 2·(0.6·80 + 0.4·100)/100 = 1.76
    for part in ("0.6", "0.4", "80", "100", "1.76"):
        assert part in text


def test_explanation_17_gate():
    text = explanation({"甲县": {"q17.verification_rate": 99.9, "q17.class_a_coverage": 95,
                                 "q17.energy_review_coverage": 89.9}}, "甲县", 17)
    # 99.9 < 100 → 0; 95 → d = 80 → 0.8; 89.9 < 90 → 0; total 0.8
    for part in ("99.9", "=80", "89.9", "90", "0.8"):
        assert part in text


def test_explanation_missing_names_measure():
    text = explanation({"甲县": {"q03.mass_activities": True}}, "甲县", 3)
    assert "近一年通过多种途径宣传质量文化" in text and "q03." not in text     # Chinese name, never the id


def test_zero_gdp_is_explained_not_silently_null():
    # 35: 服务业增加值占GDP比重 with gdp = 0 (allowed by the contract) cannot be computed: the
    # indicator is null although no input is missing, and the explanation says why.
    ps = score_panel(panel({"甲县": {"gdp": 0, "q35.service_value_added": 10},
                            "乙县": {"gdp": 100, "q35.service_value_added": 50}}), year=YEAR)
    card = ps.county("甲县")
    s35 = card.indicators[34]
    assert s35.score is None and s35.missing == [] and "除数为0，无法计算" in s35.explanation
    assert ps.scores.loc["乙县", 35] == 3      # alone in the benchmark: d = 100 → 3
