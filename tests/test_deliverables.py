"""Every xlsx/csv the CLI writes for people, read back from the files: Chinese headers (the vocabulary),
no formula, no stray index, a first sheet 说明 with the benchmark and — exactly when synthetic or invented
values were used — the data notice; numbers formatted (0.00, 0, %), header bold and frozen; CSVs with a
BOM; `score --all`'s rank checked against a ranking done by hand."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import python_calamine
from exported import people_problems, scan

from qstrong.cli import main
from qstrong.measures import load_measures
from qstrong.paths import forget_inputs
from qstrong.vocabulary import COLUMNS, unnamed
from qstrong.writers import About, frame_to_csv, frames_to_xlsx
from qstrong.writers.xlsx import text_width

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "zibo_panel.csv"
SUBMISSIONS = ROOT / "data" / "sample" / "submissions"
CJK = re.compile(r"[\u4e00-\u9fff]")
NUMBER_FORMATS = {"0.00", "0", "0.00%", '0.00"%"'}
COUNTY = ["--county", "临淄区"]
PEERS = ["--peer-panel", "shandong"]
PANEL_FILES = {"project.csv", "panel.csv"}       # the data contract (read back by Panel.from_csv)


def run(capsys, *argv: str) -> str:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    assert code in (0, 1), out.err
    return out.out


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """Every file the CLI writes for people, on the sample data (peers: the shipped Shandong panel)."""
    forget_inputs()
    out = tmp_path_factory.mktemp("deliverables")
    folder = out / "报送"
    shutil.copytree(SUBMISSIONS, folder)
    (folder / "区科技局.xlsx").unlink()                # one department did not send: the chase list has rows
    a = [SAMPLE, *COUNTY, *PEERS]
    cap = _Capture()
    cmds = {
        "gaps.xlsx": ["gaps", *a], "gaps.csv": ["gaps", *a],
        "whatif.csv": ["whatif", *a, "--scenario", "plan2025"],
        "required.csv": ["required", *a], "project.csv": ["project", *a, "--to", "2025", "--draws", "20"],
        "path.csv": ["path", *a, "--target", "85"],
        "sensitivity.xlsx": ["sensitivity", *a, "--draws", "40", "--sobol", "weights", "--sobol-n", "16"],
        "score.csv": ["score", *a], "all.csv": ["score", SAMPLE, "--all"], "catalog.csv": ["catalog"],
    }
    for name, argv in cmds.items():
        cap.run(*argv, "--out", out / name)
    cap.run("intake", folder, "--year", "2022", "--report", out / "intake.xlsx", "--chase", out / "chase.csv")
    cap.run("tasks", *a, "--intake", folder, "--out", out / "任务包")
    forget_inputs()
    return {p.name: p for p in out.iterdir() if p.is_file()} | {
        f"任务包/{p.name}": p for p in (out / "任务包").iterdir()}


def _cells(path: Path):
    if path.suffix == ".csv":
        yield from (v for row in csv_rows(path) for v in row)
    else:
        for ws in openpyxl.load_workbook(path, read_only=True):
            yield from (v for row in ws.iter_rows(values_only=True) for v in row)


def test_no_level_id_reaches_people(files):
    """A level measure's value shows its label (县(市、区)长), never its id (county_head) — panel files
    excepted, which are the data contract."""
    ids = {lid for m in load_measures().values() for lid in m.levels} - {"none"}
    leaked = {(name, v) for name, p in files.items() if name not in PANEL_FILES
              for v in _cells(p) if isinstance(v, str) and v in ids}
    assert not leaked
    assert any(name.startswith("任务包/") for name in files)


class _Capture:
    """main() with its output swallowed (module-scoped fixtures cannot use capsys)."""

    def run(self, *argv) -> None:
        import contextlib

        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
            code = main([str(a) for a in argv])
        assert code in (0, 1), buf.getvalue()


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def about(wb) -> dict[str, str]:
    """The 说明 sheet as {项目: 内容} (repeated 项目 such as 提醒 joined)."""
    rows: dict[str, str] = {}
    for key, value in wb["说明"].iter_rows(min_row=2, values_only=True):
        rows[key] = f"{rows[key]}\n{value}" if key in rows else value
    return rows


def test_every_file_was_written_for_people(files):
    packages = {n for n in files if n.startswith("任务包/")}
    assert len(packages) >= 10 and all(n.endswith("_任务包.xlsx") for n in packages)
    assert set(files) - packages == {"gaps.xlsx", "gaps.csv", "whatif.csv", "required.csv", "project.csv", "path.csv",
                          "sensitivity.xlsx", "score.csv", "all.csv", "catalog.csv", "intake.xlsx", "chase.csv"}
    assert [b for p in files.values() for b in people_problems(p)] == []


def test_the_people_check_can_fail(tmp_path):
    frame_to_csv(pd.DataFrame({"foo": [1]}), tmp_path / "f.csv", index=False)
    frames_to_xlsx({"表": pd.DataFrame({"foo": [1]})}, tmp_path / "f.xlsx", index=False)
    assert people_problems(tmp_path / "f.csv") == ["f.csv: header 'foo'"]
    assert people_problems(tmp_path / "f.xlsx") == ["f.xlsx: first sheet is '表', not 说明", "f.xlsx!表!A1: header 'foo'"]


@pytest.mark.parametrize("name", ["gaps.xlsx", "sensitivity.xlsx", "intake.xlsx"])
def test_xlsx_headers_formats_and_about(files, name):
    assert scan(files[name]) == []                  # no formula cell, no live text (openpyxl and calamine)
    wb = openpyxl.load_workbook(files[name])
    assert wb.sheetnames[0] == "说明"
    assert [c.value for c in wb["说明"][1]] == ["项目", "内容"]
    info = about(wb)
    assert info["生成时间"] and info["程序版本"].startswith("qstrong ")
    # the sample's own values are invented (示例数据（虚构）) and the peers' mostly synthetic
    assert "示例数据提示" in info["数据提示"] and "虚构" in info["数据提示"]
    if name != "intake.xlsx":
        # 136 less the 4 peers vetoed in 2022 (直接取消资格: they set no goalpost and take no rank)
        assert info["对标基准"].startswith("对标：全省132个县（市、区）") and "真实数据占比" in info["对标基准"]
        assert "zibo_panel.csv" in info["输入文件（面板）"] and re.search(r"SHA-256：[0-9a-f]{64}", info["输入文件（面板）"])
        assert "shandong.csv" in info["输入文件（对标面板）"]
    for ws in wb.worksheets:
        header = [c for c in ws[1]]
        assert ws.freeze_panes == "A2", ws.title
        assert all(c.font.bold for c in header), ws.title
        for c in header:        # every header cell named, in Chinese: no stray index, no English key
            assert isinstance(c.value, str) and CJK.search(c.value), (ws.title, c.coordinate, c.value)
        for row in ws.iter_rows(min_row=2):
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate)
                if isinstance(c.value, (int, float)) and not isinstance(c.value, bool) and ws.title != "说明":
                    assert c.number_format in NUMBER_FORMATS, (ws.title, c.coordinate, c.number_format)
        for k, c in enumerate(header, 1):
            width = ws.column_dimensions[openpyxl.utils.get_column_letter(k)].width
            assert min(text_width(c.value), 60) <= width <= 60, (ws.title, c.value, width)


def test_xlsx_number_formats_by_column(files):
    wb = openpyxl.load_workbook(files["gaps.xlsx"])
    ws = wb["指标"]
    col = {c.value: c.column for c in ws[1]}
    rows = range(2, ws.max_row + 1)
    assert {ws.cell(r, col["指标"]).number_format for r in rows} == {"0"}
    assert {ws.cell(r, col["失分"]).number_format for r in rows} == {"0.00"}
    assert {ws.cell(r, col["共担"]).value for r in rows} <= {"是", "否"}
    lost = [ws.cell(r, col["失分"]).value for r in rows]
    assert any(v != round(v, 2) for v in lost)                        # stored at full precision
    ws = openpyxl.load_workbook(files["sensitivity.xlsx"])["权重不确定性"]
    col = {c.value: c.column for c in ws[1]}
    p10 = [ws.cell(r, col["前10概率"]) for r in range(2, ws.max_row + 1)]
    assert {c.number_format for c in p10} == {"0.00%"} and all(0 <= c.value <= 1 for c in p10)
    assert {ws.cell(r, col["基准排名"]).number_format for r in range(2, ws.max_row + 1)} == {"0"}


def test_a_percent_measure_is_stored_as_written_and_shown_with_a_percent_sign(tmp_path):
    df = pd.DataFrame({"measure": ["q17.verification_rate", "q41.tech_trade"], "current": [99.7, 1317.9],
                       "required": [100.0, 1401.25]})
    ws = openpyxl.load_workbook(frames_to_xlsx({"所需": df}, tmp_path / "p.xlsx", index=False))["所需"]
    assert [c.value for c in ws[1]] == ["数据项", "现值", "所需值"]
    assert (ws["B2"].value, ws["B2"].number_format) == (99.7, '0.00"%"')
    assert (ws["B3"].value, ws["B3"].number_format) == (1317.9, "0.00")
    assert ws["A2"].value == "申请强制检定的工作计量器具检定率"


def test_calamine_reads_the_same_headers(files):
    cal = python_calamine.CalamineWorkbook.from_path(str(files["gaps.xlsx"]))
    assert cal.sheet_names[0] == "说明"
    rows = cal.get_sheet_by_name("部门").to_python()
    assert rows[0] == ["部门", "指标", "分值", "失分", "其中共担", "速赢分"]
    assert all(isinstance(r[3], float) for r in rows[1:])


@pytest.mark.parametrize("name", ["gaps.csv", "whatif.csv", "required.csv", "path.csv", "score.csv", "all.csv",
                                  "catalog.csv", "chase.csv", "project.csv"])
def test_csv_bom_and_chinese_headers(files, name):
    data = files[name].read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(files[name])
    header = rows[0]
    assert [h for h in header if not CJK.search(h)] == [], header
    assert len(rows) > 1
    assert scan(files[name]) == []


@pytest.mark.parametrize("name", ["gaps.csv", "whatif.csv", "required.csv", "path.csv", "score.csv", "all.csv"])
def test_csv_carries_the_data_notice(files, name):
    df = pd.read_csv(files[name], encoding="utf-8-sig")
    assert df["数据提示"].str.startswith("示例数据提示").all()
    if name != "all.csv":
        assert df["对标基准"].str.startswith("对标：").all()


def test_score_all_rank_matches_a_ranking_by_hand(files):
    df = pd.read_csv(files["all.csv"], encoding="utf-8-sig")
    totals = list(df["总分"])
    by_hand = [1 + sum(t > mine for t in totals) for mine in totals]      # ties share the best rank
    assert list(df["排名"]) == by_hand
    assert list(df.columns[df.columns.get_loc("总分") + 1: df.columns.get_loc("总分") + 2]) == ["排名"]
    incomplete = df["数据完整"] == "否"
    assert incomplete.any()                                           # 沂源县 lacks one measure (data/sample)
    assert df.loc[incomplete, "排名说明"].str.contains("数据不完整").all()
    assert df.loc[~incomplete & (df["一票否决"] == "否"), "排名说明"].isna().all()


def test_score_all_rank_with_ties_and_a_veto(tmp_path, capsys):
    """甲 and 乙 have indicator 1's document (2 points each), 丙 not, 丙 vetoed: ranks 1, 1, 3."""
    rows = [("甲县", "是", "否"), ("乙县", "是", "否"), ("丙县", "否", "是")]
    df = pd.DataFrame([r for c, doc, veto in rows for r in ((c, 2022, "q01.spirit_in_official_docs", doc),
                                                            (c, 2022, "veto.major_safety_accident", veto))],
                      columns=["county", "year", "measure", "value"])
    df.to_csv(tmp_path / "p.csv", index=False)
    run(capsys, "score", tmp_path / "p.csv", "--all", "--out", tmp_path / "all.csv")
    got = pd.read_csv(tmp_path / "all.csv", encoding="utf-8-sig").set_index("县（市、区）")
    assert got["排名"].to_dict() == {"甲县": 1, "乙县": 1, "丙县": 3}
    assert "一票否决" in got.loc["丙县", "排名说明"] and got.loc["丙县", "一票否决"] == "是"
    assert "数据提示" not in got.columns                               # no source column: nothing invented


def test_no_notice_when_no_synthetic_or_invented_value_was_used(tmp_path, capsys):
    """The sample panel relabelled as real figures (统计年报) and scored among its own counties."""
    df = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    df["source"] = "统计年报"
    df.to_csv(tmp_path / "real.csv", index=False)
    args = [tmp_path / "real.csv", *COUNTY]
    run(capsys, "gaps", *args, "--out", tmp_path / "g.xlsx")
    run(capsys, "gaps", *args, "--out", tmp_path / "g.csv")
    info = about(openpyxl.load_workbook(tmp_path / "g.xlsx"))
    assert "数据提示" not in info and "真实数据占比100%（合成0%；功效系数法数据项真实100%）" in info["对标基准"]
    assert "输入文件（对标面板）" not in info
    got = pd.read_csv(tmp_path / "g.csv", encoding="utf-8-sig")
    assert "数据提示" not in got.columns and "对标基准" in got.columns


def test_panel_files_read_back_as_written(tmp_path, capsys):
    """intake --out and project --out are panels the program reads back: Chinese headers, the same data."""
    from qstrong.intake.collect import intake
    from qstrong.panel import Panel

    run(capsys, "intake", SUBMISSIONS, "--year", "2022", "--out", tmp_path / "panel.csv")
    header = csv_rows(tmp_path / "panel.csv")[0]
    assert header[:5] == ["县（市、区）", "年份", "数据项", "数值", "数据来源"]
    assert [h for h in header if not CJK.search(h)] == []
    back = Panel.from_csv(tmp_path / "panel.csv").data
    direct = intake(SUBMISSIONS, year=2022).to_panel().data
    key = ["county", "year", "measure"]
    a, b = back.sort_values(key, ignore_index=True), direct.sort_values(key, ignore_index=True)
    assert list(a["measure"]) == list(b["measure"]) and list(a["value"]) == list(b["value"])
    assert list(a["source"]) == list(b["source"])
    forget_inputs()
    run(capsys, "project", SAMPLE, *COUNTY, "--to", "2024", "--draws", "10", "--out", tmp_path / "proj.csv")
    got = Panel.from_csv(tmp_path / "proj.csv").data
    rows = csv_rows(tmp_path / "proj.csv")
    assert rows[0][:4] == ["县（市、区）", "年份", "数据项", "数值"] and len(got) == len(rows) - 1
    assert "临淄区" in set(got["county"]) and got["year"].max() == 2024
    shown = {(r[0], int(r[1]), r[2]): r[3] for r in rows[1:]}
    assert shown[("临淄区", 2024, "q34.smart_site_system")] in ("是", "否")           # yes/no as people write it
    assert shown[("临淄区", 2024, "q05.event_level")] in ("national", "provincial", "none")


def test_intake_report_sheets_in_chinese(files):
    wb = openpyxl.load_workbook(files["intake.xlsx"])
    assert wb.sheetnames == ["说明", "汇总", "问题清单", "逐格记录", "未填报清单", "裁定记录"]
    chase = pd.read_excel(files["intake.xlsx"], sheet_name="未填报清单", engine="openpyxl")
    from_csv = pd.read_csv(files["chase.csv"], encoding="utf-8-sig")
    assert list(chase.columns) == list(from_csv.columns) and len(chase) == len(from_csv) > 0
    assert set(chase["部门"]) == {"区科技局"} and set(chase["状态"]) == {"未报送文件"}
    assert not chase["数据项"].str.contains(r"^q\d\d\.", regex=True).any()       # names, not ids


def test_writer_names_columns_and_keeps_the_str_notice(tmp_path):
    df = pd.DataFrame({"lost": [1.234567], "shared": [True]}, index=pd.Index(["甲县"], name="county"))
    assert frame_to_csv(df).splitlines() == ["县（市、区）,失分,共担", "甲县,1.234567,是"]
    mixed = pd.DataFrame({"covered_by_other": pd.Series([False, None], dtype=object)})    # bools in an object column
    assert frame_to_csv(mixed, index=False).splitlines()[:2] == ["他人已填报", "否"]
    out = frames_to_xlsx({"表": df}, tmp_path / "n.xlsx", notice="对标：测试")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["说明", "表"] and about(wb)["说明"] == "对标：测试"
    out = frames_to_xlsx({"表": df}, tmp_path / "a.xlsx", about=About("测试文件", "对标：测试"))
    info = about(openpyxl.load_workbook(out))
    assert info["文件内容"] == "测试文件" and info["对标基准"] == "对标：测试" and "数据提示" not in info


def test_cjk_counts_double():
    assert text_width("临淄区") == 6 and text_width("ab") == 2 and text_width("（）") == 4


# -- the vocabulary covers every column of every table the CLI writes ------------------------------

@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    from qstrong.analysis.gaps import gaps
    from qstrong.analysis.path import cheapest_path
    from qstrong.analysis.projection import project
    from qstrong.analysis.required import required_values
    from qstrong.analysis.scenarios import compare, load_scenario
    from qstrong.analysis.sensitivity import sensitivity
    from qstrong.benchmark import benchmark
    from qstrong.catalog import load_catalog
    from qstrong.cli.data import ranked
    from qstrong.intake.collect import intake
    from qstrong.intake.report import report_frames
    from qstrong.panel import Panel
    from qstrong.scoring import score_panel

    forget_inputs()
    panel = Panel.from_csv(SAMPLE)
    b = benchmark(panel, "临淄区", None, None, None, "shandong")
    rep = gaps(b)
    cmp = compare(b, scenarios=[load_scenario("plan2025")])
    plan = cheapest_path(b, target=85)
    sa = sensitivity(b, draws=20, seed=1, sobol="weights", sobol_n=16, progress=False)
    res = intake(SUBMISSIONS)
    out = {"indicators": rep.indicators, "level2": rep.by_level("level2"), "level1": rep.by_level("level1"),
           "departments": rep.by_department(), "steps": rep.steps, "efficacy": rep.efficacy,
           "whatif": cmp.scores.join(cmp.deltas().add_suffix("（变化）")), "summary": cmp.summary,
           "comparison": cmp.table(), "required": required_values(b),
           "project": project(b, to_year=2025, draws=10, seed=1).values, "path": plan.to_frame(),
           "path_departments": plan.by_department(), "interpretations": sa.interpretations, "effects": sa.effects,
           "weights": sa.weights, "oat": sa.oat, "sobol": sa.sobol, "card": b.scores.county("临淄区").to_frame(),
           "all": ranked(score_panel(panel, 2022).to_frame()), "catalog": load_catalog().to_frame(),
           "chase": res.chase(), "intake_panel": res.panel, **report_frames(res)}
    forget_inputs()
    return out


def test_every_column_of_every_cli_table_is_in_the_vocabulary(tables):
    assert unnamed(["lost", "指标1", "S1_conf", "foo"]) == ["foo"]            # the check can fail
    gaps = {}
    for name, df in tables.items():
        labels = [c for c in df.columns if not isinstance(c, int)] + [n for n in df.index.names if n is not None]
        missing = unnamed(labels)
        if missing:
            gaps[name] = missing
    assert gaps == {}


def test_the_vocabulary_has_one_name_per_panel_column():
    assert [COLUMNS[k] for k in ("county", "year", "measure", "value")] == ["县（市、区）", "年份", "数据项", "数值"]


def test_every_sheet_prints_on_a4_one_page_wide_with_its_header(files):
    """Printed from Excel/WPS: A4, fitted to one page wide, the header row on every page."""
    sheets = [(name, ws) for name, p in files.items() if p.suffix == ".xlsx"
              for ws in openpyxl.load_workbook(p).worksheets]
    assert len(sheets) > 20
    for name, ws in sheets:
        setup = ws.page_setup
        assert (int(setup.paperSize), setup.fitToWidth, setup.fitToHeight) == (9, 1, 0), (name, ws.title)
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$1:$1", (name, ws.title)


def test_csv_numbers_carry_no_binary_noise(files):
    """0.452, not 0.45199999999999996: people's CSVs hold at most 10 decimals."""
    noisy = [(name, v) for name, p in files.items() if p.suffix == ".csv" and name not in PANEL_FILES
             for v in _cells(p) if re.fullmatch(r"-?\d+\.\d{11,}", v or "")]
    assert noisy == []
