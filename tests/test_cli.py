"""The command line as a user runs it: real subprocesses, exit codes, Chinese output."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qstrong.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "zibo_panel.csv"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qstrong", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=ROOT)


@pytest.fixture
def small(tmp_path):
    # Two counties; 33 (装配式建筑产业基地, 2 points, efficacy): 甲 1, 乙 3 → x_s=1, x_h=3.
    # 甲: d=60 → 2×60/100 = 1.2; 乙: d=100 → 2.
    # 4 (4 points): 甲 national commendations 3 → 3×2=6, capped 4 → 4.
    p = tmp_path / "small.csv"
    p.write_text("county,year,measure,value\n"
                 "甲县,2021,q33.prefab_bases,9\n"
                 "甲县,2022,q33.prefab_bases,1\n"
                 "乙县,2022,q33.prefab_bases,3\n"
                 "甲县,2022,q04.national_commendations,3\n"
                 "甲县,2022,q04.provincial_commendations,0\n"
                 "甲县,2022,q04.municipal_commendations,0\n"
                 "甲县,2022,q04.national_media_reports,0\n"
                 "甲县,2022,q04.provincial_media_reports,0\n", encoding="utf-8")
    return p


def test_json_reproduces_hand_computed_scores(small):
    r = run("score", str(small), "--county", "甲县", "--format", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) >= {"county", "year", "total", "vetoed", "veto_reasons", "complete", "indicators"}
    assert out["year"] == 2022                       # latest year by default
    ind = {i["indicator"]: i for i in out["indicators"]}
    assert ind[33]["score"] == 1.2 and ind[33]["points"] == 2
    assert ind[4]["score"] == 4 and "3次×2=6，封顶4" in ind[4]["explanation"]
    assert ind[1]["score"] is None and ind[1]["missing"] == ["q01.spirit_in_official_docs"]
    assert out["complete"] is False and out["total"] == 5.2
    r2021 = json.loads(run("score", str(small), "--county", "甲县", "--year", "2021", "--format", "json").stdout)
    ind21 = {i["indicator"]: i for i in r2021["indicators"]}
    assert ind21[33]["score"] == 2                   # alone in 2021: max = min → d = 100


def test_table_scorecard_of_sample():
    r = run("score", str(SAMPLE), "--county", "临淄区")
    assert r.returncode == 0, r.stderr
    for text in ("临淄区 2022年", "总分", "一、质量发展理念（12分）", "四、质量发展成效（42分）", "荣誉奖励（9分）"):
        assert text in r.stdout


def test_bad_panel_exits_2_with_every_problem(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("county,year,measure,value\n甲县,2022,q17.class_a_coverage,120\n"
                 "甲县,2022,q99.nothing,1\n", encoding="utf-8")
    r = run("score", str(p), "--county", "甲县")
    assert r.returncode == 2
    assert "输入数据有2处问题" in r.stderr and "第2行" in r.stderr and "第3行" in r.stderr
    assert r.stdout == ""


def test_unknown_county_exits_2(small):
    r = run("score", str(small), "--county", "丙县")
    assert r.returncode == 2 and "没有县（市、区）“丙县”" in r.stderr


def test_csv_neutralises_formulas(tmp_path):
    p = tmp_path / "evil.csv"
    p.write_text('county,year,measure,value\n"=HYPERLINK(""x"")",2022,q01.spirit_in_official_docs,是\n',
                 encoding="utf-8")
    out = tmp_path / "all.csv"
    assert main(["score", str(p), "--all", "--format", "csv", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text


def test_config_file_changes_reading(small, tmp_path):
    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps({"efficacy": {"33": {"base": 0, "span": 100}}}), encoding="utf-8")
    out = json.loads(run("score", str(small), "--county", "甲县", "--format", "json", "--config", str(cfg)).stdout)
    assert {i["indicator"]: i["score"] for i in out["indicators"]}[33] == 0   # 0 + 100×0 → 0 points
    cfg.write_text(json.dumps({"efficacy": {"1": {"base": 0}}}), encoding="utf-8")
    r = run("score", str(small), "--county", "甲县", "--config", str(cfg))
    assert r.returncode == 2 and "不按功效系数法计分" in r.stderr


def test_catalog_command():
    r = run("catalog")
    assert r.returncode == 0
    assert r.stdout.count("责任部门：") == 44    # 43 indicators + the veto
    assert "功效系数法" in r.stdout
    r = run("catalog", "--format", "json")
    assert len(json.loads(r.stdout)) == 43


def test_no_float_noise_in_any_output():
    # Rule scores are exact multiples of 0.25; outputs are rounded to 10 decimals, so no
    # representation noise like 0.30000000000000004 or 2.9999999999999996 appears anywhere.
    import re

    for who in (["--county", "临淄区"], ["--all"]):
        for fmt in ("json", "csv", "table"):
            r = run("score", str(SAMPLE), *who, "--format", fmt)
            assert r.returncode == 0
            assert not re.search(r"\d\.\d*(0000000|9999999)\d", r.stdout), (who, fmt)


def test_a_four_column_panel_against_the_shipped_peers_prints_its_scorecard(tmp_path, capsys):
    """The county's rows have no source while the peers' have one: under pandas 3 ``astype(str)`` keeps
    NaN, which once crashed the table's 数据来源 line (exit 3)."""
    import pandas as pd

    d = pd.read_csv("qstrong/data/peers/shandong.csv", dtype=str)
    d = d[(d["county"] == "临淄区") & (d["year"] == "2022")][["county", "year", "measure", "value"]]
    panel = tmp_path / "p4.csv"
    d.to_csv(panel, index=False)
    assert main(["score", str(panel), "--county", "临淄区", "--peer-panel", "shandong"]) == 0
    out = capsys.readouterr()
    assert "总分" in out.out and "程序内部错误" not in out.err


def test_a_panel_that_is_also_the_peer_panel_is_named_once(capsys):
    code = main(["score", "qstrong/data/peers/shandong.csv", "--county", "临淄区", "--peer-panel", "shandong",
                 "--year", "2030"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("shandong.csv") == 1


def test_score_all_states_the_real_share_like_every_benchmark_line():
    """--all has no evaluated county: the share counts every county's values of the year (the sample
    panel is invented: 0 % real), in the one wording the benchmark line uses."""
    r = run("score", str(SAMPLE), "--all", "--year", "2022")
    assert r.returncode == 0
    assert "真实数据占比0%（合成100%；功效系数法数据项真实0%）" in r.stderr
