"""The --resolve file and the base panel: every problem at once, in Chinese, each with its one-wording place;
conflicts and rule problems counted apart; every report column in Chinese."""

import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from qstrong.paths import forget_inputs
from qstrong.writers.xlsx import frames_to_xlsx
from qstrong.yearbook import places as P
from qstrong.yearbook.coverage import coverage
from qstrong.yearbook.merge import Merged, heading, load_base, merge_into, read_base, read_resolutions

CODES = {"甲县": "370001", "乙县": "370002", "丙县": "370003"}
COLUMNS = ["county", "code", "year", "measure", "value", "source", "file", "sheet", "cell", "tolerance"]
HEADER = "county,year,measure,source,value,note\n"


@pytest.fixture(autouse=True)
def _fresh_inputs():
    forget_inputs()
    yield
    forget_inputs()


def base_frame() -> pd.DataFrame:
    """Three counties, 2021–2022, gdp and q38.pm25 synthetic except 丙县's real 2022 GDP of 300."""
    rows = [(c, y, m, 100.0, "synthetic", code, "某市", "县") for c, code in CODES.items() for y in (2021, 2022)
            for m in ("gdp", "q38.pm25", "q38.pm25_prev")]
    df = pd.DataFrame(rows, columns=["county", "year", "measure", "value", "source", "code", "prefecture", "type"])
    at = (df["county"] == "丙县") & (df["year"] == 2022) & (df["measure"] == "gdp")
    df.loc[at, ["value", "source"]] = [300.0, "real:统计公报2022"]
    return df


def imported(*rows) -> pd.DataFrame:
    """(county, year, measure, value, file, cell) in the importer's shape, sheet 表1, tolerance 0.05."""
    return pd.DataFrame([dict(county=c, code=CODES.get(c, ""), year=y, measure=m, value=v, source=f"real:{f}#表1!{cell}",
                              file=f, sheet="表1", cell=cell, tolerance=0.05) for c, y, m, v, f, cell in rows],
                        columns=COLUMNS)


# ── finding 1: every problem of every row of the resolutions file, none behind another ──

def test_every_problem_of_every_row_at_once(tmp_path):
    """The tester's res5.csv in small: a county typo, a year no panel has, an unknown source, a value that is
    no number and (so) the same key twice — all five found by one read, each at its own line."""
    f = tmp_path / "res5.csv"
    f.write_text(HEADER + "丙悬,2022,gdp,a.xlsx,,\n"         # 2: typo of 丙县
                 "丙县,2091,gdp,a.xlsx,,\n"                   # 3: year outside the base
                 "丙县,2022,gdp,表9.csv,,\n"                  # 4: a file not imported
                 "丙县,2022,gdp,,abc\n"                       # 5: not a number (and 4 and 5 settle one key)
                 "甲县,2021,q38.pm25,对标面板,,\n"              # 6: fine
                 "甲县,2020,q38.pm25,a.xlsx,,\n"              # 7: fine: 2020 feeds 2021's 上年值
                 "甲县,2020,gdp,a.xlsx,,\n", encoding="utf-8")  # 8: 2020 feeds nothing
    rules, problems = read_resolutions(f, base_frame(), ["/somewhere/a.xlsx"])
    where = [p.split("：", 1)[0] for p in problems]
    assert where == [f"裁定文件“res5.csv”第{n}行" for n in (2, 3, 4, 4, 5, 8)]
    text = dict(zip(range(6), problems, strict=True))
    assert "县（市、区）“丙悬”不在对标面板中（相近的有：丙县" in text[0]
    assert "年份2091不在对标面板的年份中（2021—2022年）" in text[1]
    assert "第4行、第5行裁定了多次" in text[2]
    assert "来源“表9.csv”不是本次导入的文件（a.xlsx）" in text[3]
    assert "数值“abc”不是数字" in text[4]
    assert "年份2020不在对标面板的年份中" in text[5]
    assert rules["line"].tolist() == [6, 7]                   # rows with a problem are not rules
    # without the base and the files only the file's own problems (3 checks of the 6)
    _, alone = read_resolutions(f)
    assert [p.split("：", 1)[0] for p in alone] == [f"裁定文件“res5.csv”第{n}行" for n in (4, 5)]


def test_the_testers_file_against_the_shipped_panel():
    """res7.csv's three rows (临缁区, 2091, 表9.csv) are three problems of the file, found before any merge."""
    base, _ = read_base("shandong")
    f = Path("/tmp/t16/res7.csv")
    if not f.exists():
        pytest.skip("the tester's file is not on this machine")
    rules, problems = read_resolutions(f, base, ["表2c_2019.csv"])
    assert rules.empty and len(problems) == 3
    assert "“临缁区”不在对标面板中（相近的有：临淄区" in problems[0]
    assert "年份2091" in problems[1] and "表9.csv" in problems[2]


def test_good_file_and_source_forms_are_accepted(tmp_path):
    f = tmp_path / "ok.csv"
    f.write_text(HEADER + "丙县,2022,gdp,real:a.xlsx#表1!C5,,\n甲县,2022,gdp,a.xlsx#表1,,\n"
                 "乙县,2022,gdp,real:统计公报2022,,\n乙县,2021,gdp,base,,\n", encoding="utf-8")
    rules, problems = read_resolutions(f, base_frame(), [Path("in/a.xlsx")])
    assert problems == [] and rules["line"].tolist() == [2, 3, 4, 5]
    # the base unreadable: the base's own sources cannot be checked, a table file's name still is
    f.write_text(HEADER + "乙县,2022,gdp,real:统计公报2022,,\n甲县,2022,gdp,c.xlsx#表1,,\n", encoding="utf-8")
    _, problems = read_resolutions(f, None, [Path("in/a.xlsx")])
    assert len(problems) == 1 and problems[0].startswith("裁定文件“ok.csv”第3行：来源“c.xlsx#表1”不是本次导入的文件")


# ── finding 3: conflicts and rule problems counted apart; value means one of the sources' values ──

def test_conflicts_and_rule_problems_counted_apart_and_value_must_be_a_sources():
    values = imported(("丙县", 2022, "gdp", 310.0, "a.xlsx", "C5"), ("甲县", 2022, "gdp", 1.0, "a.xlsx", "C3"),
                      ("乙县", 2022, "q38.pm25", 30.0, "a.xlsx", "D4"), ("乙县", 2022, "q38.pm25", 33.0, "b.xlsx", "D4"))
    rules = pd.DataFrame([("甲县", 2022, "gdp", "a.xlsx", None, 2),       # no conflict there
                          ("丙县", 2022, "gdp", "", 305.0, 3)],           # 305 is no source's value
                         columns=["county", "year", "measure", "source", "value", "line"])
    got = merge_into(base_frame(), values, rules)
    assert len(got.unsettled) == 2 and len(got.rule_problems) == 2 and got.value_problems == ()
    assert got.problems == got.value_problems + got.rule_problems + got.unsettled
    assert got.heading == "未写出对标面板：2处冲突未裁定；裁定文件有2处问题"
    assert all("value 须是上列来源之一的数值" in p for p in got.unsettled)
    refused = next(p for p in got.rule_problems if p.startswith("裁定文件第3行"))
    assert "value 须是该冲突中某一来源的数值" in refused and "310（文件“a.xlsx”工作表“表1”单元格C5）" in refused
    # a value that is one of the sources' (within its rounding) settles it
    ok = merge_into(base_frame(), values, rules.assign(value=[None, 310.04], source=["", ""]).iloc[1:])
    assert len(ok.unsettled) == 1 and ok.rule_problems == () and ok.resolved == 1
    assert heading(0, 0, 0) == "未写出对标面板：没有问题"
    assert heading(1, 2, 3, 4) == "未写出对标面板：1处冲突未裁定；裁定文件有2处问题；导入值有3处问题；对标面板有4处问题"
    assert heading(rules=1, tables=2, outputs=1) == "未写出对标面板：裁定文件有1处问题；年鉴表格和映射文件有2处问题；输出文件有1处问题"


# ── finding 2: the base panel's problems, in Chinese, returned ──

def test_base_panel_problems_returned_in_chinese_naming_the_file(tmp_path):
    (tmp_path / "map.yaml").write_text("columns:\n  C: {measure: gdp}\n", encoding="utf-8")
    (tmp_path / "table.csv").write_text("县,地区生产总值\n甲县,1\n", encoding="utf-8")
    (tmp_path / "years.csv").write_text("county,year,measure,value\n甲县,2022,gdp,1\n乙县,二〇二二,gdp,2\n",
                                        encoding="utf-8")
    cases = {"nope.csv": "对标面板“nope.csv”不存在（路径：", "map.yaml": "对标面板“map.yaml”不是CSV文件",
             "table.csv": "对标面板“table.csv”不是对标面板：缺少列 county、year、measure、value（表头：县、地区生产总值）",
             "years.csv": "对标面板“years.csv”第3行：年份“二〇二二”不是整数年份", ".": "是文件夹，不是CSV文件"}
    for name, expected in cases.items():
        df, path, problems = load_base(tmp_path / name)
        assert df is None and len(problems) == 1 and expected in problems[0], name
        assert "No such" not in problems[0] and "Errno" not in problems[0]
    with pytest.raises(Exception, match="对标面板“nope.csv”无法读取"):
        read_base(tmp_path / "nope.csv")
    df, _, problems = load_base("shandong")
    assert problems == [] and df["year"].dtype.kind == "i"


# ── finding 4: every column of the frames that leave, in Chinese ──

def test_every_report_column_of_the_merge_is_chinese(tmp_path):
    values = imported(("丙县", 2022, "gdp", 310.0, "a.xlsx", "C5"), ("甲县", 2022, "gdp", 1.0, "a.xlsx", "C3"),
                      ("甲县", 2022, "gdp", 1.0, "b.xlsx", "C3"), ("甲县", 2021, "q38.pm25", 5.0, "a.xlsx", "C9"))
    got: Merged = merge_into(base_frame(), values)
    frames = {"冲突": got.conflicts, "替换": got.replaced, "新增": got.added, "一致": got.agreed,
              "去向": got.outcome, "覆盖情况": coverage(got.panel)}
    assert all(len(df.columns) for df in frames.values())
    out = frames_to_xlsx(frames, tmp_path / "r.xlsx", index=False)
    wb = openpyxl.load_workbook(out)
    for name in frames:
        header = [c.value for c in wb[name][1]]
        english = [h for h in header if not re.search(r"[\u4e00-\u9fff]", str(h))]
        assert english == [], (name, english)
    assert "位置" in [c.value for c in wb["冲突"][1]] and "另一来源的位置" in [c.value for c in wb["一致"][1]]


# ── finding 5: one wording for places ──

def test_one_wording_for_places(tmp_path):
    assert P.place("a.csv", "", "3:2") == "文件“a.csv”第3行第2列"
    assert P.place("x.xlsx", "表1", "B5") == "文件“x.xlsx”工作表“表1”单元格B5"
    assert P.rule_place("r.csv", 4) == P.line_place("裁定文件", "r.csv", 4) == "裁定文件“r.csv”第4行"
    assert P.base_place(Path("/d/p.csv"), 7) == "对标面板“p.csv”第7行" and P.rule_place("", 3) == "裁定文件第3行"
    from qstrong.yearbook import merge, resolutions
    assert resolutions.rule_place is P.rule_place and merge.place is P.place
    bad = tmp_path / "r.csv"
    bad.write_text(HEADER + "丙县,二〇二二,gdp,a.xlsx,,\n", encoding="utf-8")
    _, problems = read_resolutions(bad)
    assert problems[0].startswith(P.rule_place("r.csv", 2) + "：")
