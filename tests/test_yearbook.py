"""Yearbook tables in: hand-made xlsx and csv tables (written here) read back to exact labels, units,
values, cell addresses and division codes; problems said with their places, inputs left untouched."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import openpyxl
import pytest

from qstrong.errors import InputError
from qstrong.yearbook import column_values, read_sheets, read_table, read_tables, rows_to_codes


def _xlsx(path, rows, merges=(), title="表3-1"):
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


ZIBO = [
    ["淄博市各区县主要经济指标（2015年）", None, None, None, None],
    [None, None, None, None, "单位：万元"],
    ["地区", "地区生产总值（亿元）", None, "一般公共预算收入", "增速（%）"],
    [None, "总量", "第三产业", None, None],
    ["淄博市", 4000, 2000, 300000, 7.5],
    ["张店区", 800, 500, "1,234.5", 8.1],
    ["临淄区", 900, "—", 50000, "7.0①"],
    ["博山区", "…", "x", None, "-"],
    [None, None, None, None, None],
    ["注：地区生产总值按当年价格计算。", None, None, None, None],
    ["资料来源：淄博统计年鉴2016。", None, None, None, None],
]
ZIBO_MERGES = ("A1:E1", "A3:A4", "B3:C3", "D3:D4", "E3:E4", "A10:E10")


@pytest.fixture
def zibo(tmp_path):
    return _xlsx(tmp_path / "淄博2016.xlsx", ZIBO, ZIBO_MERGES)


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])
def test_two_row_merged_header(zibo, engine):
    (t,) = read_tables(zibo, engine=engine)
    assert t.problems == []
    assert t.title == "淄博市各区县主要经济指标（2015年）" and t.unit_line == "万元" and t.prefecture == "淄博市"
    assert t.header_rows == (3, 4) and t.county_column == 0
    assert [(c.name, c.label, c.unit, c.unit_source) for c in t.columns] == [
        ("B", "地区生产总值｜总量", "亿元", "header"),
        ("C", "地区生产总值｜第三产业", "亿元", "header"),
        ("D", "一般公共预算收入", "万元", "unit line"),
        ("E", "增速", "%", "header"),
    ]
    assert t.columns[1].display == "地区生产总值｜第三产业（亿元）"
    assert [(r.line, r.name, r.kind, r.prefecture) for r in t.rows] == [
        (5, "淄博市", "prefecture", "淄博市"), (6, "张店区", "county", "淄博市"),
        (7, "临淄区", "county", "淄博市"), (8, "博山区", "county", "淄博市")]
    got = {(r.name, c.address): (c.status, c.value) for r in t.rows for c in r.cells}
    assert got[("张店区", "D6")] == ("number", 1234.5)          # “1,234.5” written as text
    assert got[("临淄区", "C7")] == ("missing", None)          # “—”
    assert got[("临淄区", "E7")] == ("number", 7.0)            # “7.0①”: the mark stripped
    assert [got[("博山区", a)] for a in ("B8", "C8", "D8", "E8")] == [("missing", None)] * 4
    assert t.missing == 5
    assert any("E7" in x and "①" in x for x in t.remarks)
    assert any("5个单元格" in x for x in t.remarks)
    assert t.notes == ("注：地区生产总值按当年价格计算。", "资料来源：淄博统计年鉴2016。")
    assert [c.value for _, c in t.values("增速")] == [8.1, 7.0, None]
    assert t.rows[1].cells[2].provenance == "real:淄博2016.xlsx#表3-1!D6"


def test_zibo_codes(zibo):
    (t,) = read_tables(zibo)
    coded = rows_to_codes(t, 2015)
    assert [(r.row.name, r.code) for r in coded.rows] == [("张店区", "370303"), ("临淄区", "370305"),
                                                          ("博山区", "370304")]
    assert coded.problems == ()
    assert coded.notes == ("文件“淄博2016.xlsx”工作表“表3-1”单元格A5：“淄博市”是地级市（小计）行，已跳过；其下各行按淄博市识别",)


def test_inputs_untouched(zibo):
    before = (hashlib.sha256(zibo.read_bytes()).hexdigest(), zibo.stat().st_mtime_ns)
    read_tables(zibo)
    read_tables(zibo, engine="calamine")
    assert (hashlib.sha256(zibo.read_bytes()).hexdigest(), zibo.stat().st_mtime_ns) == before


PROVINCE_CSV = (
    "山东省部分县（市、区）主要指标\n"
    "单位：万元\n"
    "地区,一般公共预算收入,年末常住人口（万人）,出生率（‰）\n"
    "全省,999,9999,9\n"
    "济南市,100,800,10\n"
    "市中区,11,71.5,9.1\n"
    "枣庄市,50,380,11\n"
    "市中区,\"2,345\",51,—\n"
    "注：常住人口为抽样调查推算数。\n"
)


@pytest.mark.parametrize("encoding, note", [("gbk", True), ("utf-8-sig", False)])
def test_csv_unit_line_and_prefecture_rows(tmp_path, encoding, note):
    path = tmp_path / "province.csv"
    path.write_bytes(PROVINCE_CSV.encode(encoding))
    (t,) = read_tables(path)
    assert t.problems == [] and t.sheet == "" and t.kind == "csv"
    assert t.title == "山东省部分县（市、区）主要指标" and t.unit_line == "万元" and t.prefecture == ""
    assert [(c.name, c.label, c.unit) for c in t.columns] == [
        ("2", "一般公共预算收入", "万元"), ("3", "年末常住人口", "万人"), ("4", "出生率", "‰")]
    assert [(r.name, r.kind, r.prefecture, r.address) for r in t.rows] == [
        ("全省", "total", "", "4:1"), ("济南市", "prefecture", "济南市", "5:1"), ("市中区", "county", "济南市", "6:1"),
        ("枣庄市", "prefecture", "枣庄市", "7:1"), ("市中区", "county", "枣庄市", "8:1")]
    last = t.rows[-1].cells
    assert [(c.address, c.value) for c in last] == [("8:2", 2345.0), ("8:3", 51.0), ("8:4", None)]
    assert last[0].provenance == "real:province.csv#8:2"
    assert t.notes == ("注：常住人口为抽样调查推算数。",)
    assert any("GB18030" in x for x in t.remarks) == note
    coded = rows_to_codes(t, 2020)
    assert [(r.row.line, r.code) for r in coded.rows] == [(6, "370103"), (8, "370402")]
    assert coded.problems == ()
    assert any("“全省”是合计行" in x for x in coded.notes)


def test_csv_two_row_header_group_spreads(tmp_path):
    text = ("区县,地区生产总值（亿元）,,年末户籍人口（万人）\n"
            ",总量,增速（%）,\n"
            "临淄区,800.5,5.1,64.2\n")
    path = tmp_path / "gdp.csv"
    path.write_text(text, encoding="utf-8")
    t = read_table(read_sheets(path)[0])
    assert t.problems == []
    assert [(c.label, c.unit) for c in t.columns] == [("地区生产总值｜总量", "亿元"), ("地区生产总值｜增速", "%"),
                                                     ("年末户籍人口", "万人")]
    assert [c.value for c in t.rows[0].cells] == [800.5, 5.1, 64.2]


def test_shizhong_without_prefecture_is_ambiguous(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("地区,地区生产总值（亿元）\n市中区,500\n临淄区,800\n", encoding="utf-8")
    (t,) = read_tables(path)
    coded = rows_to_codes(t, 2020)
    assert [r.code for r in coded.rows] == ["370305"]
    (p,) = coded.problems
    assert p.startswith("文件“a.csv”第2行第1列：") and "市中区（济南市，370103）" in p and "市中区（枣庄市，370402）" in p


def test_old_name_gone_county_and_duplicates(tmp_path):
    rows = [["地区", "地区生产总值（亿元）"], ["即墨市", 1000], ["长清县", 300], ["临淄区", 800], ["临淄", 801],
            ["张店区", "约800"]]
    path = _xlsx(tmp_path / "q.xlsx", rows, title="Sheet1")
    (t,) = read_tables(path)
    assert t.problems == ["文件“q.xlsx”工作表“Sheet1”单元格B6：“约800”不是数字（张店区，地区生产总值（亿元））"]
    coded = rows_to_codes(t, 2015)
    assert [(r.row.name, r.code) for r in coded.rows] == [("即墨市", "370282"), ("张店区", "370303")]
    assert coded.rows[0].match.today == ("370215",)
    assert any("即墨区" in n and "A2" in n for n in coded.notes)
    gone, dup = coded.problems
    assert "单元格A3" in gone and "长清县" in gone and "长清区（济南市，370113）" in gone
    assert "第4行“临淄区”（A4）" in dup and "第5行“临淄”（A5）" in dup and "370305" in dup


def test_prefecture_column_and_year_columns(tmp_path):
    rows = [["各县区地区生产总值"], ["单位：亿元"], ["市", "县（市、区）", 2015, 2016],
            ["济南市", "市中区", 1, 2], [None, "历下区", 3, 4], ["枣庄市", "市中区", 5, 6]]
    path = _xlsx(tmp_path / "y.xlsx", rows, merges=("A4:A5",))
    (t,) = read_tables(path)
    assert t.problems == []
    assert t.prefecture_column == 0 and t.county_column == 1
    assert [(c.label, c.unit, c.unit_source) for c in t.columns] == [("2015", "亿元", "unit line"),
                                                                    ("2016", "亿元", "unit line")]
    coded = rows_to_codes(t, 2016)
    assert [(r.row.address, r.code) for r in coded.rows] == [("B4", "370103"), ("B5", "370102"), ("B6", "370402")]
    assert [c.value for c in t.rows[2].cells] == [5.0, 6.0]


def test_unknown_unit_and_headless_column(tmp_path):
    path = tmp_path / "u.csv"
    path.write_text("地区,出口额（万美元）,工业总产值,\n临淄区,12,13,14\n", encoding="utf-8")
    (t,) = read_tables(path)
    assert len(t.problems) == 3
    assert "“出口额（万美元）”列没有可识别的单位" in t.problems[0] and "万美元" in t.problems[0]
    assert "第1行第2列" in t.problems[0]
    assert "“工业总产值”列没有可识别的单位" in t.problems[1]
    assert t.problems[2] == "文件“u.csv”第1行第4列：第4列有数据但没有表头"


def test_no_table_and_bad_files(tmp_path):
    path = tmp_path / "n.csv"
    path.write_text("只是一段说明文字\n没有数据\n", encoding="utf-8")
    (t,) = read_tables(path)
    assert t.problems == ["文件“n.csv”：找不到数据行（应为一列地区名称，右侧为数值）"]
    with pytest.raises(InputError, match="不存在"):
        read_sheets(tmp_path / "missing.xlsx")
    fake = tmp_path / "fake.xlsx"
    fake.write_text("地区,值\n", encoding="utf-8")
    with pytest.raises(InputError, match="内容不是Excel工作簿"):
        read_sheets(fake)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xff\xfe\x00\x00\x81")
    with pytest.raises(InputError):
        read_sheets(bad)


def test_unit_row_code_column_and_single_child_header(tmp_path):
    # in a text file a group label spreads right only over columns whose left neighbour has a child too:
    # “其中：第三产业” under an empty upper cell next to a childless “地区生产总值” stays alone
    text = ("行政区划代码,地区,地区生产总值,,年末常住人口\n"
            ",,,其中：第三产业,\n"
            "单位,,亿元,亿元,万人\n"
            "370305,临淄区,800.5,400.25,64.2\n"
            "370303,张店区,1000,600,90\n")
    path = tmp_path / "units.csv"
    path.write_text(text, encoding="utf-8")
    (t,) = read_tables(path)
    assert t.problems == [] and t.header_rows == (1, 2, 3) and t.county_column == 1
    assert [(c.name, c.label, c.unit, c.unit_source) for c in t.columns] == [
        ("3", "地区生产总值", "亿元", "unit row"), ("4", "其中：第三产业", "亿元", "unit row"),
        ("5", "年末常住人口", "万人", "unit row")]
    assert any("行政区划代码" in x and "未读取" in x for x in t.remarks)
    assert [(r.name, [c.value for c in r.cells]) for r in t.rows] == [("临淄区", [800.5, 400.25, 64.2]),
                                                                      ("张店区", [1000.0, 600.0, 90.0])]


def test_year_header_and_year_like_counts(tmp_path):
    rows = [["单位：项"], ["地区", 2015, 2016], ["临淄区", 2001, 2002], ["张店区", 1999, 2010]]
    (t,) = read_tables(_xlsx(tmp_path / "c.xlsx", rows))
    assert t.problems == [] and t.header_rows == (2,) and t.unit_line == "项" and t.title == ""
    assert [(c.label, c.unit) for c in t.columns] == [("2015", "项"), ("2016", "项")]
    assert [(r.address, [c.value for c in r.cells]) for r in t.rows] == [("A3", [2001.0, 2002.0]),
                                                                         ("A4", [1999.0, 2010.0])]


def test_column_values_converted(zibo):
    (t,) = read_tables(zibo)
    coded = rows_to_codes(t, 2015)
    vals, problems = column_values(t, coded, "地区生产总值｜第三产业", "万元")
    assert problems == []
    # 500 亿元 = 500 × 10000 万元; “—” stays missing
    assert [(v.code, v.value, v.factor, v.from_unit, v.provenance) for v in vals] == [
        ("370303", 5_000_000.0, 10000.0, "亿元", "real:淄博2016.xlsx#表3-1!C6"),
        ("370305", None, 10000.0, "亿元", "real:淄博2016.xlsx#表3-1!C7"),
        ("370304", None, 10000.0, "亿元", "real:淄博2016.xlsx#表3-1!C8")]
    vals, _ = column_values(t, coded, "一般公共预算收入（万元）", "亿元")
    assert [v.value for v in vals] == [0.12345, 5.0, None]
    assert column_values(t, coded, "增速", "万元") == (
        [], ["文件“淄博2016.xlsx”工作表“表3-1”第E列“增速（%）”：单位“%”（比率）不能换算为“万元”（金额）：两者不是同一种量"])
    none, (p,) = column_values(t, coded, "人口", "万人")
    assert none == [] and "没有（或不止一个）“人口”列" in p and "增速（%）" in p


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])
def test_stray_far_cell_refused(tmp_path, engine):
    path = _xlsx(tmp_path / "far.xlsx", [["地区", "地区生产总值（亿元）"], ["临淄区", 1]])
    wb = openpyxl.load_workbook(path)
    wb.active["C30000"] = "x"
    wb.save(path)
    with pytest.raises(InputError, match="30,000行、3列，超过年鉴表格的上限"):
        read_sheets(path, engine=engine)


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) not installed")
def test_legacy_xls_read_by_calamine(zibo, tmp_path):
    """The same table saved as .xls (Excel 97) by LibreOffice: same labels, values and cells."""
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
                    "xls:MS Excel 97", "--outdir", str(tmp_path / "xls"), str(zibo)],
                   check=False, capture_output=True, timeout=180)
    xls = tmp_path / "xls" / "淄博2016.xls"
    if not xls.is_file():        # LibreOffice without Calc (CI installs only Writer) cannot write .xls
        pytest.skip("LibreOffice Calc not installed: no .xls could be written")
    (x,) = read_tables(xls)
    (t,) = read_tables(zibo)
    assert x.kind == "xls" and x.problems == []
    assert [c.display for c in x.columns] == [c.display for c in t.columns]
    assert ([(r.name, [(c.address, c.value) for c in r.cells]) for r in x.rows]
            == [(r.name, [(c.address, c.value) for c in r.cells]) for r in t.rows])
    assert x.notes == t.notes and x.rows[1].cells[2].provenance == "real:淄博2016.xls#表3-1!D6"


def test_sheet_choice(tmp_path):
    path = _xlsx(tmp_path / "s.xlsx", [["地区", "地区生产总值（亿元）"], ["临淄区", 1]])
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("说明")["A1"] = "本表数据来自统计年鉴"
    wb.save(path)
    (t, note) = read_tables(path)
    assert t.problems == [] and note.problems == ["文件“s.xlsx”工作表“说明”：找不到数据行（应为一列地区名称，右侧为数值）"]
    assert [x.sheet for x in read_tables(path, sheets=["表3-1"])] == ["表3-1"]
    with pytest.raises(InputError, match="没有工作表“表9”；有：表3-1、说明"):
        read_tables(path, sheets=["表9"])


def test_row_without_name(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text("地区,地区生产总值（亿元）\n,1\n临淄区,2\n", encoding="utf-8")
    (t,) = read_tables(path)
    assert t.header_rows == (1,)
    assert t.problems == ["文件“b.csv”第2行第1列：此行有数据但没有地区名称"]
    assert [(r.name, r.cells[0].value) for r in t.rows] == [("临淄区", 2.0)]


def test_years_under_a_group_label(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("地区,地区生产总值（亿元）,\n,2015,2016\n临淄区,700,750\n", encoding="utf-8")
    (t,) = read_tables(path)
    assert t.problems == [] and t.header_rows == (1, 2)
    assert [(c.label, c.unit) for c in t.columns] == [("地区生产总值｜2015", "亿元"), ("地区生产总值｜2016", "亿元")]
    assert [c.value for c in t.rows[0].cells] == [700.0, 750.0]


def test_divisions_messages_state_the_data_start_as_the_readme_does():
    """m6: the data start worded once: divisions on 2012-01-01 (the 2011 code table), never “2011年以来”."""
    from qstrong import divisions

    for m in (divisions.match("某某县", 2015), divisions.match("临淄区", 2005)):
        assert "2012年1月1日" in m.message and "2011年以来" not in m.message, m.message
    assert divisions.match("临淄区", 2011).ok
