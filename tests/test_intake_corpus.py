"""Department intake against a corpus of malformed and messy submissions.

Every submission is generated here, in tmp_path, from the real templates: not-Excel files, damaged
zips, encrypted / legacy / macro workbooks, tampered metadata and rows, bad cell values, duplicate
departments and conflicting values. Each must give its own Chinese message naming file, sheet, cell
and measure — never a traceback, never only the first problem, never a modified input file. Messy but
valid typing (有/无/√, "95%", "1,234", "12项", full-width digits, stray spaces) must be accepted with
the normalisation recorded.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
import re
import shutil
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

from qstrong.catalog import load_catalog
from qstrong.departments import assignment
from qstrong.intake import files as F
from qstrong.intake import layout as L
from qstrong.intake.collect import intake
from qstrong.intake.fill import excel_value, fill_template
from qstrong.intake.templates import template_filename, write_templates

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "zibo_panel.csv"
COUNTY, YEAR = "临淄区", 2022
VCOL = get_column_letter(L.COL_INDEX[L.VALUE])          # E
CATALOG = load_catalog()
BY_DEPT = assignment(CATALOG).by_department


def owners(mid: str) -> list[str]:
    """Departments whose template carries `mid`, in assignment order."""
    return [d for d, ms in BY_DEPT.items() if mid in ms]


def owner(mid: str) -> str:
    return owners(mid)[0]


# measures used below, chosen by kind; their departments follow the current assignment
BOOL, BOOL2 = "q09.funded.brand", "q09.funded.credit"
LEVEL = "q25.injury_monitoring"
PCT, PCT2 = "q17.verification_rate", "q17.class_a_coverage"
COUNT, COUNT2, COUNT3, COUNT4 = ("q42.national_first.lead", "q42.national_first.partner",
                                 "q42.national_second.lead", "q42.national_second.partner")
NUMBER = "q41.tech_trade"
TECH = owner(COUNT)
assert owner(NUMBER) == TECH and CATALOG.measures[COUNT].kind == "count"
assert CATALOG.measures[PCT].kind == "percent" and CATALOG.measures[PCT].high == 100
assert CATALOG.measures[BOOL].kind == "bool" and len(owners(BOOL)) >= 2
CONFLICT_NUM = "q10.quality_funding"
assert CATALOG.measures[CONFLICT_NUM].kind == "number" and len(owners(CONFLICT_NUM)) >= 2


# ---------------------------------------------------------------------------------------------
# templates, written once


@dataclass
class Templates:
    dir: Path
    other_year: Path
    other_county: Path
    rows: dict[str, dict[str, int]]          # department → measure → row of the 填报 sheet

    def path(self, dept: str) -> Path:
        return self.dir / template_filename(dept)

    def row(self, dept: str, mid: str) -> int:
        return self.rows[dept][mid]

    def cell(self, dept: str, mid: str) -> str:
        return f"{VCOL}{self.row(dept, mid)}"


@pytest.fixture(scope="module")
def T(tmp_path_factory) -> Templates:
    base = tmp_path_factory.mktemp("templates")
    write_templates(base / "2022", county=COUNTY, year=YEAR)
    write_templates(base / "2021", county=COUNTY, year=YEAR - 1)
    write_templates(base / "zichuan", county="淄川区", year=YEAR)
    rows = {}
    for dept in [*BY_DEPT, L.MASTER]:
        ws = openpyxl.load_workbook(base / "2022" / template_filename(dept))[L.SHEET_DATA]
        ic = L.COL_INDEX[L.MEASURE_ID]
        rows[dept] = {ws.cell(r, ic).value: r for r in range(L.FIRST_ROW, ws.max_row + 1)
                      if ws.cell(r, ic).value}
    return Templates(base / "2022", base / "2021", base / "zichuan", rows)


# ---------------------------------------------------------------------------------------------
# ways of spoiling a file


def edit(src: Path, dst: Path, fn: Callable) -> None:
    """Open `src` in openpyxl, let `fn(wb)` change it, save as `dst` (as a person in Excel would)."""
    wb = openpyxl.load_workbook(src)
    fn(wb)
    wb.save(dst)


def set_values(T: Templates, dept: str, values: dict) -> Callable:
    """fn(wb) typing `values` (measure → cell content) into the department's value cells."""
    def fn(wb):
        ws = wb[L.SHEET_DATA]
        for mid, v in values.items():
            ws[T.cell(dept, mid)] = v
    return fn


def rezip(src: bytes, change: Callable[[str, bytes], bytes | None] = lambda n, b: b,
          extra: dict[str, bytes] | None = None, stored: bool = False) -> bytes:
    """Rewrite a zip member by member: change(name, data) → new data or None (dropped)."""
    zin = zipfile.ZipFile(io.BytesIO(src))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                z.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def sheet_member(src: bytes, title: str) -> str:
    """Zip member holding the sheet called `title` (via workbook.xml and its relationships), read as XML
    (openpyxl writes attributes and prefixes differently with and without lxml)."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    z = zipfile.ZipFile(io.BytesIO(src))
    sheets = ElementTree.fromstring(z.read("xl/workbook.xml")).iter(f"{main}sheet")
    rid = next(s.get(rel) for s in sheets if s.get("name") == title)
    rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target") for r in rels if r.get("Id") == rid)
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def put_xml(sheet_xml: str, coord: str, inner: str, t: str | None = None) -> str:
    """Replace cell `coord` by raw XML content (what Excel writes for formulas and errors)."""
    def rep(mo):
        style = re.search(r' s="\d+"', mo.group(0))
        attrs = (style.group(0) if style else "") + (f' t="{t}"' if t else "")
        return f'<c r="{coord}"{attrs}>{inner}</c>'
    new, n = re.subn(rf'<c r="{coord}"[^>]*?(?:/>|>.*?</c>)', rep, sheet_xml, count=1, flags=re.S)
    assert n == 1, coord
    return new


def with_cells_xml(src: Path, dst: Path, cells: dict[str, tuple[str, str | None]]) -> None:
    data = src.read_bytes()
    member = sheet_member(data, L.SHEET_DATA)

    def change(name, b):
        if name != member:
            return b
        x = b.decode()
        for coord, (inner, t) in cells.items():
            x = put_xml(x, coord, inner, t)
        return x.encode()
    dst.write_bytes(rezip(data, change))


def flip_member_bytes(data: bytes, member: str) -> bytes:
    """Damage the compressed data of one member, leaving the zip directory intact."""
    z = zipfile.ZipFile(io.BytesIO(data))
    info = z.getinfo(member)
    n, e = struct.unpack("<HH", data[info.header_offset + 26: info.header_offset + 30])
    start = info.header_offset + 30 + n + e
    b = bytearray(data)
    for j in range(start + info.compress_size // 3, start + info.compress_size // 3 + 24):
        b[j] ^= 0xFF
    return bytes(b)


# ---------------------------------------------------------------------------------------------
# the corpus


@dataclass
class Expect:
    """An issue that must be reported: message fragment and location (None = not checked).

    `mentions`: further fragments of the message; "{p}" stands for the case's folder prefix.
    `status`: the status the cell must have in res.cells() (for value cells).
    """

    fragment: str
    file: str
    sheet: str | None = None
    cell: str | None = None
    measure: str | None = None
    level: str = "错误"
    mentions: tuple[str, ...] = ()
    status: str | None = None


@dataclass
class Case:
    id: str
    make: Callable[[Path, Templates], None]
    expect: Callable[[Templates], list[Expect]]
    kwargs: dict = field(default_factory=dict)     # intake(year=, county=)
    patch: dict = field(default_factory=dict)      # qstrong.intake.files limits to lower
    solo: bool = False                             # only meaningful alone in its folder


CASES: list[Case] = []


def case(id: str, expect: Callable[[Templates], list[Expect]], **kw):
    def deco(make):
        CASES.append(Case(id, make, expect, **kw))
        return make
    return deco


def tfile(dept: str) -> str:
    return template_filename(dept)


def cellx(T, dept, mid, fragment, status="拒绝", **kw) -> Expect:
    """Expected problem in one value cell of the 填报 sheet."""
    return Expect(fragment, tfile(dept), L.SHEET_DATA, T.cell(dept, mid), mid, status=status, **kw)


def metax(dept: str, fragment: str) -> list[Expect]:
    return [Expect(fragment, tfile(dept), L.SHEET_META, "", "")]


def filex(name: str, fragment: str) -> Callable:
    return lambda T: [Expect(fragment, name, "", "", "")]


# -- not an .xlsx at all ------------------------------------------------------------------------

@case("csv_renamed", filex(tfile(TECH), "文件实际是文本/CSV（只改了扩展名）"))
def _(d, T):
    (d / tfile(TECH)).write_text(f"数据项编号,填报值\n{NUMBER},12.5\n{COUNT},3\n", encoding="utf-8")


@case("csv_gbk_renamed", filex(tfile(TECH), "文件实际是文本/CSV"))
def _(d, T):
    (d / tfile(TECH)).write_bytes(f"数据项编号\t填报值\r\n{NUMBER}\t12.5\r\n".encode("gbk"))


@case("unicode_text_export", filex(tfile(TECH), "文件实际是文本/CSV"))
def _(d, T):      # Excel's "另存为 Unicode 文本": UTF-16 with BOM, tab separated
    (d / tfile(TECH)).write_bytes(f"数据项编号\t填报值\r\n{NUMBER}\t12.5\r\n".encode("utf-16"))


@case("html_renamed_xls", filex("区统计局.xls", "文件实际是网页/XML"))
def _(d, T):
    (d / "区统计局.xls").write_text("<html><head><meta charset='utf-8'></head><body><table>"
                                   "<tr><td>gdp</td><td>911.6</td></tr></table></body></html>", encoding="utf-8")


@case("empty_file", filex(tfile(owner(BOOL)), "文件为空（0字节）"))
def _(d, T):
    (d / tfile(owner(BOOL))).write_bytes(b"")


@case("docx_renamed", filex(tfile(TECH), "文件实际是Word文档（.docx）"))
def _(d, T):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    (d / tfile(TECH)).write_bytes(out.getvalue())


@case("plain_zip_renamed", filex(tfile(TECH), "压缩包不是Excel工作簿（缺少工作簿结构）"))
def _(d, T):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("佐证材料/说明.txt", "见附件")
    (d / tfile(TECH)).write_bytes(out.getvalue())


@case("random_bytes", filex(tfile(TECH), "不是Excel工作簿（无法识别的文件格式）"))
def _(d, T):
    (d / tfile(TECH)).write_bytes(b"\x00\x01" + random.Random(7).randbytes(3000))


# -- damaged zips -------------------------------------------------------------------------------

@case("truncated_zip", filex(tfile(TECH), "文件已损坏或不完整（压缩包结构错误，可能传输中断）"))
def _(d, T):
    data = T.path(TECH).read_bytes()
    (d / tfile(TECH)).write_bytes(data[: len(data) // 2])


@case("corrupt_member_deflate", lambda T: [Expect("文件已损坏（xl/worksheets/sheet2.xml 无法解压）", tfile(TECH),
                                                  "", "", "")])
def _(d, T):
    data = T.path(TECH).read_bytes()
    assert sheet_member(data, L.SHEET_DATA) == "xl/worksheets/sheet2.xml"
    (d / tfile(TECH)).write_bytes(flip_member_bytes(data, "xl/worksheets/sheet2.xml"))


@case("corrupt_member_crc", filex(tfile(TECH), "无法解压），请重新保存并报送"))
def _(d, T):
    data = rezip(T.path(TECH).read_bytes(), stored=True)      # stored: damage shows only in the CRC
    (d / tfile(TECH)).write_bytes(flip_member_bytes(data, "xl/worksheets/sheet2.xml"))


@case("malformed_sheet_xml", filex(tfile(TECH), "工作簿无法打开（ParseError），文件可能已损坏"))
def _(d, T):
    data = T.path(TECH).read_bytes()
    member = sheet_member(data, L.SHEET_DATA)
    (d / tfile(TECH)).write_bytes(rezip(data, lambda n, b: b[: len(b) // 2] if n == member else b))


@case("workbook_xml_missing", filex(tfile(TECH), "工作簿无法打开（KeyError），文件可能已损坏"))
def _(d, T):
    data = T.path(TECH).read_bytes()
    (d / tfile(TECH)).write_bytes(rezip(data, lambda n, b: None if n == "xl/workbook.xml" else b,
                                        extra={"xl/other.xml": b"<x/>"}))


# -- encrypted, legacy, macro -------------------------------------------------------------------

OLE = bytes.fromhex("D0CF11E0A1B11AE1")


@case("encrypted_workbook", filex(tfile(TECH), "工作簿已加密（设置了打开密码），无法读取"))
def _(d, T):
    (d / tfile(TECH)).write_bytes(OLE + b"\x00" * 1016 + "EncryptionInfo".encode("utf-16-le")
                                  + b"\x00" * 512 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 2048)


@case("legacy_xls_unreadable", filex("区统计局.xls", "旧版Excel(.xls)或WPS表格(.et)文件无法读取：请在Excel/WPS中打开，"
                                                     "“另存为”Excel工作簿(*.xlsx)后报送"))
def _(d, T):
    (d / "区统计局.xls").write_bytes(OLE + random.Random(3).randbytes(4000))


@case("macro_xlsm", filex(TECH + ".xlsm", "工作簿含宏（.xlsm/VBA），为安全起见不予读取"))
def _(d, T):
    shutil.copy(T.path(TECH), d / (TECH + ".xlsm"))


@case("macro_vba_member", filex(tfile(TECH), "工作簿含宏"))
def _(d, T):
    data = T.path(TECH).read_bytes()
    (d / tfile(TECH)).write_bytes(rezip(data, extra={"xl/vbaProject.bin": OLE + b"\x00" * 600}))


# -- size limits --------------------------------------------------------------------------------

@case("zip_bomb_ratio", filex(tfile(TECH), "疑似压缩炸弹，不予读取"))
def _(d, T):
    data = T.path(TECH).read_bytes()       # one member: 8 MB of zeros in ~8 KB (ratio ≈ 1000)
    (d / tfile(TECH)).write_bytes(rezip(data, extra={"xl/media/image1.bin": b"\x00" * (8 << 20)}))


@case("zip_bomb_total", filex(tfile(TECH), "解压后体积异常"), patch={"MAX_UNZIPPED_BYTES": 10_000}, solo=True)
def _(d, T):
    shutil.copy(T.path(TECH), d / tfile(TECH))


@case("file_too_large", filex(tfile(TECH), "文件过大"), patch={"MAX_FILE_BYTES": 2_000}, solo=True)
def _(d, T):
    fill_template(T.path(TECH), d / tfile(TECH), {COUNT: 3})


# -- metadata -----------------------------------------------------------------------------------

def meta_set(key: str, value) -> Callable:
    def fn(wb):
        ws = wb[L.SHEET_META]
        for r in range(1, ws.max_row + 1):
            if ws.cell(r, 1).value == key:
                ws.cell(r, 2).value = value
    return fn


@case("meta_sheet_missing", filex(tfile(TECH), "缺少隐藏的元数据工作表“_meta”"))
def _(d, T):
    edit(T.path(TECH), d / tfile(TECH), lambda wb: wb.remove(wb[L.SHEET_META]))


@case("meta_wrong_version", lambda T: metax(TECH, "模板版本为0，当前为" + L.TEMPLATE_VERSION))
def _(d, T):
    edit(T.path(TECH), d / tfile(TECH), meta_set("template_version", "0"))


@case("meta_wrong_fingerprint", lambda T: metax(TECH, "模板与当前指标目录不一致"))
def _(d, T):
    edit(T.path(TECH), d / tfile(TECH), meta_set("catalog_fingerprint", "0123456789abcdef"))


@case("meta_unknown_department", lambda T: metax(TECH, "元数据中的部门“区宣传部”不是已知的责任部门"))
def _(d, T):
    edit(T.path(TECH), d / tfile(TECH), meta_set("department", "区宣传部"))


@case("meta_incomplete", lambda T: metax(TECH, "元数据不完整，缺少：year"))
def _(d, T):
    edit(T.path(TECH), d / tfile(TECH), meta_set("year", None))


@case("meta_year_not_a_year", lambda T: metax(TECH, "元数据中的年度“二〇二二”不是年份"))
def _(d, T):
    edit(T.path(TECH), d / tfile(TECH), meta_set("year", "二〇二二"))


@case("wrong_year", lambda T: metax(TECH, f"模板年度为{YEAR - 1}，本次收集的是{YEAR}年度：请使用{YEAR}年度模板"),
      kwargs={"year": YEAR})
def _(d, T):
    fill_template(T.other_year / tfile(TECH), d / tfile(TECH), {COUNT: 3})


@case("wrong_county", lambda T: metax(TECH, f"模板属于“淄川区”，本次收集的是“{COUNTY}”"), kwargs={"county": COUNTY})
def _(d, T):
    fill_template(T.other_county / tfile(TECH), d / tfile(TECH), {COUNT: 3})


# -- structure of the 填报 sheet ------------------------------------------------------------------

@case("data_sheet_renamed", filex(tfile(TECH), "缺少“填报”工作表（被删除或改名）"))
def _(d, T):
    edit(T.path(TECH), d / tfile(TECH), lambda wb: setattr(wb[L.SHEET_DATA], "title", "Sheet1"))


@case("header_id_column_renamed",
      lambda T: [Expect("找不到表头（“数据项编号”列被删除或改名）", tfile(TECH), L.SHEET_DATA, "", "")])
def _(d, T):
    def fn(wb):
        wb[L.SHEET_DATA].cell(L.HEADER_ROW, L.COL_INDEX[L.MEASURE_ID]).value = "编号"
    edit(T.path(TECH), d / tfile(TECH), fn)


@case("header_value_column_renamed",
      lambda T: [Expect("表头缺少“填报值”列", tfile(TECH), L.SHEET_DATA, f"第{L.HEADER_ROW}行", "")])
def _(d, T):
    def fn(wb):
        wb[L.SHEET_DATA].cell(L.HEADER_ROW, L.COL_INDEX[L.VALUE]).value = "数值"
    edit(T.path(TECH), d / tfile(TECH), fn)


@case("measure_row_deleted", lambda T: [Expect(f"模板中的数据项行被删除：{CATALOG.measures[NUMBER].name_zh}",
                                               tfile(TECH), L.SHEET_DATA, "", NUMBER)])
def _(d, T):
    edit(T.path(TECH), d / tfile(TECH), lambda wb: wb[L.SHEET_DATA].delete_rows(T.row(TECH, NUMBER)))


@case("measure_row_duplicated",
      lambda T: [Expect(f"数据项重复出现（另见单元格{T.cell(TECH, COUNT)}），请删除多余的行", tfile(TECH), L.SHEET_DATA,
                        f"{VCOL}{max(T.rows[TECH].values()) + 1}", COUNT)])
def _(d, T):
    def fn(wb):
        ws = wb[L.SHEET_DATA]
        src, dst = T.row(TECH, COUNT), ws.max_row + 1
        for c in range(1, len(L.COLUMNS) + 1):
            ws.cell(dst, c).value = ws.cell(src, c).value
        ws.cell(src, L.COL_INDEX[L.VALUE]).value = 3
        ws.cell(dst, L.COL_INDEX[L.VALUE]).value = 4
    edit(T.path(TECH), d / tfile(TECH), fn)


@case("measure_id_typo",
      lambda T: [Expect("未知的数据项编号“q41.tech_trad”（编号列被改动），是否应为 q41.tech_trade？", tfile(TECH),
                        L.SHEET_DATA, T.cell(TECH, NUMBER), "q41.tech_trad"),
                 Expect("模板中的数据项行被删除", tfile(TECH), L.SHEET_DATA, "", NUMBER)])
def _(d, T):
    def fn(wb):
        ws = wb[L.SHEET_DATA]
        ws.cell(T.row(TECH, NUMBER), L.COL_INDEX[L.MEASURE_ID]).value = "q41.tech_trad"
        ws[T.cell(TECH, NUMBER)] = 44.01
    edit(T.path(TECH), d / tfile(TECH), fn)


@case("value_without_measure_id",
      lambda T: [Expect("这一行有填报值但没有数据项编号（行被改动或插入），该值无法识别", tfile(TECH), L.SHEET_DATA,
                        f"{VCOL}{max(T.rows[TECH].values()) + 2}", "")])
def _(d, T):
    def fn(wb):
        ws = wb[L.SHEET_DATA]
        ws.cell(ws.max_row + 2, L.COL_INDEX[L.VALUE]).value = 7
    edit(T.path(TECH), d / tfile(TECH), fn)


@case("merged_value_cells", lambda T: [cellx(T, TECH, COUNT, "填报值单元格被合并，无法确定属于哪个数据项"),
                                       cellx(T, TECH, COUNT2, "填报值单元格被合并")])
def _(d, T):
    def fn(wb):
        ws = wb[L.SHEET_DATA]
        ws[T.cell(TECH, COUNT)] = 3
        ws.merge_cells(f"{T.cell(TECH, COUNT)}:{T.cell(TECH, COUNT2)}")
    edit(T.path(TECH), d / tfile(TECH), fn)


# -- bad values ---------------------------------------------------------------------------------

def value_case(id: str, mid: str, raw, fragment: str, fmt: str | None = None, **kw):
    dept = owner(mid)

    def make(d, T):
        def fn(wb):
            c = wb[L.SHEET_DATA][T.cell(dept, mid)]
            c.value = raw
            if fmt is not None:
                c.number_format = fmt
        edit(T.path(dept), d / tfile(dept), fn)
    CASES.append(Case(id, make, lambda T: [cellx(T, dept, mid, fragment)], **kw))


value_case("text_in_count", COUNT, "十二", "“十二”不是数字")
value_case("text_in_number", NUMBER, "约四十亿", "“约四十亿”不是数字")
value_case("negative_count", COUNT, -3, "-3超出允许范围：应不小于0的整数")
value_case("fractional_count", COUNT, 2.5, "“2.5”不是整数")
value_case("rate_over_100_in_percent_cell", PCT, 1.2, "120超出允许范围：应不小于0，不大于100")
value_case("rate_over_100_typed_with_sign", PCT, "120%", "120超出允许范围")
value_case("bare_fraction_general_format", PCT, 0.95, "0.95含义不明：是0.95%还是95%？请填写带百分号的数，如“95%”",
           fmt="General")
value_case("bare_fraction_as_text", PCT2, "0.95", "“0.95”含义不明")
value_case("percent_sign_on_count", COUNT, "12%", "“12%”带百分号，但")
value_case("date_in_number", NUMBER, datetime(2022, 12, 31), "填报值是日期/时间（2022-12-31 00:00:00），应为不小于0")
value_case("formula_without_cached_value", NUMBER, "=B4*2", "单元格是公式（=B4*2），文件中没有保存计算结果")
value_case("bool_not_yes_no", BOOL, "也许", "“也许”不是是/否值")
value_case("bool_number_2", BOOL, 2, "2不是是/否值")
value_case("level_not_a_choice", LEVEL, "已推行", "“已推行”不是可选等级")
value_case("not_finite", NUMBER, "1e400", "“1e400”不是数字")


@case("error_values", lambda T: [cellx(T, TECH, c, f"单元格是错误值 {e}，请改为实际数值")
                                 for c, e in ((COUNT, "#DIV/0!"), (COUNT2, "#N/A"), (COUNT3, "#REF!"))])
def _(d, T):
    vals = {COUNT: "#DIV/0!", COUNT2: "#N/A", COUNT3: "#REF!"}

    def fn(wb):
        set_values(T, TECH, vals)(wb)
        assert all(wb[L.SHEET_DATA][T.cell(TECH, m)].data_type == "e" for m in vals)
    edit(T.path(TECH), d / tfile(TECH), fn)


@case("formula_with_error_result",
      lambda T: [cellx(T, TECH, COUNT, "单元格是公式（=1/0），保存的结果是错误值 #DIV/0!"),
                 cellx(T, TECH, COUNT2, "单元格是公式（=VLOOKUP(A1,B:C,2,0)），保存的结果是错误值 #N/A"),
                 cellx(T, TECH, COUNT3, "单元格是错误值 #REF!")])
def _(d, T):      # written as Excel writes them: a formula with its cached (error) result
    with_cells_xml(T.path(TECH), d / tfile(TECH), {
        T.cell(TECH, COUNT): ("<f>1/0</f><v>#DIV/0!</v>", "e"),
        T.cell(TECH, COUNT2): ("<f>VLOOKUP(A1,B:C,2,0)</f><v>#N/A</v>", "e"),
        T.cell(TECH, COUNT3): ("<v>#REF!</v>", "e")})


@case("many_problems_in_one_file",
      lambda T: [cellx(T, TECH, COUNT, "“十二”不是数字"), cellx(T, TECH, COUNT2, "不是整数"),
                 cellx(T, TECH, COUNT3, "超出允许范围"), cellx(T, TECH, COUNT4, "错误值 #N/A"),
                 cellx(T, TECH, NUMBER, "日期")])
def _(d, T):
    edit(T.path(TECH), d / tfile(TECH), set_values(T, TECH, {
        COUNT: "十二", COUNT2: 1.5, COUNT3: -1, COUNT4: "#N/A", NUMBER: datetime(2023, 1, 5)}))


# -- across files -------------------------------------------------------------------------------

@case("two_files_same_department",
      lambda T: [Expect("无法判断以哪个为准，请确认后只保留一个文件", name, "", "", "",
                        mentions=(f"“{{p}}{tfile(TECH)}”", "“{p}区科技局（修改后）.xlsx”"))
                 for name in (tfile(TECH), "区科技局（修改后）.xlsx")])
def _(d, T):
    fill_template(T.path(TECH), d / tfile(TECH), {COUNT: 3})
    fill_template(T.path(TECH), d / "区科技局（修改后）.xlsx", {COUNT: 4})


def _conflict_expect(T):
    a, b = owners(BOOL)[:2]
    return [Expect("各部门填报不一致", "", "", "", BOOL,
                   mentions=(f"{a}“{{p}}{tfile(a)}”{T.cell(a, BOOL)}=是", f"{b}“{{p}}{tfile(b)}”{T.cell(b, BOOL)}=否",
                             "请核实后在裁定文件中指定采用哪个部门的值"))]


@case("conflict_between_departments", _conflict_expect, solo=True)
def _(d, T):
    a, b = owners(BOOL)[:2]
    fill_template(T.path(a), d / tfile(a), {BOOL: "是"})
    fill_template(T.path(b), d / tfile(b), {BOOL: "否"})


# ---------------------------------------------------------------------------------------------
# running the corpus


def hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def check(res, e: Expect, prefix: str = "") -> None:
    file = prefix + e.file if e.file else ""
    found = [i for i in res.issues if i.level == e.level and e.fragment in i.message and i.file == file
             and (e.sheet is None or i.sheet == e.sheet) and (e.cell is None or i.cell == e.cell)
             and (e.measure is None or i.measure == e.measure)
             and all(m.replace("{p}", prefix) in i.message for m in e.mentions)]
    assert found, f"no issue {e} (prefix {prefix!r}); got:\n" + "\n".join(map(str, res.issues))
    text = str(found[0])
    assert text.startswith(f"[{e.level}]")
    for part in (file and f"文件“{file}”", e.sheet and f"工作表“{e.sheet}”", e.cell and f"单元格{e.cell}",
                 e.measure and f"数据项 {e.measure}"):
        assert not part or part in text, (part, text)
    if e.status:
        cells = res.cells()
        row = cells[(cells.file == file) & (cells.cell == e.cell)]
        assert list(row.status) == [e.status], row
        assert row.measure.iloc[0] == e.measure and row.value.isna().all()
        assert not ((res.panel.file == file) & (res.panel.cell == e.cell)).any()


def test_corpus_is_large_and_distinct():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    assert len(CASES) >= 40


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_case_alone(c: Case, T, tmp_path, monkeypatch):
    folder = tmp_path / c.id
    folder.mkdir()
    c.make(folder, T)
    for k, v in c.patch.items():
        monkeypatch.setattr(F, k, v)
    before = hashes(folder)
    res = intake(folder, **c.kwargs)                 # never raises
    assert hashes(folder) == before                  # never modifies the input
    assert not res.ok
    for e in c.expect(T):
        check(res, e)
    assert res.report()                              # the summary renders


def test_whole_corpus_in_one_run(T, tmp_path):
    """Every bad file in one folder: one run, no exception, every problem reported, nothing modified."""
    root = tmp_path / "corpus"
    kwargs = {"year": YEAR, "county": COUNTY}
    cases = [c for c in CASES if not c.patch]
    for c in cases:
        assert c.kwargs.items() <= kwargs.items()
        (root / c.id).mkdir(parents=True)
        c.make(root / c.id, T)
    before = hashes(root)
    res = intake(root, **kwargs)
    assert hashes(root) == before                    # sha256 of every input file unchanged
    assert not res.ok
    checked = [c for c in cases if not c.solo]
    n_expected = 0
    for c in checked:
        for e in c.expect(T):
            check(res, e, prefix=f"{c.id}/")
            n_expected += 1
    bad_files = {i.file for i in res.errors if i.file}
    for c in checked:                                # every file of every case is reported
        for name in hashes(root / c.id):
            assert f"{c.id}/{name}" in bad_files, name
    assert len(bad_files) >= len(checked) >= 40
    assert len(res.errors) >= n_expected
    # the provenance of what was read is the file as it is on disk
    for b in res.books:
        assert b.info.sha256 == before[b.info.name]
    assert "错误" in res.report()


def test_all_problems_are_collected_not_just_the_first(T, tmp_path):
    c = next(c for c in CASES if c.id == "many_problems_in_one_file")
    c.make(tmp_path, T)
    res = intake(tmp_path)
    cells = {i.cell for i in res.errors if i.file == tfile(TECH)}
    assert len(cells) == 5


def test_ignored_and_lock_files(T, tmp_path):
    fill_template(T.path(TECH), tmp_path / tfile(TECH), {COUNT: 3}, evidence="统计年报")
    (tmp_path / f"~${tfile(TECH)}").write_bytes(b"\x00lock")         # Excel's lock file: skipped, said
    (tmp_path / ".DS_Store").write_bytes(b"junk")
    (tmp_path / "佐证材料.pdf").write_bytes(b"%PDF-1.4")
    res = intake(tmp_path)
    assert res.ok
    assert sorted((i.level, i.file) for i in res.issues) == [
        ("提醒", ".DS_Store"), ("提醒", "~$" + tfile(TECH)), ("提醒", "佐证材料.pdf")]
    assert "不是工作簿，已忽略" in next(i.message for i in res.issues if i.file == "佐证材料.pdf")
    assert list(res.panel.measure) == [COUNT]


def test_layout_changes_that_lose_nothing(T, tmp_path):
    """An inserted column, rows in another order and a stray space below the table: all still read,
    located at the cells where the values now are."""
    def fn(wb):
        ws = wb[L.SHEET_DATA]
        set_values(T, TECH, {COUNT: 3, NUMBER: 44.01})(wb)
        last = ws.max_row
        ws.move_range(f"A{T.row(TECH, NUMBER)}:I{T.row(TECH, NUMBER)}", rows=last + 1 - T.row(TECH, NUMBER))
        ws.cell(last + 5, L.COL_INDEX[L.VALUE]).value = "  "
        ws.insert_cols(3)
    edit(T.path(TECH), tmp_path / tfile(TECH), fn)
    res = intake(tmp_path)
    assert res.ok, "\n".join(map(str, res.issues))
    col = get_column_letter(L.COL_INDEX[L.VALUE] + 1)
    p = res.panel.set_index("measure")
    assert (p.loc[COUNT, "value"], p.loc[COUNT, "cell"]) == ("3", f"{col}{T.row(TECH, COUNT)}")
    assert (p.loc[NUMBER, "value"], p.loc[NUMBER, "cell"]) == ("44.01", f"{col}{max(T.rows[TECH].values()) + 1}")


def test_damaged_bytes_never_raise(T, tmp_path):
    """Random byte damage and truncation anywhere in a filled workbook: a message, never a traceback."""
    src = (tmp_path / "src.xlsx")
    fill_template(T.path(TECH), src, {COUNT: 3, NUMBER: 44.01})
    data = src.read_bytes()
    rng = random.Random(20221231)
    folder = tmp_path / "in"
    folder.mkdir()
    for k in range(40):
        b = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        (folder / f"flip{k:02d}.xlsx").write_bytes(bytes(b))
    for k in range(10):
        (folder / f"cut{k:02d}.xlsx").write_bytes(data[: rng.randrange(len(data))])
    res = intake(folder)
    assert not res.ok
    for p in folder.iterdir():
        if p.name.startswith("cut"):
            assert any(i.file == p.name for i in res.errors), p.name
    # whatever was read from a damaged file is exactly what was typed
    assert set(res.panel.value) <= {"3", "44.01"}


# ---------------------------------------------------------------------------------------------
# messy but valid: accepted, normalisation recorded

MKT = owner(PCT)
N, A = "已规范化", "采用"
MESSY = [  # (measure, typed, number format or None, value, statuses, note fragment)
    ("q09.funded.quality_development", "是", None, "是", {A}, ""),
    ("q09.funded.quality_supervision", "否", None, "否", {A}, ""),
    ("q09.funded.standardization", "有", None, "是", {N}, "“有”按“是”"),
    ("q09.funded.metrology", "无", None, "否", {N}, "“无”按“否”"),
    ("q09.funded.inspection_testing", "√", None, "是", {N}, "“√”按“是”"),
    ("q09.funded.certification_accreditation", "×", None, "否", {N}, "“×”按“否”"),
    ("q09.funded.brand", "Y", None, "是", {N}, "“Y”按“是”"),
    ("q09.funded.credit", "N", None, "否", {N}, "“N”按“否”"),
    ("q09.funded.trademark_patent", " 是 ", None, "是", {N}, "去掉多余空格"),
    ("q21.plan.production_safety", True, None, "是", {N, A}, "按“是”"),
    ("q21.plan.environment", "ｙｅｓ", None, "是", {N}, "全角转半角"),
    ("q17.verification_rate", "95%", None, "95", {N}, "去掉百分号"),
    ("q17.class_a_coverage", "95", None, "95", {A, N}, ""),
    ("q17.energy_review_coverage", 0.95, None, "95", {A, N}, "百分比格式单元格中的0.95按95%"),
    ("q26.disposal_rate", "９５％", None, "95", {N}, "全角转半角"),
    ("q31.drug_inspection_coverage", 0.914, None, "91.4", {A, N}, "按91.4%"),
    ("q14.international", "1,234", None, "1234", {N}, "“1,234”→1234；去掉千位分隔符"),
    ("q14.national_led", "12项", None, "12", {N}, "“12项”→12；去掉单位“项”"),
    ("q14.national_participated", " 12 ", None, "12", {N}, "去掉多余空格"),
    ("q14.provincial_local_led", "９５", None, "95", {N}, "“９５”→95"),
    ("q15.intl_tc_members", 3, None, "3", {A}, ""),
    ("q15.national_tc_secretariats", "3个", None, "3", {N}, "去掉单位“个”"),
    ("q15.provincial_tc_secretariats", 3.0, None, "3", {A}, ""),
    ("q10.quality_funding", "1,317.9万元", None, "1317.9", {N}, "去掉单位“万元”"),
    ("q10.public_expenditure", "86602 ", None, "86602", {N}, "去掉多余空格"),
    ("q25.injury_monitoring", "正在研究探索", None, "researching", {A}, ""),
    ("q25.recall_system", "有", None, "是", {N}, "“有”按“是”"),
    ("q24.training_events", "", None, None, {"未填报"}, ""),
    ("q24.exchange_events", "   ", None, None, {"未填报"}, ""),
]
assert all(owner(m) == MKT for m, *_ in MESSY)


@pytest.fixture(scope="module")
def messy(T, tmp_path_factory):
    folder = tmp_path_factory.mktemp("messy")

    def fn(wb):
        ws = wb[L.SHEET_DATA]
        for mid, raw, fmt, *_ in MESSY:
            ws[T.cell(MKT, mid)] = raw
            if fmt:
                ws[T.cell(MKT, mid)].number_format = fmt
    edit(T.path(MKT), folder / tfile(MKT), fn)
    edit(T.path(TECH), folder / tfile(TECH), set_values(T, TECH, {NUMBER: "４４．０１亿元"}))
    before = hashes(folder)
    res = intake(folder, year=YEAR, county=COUNTY)
    assert hashes(folder) == before
    return res


def test_messy_file_is_accepted(messy):
    assert messy.ok, "\n".join(map(str, messy.issues))


@pytest.mark.parametrize("mid,raw,fmt,value,statuses,note", MESSY, ids=[f"{m}={r!r}" for m, r, *_ in MESSY])
def test_messy_value_normalised(messy, T, mid, raw, fmt, value, statuses, note):
    cells = messy.cells()
    row = cells[(cells.file == tfile(MKT)) & (cells.measure == mid)]
    assert len(row) == 1
    r = row.iloc[0]
    assert r.cell == T.cell(MKT, mid)
    assert r.status in statuses, (r.status, r.note)
    assert note in r.note, r.note
    if r.status == "已规范化":
        assert r.note
    if value is None:
        assert pd.isna(r.value) and mid not in set(messy.panel.measure)
        chase = messy.chase()
        assert ((chase.measure == mid) & (chase.department == MKT) & (chase.status == "未填报")).any()
        return
    assert r.value == value
    p = messy.panel[messy.panel.measure == mid]
    assert len(p) == 1
    p = p.iloc[0]
    assert (p.value, p.department, p.file, p.sheet, p.cell) == (value, MKT, tfile(MKT), L.SHEET_DATA, r.cell)
    typed = str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw)   # Excel keeps 3.0 as 3
    assert p.original == r.original == typed
    assert p.county == COUNTY and p.year == YEAR


def test_full_width_number_with_its_unit(messy, T):
    cells = messy.cells()
    n = cells[(cells.file == tfile(TECH)) & (cells.measure == NUMBER)].iloc[0]
    assert (n.value, n.status) == ("44.01", "已规范化")
    assert "全角转半角" in n.note and "去掉单位“亿元”" in n.note


def test_chase_lists_unsent_departments(messy):
    chase = messy.chase()
    unsent = chase[chase.status == "未报送文件"]
    assert set(unsent.department) == set(BY_DEPT) - {MKT, TECH}


# ---------------------------------------------------------------------------------------------
# conflicts and their resolution


def _conflict_folder(T, folder: Path) -> tuple[str, str, str, str]:
    a, b = owners(BOOL)[:2]
    c, e = owners(CONFLICT_NUM)[:2]
    values: dict[str, dict] = {}
    values.setdefault(a, {})[BOOL] = "是"
    values.setdefault(b, {})[BOOL] = "否"
    values.setdefault(c, {})[CONFLICT_NUM] = 1317.9
    values.setdefault(e, {})[CONFLICT_NUM] = "1,300万元"
    values.setdefault(a, {})[BOOL2] = "是"                          # the same value twice: no conflict
    values.setdefault(b, {})[BOOL2] = "有"
    for dept, vals in values.items():
        fill_template(T.path(dept), folder / tfile(dept), vals)
    return a, b, c, e


def test_conflict_names_both_cells_and_is_not_guessed(T, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    a, b, c, e = _conflict_folder(T, folder)
    res = intake(folder)
    assert not res.ok
    for mid, x, y, vx, vy in ((BOOL, a, b, "是", "否"), (CONFLICT_NUM, c, e, "1317.9", "1,300万元")):
        issues = [i for i in res.errors if i.measure == mid]
        assert len(issues) == 1, issues
        msg = issues[0].message
        assert "各部门填报不一致" in msg and "裁定文件" in msg
        assert f"{x}“{tfile(x)}”{T.cell(x, mid)}={vx}" in msg
        assert f"{y}“{tfile(y)}”{T.cell(y, mid)}={vy}" in msg
        assert mid not in set(res.panel.measure)                   # neither value silently picked
    agree = res.panel[res.panel.measure == BOOL2].iloc[0]
    assert agree.value == "是" and set(agree.department.split("；")) == {a, b}


@pytest.mark.parametrize("form", ["measure,department,note", "measure,value,note", "mixed"])
def test_resolutions_settle_conflicts_and_are_recorded(T, tmp_path, form):
    folder = tmp_path / "in"
    folder.mkdir()
    a, b, c, e = _conflict_folder(T, folder)
    rfile = tmp_path / "裁定.csv"                                    # outside the intake folder
    rows = {"measure,department,note": [[BOOL, b, "以财政预算文件为准"], [CONFLICT_NUM, e, "以决算数为准"]],
            "measure,value,note": [[BOOL, "否", "以财政预算文件为准"], [CONFLICT_NUM, "1300", "以决算数为准"]],
            "mixed": [[BOOL, b, "", "以财政预算文件为准"], [CONFLICT_NUM, "", "1300", "以决算数为准"]]}[form]
    with rfile.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(form.split(",") if form != "mixed" else ["measure", "department", "value", "note"])
        w.writerows(rows)
    before = hashes(folder)
    res = intake(folder, resolutions=rfile)
    assert hashes(folder) == before
    assert res.ok, "\n".join(map(str, res.issues))
    p = res.panel.set_index("measure")
    assert (p.loc[BOOL, "value"], p.loc[BOOL, "department"], p.loc[BOOL, "file"]) == ("否", b, tfile(b))
    assert (p.loc[CONFLICT_NUM, "value"], p.loc[CONFLICT_NUM, "department"]) == ("1300", e)
    assert len(res.resolutions) == 2
    r_bool = next(t for t in res.resolutions if CATALOG.measures[BOOL].name_zh in t)
    assert "以财政预算文件为准" in r_bool and tfile(a) in r_bool and tfile(b) in r_bool
    assert (f"采用{b}" if form != "measure,value,note" else "采用裁定值否") in r_bool
    r_num = next(t for t in res.resolutions if CATALOG.measures[CONFLICT_NUM].name_zh in t)
    assert (f"采用{e}" if form == "measure,department,note" else "采用裁定值1300") in r_num
    assert "以决算数为准" in r_num
    cells = res.cells().set_index(["file", "measure"])
    assert cells.loc[(tfile(b), BOOL), "status"] == "采用（按裁定）"
    assert cells.loc[(tfile(a), BOOL), "status"] == "未采用（按裁定）"
    assert "按裁定" in res.report()


def test_resolution_naming_a_department_that_did_not_report(T, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    a, b, _, _ = _conflict_folder(T, folder)
    third = next(d for d in owners(BOOL) if d not in (a, b))
    res = intake(folder, resolutions=pd.DataFrame(
        [{"measure": BOOL, "department": third, "value": "", "note": "", "county": "", "year": ""}]))
    issues = [i for i in res.errors if i.measure == BOOL]
    assert len(issues) == 1 and f"裁定文件指定的部门“{third}”没有填报" in issues[0].message
    assert BOOL not in set(res.panel.measure)


# ---------------------------------------------------------------------------------------------
# the complete, correctly filled set


def sample_values() -> dict[str, object]:
    """临淄区 2022 of the sample panel, as a person would leave it in the cells."""
    out = {}
    with SAMPLE.open(encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            if row["county"] == COUNTY and row["year"] == str(YEAR):
                m = CATALOG.measures[row["measure"]]
                v = row["value"]
                out[m.id] = excel_value(m.id, float(v) if m.kind in ("count", "number", "percent") else v)
    return out


def test_complete_set_of_templates(T, tmp_path):
    values = sample_values()
    assert set(values) == set(CATALOG.measures)
    folder = tmp_path / "in"
    folder.mkdir()
    for dept, measures in BY_DEPT.items():
        fill_template(T.path(dept), folder / tfile(dept), {m: values[m] for m in measures},
                      evidence="统计年报", contact={"填报人": "张三", "联系电话": "0533-0000000"})
    res = intake(folder, year=YEAR, county=COUNTY)
    assert res.ok, "\n".join(map(str, res.issues))
    assert len(res.panel) == len(CATALOG.measures)
    assert sorted(res.panel.measure) == sorted(CATALOG.measures)
    assert not res.panel.duplicated(["county", "year", "measure"]).any()
    assert set(res.cells().status) <= {"采用", "已规范化"}
    assert res.chase().empty
    on_disk = hashes(folder)
    for _, p in res.panel.iterrows():
        for f, h in zip(p.file.split("；"), p.sha256.split("；"), strict=True):
            assert on_disk[f] == h
    panel = res.to_panel()
    assert panel is not None
