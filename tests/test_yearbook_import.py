"""Yearbook tables → imported values: hand-made xlsx and GBK csv tables (written here, read back) give the
exact values, by hand, on today's codes; old names, 市中区, merged counties, units, mapping problems."""

from __future__ import annotations

import hashlib

import openpyxl
import pytest

from qstrong.errors import InputError
from qstrong.peerdata import load_peers
from qstrong.yearbook import read_tables
from qstrong.yearbook.importer import COLUMNS, EXACT, NEAR, candidates, decimals, import_tables, match_header
from qstrong.yearbook.mapping import parse_mapping, read_mapping


def _xlsx(path, rows, merges=(), title="表1"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r, row in enumerate(rows, 1):
        for c, v in enumerate(row, 1):
            if v is not None:
                ws.cell(r, c, v)
    for m in merges:
        ws.merge_cells(m)
    wb.save(path)
    return path


def _gbk(path, text):
    path.write_bytes(text.encode("gbk"))
    return path


def _map(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def _got(im, measure=None):
    """{(county, year, measure): value} of the imported values."""
    v = im.values if measure is None else im.values[im.values["measure"] == measure]
    return {(r.county, r.year, r.measure): r.value for r in v.itertuples()}


ZIBO = [
    ["淄博市各区县主要指标（2015年）", None, None, None],
    [None, None, None, "单位：万元"],
    ["地区", "地区生产总值", None, "一般公共预算支出"],
    [None, "总量（万元）", "第三产业（万元）", None],
    ["张店区", 8123456, 4000000, "1,234,567.5"],
    ["临淄区", 9000001, "—", 500000],
    [None, None, None, None],
    ["注：按当年价格计算。", None, None, None],
]


@pytest.fixture
def zibo(tmp_path):
    return _xlsx(tmp_path / "淄博2016.xlsx", ZIBO, ("A1:D1", "A3:A4", "B3:C3", "D3:D4"))


def test_two_header_rows_unit_line_and_conversion(zibo, tmp_path):
    m = _map(tmp_path / "m.yaml", "tables:\n  - columns:\n      地区生产总值｜总量: {measure: gdp}\n"
                                   "      一般公共预算支出: {measure: q10.public_expenditure}\n")
    before = hashlib.sha256(zibo.read_bytes()).hexdigest()
    im = import_tables([zibo], 2015, m)
    assert im.problems == []
    assert list(im.values.columns) == COLUMNS
    # 8123456 万元 = 812.3456 亿元; 9000001 万元 = 900.0001 亿元; the unit line's 万元 is the measure's unit
    assert _got(im) == {("张店区", 2015, "gdp"): 812.3456, ("临淄区", 2015, "gdp"): 900.0001,
                        ("张店区", 2015, "q10.public_expenditure"): 1234567.5,
                        ("临淄区", 2015, "q10.public_expenditure"): 500000.0}
    row = im.values[(im.values["county"] == "张店区") & (im.values["measure"] == "gdp")].iloc[0]
    assert (row.source, row.cell, row.code, row.year_code, row.from_unit) == (
        "real:淄博2016.xlsx#表1!B5", "B5", "370303", "370303", "万元")
    assert row.factor == pytest.approx(1e-4) and row.tolerance == pytest.approx(0.5e-4)
    exp = im.values[(im.values["county"] == "张店区") & (im.values["measure"] != "gdp")].iloc[0]
    assert exp.tolerance == pytest.approx(0.05)            # “1,234,567.5”: one decimal printed
    assert hashlib.sha256(zibo.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.yaml", "淄博2016.xlsx"]


OLD = ("济南等市主要指标\n单位：亿元\n地区,地区生产总值,年末常住人口（人）\n"
       "济南市,,\n章丘市,1001.5,1001234\n市中区,900,700000\n"
       "青岛市,,\n即墨市,1200.25,1200000\n合计,3101.75,\n注：章丘市2016年撤市设区。\n")


def test_gbk_csv_old_names_subtotal_prefecture_and_people(tmp_path):
    f = _gbk(tmp_path / "old.csv", OLD)
    m = _map(tmp_path / "m.yaml", "tables:\n  - columns:\n      地区生产总值: gdp\n      年末常住人口: {measure: population}\n")
    im = import_tables([f], 2015, m)
    assert im.problems == []
    # 1001234 人 = 100.1234 万人; 章丘市 → 章丘区 370114, 即墨市 (2015) → 即墨区 370215, 市中区 under 济南市
    assert _got(im) == {("章丘区", 2015, "gdp"): 1001.5, ("章丘区", 2015, "population"): 100.1234,
                        ("市中区（济南市）", 2015, "gdp"): 900.0, ("市中区（济南市）", 2015, "population"): 70.0,
                        ("即墨区", 2015, "gdp"): 1200.25, ("即墨区", 2015, "population"): 120.0}
    codes = dict(zip(im.values["printed_name"], im.values["code"], strict=False))
    assert codes == {"章丘市": "370114", "市中区": "370103", "即墨市": "370215"}
    assert set(im.values.loc[im.values["printed_name"] == "章丘市", "year_code"]) == {"370181"}
    assert any("章丘市" in n and "章丘区" in n for n in im.notes)
    assert any("合计" in n and "跳过" in n for n in im.notes)


def test_jimo_2016_and_laicheng_2018(tmp_path):
    a = _gbk(tmp_path / "a.csv", "地区,地区生产总值（亿元）\n即墨市,1100.5\n")
    b = _xlsx(tmp_path / "b.xlsx", [["地区", "地区生产总值（亿元）"], ["莱芜市", None], ["莱城区", 600.4],
                                    ["钢城区", 200.2]])
    im16 = import_tables([a], 2016)
    im18 = import_tables([b], 2018)
    assert im16.problems == [] and im18.problems == []
    assert _got(im16) == {("即墨区", 2016, "gdp"): 1100.5}
    assert _got(im18) == {("莱芜区", 2018, "gdp"): 600.4, ("钢城区", 2018, "gdp"): 200.2}
    assert set(im18.values["code"]) == {"370116", "370117"}


@pytest.mark.parametrize("how", ["column", "title", "mapping"])
def test_shizhong_with_its_prefecture(tmp_path, how):
    if how == "column":
        rows = [["市", "县（市、区）", "地区生产总值（亿元）"], ["枣庄市", "市中区", 300.5], ["淄博市", "临淄区", 900]]
    elif how == "title":
        rows = [["枣庄市分区县地区生产总值"], ["地区", "地区生产总值（亿元）"], ["市中区", 300.5]]
    else:
        rows = [["地区", "地区生产总值（亿元）"], ["市中区", 300.5]]
    f = _xlsx(tmp_path / "t.xlsx", rows)
    m = _map(tmp_path / "m.yaml", "tables:\n  - prefecture: 枣庄市\n") if how == "mapping" else None
    im = import_tables([f], 2021, m)
    assert im.problems == []
    assert _got(im)[("市中区（枣庄市）", 2021, "gdp")] == 300.5
    assert set(im.values.loc[im.values["printed_name"] == "市中区", "code"]) == {"370402"}


def test_shizhong_without_prefecture_lists_both(tmp_path):
    f = _xlsx(tmp_path / "t.xlsx", [["地区", "地区生产总值（亿元）"], ["市中区", 300.5], ["临淄区", 900]])
    im = import_tables([f], 2021)
    assert len(im.problems) == 1
    assert "370103" in im.problems[0] and "370402" in im.problems[0] and "A2" in im.problems[0]
    assert _got(im) == {("临淄区", 2021, "gdp"): 900.0}


CHANGDAO = "地区,地区生产总值（亿元）,年末常住人口（万人）\n芝罘区,1000.5,60\n长岛县,30.25,4.1\n{penglai}"


def test_gone_county_not_summed_without_mapping(tmp_path):
    f = _gbk(tmp_path / "yt.csv", CHANGDAO.format(penglai="蓬莱市,400.1,45\n"))
    im = import_tables([f], 2019)
    assert im.problems == []
    assert _got(im) == {("芝罘区", 2019, "gdp"): 1000.5}
    assert any("长岛县" in n and "蓬莱区" in n and "columns 下写：地区生产总值: {measure: gdp, merged: sum}" in n
               for n in im.notes)


def test_gone_county_summed_with_merged_sum(tmp_path):
    f = _gbk(tmp_path / "yt.csv", CHANGDAO.format(penglai="蓬莱市,400.1,45\n"))
    m = _map(tmp_path / "m.yaml", "tables:\n  - columns:\n      地区生产总值: {measure: gdp, merged: sum}\n"
                                   "      年末常住人口: {measure: population}\n")
    im = import_tables([f], 2019, m)
    assert im.problems == []
    got = _got(im)
    assert got[("蓬莱区", 2019, "gdp")] == pytest.approx(30.25 + 400.1, abs=1e-12)      # 430.35
    assert ("蓬莱区", 2019, "population") not in got                       # that column has no merged: sum
    row = im.values[im.values["code"] == "370614"].iloc[0]
    assert (row.source, row.year_code, row.printed_name) == ("real:yt.csv#3:2+4:2", "370634+370684", "长岛县+蓬莱市")
    assert row.tolerance == pytest.approx(0.005 + 0.05)


def test_gone_county_sum_needs_every_predecessor(tmp_path):
    f = _gbk(tmp_path / "yt.csv", CHANGDAO.format(penglai=""))
    m = _map(tmp_path / "m.yaml", "tables:\n  - columns:\n      地区生产总值: {measure: gdp, merged: sum}\n")
    im = import_tables([f], 2019, m)
    assert len(im.problems) == 1 and "蓬莱市" in im.problems[0] and "370684" in im.problems[0]
    assert "蓬莱区" not in set(im.values["county"])


def test_duplicated_row_is_a_problem(tmp_path):
    f = _gbk(tmp_path / "d.csv", "地区,地区生产总值（亿元）\n临淄区,900\n张店区,800\n临淄区,901\n")
    im = import_tables([f], 2021)
    assert len(im.problems) == 1 and "临淄区" in im.problems[0] and "第2行" in im.problems[0]
    assert _got(im) == {("张店区", 2021, "gdp"): 800.0}
    assert "数值不同" in im.problems[0] and 'skip_rows: [第4行]' in im.problems[0]      # D5: the next step
    m = _map(tmp_path / "m.yaml", "tables:\n  - columns:\n      地区生产总值: {measure: gdp, unit: 亿元}\n"
                                   "    skip_rows: [第4行]\n")
    im = import_tables([f], 2021, m)
    assert im.problems == [] and _got(im)[("临淄区", 2021, "gdp")] == 900.0


def test_identical_duplicated_rows_keep_one(tmp_path):
    """D5: the same name twice with the same value in every imported column: one kept, said (no guess)."""
    f = _gbk(tmp_path / "d.csv", "地区,地区生产总值（亿元）,备注列\n临淄区,900,a\n张店区,800,b\n临淄区,900,c\n")
    im = import_tables([f], 2021)
    assert im.problems == []
    assert _got(im) == {("临淄区", 2021, "gdp"): 900.0, ("张店区", 2021, "gdp"): 800.0}
    assert im.values.loc[im.values["county"] == "临淄区", "cell"].tolist() == ["2:2"]
    assert any("第2行“临淄区”、第4行“临淄区”" in n and "只用第2行" in n for n in im.notes)
    assert im.rows["status"].tolist() == ["已识别", "已识别", "与前面对应同一区划的行数值相同，未用"]


def test_part_merged_before_the_tables_year_is_never_the_whole(tmp_path):
    """M3: in a 2021 table 长岛县 (merged into 蓬莱区 in 2020) is a part of 蓬莱区: added to 蓬莱区's own
    row with merged: sum, a problem when that row is missing; without merged: sum the pair says the ways."""
    m = _map(tmp_path / "m.yaml", "tables:\n  - columns:\n      地区生产总值: {measure: gdp, merged: sum}\n")
    alone = _gbk(tmp_path / "a.csv", "地区,地区生产总值（亿元）\n长岛县,60.5\n历城区,1500.0\n")
    im = import_tables([alone], 2021, m)
    assert len(im.problems) == 1 and "长岛县" in im.problems[0] and "蓬莱区" in im.problems[0]
    assert "蓬莱区" not in set(im.values["county"])
    assert "蓬莱区" not in set(import_tables([alone], 2021).values["county"])       # without merged: sum neither
    pair = _gbk(tmp_path / "p.csv", "地区,地区生产总值（亿元）\n蓬莱区,340.0\n长岛县,60.5\n")
    im = import_tables([pair], 2021, m)
    assert im.problems == []
    row = im.values.iloc[0]
    assert (row.county, row.value, row.cell) == ("蓬莱区", pytest.approx(340.0 + 60.5, abs=1e-12), "2:2+3:2")
    im = import_tables([pair], 2021)
    assert len(im.problems) == 1 and im.values.empty
    for way in ("删去“长岛县”行", "skip_rows: [长岛县]", "地区生产总值: {measure: gdp, merged: sum}"):
        assert way in im.problems[0]


def test_missing_unit_named_and_completed_by_mapping(tmp_path):
    f = _gbk(tmp_path / "u.csv", "地区,地区生产总值,常住人口（万人）\n临淄区,900,60\n")
    im = import_tables([f], 2021)                     # exact header match, but no unit: never guessed
    assert len(im.problems) == 1 and "地区生产总值" in im.problems[0] and "单位" in im.problems[0]
    assert _got(im) == {("临淄区", 2021, "population"): 60.0}
    m = _map(tmp_path / "m.yaml", "tables:\n  - columns:\n      地区生产总值: {measure: gdp, unit: 亿元}\n")
    assert _got(import_tables([f], 2021, m)) == {("临淄区", 2021, "gdp"): 900.0}
    clash = _map(tmp_path / "c.yaml", "tables:\n  - columns:\n      常住人口: {measure: population, unit: 人}\n")
    im = import_tables([f], 2021, clash)
    assert len(im.problems) == 1 and "万人" in im.problems[0] and "人" in im.problems[0]


def test_header_matching_exact_used_near_shown(tmp_path):
    f = _gbk(tmp_path / "h.csv", "地区,地区生产总值（亿元）,年末常住人口（万人）,增速（%）\n临淄区,900,60,7\n")
    im = import_tables([f], 2021)
    assert im.problems == []
    m = im.matches.set_index("header")
    assert (m.loc["地区生产总值（亿元）", "measure"], m.loc["地区生产总值（亿元）", "how"]) == ("gdp", EXACT)
    assert (m.loc["年末常住人口（万人）", "measure"], m.loc["年末常住人口（万人）", "how"]) == ("population", NEAR)
    assert not m.loc["年末常住人口（万人）", "used"] and m.loc["地区生产总值（亿元）", "used"]
    assert m.loc["增速（%）", "measure"] == ""
    assert _got(im) == {("临淄区", 2021, "gdp"): 900.0}
    assert any("请确认后写入映射文件" in n for n in im.notes)


def test_candidates_are_the_panels_numeric_measures():
    ids = {m.id for m in candidates()}
    assert ids <= set(load_peers()["measure"]) and "gdp" in ids and "q38.pm25" in ids
    assert not any(m.kind in ("bool", "level") for m in candidates())
    assert match_header("地区生产总值")[:2][1] == EXACT and match_header("城镇化率")[0] is None


def test_years_across(tmp_path):
    f = _xlsx(tmp_path / "pm.xlsx", [["各县PM2.5年均浓度", None, None], [None, None, "单位：微克/立方米"],
                                     ["地区", 2020, "2021年"], ["临淄区", 45.5, 40], ["张店区", 41, 38.25]])
    m = _map(tmp_path / "m.yaml", "tables:\n  - years: {measure: q38.pm25}\n")
    im = import_tables([f], 2021, m)
    assert im.problems == []
    assert _got(im) == {("临淄区", 2020, "q38.pm25"): 45.5, ("临淄区", 2021, "q38.pm25"): 40.0,
                        ("张店区", 2020, "q38.pm25"): 41.0, ("张店区", 2021, "q38.pm25"): 38.25}
    assert set(im.values["table_year"]) == {2021}


def test_out_of_range_and_same_figure_twice(tmp_path):
    a = _gbk(tmp_path / "a.csv", "地区,空气质量优良天数比例（%）\n临淄区,120\n张店区,70.5\n")
    b = _gbk(tmp_path / "b.csv", "地区,空气质量优良天数比例（%）\n张店区,70.6\n")
    im = import_tables([a, b], 2021)
    assert len(im.problems) == 1 and "a.csv" in im.problems[0] and "文件“a.csv”第2行第2列（临淄区" in im.problems[0]
    assert "超出允许范围" in im.problems[0]
    both = im.values[im.values["county"] == "张店区"]
    assert sorted(both["value"]) == [70.5, 70.6] and set(both["file"]) == {"a.csv", "b.csv"}   # both kept


def test_mapping_problems_all_at_once(tmp_path):
    m = _map(tmp_path / "m.yaml", "tables:\n  - file: x.csv\n    colums: {}\n    prefecture: 北京市\n"
                                   "    columns:\n      A: {measure: veto.major_safety_accident}\n"
                                   "      B: {measure: gpd}\n      C: {measure: gdp, unit: 斤}\n"
                                   "      D: {measure: gdp, unit: 万人}\n      E: {measure: gdp, merged: yes}\n"
                                   "extra: 1\n")
    with pytest.raises(InputError) as e:
        read_mapping(m)
    text = "\n".join(e.value.problems)
    assert len(e.value.problems) == 8
    for word in ("colums", "北京市", "veto.major_safety_accident", "gpd", "斤", "万人", "merged", "extra"):
        assert word in text
    assert all("m.yaml" in p for p in e.value.problems)
    assert parse_mapping([], "x.yaml")[1] and parse_mapping(None, "x.yaml")[1]


def test_mapping_entry_and_column_not_found(tmp_path):
    f = _gbk(tmp_path / "a.csv", "地区,地区生产总值（亿元）\n临淄区,900\n")
    m = _map(tmp_path / "m.yaml", "tables:\n  - file: a.csv\n    columns:\n      生产总值: gdp\n"
                                   "  - file: nothing*.xlsx\n    columns:\n      地区生产总值: gdp\n")
    im = import_tables([f], 2021, m)
    assert len(im.problems) == 2
    assert any("生产总值" in p and "tables第1项" in p for p in im.problems)
    assert any("nothing*.xlsx" in p and "a.csv" in p for p in im.problems)


def test_decimals():
    assert [decimals(x) for x in (800, 828.1447, "1,234.50", "7.0①", 1e-05, "x")] == [0, 4, 2, 1, 5, 0]


def test_split_county_never_imported(tmp_path):
    f = _gbk(tmp_path / "wh.csv", "地区,地区生产总值（亿元）\n环翠区,700.5\n文登市,600.25\n")
    m = _map(tmp_path / "m.yaml", "tables:\n  - columns:\n      地区生产总值: {measure: gdp, merged: sum}\n")
    for mapping in (None, m):
        im = import_tables([f], 2013, mapping)
        assert im.problems == []
        assert _got(im) == {("环翠区", 2013, "gdp"): 700.5}          # 文登市 went to 文登区 and, partly, 环翠区
        assert any("文登市" in n and "拆分" in n and "未导入" in n for n in im.notes)


def test_subtotal_row_under_the_header_is_a_row_not_a_header(tmp_path):
    rows = [["山东省各县主要指标（2021年）"], [], ["地区", "地区生产总值", None, "年末常住人口"],
            [None, "总量（亿元）", "第三产业（亿元）", "（万人）"], ["济南市"], ["章丘区", 1000.5, 500, 100],
            [None], ["市中区", 1800, 1200, 70], ["枣庄市"], ["市中区", 300.5, 150, 50]]
    f = _xlsx(tmp_path / "sd.xlsx", rows, ("B3:C3",))
    (t,) = read_tables(f)
    assert t.header_rows == (3, 4)
    assert [(r.name, r.kind, r.prefecture) for r in t.rows] == [
        ("济南市", "prefecture", "济南市"), ("章丘区", "county", "济南市"), ("市中区", "county", "济南市"),
        ("枣庄市", "prefecture", "枣庄市"), ("市中区", "county", "枣庄市")]
    m = _map(tmp_path / "m.yaml", "tables:\n  - columns:\n      地区生产总值｜总量: gdp\n")
    im = import_tables([f], 2021, m)
    assert im.problems == []
    assert _got(im) == {("章丘区", 2021, "gdp"): 1000.5, ("市中区（济南市）", 2021, "gdp"): 1800.0,
                        ("市中区（枣庄市）", 2021, "gdp"): 300.5}


@pytest.mark.parametrize("second, names", [
    ("临淄区,—,—", ["临淄区", "张店区"]),                # a county row without figures
    ("济南高新区,,", ["济南高新区", "张店区"]),           # a zone row without figures
    ("合计,,", ["合计", "张店区"]),                      # a total row without figures
    ("单位：亿元,,", ["张店区"]),                        # a unit line between the header and the data
])
def test_rows_under_the_header_that_are_no_header(tmp_path, second, names):
    f = _gbk(tmp_path / "h.csv", f"地区,地区生产总值（亿元）,年末常住人口（万人）\n{second}\n张店区,900,60\n")
    (t,) = read_tables(f)
    assert t.header_rows == (1,) and t.problems == []
    assert [c.display for c in t.columns] == ["地区生产总值（亿元）", "年末常住人口（万人）"]
    assert [r.name for r in t.rows] == names


def _row_table(im):
    return [(r.cell, r.printed_name, r.status, r.how, r.code, r.county, r.change) for r in im.rows.itertuples()]


def test_every_row_said_without_any_column_confirmed(tmp_path):
    # no header matches a measure (增速 is no measure): the rows are still read and shown
    f = _gbk(tmp_path / "yt.csv", "地区,增速（%）\n烟台市,\n芝罘区,7.5\n长岛县,6\n蓬莱市,5\n威海市,\n文登市,4\n"
                                  "济南高新区,9\n合计,7\n")
    im = import_tables([f], 2019)
    assert im.problems == [] and im.values.empty
    assert _row_table(im) == [
        ("2:1", "烟台市", "地级市（小计）行，跳过", "", "", "", ""),
        ("3:1", "芝罘区", "已识别", "完全一致", "370602", "芝罘区", ""),
        ("4:1", "长岛县", "已识别", "历史名称", "370614", "蓬莱区", "合并"),
        ("5:1", "蓬莱市", "已识别", "历史名称", "370614", "蓬莱区", "合并"),
        ("6:1", "威海市", "地级市（小计）行，跳过", "", "", "", ""),
        ("7:1", "文登市", "对应多个区划", "历史名称", "371003、371002", "文登区、环翠区", "拆分"),  # split in 2014
        ("8:1", "济南高新区", "无法识别", "", "", "", ""),
        ("9:1", "合计", "合计行，跳过", "", "", "", "")]
    assert set(im.rows["table_year"]) == {2019}
    assert any("行匹配有2处问题" in n for n in im.notes)


def _pasted(note):
    """The mapping lines a note offers, exactly as printed after its “：” line."""
    return note.split("：\n", 1)[1]


def test_near_matches_said_once_with_lines_that_work_when_pasted(tmp_path):
    f = _gbk(tmp_path / "n.csv", "地区,年末常住人口（万人）,地区生产总值总量（亿元）\n临淄区,60.5,900\n张店区,80,1000.25\n")
    im = import_tables([f], 2021)
    assert im.problems == [] and im.values.empty
    (note,) = [n for n in im.notes if "未导入" in n]       # said once: not also “没有与数据项对应的列”
    assert "近似匹配，未导入" in note
    m = _map(tmp_path / "m.yaml", _pasted(note))
    got = import_tables([f], 2021, m)
    assert got.problems == []
    assert _got(got) == {("临淄区", 2021, "population"): 60.5, ("张店区", 2021, "population"): 80.0,
                         ("临淄区", 2021, "gdp"): 900.0, ("张店区", 2021, "gdp"): 1000.25}


def test_exact_columns_kept_in_the_pasted_lines(tmp_path):
    f = _gbk(tmp_path / "h.csv", "地区,地区生产总值（亿元）,年末常住人口（万人）\n临淄区,900,60\n")
    im = import_tables([f], 2021)
    (note,) = [n for n in im.notes if "近似" in n]
    got = import_tables([f], 2021, _map(tmp_path / "m.yaml", _pasted(note)))
    assert _got(got) == {("临淄区", 2021, "gdp"): 900.0, ("临淄区", 2021, "population"): 60.0}


def test_years_across_without_mapping_says_the_years_line(tmp_path):
    f = _xlsx(tmp_path / "pm.xlsx", [["各县PM2.5年均浓度", None, None], [None, None, "单位：微克/立方米"],
                                     ["地区", 2020, "2021年"], ["临淄区", 45.5, 40]])
    im = import_tables([f], 2021)
    assert im.problems == [] and im.values.empty
    assert list(im.matches["how"]) == ["表头为年份", "表头为年份"]
    (note,) = im.notes
    assert "“2020”、“2021年”是年份" in note and "years: {measure: q38.pm25, unit: μg/m³}" in note
    got = import_tables([f], 2021, _map(tmp_path / "m.yaml", _pasted(note)))
    assert got.problems == []
    assert _got(got) == {("临淄区", 2020, "q38.pm25"): 45.5, ("临淄区", 2021, "q38.pm25"): 40.0}


ZONES = "地区,地区生产总值（亿元）\n济南市,\n历下区,2000.5\n济南高新区,900\n章丘区,1000\n"


def test_zone_row_is_a_problem_naming_skip_rows_then_skipped_with_it(tmp_path):
    f = _gbk(tmp_path / "jn.csv", ZONES)
    im = import_tables([f], 2021)
    assert len(im.problems) == 1
    assert "第4行第1列" in im.problems[0] and "请在映射文件该表下写 skip_rows: [济南高新区]" in im.problems[0]
    m = _map(tmp_path / "m.yaml", "tables:\n  - file: jn.csv\n    skip_rows: [济南高新区]\n")
    got = import_tables([f], 2021, m)
    assert got.problems == []
    assert _got(got) == {("历下区", 2021, "gdp"): 2000.5, ("章丘区", 2021, "gdp"): 1000.0}
    assert any("济南高新区" in n and "skip_rows 跳过" in n for n in got.notes)
    assert got.rows.set_index("printed_name").loc["济南高新区", "status"] == "按映射文件 skip_rows 跳过"


def test_skip_rows_naming_no_row_is_a_problem(tmp_path):
    f = _gbk(tmp_path / "jn.csv", ZONES)
    m = _map(tmp_path / "m.yaml", "tables:\n  - skip_rows: [济南高薪区]\n")
    im = import_tables([f], 2021, m)
    assert len(im.problems) == 2                         # the typo, and the row it did not skip
    typo = [p for p in im.problems if "济南高薪区" in p]
    assert len(typo) == 1 and "tables第1项" in typo[0] and "济南高新区" in typo[0]
    bad = _map(tmp_path / "b.yaml", "tables:\n  - skip_rows: 3\n")
    with pytest.raises(InputError, match="skip_rows"):
        read_mapping(bad)


def test_table_and_reader_remarks_reach_the_notes(tmp_path):
    f = _gbk(tmp_path / "r.csv", "地区,地区生产总值（万元）\n临淄区,23456789*\n张店区,\"1,234,567\"\n注：*为初步核算数。\n")
    im = import_tables([f], 2021)
    assert im.problems == []
    text = "\n".join(im.notes)
    assert "GB18030" in text                                         # the encoding read
    assert "第2行第2列：“23456789*”去掉了注释符号“*”，按23456789读取" in text
    assert "3:2的数值带千位分隔符" in text
    assert "表下注释：注：*为初步核算数。" in text
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["地区", "地区生产总值（亿元）", "备注"], ["临淄区", 900, "=1+1"], ["张店区", 800, None]):
        ws.append(row)
    ws.row_dimensions[3].hidden = True
    wb.save(tmp_path / "x.xlsx")
    text = "\n".join(import_tables([tmp_path / "x.xlsx"], 2021).notes)
    assert "第3行是隐藏行" in text and "C2是公式" in text


def test_problems_of_columns_not_imported_are_said_not_counted_only(tmp_path):
    f = _gbk(tmp_path / "i.csv", "地区,地区生产总值（亿元）,增速（%）\n临淄区,900,见附表\n")
    im = import_tables([f], 2021)
    assert im.problems == [] and _got(im) == {("临淄区", 2021, "gdp"): 900.0}
    assert any("未导入的列有1处问题，已忽略" in n and "“见附表”不是数字" in n for n in im.notes)


def test_a_total_without_figures_after_a_blank_line_is_a_row_not_a_footnote(tmp_path):
    f = _gbk(tmp_path / "t.csv", "地区,地区生产总值（亿元）\n临淄区,900\n\n全省合计,\n注：按当年价格计算。\n")
    im = import_tables([f], 2021)
    assert im.problems == [] and _got(im) == {("临淄区", 2021, "gdp"): 900.0}
    assert list(zip(im.rows["printed_name"], im.rows["status"], strict=True)) == [("临淄区", "已识别"),
                                                                                 ("全省合计", "合计行，跳过")]
    assert [n for n in im.notes if "表下注释" in n] == ["文件“t.csv”表下注释：注：按当年价格计算。"]


def test_county_without_figures_under_the_header_with_a_prefecture_column(tmp_path):
    f = _gbk(tmp_path / "p.csv", "市,县（市、区）,地区生产总值（亿元）\n枣庄市,市中区,—\n淄博市,临淄区,900\n")
    (t,) = read_tables(f)
    assert t.header_rows == (1,) and t.problems == []
    assert [(r.name, r.prefecture) for r in t.rows] == [("市中区", "枣庄市"), ("临淄区", "淄博市")]


def test_merged_sum_refused_for_figures_that_do_not_add_up(tmp_path):
    """M2: a concentration or a percent of two counties is no figure of both: merged: sum is a mapping problem."""
    from qstrong.yearbook.units import additive

    assert additive("万元") and additive("项") and additive("万人")
    assert not additive("μg/m³") and not additive("%") and not additive("元/人") and not additive("天")
    f = _gbk(tmp_path / "yt.csv", "地区,PM2.5年均浓度（微克/立方米）,地区生产总值（亿元）\n长岛县,30,30.25\n蓬莱市,28,400.1\n")
    m = _map(tmp_path / "m.yaml", "tables:\n  - columns:\n      PM2.5年均浓度: {measure: q38.pm25, merged: sum}\n"
                                   "      地区生产总值: {measure: gdp, merged: sum}\n")
    with pytest.raises(InputError) as e:
        read_mapping(m)
    assert len(e.value.problems) == 1
    text = e.value.problems[0]
    assert "PM2.5年均浓度" in text and "浓度不能相加" in text and "merged: sum" in text and "单独的表格" in text
    im = import_tables([f], 2019, m)
    assert any("PM2.5年均浓度" in x and "不能相加" in x for x in im.problems)
    assert ("蓬莱区", 2019, "q38.pm25") not in _got(im)
    percent = next(x for x in candidates() if x.kind == "percent")
    m2 = _map(tmp_path / "p.yaml", f"tables:\n  - columns:\n      比例: {{measure: {percent.id}, merged: sum}}\n")
    with pytest.raises(InputError, match="不能相加"):
        read_mapping(m2)


def test_mapping_with_problems_never_falls_back_to_header_matching(tmp_path):
    """D1: every mapping problem at once, the table's problems against its valid part too (a unit conflict,
    a skip_rows typo), and no column matched by header as if no mapping were given."""
    f = _gbk(tmp_path / "h.csv", "地区,地区生产总值（亿元）,年末常住人口（万人）\n临淄区,900,60\n济南高新区,1,2\n")
    m = _map(tmp_path / "m.yaml", "tables:\n  - columns:\n      地区生产总值: {measure: gdp, unit: 万元}\n"
                                   "      年末常住人口: {measure: populaton}\n    colour: red\n    skip_rows: [不存在的行]\n")
    im = import_tables([f], 2021, m)
    assert im.values.empty
    text = "\n".join(im.problems)
    for part in ("未知的键“colour”", "populaton", "表头写的单位是亿元，映射文件", "skip_rows“不存在的行”", "济南高新区"):
        assert part in text, part
    assert all(p.startswith(("映射文件“m.yaml”", "文件“h.csv”")) for p in im.problems), im.problems
    only_bad = _map(tmp_path / "b.yaml", "tables:\n  - columns:\n      地区生产总值: {measure: gpd}\n")
    im = import_tables([f], 2021, only_bad)
    assert im.values.empty and any("gpd" in p for p in im.problems)
    syntax = _map(tmp_path / "s.yaml", "tables:\n  - file: [unclosed\n")
    im = import_tables([f], 2021, syntax)
    assert im.values.empty and im.problems[0].startswith("映射文件“s.yaml”：无法解析YAML")
    im = import_tables([f], 2021, tmp_path / "none.yaml")
    assert im.values.empty and im.problems[0] == "映射文件“none.yaml”不存在或不是文件"


def test_rows_reads_one_row_by_another_name(tmp_path):
    """D4: in a province-wide table `prefecture:` would apply to every row; `rows:` names one row (by name or
    by 第N行 for two rows printing the same name); the ambiguity's problem prints the exact lines."""
    text = "地区,地区生产总值（亿元）\n张店区,800\n市中区,300\n市中区,2000\n"
    f = _gbk(tmp_path / "sd.csv", text)
    im = import_tables([f], 2021)
    assert len(im.problems) == 2 and im.values["county"].tolist() == ["张店区"]
    assert "rows: {市中区: 济南市市中区}或rows: {市中区: 枣庄市市中区}" in im.problems[0]
    assert 'rows: {"第3行": 济南市市中区}' in im.problems[0] or "rows: {第3行: 济南市市中区}" in im.problems[0]
    m = _map(tmp_path / "m.yaml", "tables:\n  - rows: {第3行: 枣庄市市中区, 第4行: 济南市市中区}\n")
    im = import_tables([f], 2021, m)
    assert im.problems == []
    assert {(r.code, r.value) for r in im.values.itertuples()} == {("370303", 800.0), ("370402", 300.0),
                                                                 ("370103", 2000.0)}
    one = _gbk(tmp_path / "one.csv", "地区,地区生产总值（亿元）\n张店区,800\n市中区,300\n")
    m = _map(tmp_path / "n.yaml", "tables:\n  - rows: {市中区: 枣庄市市中区, 市北区: 青岛市市北区}\n")
    im = import_tables([one], 2021, m)
    assert len(im.problems) == 1 and "rows“市北区”" in im.problems[0]            # a key naming no row
    assert set(im.values["code"]) == {"370303", "370402"}
    with pytest.raises(InputError, match="rows"):
        read_mapping(_map(tmp_path / "b.yaml", "tables:\n  - rows: [市中区]\n"))


def test_unit_in_the_title_and_a_leading_mark(tmp_path):
    """m5: “…（微克/立方米）” / “（单位：万元）” in the title is the table's unit line (said); “*9000000” is
    read like “9000000*”; a missing unit's message names the title too."""
    f = _gbk(tmp_path / "pm.csv", "各县PM2.5年均浓度（微克/立方米）\n地区,PM2.5年均浓度\n临淄区,45.5\n张店区,*40.25\n")
    im = import_tables([f], 2021)
    assert im.problems == []
    assert _got(im) == {("临淄区", 2021, "q38.pm25"): 45.5, ("张店区", 2021, "q38.pm25"): 40.25}
    assert im.values.set_index("county").loc["张店区", "tolerance"] == pytest.approx(0.005)
    assert any("标题" in n and "μg/m³" in n for n in im.notes)
    g = _gbk(tmp_path / "g.csv", "各县地区生产总值（单位：万元）\n地区,地区生产总值\n临淄区,*9000000\n")
    assert _got(import_tables([g], 2021)) == {("临淄区", 2021, "gdp"): 900.0}
    h = _gbk(tmp_path / "h.csv", "各县地区生产总值\n地区,地区生产总值\n临淄区,9000000\n")
    (why,) = import_tables([h], 2021).problems
    assert "标题" in why and "单位" in why
