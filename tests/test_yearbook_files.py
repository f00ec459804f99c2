"""Yearbook files opened as intake opens submissions: hostile files (renamed CSV, web page as .xls, encrypted,
zip bomb, truncated, empty, folder, missing, huge) give one Chinese problem naming the file; formulas with
and without a saved result, error values, dates and hidden parts follow the reader's cell policy; the input
is never modified; random bytes and random small tables raise nothing but InputError."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import zipfile
from datetime import datetime

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qstrong import workbook as W
from qstrong.errors import InputError
from qstrong.intake import files as intake_files
from qstrong.yearbook import read_sheets, read_tables
from qstrong.yearbook.cells import TEXT, Unread, parse_cell

HEAD = ["地区", "地区生产总值（亿元）", "一般公共预算收入（亿元）"]
ENCRYPTED = W._OLE + b"\x00" * 600 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 600


def _xlsx(path, rows, title="表1", edit=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    if edit:
        edit(wb)
    wb.save(path)
    return path


def _patch(path, member, old: bytes, new: bytes, count=1):
    """Rewrite one zip member replacing `old` by `new` (exactly `count` times: the test fails otherwise)."""
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename == member:
                assert data.count(old) == count, (old, data)
                data = data.replace(old, new)
            z.writestr(info.filename, data)
    return path


def _problem(path, **kw) -> str:
    with pytest.raises(InputError) as e:
        read_sheets(path, **kw)
    assert len(e.value.problems) == 1, e.value.problems
    return str(e.value.problems[0])


def _bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (70 << 20))
    return buf.getvalue()


def _truncated(tmp_path) -> bytes:
    data = _xlsx(tmp_path / "whole.xlsx", [HEAD, ["张店区", 1, 2]]).read_bytes()
    return data[: len(data) // 2]


WEB_XLS = ('<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta charset="utf-8"></head>'
           "<body><table><tr><td>地区</td><td>地区生产总值（亿元）</td></tr></table></body></html>").encode()
# name, bytes (or a maker), the diagnosis the problem must carry, what intake says for the same bytes (by hand)
CASES = [
    ("表.xlsx", "地区,地区生产总值（亿元）\n张店区,1\n".encode(), W.TEXT,
     "文件实际是文本/CSV（只改了扩展名）：请使用下发的模板填报并保存为.xlsx"),
    ("导出.xls", WEB_XLS, W.WEB_PAGE,
     "文件实际是网页/XML（可能是从系统导出的“假Excel”并改了扩展名）：请在Excel中打开后另存为.xlsx"),
    ("加密.xlsx", ENCRYPTED, W.ENCRYPTED, "工作簿已加密（设置了打开密码），无法读取：请在Excel中取消密码后另存为.xlsx再报送"),
    ("空.xlsx", b"", W.EMPTY, "文件为空（0字节），请重新保存后报送"),
    ("截断.xlsx", _truncated, W.BROKEN_ZIP, "文件已损坏或不完整（压缩包结构错误，可能传输中断）：请重新保存并报送"),
    ("炸弹.xlsx", lambda _: _bomb(), "疑似压缩炸弹", None),
    ("乱码.xls", b"\x00\x01\x02garbage", W.UNKNOWN, "不是Excel工作簿（无法识别的文件格式）"),
]


@pytest.mark.parametrize("name,content,diagnosis,intake", CASES, ids=[c[0] for c in CASES])
def test_hostile_file_one_problem_same_diagnosis_as_intake(tmp_path, name, content, diagnosis, intake):
    data = content(tmp_path) if callable(content) else content
    path = tmp_path / name
    path.write_bytes(data)
    for engine in ("openpyxl", "calamine"):
        p = _problem(path, engine=engine)
        assert p.startswith(f"文件“{name}”：") and diagnosis in p
    kind, said = intake_files.sniff(data, len(data), path.suffix)
    assert kind == "bad" and diagnosis in said
    if intake is not None:
        assert said == intake                         # intake's wording is unchanged
    with pytest.raises(InputError) as e:
        read_tables(path)
    assert [str(x) for x in e.value.problems] == [p]


def test_web_page_says_where_it_comes_from(tmp_path):
    (tmp_path / "导出.xls").write_bytes(WEB_XLS)
    assert "网站或业务系统导出的“Excel”常是这种网页表格" in _problem(tmp_path / "导出.xls")


def test_bomb_message_names_its_size(tmp_path):
    (tmp_path / "b.xlsx").write_bytes(_bomb())
    assert _problem(tmp_path / "b.xlsx") == ("文件“b.xlsx”：解压后体积异常（70 MB，年鉴表格不超过 64 MB），疑似压缩炸弹，不予读取："
                                            "请只把需要的表格复制到新文件后再导入")
    kind, said = intake_files.sniff(_bomb(), len(_bomb()), ".xlsx")    # intake's limit is the template's
    assert said.startswith("解压后体积异常（70 MB，填好的模板不超过 4 MB），疑似压缩炸弹，不予读取")


def test_missing_folder_too_big_and_damaged_xls(tmp_path):
    assert _problem(tmp_path / "无.xlsx") == "文件“无.xlsx”不存在：请检查路径和文件名"
    (tmp_path / "年鉴").mkdir()
    assert _problem(tmp_path / "年鉴").startswith("“年鉴”是文件夹，不是文件")
    big = tmp_path / "大.csv"
    big.write_bytes(b"a,1\n" * (21 * 1024 * 1024 // 4))
    assert _problem(big) == "文件“大.csv”：文件过大（21.0 MB，上限 20 MB），不予读取：请只把需要的表格复制到新文件后再导入"
    xls = tmp_path / "坏.xls"
    xls.write_bytes(W._OLE + b"\x01" * 3000)
    assert _problem(xls).startswith("文件“坏.xls”：旧版Excel(.xls)或WPS表格(.et)文件无法读取（")


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])
def test_huge_sheet_refused(tmp_path, engine):
    path = _xlsx(tmp_path / "宽.xlsx", [HEAD, ["张店区", 1, 2]], edit=lambda wb: wb.active.cell(2, 600, 1))
    assert _problem(path, engine=engine) == (
        "文件“宽.xlsx”工作表“表1”的内容范围有2行、600列，超过年鉴表格的上限（20,000行、500列）："
        "请删除表格以外的多余内容，或只复制该表到新文件后再试")
    tall = tmp_path / "长.csv"
    tall.write_text("地区,值\n" + "张店区,1\n" * 20_000, encoding="utf-8")
    assert "20,001行、2列，超过年鉴表格的上限" in _problem(tall)


# ---- cell policy ---------------------------------------------------------------------------------------

FORMULAS = [HEAD, ["张店区", 10, 2], ["临淄区", 20, "=C2*2"], ["合计", "=SUM(B2:B3)", "=SUM(C2:C3)"]]


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])
def test_formula_without_saved_result_is_a_problem_at_its_cell(tmp_path, engine):
    path = _xlsx(tmp_path / "f.xlsx", FORMULAS)           # openpyxl saves formulas with no result
    (s,) = read_sheets(path, engine=engine)
    assert s.cells[2][2] == "=C2*2（公式，文件中没有保存计算结果）" and isinstance(s.cells[2][2], Unread)
    assert s.remarks == ["文件“f.xlsx”工作表“表1”：C3、B4、C4是公式，但文件中没有保存计算结果（文件由程序生成、"
                         "未在Excel中打开保存过），不能读取：请在Excel中打开该文件、保存后再导入"]
    (t,) = read_tables(path, engine=engine)
    # a county's value is a problem; the 合计 row's sums are not read, so not a problem
    assert len(t.problems) == 1
    assert t.problems[0].startswith("文件“f.xlsx”工作表“表1”单元格C3：") and "没有保存计算结果" in t.problems[0]
    assert [(r.name, [c.value for c in r.cells]) for r in t.rows if r.kind == "county"] == [
        ("张店区", [10.0, 2.0]), ("临淄区", [20.0, None])]


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])
def test_formula_read_by_its_saved_result_with_a_remark(tmp_path, engine):
    path = _xlsx(tmp_path / "f.xlsx", FORMULAS)
    member = "xl/worksheets/sheet1.xml"
    for f, v in ((b"C2*2", b"4"), (b"SUM(B2:B3)", b"30"), (b"SUM(C2:C3)", b"6")):    # as Excel would save them
        _patch(path, member, b"<f>" + f + b"</f><v></v>", b"<f>" + f + b"</f><v>" + v + b"</v>")
    (s,) = read_sheets(path, engine=engine)
    assert s.remarks == ["文件“f.xlsx”工作表“表1”：C3、B4、C4是公式，按Excel保存的计算结果读取"]
    (t,) = read_tables(path, engine=engine)
    assert t.problems == []
    assert [(r.name, [(c.address, c.value) for c in r.cells]) for r in t.rows] == [
        ("张店区", [("B2", 10.0), ("C2", 2.0)]), ("临淄区", [("B3", 20.0), ("C3", 4.0)]),
        ("合计", [("B4", 30.0), ("C4", 6.0)])]


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])
def test_error_values_are_problems_naming_the_cell(tmp_path, engine):
    rows = [HEAD, ["张店区", "#DIV/0!", 2], ["临淄区", 20, 3], ["合计", "#N/A", 5]]
    path = _xlsx(tmp_path / "e.xlsx", rows)
    assert b't="e"' in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")     # stored as Excel errors
    (s,) = read_sheets(path, engine=engine)
    assert s.cells[1][1] == "#DIV/0!（Excel错误值）"
    assert "B2、B4是Excel错误值（如#DIV/0!、#N/A），不能读取" in s.remarks[0]
    (t,) = read_tables(path, engine=engine)
    assert len(t.problems) == 1 and t.problems[0].startswith("文件“e.xlsx”工作表“表1”单元格B2：“#DIV/0!（Excel错误值）”")
    assert t.rows[0].cells[0].value is None and t.rows[0].cells[0].status == TEXT


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])
def test_dates_and_booleans_in_number_columns(tmp_path, engine):
    path = _xlsx(tmp_path / "d.xlsx", [HEAD, ["临淄区", 20, 3], ["张店区", datetime(2021, 3, 1), True]])
    (t,) = read_tables(path, engine=engine)
    assert [p.split("：", 1)[0] for p in t.problems] == ["文件“d.xlsx”工作表“表1”单元格B3",
                                                       "文件“d.xlsx”工作表“表1”单元格C3"]
    assert "日期" in parse_cell(datetime(2021, 3, 1)).why and "逻辑值" in parse_cell(True).why
    assert parse_cell(Unread("#N/A", "Excel错误值")) == parse_cell(Unread("#N/A", "Excel错误值"))
    assert parse_cell(Unread("#N/A", "Excel错误值")).status == TEXT


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])
def test_hidden_sheet_rows_and_columns_read_and_said(tmp_path, engine):
    def hide(wb):
        ws = wb.active
        ws.row_dimensions[3].hidden = True
        ws.column_dimensions["C"].hidden = True
        ws.column_dimensions["E"].hidden = True                 # empty: not worth a remark
        other = wb.create_sheet("旧表")
        other.append(HEAD)
        other.append(["淄川区", 5, 6])
        other.sheet_state = "hidden"

    path = _xlsx(tmp_path / "h.xlsx", [HEAD, ["张店区", 10, 2], ["临淄区", 20, 3]], edit=hide)
    main, old = read_sheets(path, engine=engine)
    assert main.remarks == ["文件“h.xlsx”工作表“表1”：第3行是隐藏行（在Excel中看不到），已照常读取",
                            "文件“h.xlsx”工作表“表1”：第C列是隐藏列（在Excel中看不到），已照常读取"]
    assert not main.hidden and old.hidden
    assert old.remarks == ["文件“h.xlsx”工作表“旧表”：是隐藏的工作表，已照常读取：请核对是否应当导入"]
    t, o = read_tables(path, engine=engine)
    assert [(r.name, [c.value for c in r.cells]) for r in t.rows] == [("张店区", [10.0, 2.0]), ("临淄区", [20.0, 3.0])]
    assert [(r.name, [c.value for c in r.cells]) for r in o.rows] == [("淄川区", [5.0, 6.0])]


def test_cell_or_row_written_twice_refused_as_intake_does(tmp_path):
    path = _xlsx(tmp_path / "r.xlsx", [HEAD, ["张店区", 10, 2]])
    _patch(path, "xl/worksheets/sheet1.xml", b'<c r="C2" t="n"><v>2</v></c>',
           b'<c r="C2" t="n"><v>2</v></c><c r="C2" t="n"><v>9</v></c>')
    assert _problem(path).startswith("文件“r.xlsx”工作表“表1”：" + W.REPEATED_CELL.format(cell="C2"))
    path = _xlsx(tmp_path / "s.xlsx", [HEAD, ["张店区", 10, 2]], edit=lambda wb: wb.create_sheet("表2"))
    _patch(path, "xl/workbook.xml", 'name="表2"'.encode(), 'name="表1"'.encode())
    assert _problem(path).startswith("文件“s.xlsx”：" + W.DUPLICATE_SHEET.format(n=2, name="表1"))


def test_macros_read_without_running_them_intake_refuses(tmp_path):
    path = _xlsx(tmp_path / "m.xlsx", [HEAD, ["张店区", 10, 2]])
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("xl/vbaProject.bin", b"\x00" * 64)
    (s,) = read_sheets(path)
    assert s.remarks == ["文件“m.xlsx”工作表“表1”：工作簿含宏（.xlsm/VBA）：宏未运行，只读取了单元格保存的值"]
    data = path.read_bytes()
    assert intake_files.sniff(data, len(data), ".xlsx")[1].startswith(W.MACROS)


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) not installed")
def test_legacy_xls_renamed_xlsx_read_as_xls(tmp_path):
    src = _xlsx(tmp_path / "x.xlsx", [HEAD, ["张店区", 10, 2]])
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
                    "xls:MS Excel 97", "--outdir", str(tmp_path / "out"), str(src)],
                   check=False, capture_output=True, timeout=180)
    xls = tmp_path / "out" / "x.xls"
    if not xls.is_file():
        pytest.skip("LibreOffice Calc not installed: no .xls could be written")
    renamed = tmp_path / "改名.xlsx"
    renamed.write_bytes(xls.read_bytes())
    (s,) = read_sheets(renamed)
    assert s.kind == "xls" and s.cells == [HEAD, ["张店区", 10, 2]]
    assert s.remarks[0] == ("文件“改名.xlsx”工作表“表1”：文件扩展名是.xlsx，但内容是旧版Excel(.xls)或WPS表格(.et)格式"
                            "（只改了扩展名），已按旧版格式读取")
    assert "无法检查公式、错误值和隐藏行" in s.remarks[1]
    truncated = tmp_path / "截断.xls"
    truncated.write_bytes(xls.read_bytes()[:1500])
    assert "旧版Excel(.xls)或WPS表格(.et)文件无法读取" in _problem(truncated)
    data = renamed.read_bytes()
    assert intake_files.sniff(data, len(data), ".xlsx")[1].startswith(W.LEGACY_RENAMED.format(suffix=".xlsx"))


def test_inputs_never_modified(tmp_path):
    xlsx = _xlsx(tmp_path / "f.xlsx", FORMULAS, edit=lambda wb: setattr(wb.active.row_dimensions[2], "hidden", True))
    csv = tmp_path / "g.csv"
    csv.write_bytes("地区,地区生产总值（亿元）\n张店区,1\n".encode("gbk"))
    for path in (xlsx, csv):
        os.utime(path, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
        path.chmod(0o444)                                  # read-only: nothing needs to write it
        before = (path.read_bytes(), path.stat().st_mtime_ns)
        for engine in ("openpyxl", "calamine"):
            read_tables(path, engine=engine)
        assert (path.read_bytes(), path.stat().st_mtime_ns) == before


# ---- fuzz: nothing but InputError ------------------------------------------------------------------------

def _read_or_inputerror(path, engine="openpyxl"):
    try:
        tables = read_tables(path, engine=engine)
    except InputError as e:
        assert e.problems and all(str(p) for p in e.problems)
        return None
    assert isinstance(tables, list)
    return tables


MAGIC = st.sampled_from([b"", b"PK\x03\x04", W._OLE, b"\xef\xbb\xbf", b"\xff\xfe", b"<html>", b"\x00"])


@settings(max_examples=120, deadline=None)
@given(MAGIC, st.binary(max_size=600), st.sampled_from([".xlsx", ".xls", ".csv", ".txt", ".et"]))
def test_fuzz_random_bytes(magic, body, suffix):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "f" + suffix)
        with open(path, "wb") as f:
            f.write(magic + body)
        _read_or_inputerror(path)


CELL = st.one_of(st.none(), st.sampled_from(["地区", "张店区", "临淄区", "市中区", "合计", "—", "…", "x", "1,234.5",
                                              "单位：万元", "注：", "=SUM(B2:B3)", "#N/A", "地区生产总值（亿元）",
                                              "2015", "7.0①", "", " "]),
                 st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False, width=32),
                 st.booleans(), st.dates().map(lambda d: datetime(d.year, d.month, d.day)))
GRID = st.lists(st.lists(CELL, max_size=5), max_size=7)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(GRID, st.booleans())
def test_fuzz_small_grids_as_xlsx_and_csv(grid, hide):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "g.xlsx")
        wb = openpyxl.Workbook()
        for row in grid:
            wb.active.append(row)
        if hide:
            wb.active.row_dimensions[2].hidden = True
        wb.save(path)
        for engine in ("openpyxl", "calamine"):
            tables = _read_or_inputerror(path, engine)
            assert tables is None or all(t.file == "g.xlsx" for t in tables)
        csv = os.path.join(d, "g.csv")
        with open(csv, "w", encoding="utf-8") as f:
            f.write("\n".join(",".join("" if v is None else str(v).replace(",", "，") for v in row) for row in grid))
        _read_or_inputerror(csv)


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 10**6), st.binary(min_size=1, max_size=40), st.booleans())
def test_fuzz_damaged_workbooks(at, junk, inside):
    """A valid workbook damaged in its bytes (zip level) or in its sheet's XML (re-zipped, so CRCs hold)."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "w.xlsx")
        _xlsx(path, FORMULAS)
        if inside:
            with zipfile.ZipFile(path) as z:
                xml = z.read("xl/worksheets/sheet1.xml")
            k = at % len(xml)
            _patch(path, "xl/worksheets/sheet1.xml", xml, xml[:k] + junk + xml[k:])
        else:
            data = open(path, "rb").read()
            k = at % len(data)
            with open(path, "wb") as f:
                f.write(data[:k] + junk + data[k + len(junk):])
        for engine in ("openpyxl", "calamine"):
            _read_or_inputerror(path, engine)


def test_advice_keys_are_known_cases():
    """A misspelt case would drop its advice silently."""
    from qstrong.yearbook import reader

    assert set(reader.ADVICE) <= set(W.CASES) and set(intake_files._ADVICE) <= set(W.CASES)
    assert set(W.CASES) - set(reader.ADVICE) == {"legacy_renamed", "macros"}      # read, not refused
