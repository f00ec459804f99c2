"""Cheapest path to a target score: options verified by re-scoring, the optimum proved by brute force,
caps computed by hand, infeasible targets explained, effort tables checked, the CLI as users run it."""

import itertools
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qstrong.analysis.path import EffortError, cheapest_path, county_options, load_effort, realise
from qstrong.catalog import load_catalog
from qstrong.config import ScoringConfig
from qstrong.measures import load_measures
from qstrong.panel import Panel, with_peers
from qstrong.peerdata import SHIPPED
from qstrong.scoring import evaluate_indicator, score_panel

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "zibo_panel.csv"


def long(rows: dict[str, dict[str, object]], year: int = 2022) -> pd.DataFrame:
    return pd.DataFrame([(c, year, m, v) for c, ms in rows.items() for m, v in ms.items()],
                        columns=["county", "year", "measure", "value"])


def text(mid: str, v: float) -> str:
    m = load_measures()[mid]
    return m.levels[int(v)] if m.kind == "level" else ("是" if v else "否") if m.kind == "bool" else repr(float(v))


def applied(df: pd.DataFrame, county: str, year: int, changes) -> pd.DataFrame:
    """The panel with the county's measures set to the plan's targets."""
    df = df[["county", "year", "measure", "value"]].copy()
    df["value"] = df["value"].astype(object)
    for mid, v in changes:
        here = (df["county"] == county) & (df["year"].astype(int) == year) & (df["measure"] == mid)
        assert here.sum() == 1
        df.loc[here, "value"] = text(mid, v)
    return df


# ── the small county: only 4, 14, 15 and 21 have data (a handful of rule indicators with room) ──
SMALL = {"q04.national_commendations": 0, "q04.provincial_commendations": 1, "q04.municipal_commendations": 0,
         "q04.national_media_reports": 0, "q04.provincial_media_reports": 1,          # 1 + 0.5 = 1.5 of 4
         "q14.international": 0, "q14.national_led": 1, "q14.national_participated": 0,
         "q14.provincial_local_led": 2,                                               # 0.5 + 0.5 = 1 of 4
         "q15.intl_tc_members": 0, "q15.national_tc_secretariats": 0, "q15.provincial_tc_secretariats": 1,
         "q15.national_pilots": 0, "q15.provincial_pilots": 0,                        # group 1 (cap 2) of 3
         "q21.plan.production_safety": "是", "q21.plan.environment": "是", "q21.plan.food": "否",
         "q21.plan.drug": "否", "q21.plan.other_products": "否"}                       # 3 lacking → 0 of 2
EFFORT = """measure,effort,per,note
q04.national_commendations,5,1 次,
q04.provincial_commendations,3,1 次,
q04.municipal_commendations,1,1 次,
q04.national_media_reports,2,1 次,
q04.provincial_media_reports,0.5,1 次,
q14.international,7,1 项,
q14.national_led,2,1 项,
q14.national_participated,1,1 项,
q14.provincial_local_led,1.5,1 项,
q15.intl_tc_members,6,1 个,
q15.national_tc_secretariats,4,1 个,
q15.provincial_tc_secretariats,2,1 个,
q15.national_pilots,3,1 项,
q15.provincial_pilots,1,1 项,
q21.plan.food,1,是,
q21.plan.drug,2,是,
q21.plan.other_products,3,是,
"""


@pytest.fixture(scope="module")
def small_effort(tmp_path_factory):
    p = tmp_path_factory.mktemp("effort") / "effort.csv"
    p.write_text(EFFORT, encoding="utf-8")
    return load_effort(p)


@pytest.fixture(scope="module")
def sample_plan():
    return cheapest_path(SAMPLE, "临淄区", 85)


def test_plan_applied_to_the_panel_reaches_the_target(sample_plan):
    plan = sample_plan
    # 82.80: 81.80 under the old group cap of 15 + 1 (15's “最高2分” now caps the provincial secretariats alone)
    assert plan.current == pytest.approx(82.80, abs=0.005) and plan.reached
    df = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    for target, peer in ((85, None), (92, None), (88, "shandong")):
        panel = SAMPLE if peer is None else with_peers(Panel.from_csv(SAMPLE), Panel.from_csv(SHIPPED), "临淄区")
        plan = cheapest_path(panel, "临淄区", target)
        base = df if peer is None else panel.data.assign(value=panel.data["raw"])
        new = score_panel(applied(base, "临淄区", plan.year, plan.changes), plan.year)
        assert new.totals["临淄区"] >= target - 1e-9
        assert new.totals["临淄区"] == pytest.approx(plan.total, abs=1e-9)    # realised exactly as planned


@pytest.mark.parametrize("peers", [None, "shandong"])
def test_every_option_gains_what_it_states_when_applied(peers):
    panel = SAMPLE if peers is None else with_peers(Panel.from_csv(SAMPLE), Panel.from_csv(SHIPPED), "临淄区")
    ps = score_panel(panel)
    i = ps.counties.index("临淄区")
    opts, pools = county_options(ps, i, load_effort())
    cat = load_catalog()
    assert len(opts) > 50 and {o.step.kind for o in opts} >= {"document", "count", "rate", "efficacy"}
    for o in opts:
        env = {m: a.copy() for m, a in ps.env.items()}
        for m, v in o.step.targets:
            env[m][i] = v
        ind = cat.indicator(o.indicator)
        gain = evaluate_indicator(ind, env, ps.config)[0][i] - ps.scores.iat[i, ind.id - 1]
        assert gain == pytest.approx(realise([o], pools)[0], abs=1e-9), o.step.action
        assert o.effort > 0


def brute_force(ps, i, opts):
    """Every combination of options (at most one per choice set), re-scored with the engine at once
    (one column per combination): the least effort that reaches each gain."""
    sets: dict[str, list] = {}
    for o in opts:
        sets.setdefault(o.choice, []).append(o)
    sets_ = list(sets.values())
    idx = [a.ravel() for a in np.meshgrid(*[np.arange(len(s) + 1) for s in sets_], indexing="ij")]
    n = idx[0].size
    env = {m: np.full(n, a[i]) for m, a in ps.env.items()}
    effort = np.zeros(n)
    for k, s in zip(idx, sets_, strict=True):
        for j, o in enumerate(s, start=1):
            for m, v in o.step.targets:
                env[m] = np.where(k == j, v, env[m])
            effort += np.where(k == j, o.effort, 0.0)
    gain = np.zeros(n)
    for ident in {o.indicator for o in opts}:
        ind = ps.catalog.indicator(ident)
        gain += evaluate_indicator(ind, env, ps.config)[0] - ps.scores.iat[i, ident - 1]
    return gain, effort


def test_brute_force_finds_no_cheaper_plan(small_effort):
    df = long({"甲县": SMALL})
    ps = score_panel(df)
    opts, pools = county_options(ps, 0, small_effort)
    assert sorted({o.indicator for o in opts}) == [4, 14, 15, 21]
    gain, effort = brute_force(ps, 0, opts)
    assert gain.size > 100_000
    current = ps.totals.iat[0]
    assert current == 3.5 and gain.max() == pytest.approx(9.5)
    for need in (0.25, 0.5, 1, 1.75, 2.5, 3, 4.5, 6, 7.25, 8, 9, 9.5):
        plan = cheapest_path(df, "甲县", current + need, effort=small_effort)
        best = effort[gain >= need - 1e-9].min()
        assert plan.reached and plan.effort == pytest.approx(best, abs=1e-9), need
        assert plan.gain >= need - 1e-9


def test_infeasible_target_says_how_far_one_can_get(small_effort):
    plan = cheapest_path(long({"甲县": SMALL}), "甲县", 20, effort=small_effort)
    assert not plan.reached and not plan.chosen and plan.best_possible == pytest.approx(13.0)
    assert "目标20.00分无法达到" in plan.message and "最多可达13.00分" in plan.message
    assert "缺少数据、未计分的指标39项" in plan.message
    assert "无法达到" in str(plan)
    done = cheapest_path(long({"甲县": SMALL}), "甲县", 3)
    assert done.reached and not done.chosen and "已达到目标" in done.message


def test_effort_table_errors_all_at_once(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("measure,effort,per,note\n"
                 "q07.work_plan,1,是,\n"
                 "q07.work_pan,1,是,typo\n"
                 "q14.national_led,很多,1 项,\n"
                 "q43.national_honors,0,1 个,\n"
                 "q43.provincial_honors,-2,1 个,\n"
                 "q07.work_plan,2,是,again\n"
                 "q17.verification_rate,0.5,1 万元,\n"
                 "q06.meeting_top_attendee,2,是,\n", encoding="utf-8")
    with pytest.raises(EffortError) as exc:
        load_effort(p)
    msg = str(exc.value)
    assert len(exc.value.problems) == 7 and "有7处问题" in msg
    for part in ("第3行（q07.work_pan）：未知的数据项，是否应为 q07.work_plan？", "第4行（q14.national_led）：工作量“很多”不是数字",
                 "第5行（q43.national_honors）：工作量“0”应为大于0的数", "第6行（q43.provincial_honors）：工作量“-2”应为大于0的数",
                 "第7行（q07.work_plan）：与第2行重复", "第8行（q17.verification_rate）：单位“1 万元”与数据项单位不符",
                 "第9行（q06.meeting_top_attendee）：单位“是”应为“级”"):
        assert part in msg
    (tmp_path / "cols.csv").write_text("measure,cost\nq07.work_plan,1\n", encoding="utf-8")
    with pytest.raises(EffortError, match="缺少必需的列：effort、per"):
        load_effort(tmp_path / "cols.csv")


def test_shipped_effort_table_covers_every_measure():
    table = load_effort()
    assert list(table.frame["measure"]) == list(load_measures())
    assert all(v > 0 for v in table.per_unit.values()) and table.frame["note"].str.len().min() > 0
    assert table.per_unit["q43.national_honors"] == 20 and table.per_unit["q43.provincial_honors"] == 8
    assert table.per_unit["q10.quality_funding"] == pytest.approx(0.02)     # 2 per 100 万元
    assert table.per_unit["q07.work_plan"] == 1 and table.per_unit["q06.meeting_top_attendee"] == 2


def test_per_unit_tier_and_cap_options_by_hand():
    # 4 (cap 4): national commendation 1 → 2, national media 1 → 1: 3 points, room 1.
    # 43 (cap 9): national honour 1 → 3, provincial 1 → 2: 5 points, room 4.
    # 14: national led 0, participated 0 (tiers), others 0 → 0, room 4 (cap 4).
    row = {"q04.national_commendations": 1, "q04.provincial_commendations": 0, "q04.municipal_commendations": 0,
           "q04.national_media_reports": 1, "q04.provincial_media_reports": 0,
           "q43.national_honors": 1, "q43.provincial_honors": 1,
           "q14.international": 0, "q14.national_led": 0, "q14.national_participated": 0,
           "q14.provincial_local_led": 0}
    df = long({"甲县": row})
    ps = score_panel(df)
    opts, pools = county_options(ps, 0, load_effort())
    got = {(o.indicator, o.step.targets): (o.step.gain, o.effort) for o in opts}
    assert pools["4"] == (None, 1.0) and pools["43"] == (None, 4.0) and pools["14"] == (None, 4.0)
    assert {k: v for k, v in got.items() if k[0] == 4} == {
        (4, (("q04.national_commendations", 2.0),)): (2.0, 20),     # item cap 4: +1 → 4 (stated 2)
        (4, (("q04.provincial_commendations", 1.0),)): (1.0, 8),    # one unit already fills the room
        (4, (("q04.municipal_commendations", 1.0),)): (0.5, 3),
        (4, (("q04.municipal_commendations", 2.0),)): (1.0, 6),
        (4, (("q04.national_media_reports", 2.0),)): (1.0, 3),
        (4, (("q04.provincial_media_reports", 1.0),)): (0.5, 1),
        (4, (("q04.provincial_media_reports", 2.0),)): (1.0, 2)}
    assert {k: v for k, v in got.items() if k[0] == 43} == {
        (43, (("q43.national_honors", 2.0),)): (3.0, 20), (43, (("q43.national_honors", 3.0),)): (6.0, 40),
        (43, (("q43.provincial_honors", 2.0),)): (2.0, 8), (43, (("q43.provincial_honors", 3.0),)): (4.0, 16)}
    assert got[(14, (("q14.national_led", 1.0),))] == (0.5, 5) and got[(14, (("q14.national_led", 2.0),))] == (1, 10)
    assert got[(14, (("q14.national_participated", 1.0),))] == (0.25, 2)
    assert got[(14, (("q14.national_participated", 3.0),))] == (0.5, 6)
    # +1 on 4: two provincial media reports (effort 2) beat two municipal (6), one national media (3).
    # 43's +4: two provincial honours (16) beat national + provincial (28, 5 points capped at 4) and
    # two national (40).
    only = {m: v for m, v in row.items() if m.startswith(("q04", "q43"))}
    plan = cheapest_path(long({"甲县": only}), "甲县", 5 + 3 + 1)
    assert plan.changes == [("q04.provincial_media_reports", 2.0)] and plan.effort == 2
    plan = cheapest_path(long({"甲县": only}), "甲县", 5 + 3 + 5)
    assert sorted(plan.changes) == [("q04.provincial_media_reports", 2.0), ("q43.provincial_honors", 3.0)]
    assert plan.effort == 18 and plan.total == 13
    # With national honours cheap (7 each), two of them (6 points) are cheapest for +4: capped at 4.
    cheap = load_effort().per_unit | {"q43.national_honors": 7.0}
    table = type(load_effort())(cheap, load_effort().frame)
    # (national + provincial: 15, two provincial: 16)
    only43 = {m: v for m, v in row.items() if m.startswith("q43")}
    plan = cheapest_path(long({"甲县": only43}), "甲县", 5 + 4, effort=table)
    frame = plan.to_frame().set_index("indicator")
    assert plan.changes == [("q43.national_honors", 3.0)] and plan.effort == 14
    assert frame.loc[43, "gain"] == 4 and frame.loc[43, "option_gain"] == 6 and plan.total == 9


def test_group_cap_and_deduction_floor():
    group_cap = ScoringConfig.default().with_variant(15, "group_cap")
    ps = score_panel(long({"甲县": SMALL}), config=group_cap)
    opts, pools = county_options(ps, 0, load_effort())
    assert pools["15/0"] == ("15", 1.0)                                 # group 标准技术组织: 1 of its 2
    intl = next(o for o in opts if o.step.targets == (("q15.intl_tc_members", 1.0),))
    assert intl.pool == "15/0" and intl.step.gain == 2 and realise([intl], pools)[0] == 1
    fills = [(o.step.gain, len(o.step.targets)) for o in opts if o.indicator == 21]
    assert fills == [(1.0, 2), (2.0, 3)]                                # filling one plan gains nothing


def test_plan_outputs(sample_plan):
    plan = sample_plan
    frame = plan.to_frame()
    assert list(frame.columns) == ["indicator", "action", "gain", "option_gain", "effort", "kind", "measures",
                                   "targets", "departments"]
    assert frame["gain"].sum() == pytest.approx(plan.gain) and frame["effort"].sum() == pytest.approx(plan.effort)
    dep = plan.by_department()
    named = {d for ds in frame["departments"] for d in str(ds).split("、")}
    assert dep["gain"].sum() >= plan.gain - 1e-9 and set(dep.index) <= named and len(dep) >= 1
    s = str(plan)
    assert f"{dep.index[0]}" in s and "分，工作量" in s and "最省力路径" in s
    assert "<table" in plan._repr_html_()
    assert plan.totals["reached"] and plan.totals["target"] == 85


def test_veto_is_said_and_the_plan_still_computed():
    row = dict(SMALL, **{"veto.major_food_incident": "是"})
    plan = cheapest_path(long({"甲县": row}), "甲县", 5)
    assert plan.vetoed and plan.reached and "一票否决" in str(plan) and plan.chosen


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qstrong", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=ROOT)


def test_cli_path(tmp_path):
    out = tmp_path / "plan.csv"
    r = run("path", str(SAMPLE), "--county", "临淄区", "--target", "85", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "当前 82.80 分 → 目标 85.00 分" in r.stdout and "区住建局：" in r.stdout
    assert "（+1.00分，工作量1）" in r.stdout
    assert len(pd.read_csv(out, encoding="utf-8-sig")) >= 1
    r = run("path", str(SAMPLE), "--county", "临淄区", "--target", "120")
    assert r.returncode == 2 and "--target（目标总分）：“120”超出范围" in r.stderr and "Traceback" not in r.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("measure,effort,per\nq07.work_plan,x,是\nnope,1,是\n", encoding="utf-8")
    r = run("path", str(SAMPLE), "--county", "临淄区", "--target", "85", "--effort", str(bad))
    assert r.returncode == 2 and "2处问题" in r.stderr and "未知的数据项" in r.stderr
    small = tmp_path / "small.csv"
    long({"甲县": SMALL}).to_csv(small, index=False)
    r = run("path", str(small), "--county", "甲县", "--target", "50")
    assert r.returncode == 1 and "最多可达13.00分" in r.stdout


def test_options_cover_all_item_types_with_exhaustive_small_search():
    # 25: any-case alternatives are separate options; the cheaper one (the policy, effort 1) is chosen.
    df = long({"甲县": {"q25.injury_monitoring": "implemented", "q25.recall_system": "否", "q25.recall_policy": "否"}})
    ps = score_panel(df)
    opts, _ = county_options(ps, 0, load_effort())
    assert sorted((o.step.targets, o.step.gain) for o in opts) == [
        ((("q25.recall_policy", 1.0),), 0.5), ((("q25.recall_system", 1.0),), 0.5),
        ((("q25.recall_system", 1.0), ("q25.recall_policy", 1.0)), 1.0)]
    plan = cheapest_path(df, "甲县", 1.5)
    assert plan.changes == [("q25.recall_policy", 1.0)] and plan.effort == 1
    for combo in itertools.combinations(opts, 2):                  # one choice set: never two at once
        assert combo[0].choice == combo[1].choice


def test_every_award_is_a_lever_for_42_and_the_cheapest_is_chosen():
    # 42 (3 points): 甲 has one provincial third-class award (0.5 award points), 乙 3, 丙 0:
    # d = 60 + 40·0.5/3 → 2.0 points, 1 point to win. Any award type may carry the gain; the plan takes
    # the cheapest single option that brings the whole point — never the national first prize here.
    zero = {m: 0 for m in load_measures() if m.startswith("q42.")}
    df = long({"甲县": {**zero, "q42.provincial_third.lead": 1}, "乙县": {**zero, "q42.national_first.lead": 1},
               "丙县": zero})
    ps = score_panel(df, 2022)
    current = ps.totals["甲县"]
    assert ps.scores.loc["甲县", 42] == pytest.approx(3 * (60 + 40 * 0.5 / 3) / 100)
    effort = load_effort()
    opts, _ = county_options(ps, ps.counties.index("甲县"), effort)
    levers = {o.step.targets[0][0] for o in opts if o.indicator == 42}
    assert len(levers) == 10 and len({o.choice for o in opts if o.indicator == 42}) == 1   # one choice set
    plan = cheapest_path(df, "甲县", current + 1.0)
    assert plan.reached
    full = [o for o in opts if o.indicator == 42 and o.step.gain >= 1.0 - 1e-9]
    assert plan.effort == pytest.approx(min(o.effort for o in full))
    assert all(m != "q42.national_first.lead" for m, _ in plan.changes)
    new = applied(df, "甲县", 2022, plan.changes)
    assert score_panel(new, 2022).scores.loc["甲县", 42] == pytest.approx(3.0)
