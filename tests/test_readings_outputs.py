"""Analyses and outputs under the readings of issue 14: no advice that makes a growth unscored, no value
rounded across a gate, no unknown veto shown as not triggered, one minus sign, settings that mean nothing refused."""

import numpy as np
import pandas as pd
import pytest

from qstrong.analysis.gaps import gaps
from qstrong.analysis.required import UNSCORED_MOVE, required_text, required_values
from qstrong.config import ScoringConfig
from qstrong.scoring import score_panel

NULL = ScoringConfig.from_dict({"efficacy": {"19": {"zero_base": "null"}}})
PP = ScoringConfig.from_dict({"efficacy": {"19": {"zero_base": "pp"}}})


def _panel(rows: dict, measures: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame([(c, 2022, m, v) for c, vals in rows.items() for m, v in zip(measures, vals, strict=True)],
                        columns=["county", "year", "measure", "value"])


# 19: 甲 0 → 10, 乙 0 → 0, 丙 10 → 20 (current, previous)
G19 = _panel({"甲县": (10, 0), "乙县": (0, 0), "丙县": (20, 10)}, ("q19.smes_helped", "q19.smes_helped_prev"))


def _set(df: pd.DataFrame, county: str, measure: str, value: float) -> pd.DataFrame:
    out = df.copy()
    out.loc[(out.county == county) & (out.measure == measure), "value"] = value
    return out


def test_null_required_proposes_no_raise_from_a_zero_base():
    # Under null, 乙 (0 → 0, growth 0) scores; any current > 0 makes its growth 0 → v undefined: unscored.
    assert np.isfinite(score_panel(G19, config=NULL).scores.loc["乙县", 19])
    assert np.isnan(score_panel(_set(G19, "乙县", "q19.smes_helped", 1), config=NULL).scores.loc["乙县", 19])
    req = required_values(G19, "乙县", config=NULL)
    r = req.set_index("indicator").loc[19]
    assert r["required"] is None or pd.isna(r["required"])
    assert r["method"] == UNSCORED_MOVE
    text = required_text(req, "乙县", only=19)
    assert "提高本年数量不能得分" in text and "需达到" not in text
    # 甲 (0 → 10) is unscored already: said, nothing solved
    t = required_text(required_values(G19, "甲县", config=NULL), "甲县", only=19)
    assert "提高本年数量不能得分" in t and "需达到" not in t


def test_pp_required_value_reaches_full_points_and_one_less_does_not():
    r = required_values(G19, "乙县", config=PP).set_index("indicator").loc[19]
    need = float(r["required"])
    assert need >= 20          # at least the best level (丙 20)
    assert score_panel(_set(G19, "乙县", "q19.smes_helped", need), config=PP).scores.loc["乙县", 19] == \
        pytest.approx(2.0)
    assert score_panel(_set(G19, "乙县", "q19.smes_helped", need - 1), config=PP).scores.loc["乙县", 19] < 2.0


def test_null_gaps_offer_no_move_that_loses_points():
    rep = gaps(G19, "乙县", config=NULL)
    rec = rep.indicators.loc[19, "recovery"]
    assert "由0到" not in rec and UNSCORED_MOVE in rec
    assert (rep.steps["indicator"] != 19).all()
    # the default reading (0 → positive counts as above every peer) still offers the raise
    assert "由0到" in gaps(G19, "乙县").indicators.loc[19, "recovery"]


G90 = _panel({"甲县": (100, 89.99999, 94.7, 89.99999), "乙县": (100, 90, 94.7, 90),
              "丙县": (100, 90.00001, 96, 95)},
             ("q17.verification_rate", "q17.class_a_coverage", "q17.energy_review_coverage", "q26.disposal_rate"))


@pytest.mark.parametrize(("county", "shown"), [("甲县", "89.99999"), ("丙县", "90.00001")])
def test_values_beside_the_gate_keep_their_decimals(county, shown):
    text = required_text(required_values(G90, county), county)
    assert f"A类强制检定项目覆盖率现为{shown}%" in text and "现为90%" not in text
    rec = " ".join(gaps(G90, county).indicators["recovery"])
    assert f"由{shown}到" in rec and "由90到" not in rec


def test_exactly_90_is_printed_bare():
    text = required_text(required_values(G90, "乙县"), "乙县")
    assert "A类强制检定项目覆盖率现为90%" in text


def test_settings_without_effect_are_refused_per_indicator_all_at_once():
    from qstrong.errors import InputError

    with pytest.raises(InputError) as e:
        ScoringConfig.from_dict({"efficacy": {"26": {"zero_base": "null"}, "19": {"gate_inclusive": False},
                                              "41": {"change": "pp"}}})
    text = str(e.value)
    for path in ("efficacy.26.zero_base", "efficacy.19.gate_inclusive", "efficacy.41.change"):
        assert path in text
    # under "*" they apply where they mean something; a written-out config reads back
    star = ScoringConfig.from_dict({"efficacy": {"*": {"zero_base": "null", "gate_inclusive": False}}})
    assert star.efficacy[19].zero_base == "null" and star.efficacy[26].gate_inclusive is False
    assert ScoringConfig.from_dict(star.to_dict()).to_dict() == star.to_dict()


def test_whatif_says_an_indicator_becoming_unscored_and_uses_one_minus_sign():
    from qstrong.analysis.scenarios import compare
    from qstrong.display import comparison_text

    # 乙 0 → 0 scores under null; the scenario sets 10, so 0 → 10: growth undefined, 19 unscored
    sc = {"name": "帮扶十家", "changes": [{"measure": "q19.smes_helped", "set": 10}]}
    cmp = compare(G19, "乙县", [sc], config=NULL)
    before = score_panel(G19, config=NULL).scores.loc["乙县", 19]
    text = comparison_text(cmp)
    assert "得分无变化" not in text
    assert f"指标19 变为不计分（原{before:.2f}分；无法计算增长率：上年为0）" in text
    assert f"−{before:.2f}" in text and f"-{before:.2f}" not in text       # the 变化 column


def test_report_tables_use_one_minus_sign():
    from qstrong.reports.nb import table

    html = table(pd.DataFrame({"delta": [-1.234, -0.001, 2.0], "name": ["1-2项", "a", "b"]})).to_html()
    assert ">−1.23<" in html and ">0.00<" in html and ">1-2项<" in html and "-1.23" not in html


VETO = ("veto.major_safety_accident", "veto.major_food_incident", "veto.major_drug_incident",
        "veto.major_environmental_incident", "veto.major_quality_incident", "veto.statistical_fraud")


def _score_all(tmp_path, fmt: str, config: dict | None = None) -> str:
    import json
    import subprocess
    import sys

    rows = [(c, 2022, m, "否") for c in ("甲县", "乙县") for m in VETO[:-1]]
    rows += [(c, 2022, m, "否") for c in ("丙县",) for m in VETO[:-1]]
    rows += [("甲县", 2022, VETO[-1], "否"), ("乙县", 2022, VETO[-1], "是")]      # 丙 leaves fraud unreported
    panel = pd.concat([G19.astype({"value": object}), pd.DataFrame(rows, columns=G19.columns)])
    path = tmp_path / "p.csv"
    panel.to_csv(path, index=False)
    cmd = [sys.executable, "-m", "qstrong", "score", str(path), "--all", "--format", fmt]
    if config:
        (tmp_path / "c.json").write_text(json.dumps(config), encoding="utf-8")
        cmd += ["--config", str(tmp_path / "c.json")]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_score_all_unknown_veto_is_not_no(tmp_path):
    import json

    text = _score_all(tmp_path, "table")
    rows = {line.split()[0]: line for line in text.splitlines()[1:]}
    assert "无法判断（未填报：近三年发生统计数据不实问题）" in rows["丙县"]
    assert "无法判断" not in rows["甲县"] and "无法判断" not in rows["乙县"]
    got = {c["county"]: c for c in json.loads(_score_all(tmp_path, "json"))["counties"]}
    assert (got["甲县"]["vetoed"], got["甲县"]["veto_unknown"]) == (False, [])
    assert (got["乙县"]["vetoed"], got["乙县"]["veto_unknown"]) == (True, [])
    assert (got["丙县"]["vetoed"], got["丙县"]["veto_unknown"]) == (False, ["veto.statistical_fraud"])


def test_score_all_says_why_a_reported_indicator_is_blank(tmp_path):
    import json

    cfg = {"efficacy": {"19": {"zero_base": "null"}}}
    csv = _score_all(tmp_path, "csv", cfg).splitlines()
    head = csv[0].split(",")
    cells = {line.split(",")[0]: dict(zip(head, line.split(","), strict=False)) for line in csv[1:]}
    assert cells["甲县"]["指标19"] == ""          # (数据完整 is 否 here only because this panel has no other data)
    assert cells["甲县"]["说明"] == "指标19：无法计算增长率：上年为0，未计分（数据已填报）"
    assert cells["乙县"]["说明"] == ""
    got = {c["county"]: c for c in json.loads(_score_all(tmp_path, "json", cfg))["counties"]}
    assert got["甲县"]["unscored"] == [19] and got["乙县"]["unscored"] == []


def test_gaps_state_the_county_own_veto():
    from qstrong.display import gaps_html, gaps_text

    rows = [(c, 2022, m, "否") for c in ("甲县", "乙县", "丙县") for m in VETO[:-1]]
    rows += [("甲县", 2022, VETO[-1], "否"), ("乙县", 2022, VETO[-1], "是")]      # 丙 leaves fraud unreported
    panel = pd.concat([G19.astype({"value": object}), pd.DataFrame(rows, columns=G19.columns)])
    expect = {"甲县": "一票否决：未触发", "乙县": "一票否决：触发——近三年发生统计数据不实问题",
              "丙县": "一票否决：无法判断——未填报：近三年发生统计数据不实问题"}
    for county, line in expect.items():
        rep = gaps(panel, county)
        assert gaps_text(rep).splitlines()[3] == line
        assert f"<p>{line}</p>" in gaps_html(rep)


@pytest.mark.parametrize(("cfg", "offered"), [(NULL, False), (PP, True), (None, True)])
def test_path_options_never_leave_a_growth_unscored(cfg, offered):
    import qstrong.analysis.path as path
    from qstrong.benchmark import benchmark

    ps = benchmark(G19, "乙县", config=cfg).scores
    i = ps.counties.index("乙县")
    opts, _ = path.county_options(ps, i, path.load_effort())
    mine = [o.step for o in opts if o.step.targets and o.step.targets[0][0] == "q19.smes_helped"]
    assert bool(mine) == offered
    before = ps.scores.iat[i, 18]
    for st in mine:            # each offered value, scored afresh, gains at least what it claims
        after = score_panel(_set(G19, "乙县", "q19.smes_helped", st.targets[0][1]), config=cfg).scores.loc["乙县", 19]
        assert after >= before + st.gain - 1e-9


def test_ladder_proposes_no_value_that_leaves_a_growth_unscored():
    from qstrong.analysis.ladder import ladder
    from qstrong.benchmark import benchmark

    rows = ladder(benchmark(G19, "乙县", config=NULL)).query("indicator == 19")
    assert len(rows) and rows["lever_needed"].isna().all() and (rows["marginal_text"] == UNSCORED_MOVE).all()
    pp = ladder(benchmark(G19, "乙县", config=PP)).query("indicator == 19 and not reached")
    assert pp["lever_needed"].notna().any()
    for _, r in pp.dropna(subset=["lever_needed"]).iterrows():     # each rung value, scored afresh
        got = score_panel(_set(G19, "乙县", "q19.smes_helped", r["lever_needed"]), config=PP).scores.loc["乙县", 19]
        assert got == pytest.approx(r["rung_points"])
