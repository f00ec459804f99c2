"""What-if scenarios: data validated at once, applied without mutation, compared by hand."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from qstrong.analysis.scenarios import ScenarioError, compare, load_scenario, parse_scenario
from qstrong.panel import Panel

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "zibo_panel.csv"


def long(rows):
    return pd.DataFrame([(c, 2022, m, v) for c, ms in rows.items() for m, v in ms.items()],
                        columns=["county", "year", "measure", "value"])


@pytest.fixture
def small():
    four = {"q04.national_commendations": 1, "q04.provincial_commendations": 0, "q04.municipal_commendations": 0,
            "q04.national_media_reports": 0, "q04.provincial_media_reports": 0}
    return Panel.from_frame(long({
        "甲县": {"q01.spirit_in_official_docs": "否", "q33.prefab_bases": 2, **four},
        "乙县": {"q33.prefab_bases": 4}, "丙县": {"q33.prefab_bases": 6},
    }))


def test_apply_and_compare_by_hand(small):
    sc = parse_scenario({"name": "甲方案", "changes": [
        {"measure": "q01.spirit_in_official_docs", "set": "是"},       # 1: 0 → 2
        {"measure": "q04.national_commendations", "add": 2},            # 4: 1×2=2 → 3×2=6, capped 4
        {"measure": "q33.prefab_bases", "grow": 150},                   # 33: 2 → 5
    ]})
    before = small.data.copy()
    cmp = compare(small, "甲县", [sc])
    pd.testing.assert_frame_equal(small.data, before)                  # nothing mutated
    s = cmp.scores
    # baseline 33: 甲 2 of 2…6 → d=60 → 1.2; scenario: 甲 5 of 4…6 (甲 no longer the minimum) →
    # d = 60 + 40·(5−4)/(6−4) = 80 → 1.6
    assert (s.loc[1, "基线"], s.loc[1, "甲方案"]) == (0, 2)
    assert (s.loc[4, "基线"], s.loc[4, "甲方案"]) == (2, 4)
    assert s.loc[33, "基线"] == pytest.approx(1.2) and s.loc[33, "甲方案"] == pytest.approx(1.6)
    assert cmp.summary.loc["甲方案", "delta"] == pytest.approx(2 + 2 + 0.4)
    assert list(cmp.deltas().index[cmp.deltas()["甲方案"].abs() > 0]) == [1, 4, 33]
    # 排名 is the total's: 甲 3.2 (0+2+1.2) above 丙 2 and 乙 1.6; then 7.6 above 丙 2 and 乙 1.2
    assert (cmp.summary.loc["基线", "rank"], cmp.summary.loc["甲方案", "rank"]) == (1, 1)
    assert list(cmp.table()["rank"]) == ["第1名/共3个", "第1名/共3个"]
    # the efficacy sub-score alone: 甲 1.2 (last of 1.2, 1.6, 2) → 1.6
    assert list(cmp.summary["efficacy_subscore"]) == pytest.approx([1.2, 1.6])


def test_peers_can_move_too(small):
    sc = parse_scenario({"name": "同行也增长", "changes": [{"measure": "q33.prefab_bases", "add": 2, "who": "peers"}]})
    cmp = compare(small, "甲县", [sc])
    # 甲 2, 乙 6, 丙 8 → d = 60 → still 1.2, but the peers moved away
    assert cmp.scores.loc[33, "同行也增长"] == pytest.approx(1.2)
    new = sc.apply(small, "甲县", 2022).wide(2022)
    assert list(new["q33.prefab_bases"]) == [2, 6, 8]


def test_values_stay_admissible(small):
    sc = parse_scenario({"name": "x", "changes": [{"measure": "q33.prefab_bases", "grow": 33}]})
    assert sc.apply(small, "甲县", 2022).wide(2022).loc["甲县", "q33.prefab_bases"] == 2   # 2.66 → whole 2
    panel = Panel.from_frame(long({"甲县": {"q17.class_a_coverage": 95}}))
    sc = parse_scenario({"name": "y", "changes": [{"measure": "q17.class_a_coverage", "add": 10}]})
    assert sc.apply(panel, "甲县", 2022).wide(2022).loc["甲县", "q17.class_a_coverage"] == 100


def test_every_error_at_once(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("""
description: 错误示例
colour: red
changes:
  - {measure: q04.national_comendations, add: 1}
  - {measure: q01.spirit_in_official_docs, add: 1}
  - {measure: q33.prefab_bases, set: 2, add: 1}
  - {measure: q33.prefab_bases, add: 1.5}
  - {measure: q05.event_level, set: 市级}
  - {measure: q39.hightech_share, set: 120}
  - {measure: q39.hightech_share, grow: 10, who: everyone}
  - {measure: q40.invention_patents, grow: 十}
""", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(bad)
    probs = err.value.problems
    assert len(probs) == 10
    text = str(err.value)
    for fragment in ("未知的键：colour", "缺少情景名称", "是否应为 q04.national_commendations", "只能用 set",
                     "三者须且只能有一个", "只能增加整数", "“市级”不是可选等级", "120超出允许范围",
                     "who 应为 county、peers 或 all", "“十”不是数字"):
        assert fragment in text, fragment


def test_syntax_error_and_missing_file(tmp_path):
    p = tmp_path / "x.json"
    p.write_text("{name: ", encoding="utf-8")
    with pytest.raises(ScenarioError, match="无法解析"):
        load_scenario(p)
    with pytest.raises(ScenarioError, match="文件不存在"):
        load_scenario(tmp_path / "none.yaml")


def test_plan2025_preset_states_its_mapping():
    sc = load_scenario("plan2025")
    assert sc.name == "规划目标2025"
    assert {c.measure for c in sc.changes} == {"q34.online_rate", "q34.smart_site_system", "q32.green_design_rate",
                                               "q43.provincial_honors"}
    assert all(c.note for c in sc.changes)
    assert len(sc.unmapped) == 4 and any("好品山东" in u["target"] for u in sc.unmapped)
    cmp = compare(SAMPLE, "临淄区", [sc])
    moved = cmp.deltas()["规划目标2025"]
    # sample 临淄区 2022: 32 at 99.7% (0 → 2), 34 online 94.6% (0 → 2), 43: 7 → 9 (+1 provincial ×2)
    assert moved[moved.abs() > 0].to_dict() == {32: 2.0, 34: 2.0, 43: 2.0}


def run(*args):
    return subprocess.run([sys.executable, "-m", "qstrong", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=ROOT)


def test_cli_whatif(tmp_path):
    r = run("whatif", str(SAMPLE), "--county", "临淄区", "--scenario", "plan2025", "--out", str(tmp_path / "w.csv"))
    assert r.returncode == 0, r.stderr
    assert "规划目标2025" in r.stdout and "不移动任何指标" in r.stdout and "指标43 +2.00" in r.stdout
    bad = tmp_path / "b.json"
    bad.write_text('{"name": "b", "changes": [{"measure": "nope", "set": 1}]}', encoding="utf-8")
    r = run("whatif", str(SAMPLE), "--county", "临淄区", "--scenario", str(bad))
    assert r.returncode == 2 and "未知的数据项“nope”" in r.stderr
