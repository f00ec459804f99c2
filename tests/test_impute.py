"""Peers' missing values imputed (``impute_peers: median``): medians worked out by hand on an
eight-county panel in two prefectures (甲区 evaluated), the fallback to the same type, gaps no basis can
fill, what is never imputed, ``none`` unchanged, and every place the imputation is said."""

import json

import numpy as np
import openpyxl
import pandas as pd
import pytest
from cli_helpers import refused

from qstrong.benchmark import benchmark
from qstrong.cli import main
from qstrong.config import ScoringConfig
from qstrong.errors import InputError
from qstrong.impute import COLUMNS, impute_peers
from qstrong.panel import Panel
from qstrong.scoring import score_panel
from qstrong.writers import About, frames_to_xlsx, to_json

VETO = ["veto.major_safety_accident", "veto.major_food_incident", "veto.major_drug_incident",
        "veto.major_quality_incident", "veto.major_environmental_incident", "veto.statistical_fraud"]
WHERE = {"甲区": ("A市", "区"), "乙县": ("A市", "县"), "丙县": ("A市", "县"), "丁区": ("A市", "区"),
         "戊市": ("A市", "县级市"), "己县": ("B市", "县"), "庚区": ("B市", "区"), "辛县": ("B市", "县")}
VALUES = {   # 2022; a county not named lacks the value
    "q39.hightech_share": {"甲区": 30, "丙县": 20, "丁区": 40, "己县": 60, "辛县": 50},
    "q38.pm25": {"甲区": 30, "丙县": 40, "丁区": 44},
    "q20.certificates": {"甲区": 5, "丙县": 10},
    "q19.smes_helped": {"乙县": 3, "丙县": 5, "丁区": 7},
    "q06.coordination_body": {c: "是" for c in WHERE if c != "乙县"},
    "q05.event_level": {c: "国家级" for c in WHERE if c != "乙县"},
    **{m: {c: "否" for c in WHERE if not (c == "乙县" and m == VETO[-1])} for m in VETO},
}
# (county, measure) → (value, basis, basis name, n), derived by hand:
# q39  A市 peers 丙20 丁40 → 30 (even count); B市 己60 辛50 → 55
# pm25 A市 丙40 丁44 → 42; B市 none → type: 县 {丙40} → 40, 区 {丁44} (甲区's 30 never counts) → 44
# q20  A市 {丙10} → 10; B市 none → 县 {丙10} → 10; 庚区: B市 none, 区 none (甲区 excluded) → stays missing
# q19  A市 {乙3 丙5 丁7} → 5 (odd count); B市 none → 县 {乙3 丙5} → 4, 区 {丁7} → 7; 甲区 never imputed
EXPECTED = {
    ("乙县", "q39.hightech_share"): (30.0, "prefecture", "A市", 2),
    ("戊市", "q39.hightech_share"): (30.0, "prefecture", "A市", 2),
    ("庚区", "q39.hightech_share"): (55.0, "prefecture", "B市", 2),
    ("乙县", "q38.pm25"): (42.0, "prefecture", "A市", 2),
    ("戊市", "q38.pm25"): (42.0, "prefecture", "A市", 2),
    ("己县", "q38.pm25"): (40.0, "type", "县", 1),
    ("庚区", "q38.pm25"): (44.0, "type", "区", 1),
    ("辛县", "q38.pm25"): (40.0, "type", "县", 1),
    ("乙县", "q20.certificates"): (10.0, "prefecture", "A市", 1),
    ("丁区", "q20.certificates"): (10.0, "prefecture", "A市", 1),
    ("戊市", "q20.certificates"): (10.0, "prefecture", "A市", 1),
    ("己县", "q20.certificates"): (10.0, "type", "县", 1),
    ("辛县", "q20.certificates"): (10.0, "type", "县", 1),
    ("戊市", "q19.smes_helped"): (5.0, "prefecture", "A市", 3),
    ("己县", "q19.smes_helped"): (4.0, "type", "县", 2),
    ("庚区", "q19.smes_helped"): (7.0, "type", "区", 1),
    ("辛县", "q19.smes_helped"): (4.0, "type", "县", 2),
}
MEDIAN = {"impute_peers": "median"}


def frame() -> pd.DataFrame:
    rows = [(c, 2022, m, v, *WHERE[c]) for m, by in VALUES.items() for c, v in by.items()]
    rows += [(c, 2021, "q39.hightech_share", 10, *WHERE[c]) for c in WHERE]     # another year: left alone
    return pd.DataFrame(rows, columns=["county", "year", "measure", "value", "prefecture", "type"])


def panel() -> Panel:
    return Panel.from_frame(frame())


def by_key(df: pd.DataFrame) -> dict:
    return {(r.county, r.measure): (r.value, r.basis, r.basis_name, r.n) for r in df.itertuples()}


def test_medians_by_prefecture_else_type_as_worked_out_by_hand():
    b = benchmark(panel(), "甲区", config=MEDIAN)
    assert list(b.imputed.columns) == COLUMNS
    assert by_key(b.imputed) == EXPECTED
    assert set(b.imputed["year"]) == {2022}
    w = b.panel.wide(2022)
    for (c, m), (v, *_) in EXPECTED.items():
        assert w.at[c, m] == v
    assert np.isnan(b.panel.wide(2021).at["甲区", "q38.pm25"])          # only the benchmark year
    # every imputed row flagged and sourced: 插补：同市中位数（A市，2个县）
    d = b.panel.data[b.panel.data["year"] == 2022].set_index(["county", "measure"])
    row = d.loc[("乙县", "q39.hightech_share")]
    assert bool(row["imputed"]) and row["source"] == "插补：同市中位数（A市，2个县）"
    assert d.loc[("己县", "q38.pm25"), "source"] == "插补：同类型中位数（县，1个县）"
    assert int(b.panel.data["imputed"].sum()) == len(EXPECTED)


def test_no_basis_stays_missing_and_is_said():
    b = benchmark(panel(), "甲区", config=MEDIAN)
    assert np.isnan(b.panel.wide(2022).at["庚区", "q20.certificates"])
    missing = b.imputation.missing.set_index(["county", "measure"])
    assert missing.at[("庚区", "q20.certificates"), "reason"] == "同市、同类型对标县均无该年数值"
    assert missing.at[("乙县", "q17.verification_rate"), "reason"] == "对标县均未填报该数据项"
    said = "\n".join(b.notes)
    assert "同行缺失值有1个无法插补，仍为缺失：庚区2022年“截至评价当年的前一年度有效自愿性认证证书数量”" in said
    assert "个数据项对标县均未填报" in said


def test_the_evaluated_county_and_bool_level_veto_items_are_never_imputed():
    b = benchmark(panel(), "甲区", config=MEDIAN)
    w = b.panel.wide(2022)
    assert np.isnan(w.at["甲区", "q19.smes_helped"])
    assert not b.scores.county("甲区").complete
    assert "q19.smes_helped" in b.scores.county("甲区").indicators[18].missing
    for m in ("q06.coordination_body", "q05.event_level", VETO[-1]):
        assert np.isnan(w.at["乙县", m])
    assert "乙县" in b.veto_unknown
    assert "是/否、等级类数据项和一票否决项不插补" in b.notes[-3] + b.notes[-2] + b.notes[-1]


def test_none_scores_bit_identical_to_scoring_the_panel():
    p = panel()
    direct = score_panel(p, 2022)
    for cfg in (None, {"impute_peers": "none"}):
        b = benchmark(p, "甲区", config=cfg)
        pd.testing.assert_frame_equal(b.scores.scores, direct.scores, check_exact=True)
        assert b.imputation is None and b.imputed.empty
        assert "插补" not in b.describe() and "插补" not in b.notice
        assert b.to_dict()["imputed"] == [] and b.to_dict()["impute_peers"] == "none"
    # a median benchmark brought back to none drops every imputed row
    back = benchmark(p, "甲区", config=MEDIAN).with_config(None)
    pd.testing.assert_frame_equal(back.scores.scores, direct.scores, check_exact=True)


def test_goalposts_include_the_imputed_values():
    topk = {"efficacy": {"39": {"goalposts": {"policy": "topk", "k": 2}}}}
    b = benchmark(panel(), "甲区", config={**topk, **MEDIAN})
    # values 甲30 乙30* 丙20 丁40 戊30* 己60 庚55* 辛50: x_h = (60+55)/2 = 57.5, x_s = (20+30)/2 = 25
    # 甲: d = 60 + 40·(30−25)/(57.5−25); indicator 39 is worth 2 points
    assert b.scores.scores.at["甲区", 39] == pytest.approx(2 * (60 + 40 * 5 / 32.5) / 100)
    plain = benchmark(panel(), "甲区", config=topk)      # without: x_h = (60+50)/2 = 55
    assert plain.scores.scores.at["甲区", 39] == pytest.approx(2 * (60 + 40 * 5 / 30) / 100)
    # another path: the hand-derived values written in as reported figures score the same
    f = frame()
    extra = [(c, 2022, m, v, *WHERE[c]) for (c, m), (v, *_) in EXPECTED.items()]
    f = pd.concat([f, pd.DataFrame(extra, columns=f.columns)], ignore_index=True)
    filled = score_panel(Panel.from_frame(f), 2022, ScoringConfig.from_dict(topk))
    pd.testing.assert_frame_equal(b.scores.scores, filled.scores)


def test_said_in_the_line_the_notice_the_notes_and_the_provenance():
    b = benchmark(panel(), "甲区", config=MEDIAN)
    assert b.describe() == "对标：面板中全部8个县（市、区） · 2022年 · 自定义解读（同行缺失值按中位数插补） · 插补17个"
    assert "插补提示：对标县（市、区）有 17 个缺失值" in b.notice
    head = next(n for n in b.notes if n.startswith("同行缺失值按中位数插补"))
    assert "共插补17个：" in head and head.endswith("等17个")
    assert "乙县2022年“规上高新技术产业产值占规上工业总产值比重”=30（同市中位数：A市2个县）" in head
    assert b.imputation.notes(most=100)[0].count("中位数：") == 17
    d = b.to_dict()
    assert d["impute_peers"] == "median" and len(d["imputed"]) == 17
    rows = json.loads(to_json(d))["imputed"]
    assert {(r["county"], r["measure"]): (r["value"], r["basis"], r["basis_name"], r["n"]) for r in rows} == \
        EXPECTED
    assert ScoringConfig.from_dict(MEDIAN).differences() == ["同行缺失值按中位数插补"]


def test_provenance_counts_imputed_apart():
    f = frame().assign(source="synthetic")
    f.loc[f["county"] == "丙县", "source"] = "统计年鉴"
    b = benchmark(Panel.from_frame(f), "甲区", config=MEDIAN)
    prov = b.provenance
    assert prov.loc["q38.pm25"].to_dict() == {"real": 1, "synthetic": 1, "imputed": 5}
    assert int(prov["imputed"].sum()) == 17
    before = benchmark(Panel.from_frame(f), "甲区")
    assert int(before.provenance["synthetic"].sum()) == int(prov["synthetic"].sum())   # imputed not synthetic
    assert b.invented == before.invented


def test_scenarios_regrouping_and_reimputing_keep_it():
    b = benchmark(panel(), "甲区", config=MEDIAN)
    again = b.with_panel(b.panel)                 # imputed rows dropped and imputed anew: the same
    assert by_key(again.imputed) == EXPECTED
    assert int(again.panel.data["imputed"].sum()) == len(EXPECTED)
    raised = b.panel.data.copy()
    raised.loc[(raised["county"] == "甲区") & (raised["measure"] == "q38.pm25"), "value"] = 99.0
    s = b.with_panel(Panel(raised, b.panel.catalog, b.panel.source))
    assert by_key(s.imputed) == EXPECTED          # the county's own figure never moves its peers'
    r = b.regrouped("甲区,乙县,丙县,己县")
    # 乙 q39: A市 {丙20} → 20; 己县's pm25: B市 none, 县 {丙40} → 40
    got = by_key(r.imputed)
    assert got[("乙县", "q39.hightech_share")] == (20.0, "prefecture", "A市", 1)
    assert got[("己县", "q38.pm25")] == (40.0, "type", "县", 1)
    again = impute_peers(b.panel, "甲区", 2022)
    assert by_key(again.imputed) == EXPECTED


def test_an_imputed_value_breaking_a_constraint_is_left_missing():
    f = frame()
    extra = [("乙县", 2022, "q23.sampled", 4, "A市", "县"), ("丙县", 2022, "q23.sampled", 10, "A市", "县"),
             ("丙县", 2022, "q23.sampled_compliant", 9, "A市", "县"),
             ("丁区", 2022, "q23.sampled", 8, "A市", "区"), ("丁区", 2022, "q23.sampled_compliant", 7, "A市", "区")]
    f = pd.concat([f, pd.DataFrame(extra, columns=f.columns)], ignore_index=True)
    b = benchmark(Panel.from_frame(f), "甲区", config=MEDIAN)
    # 乙: compliant would be median(9, 7) = 8 > its 4 sampled batches: left missing, said
    assert np.isnan(b.panel.wide(2022).at["乙县", "q23.sampled_compliant"])
    missing = b.imputation.missing.set_index(["county", "measure"])
    assert missing.at[("乙县", "q23.sampled_compliant"), "reason"].startswith("插补值不符合")
    assert by_key(b.imputed)[("戊市", "q23.sampled_compliant")] == (8.0, "prefecture", "A市", 2)


def test_xlsx_has_a_sheet_of_every_imputed_value(tmp_path):
    b = benchmark(panel(), "甲区", config=MEDIAN)
    out = frames_to_xlsx({"表": pd.DataFrame({"a": [1]})}, tmp_path / "x.xlsx", about=About.of("测试", b))
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["说明", "表", "插补值"]
    rows = list(wb["插补值"].iter_rows(values_only=True))
    assert rows[0] == ("县（市、区）", "年份", "数据项编号", "数据项", "数值", "插补依据", "依据范围", "依据县数")
    got = {(r[0], r[2]): (r[4], {"同市中位数": "prefecture", "同类型中位数": "type"}[r[5]], r[6], r[7])
           for r in rows[1:]}
    assert got == EXPECTED
    about = dict(list(wb["说明"].iter_rows(values_only=True))[1:])
    assert "插补提示" in about["数据提示"] and "插补17个" in about["对标基准"]
    plain = frames_to_xlsx({"表": pd.DataFrame({"a": [1]})}, tmp_path / "y.xlsx",
                           about=About.of("测试", benchmark(panel(), "甲区")))
    assert openpyxl.load_workbook(plain).sheetnames == ["说明", "表"]


def test_config_key_is_checked():
    assert ScoringConfig.from_dict(MEDIAN).impute_peers == "median"
    cfg = ScoringConfig.default().with_impute_peers("median")
    assert ScoringConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(InputError) as exc:
        ScoringConfig.from_dict({"impute_peers": "mean"})
    assert "impute_peers：应为 none 或 median" in str(exc.value.problems)
    with pytest.raises(InputError):
        cfg.with_impute_peers("knn")


@pytest.fixture
def files(tmp_path):
    p = tmp_path / "p.csv"
    frame().to_csv(p, index=False, encoding="utf-8")
    c = tmp_path / "c.json"
    c.write_text(json.dumps(MEDIAN), encoding="utf-8")
    return p, c


def _score(capsys, *args) -> tuple[dict, str]:
    code = main(["score", *map(str, args), "--county", "甲区", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out), err


def test_cli_option_and_config_key(files, capsys):
    p, c = files
    d, _ = _score(capsys, p, "--impute-peers", "median")
    assert len(d["benchmark"]["imputed"]) == 17 and "插补17个" in d["benchmark"]["description"]
    d, _ = _score(capsys, p, "--config", c)
    assert len(d["benchmark"]["imputed"]) == 17
    d, err = _score(capsys, p, "--config", c, "--impute-peers", "none")      # the option wins, said
    assert d["benchmark"]["imputed"] == [] and "--impute-peers none 优先于计分配置" in err
    d, _ = _score(capsys, p)
    assert d["benchmark"]["imputed"] == [] and d["benchmark"]["impute_peers"] == "none"


def test_cli_gaps_xlsx_gets_the_sheet(files, tmp_path, capsys):
    p, _ = files
    out = tmp_path / "g.xlsx"
    assert main(["gaps", str(p), "--county", "甲区", "--impute-peers", "median", "--out", str(out)]) == 0
    capsys.readouterr()
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "说明" and wb.sheetnames[-1] == "插补值"
    assert wb["插补值"].max_row == 18


def test_bad_values_exit_2(files, tmp_path, capsys):
    p, _ = files
    err = refused(capsys, "score", str(p), "--county", "甲区", "--impute-peers", "mean")
    assert "--impute-peers" in err and "median" in err
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"impute_peers": 1}), encoding="utf-8")
    err = refused(capsys, "score", str(p), "--county", "甲区", "--config", str(bad))
    assert "impute_peers：应为 none 或 median" in err
    err = refused(capsys, "gaps", str(p), "--county", "甲区", "--impute-peers", "")
    assert "--impute-peers" in err


def test_score_all_does_not_impute_and_says_so(files, capsys):
    p, _ = files
    code = main(["score", str(p), "--all", "--impute-peers", "median", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0 and "不插补缺失值" in err
    totals = {r["county"]: r["total"] for r in json.loads(out)["counties"]}
    plain = score_panel(panel(), 2022).totals
    assert totals == pytest.approx(plain.to_dict())


def test_reports_get_the_option_through_the_config_path(files, tmp_path, capsys):
    import argparse

    from qstrong.cli.common import MERGED_CONFIG, _config_path

    p, c = files
    topk = tmp_path / "topk.json"
    topk.write_text(json.dumps({"efficacy": {"39": {"goalposts": {"policy": "topk", "k": 2}}}}), encoding="utf-8")
    args = argparse.Namespace(config=str(topk), impute_peers="median")
    path = _config_path(args, tmp_path / "report")
    assert path == str(tmp_path / "report" / MERGED_CONFIG)
    cfg = ScoringConfig.from_json(path)            # what the notebooks read: the file's reading and the option
    assert cfg.impute_peers == "median" and cfg.efficacy[39].goalposts.policy == "topk"
    assert _config_path(argparse.Namespace(config=str(c), impute_peers=None), tmp_path) == str(c)
    assert "优先于" not in capsys.readouterr().err


def test_a_csv_carries_the_imputation_notice(files, tmp_path, capsys):
    p, _ = files
    out = tmp_path / "s.csv"
    assert main(["score", str(p), "--county", "甲区", "--impute-peers", "median", "--format", "csv",
                 "--out", str(out)]) == 0
    capsys.readouterr()
    df = pd.read_csv(out, encoding="utf-8-sig")
    assert df["对标基准"].str.endswith("插补17个").all()
    assert df["数据提示"].str.startswith("插补提示：对标县（市、区）有 17 个缺失值").all()
