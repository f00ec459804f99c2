"""Intake round trip and command line: templates → filled workbooks → panel → the same scores."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qstrong.departments import assignment
from qstrong.intake.collect import intake
from qstrong.intake.fill import excel_value, fill_template
from qstrong.intake.report import write_report
from qstrong.intake.templates import template_filename, write_templates
from qstrong.measures import load_measures
from qstrong.panel import Panel
from qstrong.scoring import score_panel

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "zibo_panel.csv"
SUBMISSIONS = ROOT / "data" / "sample" / "submissions"


def typed(mid: str, text: str) -> object:
    kind = load_measures()[mid].kind
    return float(text) if kind in ("percent", "number") else int(text) if kind == "count" else text


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """Every department template filled for 博山区 2022 from the sample panel, as Excel would store it."""
    root = tmp_path_factory.mktemp("intake")
    tpl = root / "templates"
    write_templates(tpl, county="博山区", year=2022)
    sub = root / "sub"
    sub.mkdir()
    panel = pd.read_csv(SAMPLE, dtype=str)
    rows = panel[(panel.county == "博山区") & (panel.year == "2022")].set_index("measure")["value"]
    for dept, ids in assignment().by_department.items():
        fill_template(tpl / template_filename(dept), sub / template_filename(dept),
                      {m: excel_value(m, typed(m, rows[m])) for m in ids}, evidence="测试")
    return sub


def test_round_trip_gives_the_same_panel_and_scores(filled):
    res = intake(filled, year=2022, county="博山区")
    assert res.ok, res.report()
    got = res.to_panel().wide(2022).loc["博山区"]
    direct = Panel.from_csv(SAMPLE)
    want = direct.wide(2022).loc["博山区"]
    assert np.allclose(got.to_numpy(), want.to_numpy(), equal_nan=True, rtol=0, atol=1e-9)
    # Scores against the other sample counties: identical to scoring the CSV directly.
    peers = pd.read_csv(SAMPLE, dtype=str)
    peers = peers[(peers.county != "博山区") & (peers.year == "2022")]
    combined = pd.concat([peers, res.panel], ignore_index=True)
    a = score_panel(combined, 2022).scores.loc["博山区"]
    b = score_panel(direct, 2022).scores.loc["博山区"]
    assert np.allclose(a.to_numpy(), b.to_numpy(), rtol=0, atol=1e-12, equal_nan=True)
    # Shared measures reported equally by several departments keep every provenance.
    row = res.panel.set_index("measure").loc["q09.funded.brand"]
    assert set(row["department"].split("；")) == {"区市场监管局", "区财政局", "区工信局"}
    assert row["cell"].count("E") == 3 and len(row["sha256"].split("；")) == 3


def test_every_value_keeps_its_provenance(filled):
    res = intake(filled)
    p = res.panel
    assert len(p) == len(load_measures())
    assert (p[["department", "file", "sheet", "cell", "original", "sha256", "modified"]] != "").all().all()
    cells = res.cells()
    assert set(cells.status) <= {"采用", "已规范化"}
    pct = cells[cells.measure == "q17.class_a_coverage"].iloc[0]
    assert pct.status == "采用" and "百分比格式单元格" in pct.note


def test_missing_is_not_an_error_and_goes_to_the_chase_list(filled, tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "区科技局.xlsx").write_bytes((filled / "区科技局.xlsx").read_bytes())
    fill_template(filled / "区科技局.xlsx", sub / "区科技局.xlsx", {"q41.tech_trade": None})
    res = intake(sub)
    assert res.ok
    chase = res.chase()
    row = chase[(chase.department == "区科技局") & (chase.measure == "q41.tech_trade")]
    expected_row = 4 + assignment().by_department["区科技局"].index("q41.tech_trade")
    assert list(row.status) == ["未填报"] and list(row.cell) == [f"E{expected_row}"]
    # departments that sent nothing are chased for every measure they own
    assert set(chase[chase.department == "区农业农村局"].status) == {"未报送文件"}


def test_samples_are_untouched_and_report_is_complete(tmp_path):
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in SUBMISSIONS.glob("*.xlsx")}
    res = intake(SUBMISSIONS)
    assert res.ok, res.report()
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in SUBMISSIONS.glob("*.xlsx")}
    assert before == after
    out = write_report(res, tmp_path / "r.xlsx")
    sheets = pd.read_excel(out, sheet_name=None, engine="openpyxl")
    assert list(sheets) == ["说明", "汇总", "问题清单", "逐格记录", "未填报清单", "裁定记录"]
    assert len(sheets["逐格记录"]) == len(res.reads)
    normalised = sheets["逐格记录"][sheets["逐格记录"]["状态"] == "已规范化"]
    assert "“1,686张”→1686" in " ".join(normalised["说明"])
    html = write_report(res, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "逐格记录" in html and "<script" not in html


def run(*args):
    return subprocess.run([sys.executable, "-m", "qstrong", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=ROOT)


def test_cli_intake_then_score(tmp_path):
    out = tmp_path / "panel.csv"
    r = run("intake", str(SUBMISSIONS), "--year", "2022", "--out", str(out), "--report", str(tmp_path / "r.html"))
    assert r.returncode == 0, r.stderr + r.stdout
    assert "得到 111 个数据值" in r.stdout
    s = run("score", str(out), "--county", "临淄区", "--peer-panel", str(SAMPLE), "--format", "json")
    assert s.returncode == 0, s.stderr
    direct = run("score", str(SAMPLE), "--county", "临淄区", "--format", "json")
    assert json.loads(s.stdout)["total"] == json.loads(direct.stdout)["total"]


def test_cli_intake_errors_exit_2(tmp_path):
    folder = tmp_path / "in"          # the report goes beside the folder read, never into it
    folder.mkdir()
    (folder / "a.xlsx").write_text("county,year\n", encoding="utf-8")
    (folder / "b.xlsx").write_bytes(b"")
    r = run("intake", str(folder), "--report", str(tmp_path / "r.xlsx"))
    assert r.returncode == 2
    assert "发现 2 处错误" in r.stdout and "“a.xlsx”" in r.stdout and "“b.xlsx”" in r.stdout
    assert (tmp_path / "r.xlsx").exists()


def test_cli_templates(tmp_path):
    r = run("templates", "--out", str(tmp_path), "--year", "2023", "--county", "张店区")
    assert r.returncode == 0
    assert len(list(tmp_path.glob("*.xlsx"))) == len(assignment().by_department) + 1


@pytest.mark.skipif(not __import__("shutil").which("soffice"), reason="LibreOffice (soffice) not installed")
def test_workbook_resaved_by_a_spreadsheet_program_is_still_read(tmp_path):
    """A department opens the file in LibreOffice Calc and saves it again as .xlsx."""
    src = SUBMISSIONS / "区科技局.xlsx"
    out = tmp_path / "out"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(src)],
                   check=True, capture_output=True, timeout=180)
    res = intake(out)
    assert res.ok, res.report()
    direct = intake(SUBMISSIONS).panel.set_index("measure")["value"]
    got = res.panel.set_index("measure")["value"]
    assert got.to_dict() == direct[got.index].to_dict()


def _conflict_folder(filled, tmp_path):
    """区财政局 says its brand funding is not met while 区市场监管局 and 区工信局 say it is."""
    sub = tmp_path / "sub"
    sub.mkdir()
    for dept in ("区市场监管局", "区工信局"):
        (sub / f"{dept}.xlsx").write_bytes((filled / f"{dept}.xlsx").read_bytes())
    fill_template(filled / "区财政局.xlsx", sub / "区财政局.xlsx", {"q09.funded.brand": "否"})
    return sub


def test_resolution_by_value_is_its_own_provenance(filled, tmp_path):
    sub = _conflict_folder(filled, tmp_path)
    assert not intake(sub).ok
    res_file = sub / "裁定.csv"      # kept beside the submissions: not read as a workbook
    res_file.write_text("measure,value,note\nq09.funded.brand,否,经核实品牌经费未列支\n", encoding="utf-8")
    res = intake(sub, resolutions=res_file)
    assert res.ok, res.report()
    row = res.panel.set_index("measure").loc["q09.funded.brand"]
    assert row["value"] == "否" and row["department"] == "区财政局"
    res_file.write_text("measure,value,note\nq09.funded.brand,0,按会议纪要\n", encoding="utf-8")
    res = intake(sub, resolutions=res_file)
    row = res.panel.set_index("measure").loc["q09.funded.brand"]
    assert row["department"] == "区财政局"          # 0 normalises to 否: the matching report is chosen
    assert "经核实" not in res.resolutions[0] and "按会议纪要" in res.resolutions[0]


def test_resolution_value_nobody_reported(filled, tmp_path):
    sub = _conflict_folder(filled, tmp_path)
    fill_template(filled / "区财政局.xlsx", sub / "区财政局.xlsx", {"q09.funded.brand": "否", "q10.quality_funding": 1})
    res_file = tmp_path / "r.csv"
    res_file.write_text("measure,value,note\nq10.quality_funding,1400,财政局决算数\n", encoding="utf-8")
    res = intake(sub, resolutions=res_file)
    row = res.panel.set_index("measure").loc["q10.quality_funding"]
    assert (row["value"], row["department"], row["file"], row["cell"]) == ("1400", "裁定", "r.csv", "")
    statuses = res.cells().query("measure == 'q10.quality_funding'").status
    assert set(statuses) == {"未采用（按裁定）"}


def test_a_value_far_below_the_table_is_found(filled, tmp_path):
    import openpyxl

    wb = openpyxl.load_workbook(filled / "区科技局.xlsx")
    wb["填报"]["E1048000"] = 5
    wb.save(tmp_path / "区科技局.xlsx")
    res = intake(tmp_path)
    assert [(i.cell, "没有数据项编号" in i.message) for i in res.errors] == [("E1048000", True)]
