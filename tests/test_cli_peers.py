"""``qstrong peers import``: exit codes 0/2, every problem printed at once, inputs unchanged, nothing written
on a dry run or on problems; the written panel read back carries the imported figures and their sources."""

from __future__ import annotations

import csv
import hashlib

import openpyxl
import pytest

from qstrong.cli import main
from qstrong.paths import forget_inputs


@pytest.fixture(autouse=True)
def _fresh_inputs():
    """The process's input registry (the shipped panel read as --base) does not outlive a test."""
    forget_inputs()
    yield
    forget_inputs()

TABLE = ("烟台市各县市区主要指标（2019年）\n单位：亿元\n地区,地区生产总值,年末常住人口（万人）\n"
         "芝罘区,\"1,000.5\",60.12\n长岛县,30.25,4.1\n蓬莱市,400.1,45\n莱山区,300,30\n注：测试用表。\n")
MAPPING = "tables:\n  - columns:\n      地区生产总值: {measure: gdp, merged: sum}\n      年末常住人口: population\n"


def _files(tmp_path, table=TABLE):
    t = tmp_path / "烟台2020.csv"
    t.write_bytes(table.encode("gbk"))
    m = tmp_path / "map.yaml"
    m.write_text(MAPPING, encoding="utf-8")
    return t, m


def _digest(*paths):
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]


def test_import_writes_the_panel_with_sources(tmp_path, capsys):
    t, m = _files(tmp_path)
    before = _digest(t, m)
    out, report = tmp_path / "peers.csv", tmp_path / "导入报告.xlsx"
    assert main(["peers", "import", str(t), "--year", "2019", "--map", str(m), "--out", str(out),
                 "--report", str(report)]) == 0
    printed = capsys.readouterr().out
    assert "对标面板已写入" in printed and "映射文件" in printed
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = {(r["county"], r["year"], r["measure"]): r for r in csv.DictReader(f)}
    assert len(rows) == 136 * 4 * 111
    assert (rows[("芝罘区", "2019", "gdp")]["value"], rows[("芝罘区", "2019", "gdp")]["source"]) == (
        "1000.5", "real:烟台2020.csv#4:2")
    assert rows[("芝罘区", "2019", "population")]["value"] == "60.12"
    penglai = rows[("蓬莱区", "2019", "gdp")]
    assert float(penglai["value"]) == 430.35 and penglai["source"] == "real:烟台2020.csv#5:2+6:2"
    assert rows[("蓬莱区", "2019", "population")]["source"] == "synthetic"      # no merged: sum there
    assert _digest(t, m) == before
    wb = openpyxl.load_workbook(report)
    assert wb.sheetnames[:4] == ["说明", "匹配", "行匹配", "导入值"]
    rows = [[c.value for c in r] for r in wb["行匹配"].iter_rows()]
    by_name = {r[rows[0].index("表中名称")]: r for r in rows[1:]}
    assert list(by_name) == ["芝罘区", "长岛县", "蓬莱市", "莱山区"]
    changdao = dict(zip(rows[0], by_name["长岛县"], strict=True))
    assert (changdao["单元格"], changdao["结果"], changdao["识别方式"], changdao["今区划代码"], changdao["今县（市、区）"],
            changdao["其间变化"], changdao["表格年度区划代码"]) == ("5:1", "已识别", "历史名称", "370614", "蓬莱区", "合并",
                                                              "370634")
    reminders = [r[0].value for r in wb["提醒"].iter_rows(min_row=2)]
    assert any("GB18030" in x for x in reminders)                  # the encoding read
    assert any("4:2" in x and "千位分隔符" in x for x in reminders)   # “1,000.5”
    got = [[c.value for c in r] for r in wb["导入值"].iter_rows()]
    head = got[0]
    shown = {(r[head.index("县（市、区）")], r[head.index("数据项编号")]): (r[head.index("数值")], r[head.index("数据来源")])
             for r in got[1:]}
    assert shown[("蓬莱区", "gdp")] == (430.35, "real:烟台2020.csv#5:2+6:2")
    assert len(shown) == 5
    for name in ("冲突", "替换"):                      # m3: Chinese headers only
        head = [c.value for c in next(wb[name].iter_rows())]
        assert head and not [h for h in head if h and any("a" <= ch.lower() <= "z" for ch in str(h))], head


def test_dry_run_writes_nothing(tmp_path, capsys):
    t, m = _files(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["peers", "import", str(t), "--year", "2019", "--dry-run", "--out", str(tmp_path / "p.csv")]) == 0
    printed = capsys.readouterr().out
    assert "gdp（地区生产总值），表头完全一致" in printed
    assert "年末常住人口" in printed and "表头近似" in printed and "未写入任何文件" in printed
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_problems_all_printed_exit_2_nothing_written(tmp_path, capsys):
    bad = TABLE.replace("莱山区,300,30", "莱山区,abc,30\n市中区,5,6\n莱山区,1,2")
    t, m = _files(tmp_path, bad)
    before = _digest(t, m)
    out, report = tmp_path / "peers.csv", tmp_path / "r.xlsx"
    code = main(["peers", "import", str(t), "--year", "2019", "--map", str(m), "--out", str(out),
                 "--report", str(report)])
    err = capsys.readouterr().err
    assert code == 2
    assert "“abc”不是数字" in err and "市中区" in err and "370103" in err and "莱山区" in err
    assert "3处问题" in err
    assert not out.exists() and not report.exists()
    assert _digest(t, m) == before
    code = main(["peers", "import", str(t), "--year", "2019", "--map", str(m), "--dry-run"])
    assert code == 2 and "“abc”不是数字" in capsys.readouterr().err


def test_out_required_and_year_checked(tmp_path, capsys):
    t, _ = _files(tmp_path)
    assert main(["peers", "import", str(t), "--year", "2019"]) == 2
    assert "--out" in capsys.readouterr().err
    assert main(["peers", "import", str(t), "--year", "1800", "--dry-run"]) == 2
    assert "1800" in capsys.readouterr().err


def test_dry_run_says_every_row_without_any_confirmed_column(tmp_path, capsys):
    t = tmp_path / "烟台.csv"
    t.write_bytes("地区,增速（%）\n芝罘区,7.5\n长岛县,6\n蓬莱市,5\n济南高新区,9\n合计,7\n".encode("gbk"))
    assert main(["peers", "import", str(t), "--year", "2019", "--dry-run"]) == 0
    printed = capsys.readouterr().out
    assert "第2列“增速（%）”：未匹配到数据项，不导入" in printed
    assert "2:1 芝罘区 → 芝罘区（370602），完全一致\n" in printed
    assert "3:1 长岛县 → 蓬莱区（370614），历史名称，其间合并（列写 merged: sum 才相加导入）" in printed
    assert "4:1 蓬莱市 → 蓬莱区（370614），历史名称，其间合并" in printed
    assert "5:1 济南高新区：无法识别（“济南高新区”不是山东省" in printed and "skip_rows: [济南高新区]" in printed
    assert "6:1 合计：合计行，跳过" in printed


def test_mapping_file_encoding_is_in_the_reminders(tmp_path, capsys):
    t, m = _files(tmp_path)
    m.write_bytes(MAPPING.replace("population", "population  # 常住人口").encode("gbk"))
    assert main(["peers", "import", str(t), "--year", "2019", "--map", str(m), "--dry-run"]) == 0
    out = capsys.readouterr().out
    reminders = out.split("提醒（", 1)[1]
    assert "映射文件" in reminders and "map.yaml" in reminders and "GB18030" in reminders


def test_every_stage_s_problems_printed_at_once(tmp_path, capsys):
    """D1: the mapping's, the tables', the output path's, the resolutions file's and the base panel's problems
    in one list, exit 2, nothing written."""
    t, m = _files(tmp_path)
    m.write_text("tables:\n  - columns:\n      地区生产总值: {measure: gpd}\n    colour: red\n", encoding="utf-8")
    base = tmp_path / "base.csv"
    base.write_text("county,year,measure,value\n临淄区,二〇一九,gdp,1\n", encoding="utf-8")
    out = tmp_path / "peers.txt"
    code = main(["peers", "import", str(t), "--year", "2019", "--map", str(m), "--out", str(out),
                 "--base", str(base), "--resolve", str(tmp_path / "none.csv")])
    err = capsys.readouterr().err
    assert code == 2
    for part in ("gpd", "colour", "peers.txt", "none.csv", "二〇一九"):
        assert part in err, part
    assert "裁定文件有1处问题；对标面板有1处问题；年鉴表格和映射文件有2处问题；输出文件有1处问题" in err
    assert not out.exists()


def test_nothing_to_write_exits_2(tmp_path, capsys):
    """m4: every value outside the panel's years: no copy written, said."""
    t, m = _files(tmp_path)
    m.write_text("tables:\n  - columns:\n      地区生产总值: {measure: gdp, year: 2013}\n", encoding="utf-8")
    out = tmp_path / "peers.csv"
    assert main(["peers", "import", str(t), "--year", "2019", "--map", str(m), "--out", str(out)]) == 2
    assert "没有可写入的数值" in capsys.readouterr().err and not out.exists()
    t.write_bytes("地区,增速（%）\n芝罘区,7.5\n".encode("gbk"))              # no column of a measure
    assert main(["peers", "import", str(t), "--year", "2019", "--out", str(out)]) == 2
    assert "没有可写入的数值" in capsys.readouterr().err and not out.exists()


def test_values_agreeing_with_real_ones_are_confirmed_and_written(tmp_path, capsys):
    """Figures equal to the shipped panel's real ones (陵城区 2022 GDP 275.5, a bulletin's): nothing replaced,
    but the import is not empty — the copy is written (exit 0) and the summary says they agree."""
    t = tmp_path / "t.csv"
    t.write_bytes("地区,地区生产总值（万元）\n陵城区,2755000\n".encode("gbk"))
    out = tmp_path / "peers.csv"
    assert main(["peers", "import", str(t), "--year", "2022", "--out", str(out)]) == 0
    assert "一致1个" in capsys.readouterr().out and out.exists()
