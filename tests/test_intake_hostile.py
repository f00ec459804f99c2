"""Department intake against hostile and sloppy workbooks (issue 10): nothing slips through, nothing
crashes, nothing is overwritten.

Every submission is a real template (qstrong.intake.templates) spoilt with openpyxl or by rewriting
zip members. Each case asserts: intake() returns (no traceback), the Chinese message naming file,
sheet and cell, the status of the value cell and its value in res.panel (or its absence), and the
input files' hashes unchanged. Classes: values in the wrong place (2), names (3), numbers that are
not what they look like (4), resource exhaustion (6), odd but legal content (8), evidence (9). The
file system and the resolutions file (7) are in tests/test_intake_inputs.py, the hypothesis fuzz of
the value cells in tests/test_intake_fuzz.py.
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import test_intake_corpus as corpus
from test_intake_corpus import (
    CATALOG,
    CONFLICT_NUM,
    COUNT,
    COUNT2,
    COUNT3,
    COUNTY,
    NUMBER,
    OLE,
    PCT,
    ROOT,
    TECH,
    YEAR,
    Templates,
    edit,
    hashes,
    meta_set,
    owner,
    rezip,
    set_values,
    sheet_member,
    tfile,
    with_cells_xml,
)

from qstrong.intake import layout as L
from qstrong.intake.collect import intake

T = corpus.T                                 # the corpus' templates fixture (written once per module)

MKT = owner(PCT)
FUND = CONFLICT_NUM                          # 万元, owned (first) by MKT
assert owner(FUND) == MKT and CATALOG.measures[FUND].unit == "万元"
assert CATALOG.measures[NUMBER].unit == "亿元"
ERR, NOTE, REJ, OKS, NORM, MISS = "错误", "提醒", "拒绝", "采用", "已规范化", "未填报"


@dataclass
class Want:
    """An issue: message fragment, file, sheet, cell ('' = none, None = not checked), level."""

    fragment: str
    file: str
    sheet: str | None = None
    cell: str | None = None
    level: str = ERR


@dataclass
class Cell:
    """A value cell: its status in res.cells() and its value in res.panel (None: not in the panel)."""

    dept: str
    mid: str
    status: str
    value: str | None
    note: str = ""


@dataclass
class Case:
    id: str
    make: Callable[[Path, Templates], None]
    want: Callable[[Templates], list[Want]]
    cells: list[Cell] = field(default_factory=list)
    ok: bool = False                              # res.ok expected (notices only)
    kwargs: dict = field(default_factory=dict)


CASES: list[Case] = []


def case(id: str, want: Callable[[Templates], list[Want]], cells: list[Cell] = (), ok: bool = False, **kwargs):
    def deco(make):
        CASES.append(Case(id, make, want, list(cells), ok, kwargs))
        return make
    return deco


def at(dept: str, mid: str, fragment: str, level: str = ERR) -> Callable[[Templates], list[Want]]:
    """A problem located at the measure's value cell in 填报."""
    return lambda T: [Want(fragment, tfile(dept), L.SHEET_DATA, T.cell(dept, mid), level)]


def in_file(dept: str, fragment: str, sheet: str = "", cell: str = "", level: str = ERR) -> Callable:
    return lambda T: [Want(fragment, tfile(dept), sheet, cell, level)]


def typed(dept: str, values: dict, fmt: dict | None = None, evidence: str = "统计年报") -> Callable:
    """make(d, T): the department's template with `values` typed (and number formats set)."""
    def make(d, T):
        def fn(wb):
            ws = wb[L.SHEET_DATA]
            for mid, v in values.items():
                ws[T.cell(dept, mid)] = v
                ws.cell(T.row(dept, mid), L.COL_INDEX[L.EVIDENCE]).value = evidence or None
                if fmt and mid in fmt:
                    ws[T.cell(dept, mid)].number_format = fmt[mid]
        edit(T.path(dept), d / tfile(dept), fn)
    return make


def value_case(id: str, dept: str, mid: str, raw, fragment: str, fmt: str | None = None,
               status: str = REJ, value: str | None = None) -> None:
    """A rejected value: `fragment` of the error at its cell; an accepted one: `fragment` of its note."""
    make = typed(dept, {mid: raw}, {mid: fmt} if fmt else None)
    if status == REJ:
        CASES.append(Case(id, make, at(dept, mid, fragment), [Cell(dept, mid, status, value)]))
    else:
        CASES.append(Case(id, make, lambda T: [], [Cell(dept, mid, status, value, fragment)], ok=True))


# -- 2. values in the wrong place ----------------------------------------------------------------

def _second_column(header: str, value=5) -> Callable:
    def make(d, T):
        def fn(wb):
            ws = wb[L.SHEET_DATA]
            ws.cell(L.HEADER_ROW, 10).value = header
            ws.cell(T.row(TECH, COUNT), 10).value = value
            ws[T.cell(TECH, COUNT)] = 3
        edit(T.path(TECH), d / tfile(TECH), fn)
    return make


case("extra_column_also_headed_value", in_file(TECH, "表头“填报值”出现2次（E3、J3）", L.SHEET_DATA, "J3"),
     [Cell(TECH, COUNT, "", None)])(_second_column("填报值"))
case("extra_column_headed_value_with_nbsp", in_file(TECH, "表头“填报值”出现2次", L.SHEET_DATA, "J3"),
     [Cell(TECH, COUNT, "", None)])(_second_column("填报值\u00a0"))
case("extra_measure_id_column", in_file(TECH, "表头“数据项编号”出现2次（H3、J3）", L.SHEET_DATA, "J3"),
     [Cell(TECH, COUNT, "", None)])(_second_column("数据项编号", value="q42.national_first.partner"))


@case("values_in_copied_sheet", in_file(TECH, "模板没有的工作表“填报 (2)”，其中有内容", "填报 (2)"),
      [Cell(TECH, COUNT, MISS, None)])
def _(d, T):
    def fn(wb):
        ws = wb.copy_worksheet(wb[L.SHEET_DATA])
        ws.title = "填报 (2)"
        ws[T.cell(TECH, COUNT)] = 3
    edit(T.path(TECH), d / tfile(TECH), fn)


@case("text_in_an_extra_sheet", in_file(TECH, "模板没有的工作表“Sheet1”，其中有内容", "Sheet1"),
      [Cell(TECH, COUNT, OKS, "3")])
def _(d, T):
    def fn(wb):
        typed_fn = set_values(T, TECH, {COUNT: 3})
        typed_fn(wb)
        wb[L.SHEET_DATA].cell(T.row(TECH, COUNT), L.COL_INDEX[L.EVIDENCE]).value = "年报"
        wb.create_sheet("Sheet1")["A1"] = "科技合同成交额 45亿元"
    edit(T.path(TECH), d / tfile(TECH), fn)


@case("empty_extra_sheet_is_a_notice", in_file(TECH, "模板没有的空白工作表“Sheet2”，已忽略", "Sheet2", level=NOTE),
      [Cell(TECH, COUNT, OKS, "3")], ok=True)
def _(d, T):
    def fn(wb):
        set_values(T, TECH, {COUNT: 3})(wb)
        wb[L.SHEET_DATA].cell(T.row(TECH, COUNT), L.COL_INDEX[L.EVIDENCE]).value = "年报"
        wb.create_sheet("Sheet2")
    edit(T.path(TECH), d / tfile(TECH), fn)


@case("row_inserted_above_header", in_file(TECH, f"表头应在第{L.HEADER_ROW}行，现在在第{L.HEADER_ROW + 1}行",
                                            L.SHEET_DATA, f"第{L.HEADER_ROW + 1}行"))
def _(d, T):
    def fn(wb):
        set_values(T, TECH, {COUNT: 3})(wb)
        wb[L.SHEET_DATA].insert_rows(1)
    edit(T.path(TECH), d / tfile(TECH), fn)


@case("header_row_copied_below_the_table", in_file(TECH, "表头出现在多行（第3、40行）", L.SHEET_DATA, "第40行"))
def _(d, T):
    def fn(wb):
        ws = wb[L.SHEET_DATA]
        for c in range(1, len(L.COLUMNS) + 1):
            ws.cell(40, c).value = ws.cell(L.HEADER_ROW, c).value
        ws.cell(41, L.COL_INDEX[L.MEASURE_ID]).value = COUNT
        ws.cell(41, L.COL_INDEX[L.VALUE]).value = 9
    edit(T.path(TECH), d / tfile(TECH), fn)


@case("value_typed_beside_the_table", lambda T: [Want("所在列没有模板表头，不会被读取", tfile(TECH), L.SHEET_DATA,
                                                    f"K{T.row(TECH, COUNT)}")], [Cell(TECH, COUNT, MISS, None)])
def _(d, T):
    edit(T.path(TECH), d / tfile(TECH), lambda wb: wb[L.SHEET_DATA].cell(T.row(TECH, COUNT), 11, 3))


@case("value_typed_above_the_header", in_file(TECH, "表头上方的单元格有内容（“3”），不会被读取", L.SHEET_DATA, "E2"),
      [Cell(TECH, COUNT, MISS, None)])
def _(d, T):
    edit(T.path(TECH), d / tfile(TECH), lambda wb: wb[L.SHEET_DATA].cell(2, L.COL_INDEX[L.VALUE], 3))


@case("row_added_for_another_departments_measure",
      in_file(TECH, "本部门的模板中没有这个数据项（行是后加的），不予读取", L.SHEET_DATA, "E200"),
      [Cell(TECH, COUNT, OKS, "3")])
def _(d, T):
    def fn(wb):
        typed_values = set_values(T, TECH, {COUNT: 3})
        typed_values(wb)
        ws = wb[L.SHEET_DATA]
        ws.cell(T.row(TECH, COUNT), L.COL_INDEX[L.EVIDENCE]).value = "年报"
        ws.cell(200, L.COL_INDEX[L.MEASURE_ID]).value = PCT
        ws.cell(200, L.COL_INDEX[L.VALUE]).value = "95%"
    edit(T.path(TECH), d / tfile(TECH), fn)


@case("thousands_of_merged_ranges", at(TECH, COUNT, "填报值单元格被合并"), [Cell(TECH, COUNT, REJ, None)])
def _(d, T):
    def fn(wb):
        ws = wb[L.SHEET_DATA]
        ws[T.cell(TECH, COUNT)] = 3
        ws.merge_cells(f"{T.cell(TECH, COUNT)}:F{T.row(TECH, COUNT)}")
        for k in range(5000):
            ws.merge_cells(f"K{100 + 2 * k}:L{100 + 2 * k}")
    edit(T.path(TECH), d / tfile(TECH), fn)


@case("meta_county_twice", in_file(TECH, "元数据county出现两次（“临淄区”与“淄川区”）", L.SHEET_META, "A7"))
def _(d, T):
    def fn(wb):
        set_values(T, TECH, {COUNT: 3})(wb)
        wb[L.SHEET_META].append(["county", "淄川区"])
    edit(T.path(TECH), d / tfile(TECH), fn)


# -- 3. names normalised where they enter ---------------------------------------------------------

@case("county_with_zero_width_space", in_file(TECH, "含不可见字符（U+200B），已规范为“临淄区”", L.SHEET_META, "B3",
                                              level=NOTE), [Cell(TECH, COUNT, OKS, "3")], ok=True,
      county=COUNTY, year=YEAR)
def _(d, T):
    typed(TECH, {COUNT: 3})(d, T)
    edit(d / tfile(TECH), d / tfile(TECH), meta_set("county", COUNTY + "\u200b"))


@case("department_with_nbsp", in_file(TECH, "已规范为“区科技局”", L.SHEET_META, "B2", level=NOTE),
      [Cell(TECH, COUNT, OKS, "3")], ok=True)
def _(d, T):
    typed(TECH, {COUNT: 3})(d, T)
    edit(d / tfile(TECH), d / tfile(TECH), meta_set("department", "区科技局\u00a0"))


def _id_typed_as(text: str) -> Callable:
    def make(d, T):
        def fn(wb):
            ws = wb[L.SHEET_DATA]
            ws.cell(T.row(TECH, COUNT), L.COL_INDEX[L.MEASURE_ID]).value = text
            ws[T.cell(TECH, COUNT)] = 3
            ws.cell(T.row(TECH, COUNT), L.COL_INDEX[L.EVIDENCE]).value = "年报"
        edit(T.path(TECH), d / tfile(TECH), fn)
    return make


def _id_cell(T) -> str:
    return f"H{T.row(TECH, COUNT)}"


case("measure_id_with_zero_width_space",
     lambda T: [Want("数据项编号名称", tfile(TECH), L.SHEET_DATA, _id_cell(T), NOTE)],
     [Cell(TECH, COUNT, OKS, "3")], ok=True)(_id_typed_as(COUNT + "\u200b"))
case("measure_id_in_full_width", lambda T: [Want("含空格或全角字符", tfile(TECH), L.SHEET_DATA, _id_cell(T), NOTE)],
     [Cell(TECH, COUNT, OKS, "3")], ok=True)(_id_typed_as("ｑ４２．national_first.lead"))


@case("same_department_twice_one_county_with_zwsp",
      lambda T: [Want("无法判断以哪个为准", tfile(TECH), "", ""), Want("无法判断以哪个为准", "区科技局2.xlsx", "", "")],
      [Cell(TECH, COUNT, "拒绝（同一部门多个文件）", None)])
def _(d, T):
    typed(TECH, {COUNT: 3})(d, T)
    edit(d / tfile(TECH), d / "区科技局2.xlsx", meta_set("county", "\u200b" + COUNTY))


# -- 4. numbers that are not what they look like ----------------------------------------------

value_case("space_between_digits", TECH, COUNT, "2 3", "“2 3”数字中间有空格")
value_case("space_before_decimal_point", TECH, NUMBER, "44 .01", "“44 .01”数字中间有空格")
value_case("nbsp_as_thousands_separator", TECH, NUMBER, "1\u00a0234", "数字中间有空格")
value_case("superscript_two", TECH, COUNT, "1²", "含不是阿拉伯数字的数字字符（²；")
value_case("subscript_three", TECH, COUNT2, "₃", "（₃；")
value_case("circled_digit", TECH, COUNT3, "①", "（①；")
value_case("vulgar_fraction", TECH, NUMBER, "44½", "（½；")
value_case("zero_width_space_in_number", TECH, NUMBER, "44\u200b.01", "含不可见字符（U+200B）")
value_case("arabic_indic_digits", TECH, COUNT, "٣", "“٣”含不是阿拉伯数字的数字字符（٣；")
value_case("full_width_comma_and_digits", TECH, NUMBER, "１，２３４", "“１，２３４”→1234；全角转半角", status=NORM,
           value="1234")
value_case("own_unit_with_micro_sign_and_superscript", owner("q38.pm25"), "q38.pm25", "35µg/m³", "去掉单位“μg/m³”",
           status=NORM, value="35")
value_case("literal_percent_format_shows_as_typed", MKT, PCT, 0.8, "格式中的“%”是文字", fmt='0.0"%"', status=NORM,
           value="0.8")
value_case("escaped_percent_format", MKT, PCT, 95, "把95显示为95%", fmt="0\\%", status=NORM, value="95")
value_case("real_percent_with_colour", MKT, PCT, 0.955, "百分比格式单元格中的0.955按95.5%", fmt="[Red]0.0%", status=OKS,
           value="95.5")
value_case("own_unit_in_format", TECH, NUMBER, 44.01, "单元格格式显示单位“亿元”", fmt='0.00"亿元"', status=NORM,
           value="44.01")
value_case("foreign_unit_in_format", TECH, NUMBER, 4401, "在数值旁显示“万元”，但该数据项的单位是亿元", fmt='0"万元"')
value_case("foreign_unit_in_general_cn", MKT, FUND, 13, "显示“亿元”，但该数据项的单位是万元", fmt='G/通用格式"亿元"')
value_case("approximate_prefix_in_format", TECH, NUMBER, 44, "显示“约”", fmt='"约"0')
value_case("scaling_comma_format", TECH, NUMBER, 44010, "末尾的逗号使数值按1,000缩小显示", fmt="#,##0,")
value_case("percent_format_on_a_count", TECH, COUNT, 0.12, "把数值显示为百分数，但", fmt="0%")
value_case("hidden_number_format", TECH, COUNT, 3, "不显示数字", fmt=";;;")
value_case("conditional_format", TECH, COUNT, 3, "带条件", fmt="[>100]0;0")
value_case("negative_shown_without_sign", TECH, NUMBER, -3, "把负数显示为不带负号的数", fmt="0;0")
value_case("date_format_on_a_number", TECH, NUMBER, 44926, "日期", fmt="yyyy-mm-dd")
value_case("elapsed_time_format", TECH, NUMBER, 1.5, "日期", fmt="[h]:mm")
value_case("text_format_on_bool_number", owner("q09.funded.brand"), "q09.funded.brand", 1, "不显示数字（显示为“否”）",
           fmt='"否"')


# -- 6. resource exhaustion ----------------------------------------------------------------------

# declared on the element itself: openpyxl with lxml declares the prefix per <sheet>, not on <workbook>
R_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def add_sheet(data: bytes, name: str, xml: bytes, n: int) -> bytes:
    """`data` with one more sheet (registered in workbook.xml, its rels and content types)."""
    member, rid = f"xl/worksheets/extra{n}.xml", f"rIdX{n}"

    def change(m, b):
        if m == "xl/workbook.xml":
            return b.replace(b"</sheets>", f'<sheet name="{name}" sheetId="{90 + n}" r:id="{rid}" {R_NS}/></sheets>'.encode())
        if m == "xl/_rels/workbook.xml.rels":
            return b.replace(b"</Relationships>", (
                f'<Relationship Id="{rid}" Target="/{member}" Type="http://schemas.openxmlformats.org/officeDocument/'
                '2006/relationships/worksheet"/></Relationships>').encode())
        if m == "[Content_Types].xml":
            return b.replace(b"</Types>", (f'<Override PartName="/{member}" ContentType="application/vnd.openxmlformats-'
                                           'officedocument.spreadsheetml.worksheet+xml"/></Types>').encode())
        return b
    return rezip(data, change, extra={member: xml})


def big_sheet(rows: int) -> bytes:
    cells = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, rows + 1))
    return (f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{cells}'
            "</sheetData></worksheet>").encode()


@case("many_large_extra_sheets", in_file(TECH, "解压后体积异常"))
def _(d, T):
    data = T.path(TECH).read_bytes()
    sheet = big_sheet(30_000)                      # ~1.1 MB each, compressing well
    for n in range(6):
        data = add_sheet(data, f"附表{n}", sheet, n)
    (d / tfile(TECH)).write_bytes(data)


@case("extra_sheet_is_never_parsed", in_file(TECH, "模板没有的工作表“附表”，其中有内容", "附表"),
      [Cell(TECH, COUNT, OKS, "3")])
def _(d, T):            # malformed XML: loading it would fail the whole workbook
    typed(TECH, {COUNT: 3})(d, T)
    data = (d / tfile(TECH)).read_bytes()
    (d / tfile(TECH)).write_bytes(add_sheet(data, "附表", b"<worksheet><sheetData><row><c><v>1</v>", 0))


@case("two_sheets_named_like_the_data_sheet", in_file(TECH, "工作簿中有2个名为“填报”的工作表", L.SHEET_DATA))
def _(d, T):            # a crafted file: a second 填报 (single-quoted attributes) holding another value
    typed(TECH, {COUNT: 3})(d, T)
    data = (d / tfile(TECH)).read_bytes()
    other = zipfile.ZipFile(io.BytesIO(data)).read(sheet_member(data, L.SHEET_DATA)).replace(b"<v>3</v>", b"<v>4</v>")
    data = add_sheet(data, "X", other, 0)
    entry = f"<sheet name='填报' sheetId='90' r:id='rIdX0' {R_NS}/>".encode()
    (d / tfile(TECH)).write_bytes(rezip(data, lambda n, b: b.replace(
        f'<sheet name="X" sheetId="90" r:id="rIdX0" {R_NS}/>'.encode(), entry) if n == "xl/workbook.xml" else b))


@case("thousands_of_unknown_ids", lambda T: [Want("未知的数据项编号“x00000”", tfile(TECH), L.SHEET_DATA, None),
                                             Want("另有1950处同类问题（未知的数据项编号）", tfile(TECH), L.SHEET_DATA, "")])
def _(d, T):
    def fn(wb):
        ws = wb[L.SHEET_DATA]
        for k in range(2000):
            ws.cell(200 + k, L.COL_INDEX[L.MEASURE_ID]).value = f"x{k:05d}"
            ws.cell(200 + k, L.COL_INDEX[L.VALUE]).value = k
    edit(T.path(TECH), d / tfile(TECH), fn)


# -- 8. odd but legal content --------------------------------------------------------------------

@case("year_with_twenty_digits", in_file(TECH, "元数据中的年度“99999999999999999999”超出范围（应在2000—2100年之间）",
                                         L.SHEET_META, ""))
def _(d, T):
    edit(T.path(TECH), d / tfile(TECH), meta_set("year", "99999999999999999999"))


@case("array_formula_is_refused_with_its_text", at(TECH, COUNT, "单元格是公式（=SUM(1,2)），文件中保存的结果为“3”"),
      [Cell(TECH, COUNT, REJ, None, "选择性粘贴→数值")])
def _(d, T):
    tmp = d / "tmp.xlsx"
    typed(TECH, {COUNT: 0})(d, T)
    (d / tfile(TECH)).rename(tmp)
    with_cells_xml(tmp, d / tfile(TECH), {T.cell(TECH, COUNT): (f'<f t="array" ref="{T.cell(TECH, COUNT)}">SUM(1,2)</f>'
                                                                 "<v>3</v>", None)})
    tmp.unlink()


@case("data_table_formula_is_refused_with_a_readable_text",
      at(TECH, COUNT, "单元格是公式（{=TABLE(A1,A2)}（模拟运算表 E5）），文件中保存的结果为“3”"), [Cell(TECH, COUNT, REJ, None)])
def _(d, T):
    tmp = d / "tmp.xlsx"
    typed(TECH, {COUNT: 0})(d, T)
    (d / tfile(TECH)).rename(tmp)
    c = T.cell(TECH, COUNT)
    with_cells_xml(tmp, d / tfile(TECH), {c: (f'<f t="dataTable" ref="{c}" dt2D="0" dtr="0" r1="A1" r2="A2"/>'
                                              "<v>3</v>", None)})
    tmp.unlink()


@case("strict_ooxml_save", in_file(TECH, "“Strict Open XML 电子表格”格式"))
def _(d, T):
    strict = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
    (d / tfile(TECH)).write_bytes(rezip(T.path(TECH).read_bytes(), lambda n, b: b.replace(
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", strict) if n == "xl/workbook.xml" else b))


@case("wps_et_renamed_to_xlsx", in_file(TECH, "扩展名是.xlsx，但内容是旧版Excel(.xls)或WPS表格(.et)格式（只改了扩展名）"))
def _(d, T):
    (d / tfile(TECH)).write_bytes(OLE + b"\x00" * 4000)


@case("megabyte_remark_is_kept_and_cut_visibly",
      lambda T: [Want("备注过长（1000000字），只保留前100000字", tfile(TECH), L.SHEET_DATA, f"G{T.row(TECH, COUNT)}",
                      NOTE)], [Cell(TECH, COUNT, OKS, "3")], ok=True)
def _(d, T):
    typed(TECH, {COUNT: 3})(d, T)          # openpyxl cuts what it writes at 32,767: the XML is written here
    tmp = d / "tmp.xlsx"
    (d / tfile(TECH)).rename(tmp)
    with_cells_xml(tmp, d / tfile(TECH), {f"G{T.row(TECH, COUNT)}": ("<is><t>" + "备注" * 500_000 + "</t></is>",
                                                                      "inlineStr")})
    tmp.unlink()


# -- 9. the template's own rule: 无佐证材料的数据不予采用 -------------------------------------------------

case("no_evidence_warns", at(TECH, COUNT, "缺佐证材料（F", NOTE), [Cell(TECH, COUNT, OKS, "3", "缺佐证材料")],
     ok=True)(typed(TECH, {COUNT: 3}, evidence=""))
case("no_evidence_strict", at(TECH, COUNT, "无佐证材料，按填报说明不予采用"), [Cell(TECH, COUNT, REJ, None)],
     evidence="strict")(typed(TECH, {COUNT: 3}, evidence=""))
case("blank_evidence_strict", at(TECH, COUNT, "无佐证材料，按填报说明不予采用"), [Cell(TECH, COUNT, REJ, None)],
     evidence="strict")(typed(TECH, {COUNT: 3}, evidence="   "))
case("no_evidence_off", lambda T: [], [Cell(TECH, COUNT, OKS, "3")], ok=True,
     evidence="off")(typed(TECH, {COUNT: 3}, evidence=""))


# ---------------------------------------------------------------------------------------------
# running the cases


def check_issue(res, w: Want, prefix: str = "") -> None:
    file = prefix + w.file if w.file else ""
    found = [i for i in res.issues if i.level == w.level and w.fragment in i.message and i.file == file
             and (w.sheet is None or i.sheet == w.sheet) and (w.cell is None or i.cell == w.cell)]
    assert found, f"no issue {w}; got:\n" + "\n".join(map(str, res.issues))
    text = str(found[0])
    assert text.startswith(f"[{w.level}]") and "Traceback" not in text and "object at 0x" not in text
    for part in (file and f"文件“{file}”", w.sheet and f"工作表“{w.sheet}”", w.cell and f"单元格{w.cell}"):
        assert not part or part in text, (part, text)


def check_cell(res, T, c: Cell) -> None:
    cells = res.cells()
    row = cells[(cells.file == tfile(c.dept)) & (cells.measure == c.mid)]
    in_panel = res.panel[(res.panel.measure == c.mid) & (res.panel.file.str.contains(tfile(c.dept), regex=False))]
    if not c.status:                              # the file's values were not read at all
        assert row.empty and in_panel.empty
        return
    assert list(row.status) == [c.status], row[["status", "note"]].to_dict("records")
    assert list(row.cell) == [T.cell(c.dept, c.mid)]
    assert c.note in row.note.iloc[0]
    assert "object at 0x" not in row.original.iloc[0]
    if c.value is None:
        assert in_panel.empty and row.value.isna().all()
    else:
        assert list(in_panel.value) == [c.value] and row.value.iloc[0] == c.value
        assert in_panel.cell.iloc[0] == T.cell(c.dept, c.mid) and in_panel.sheet.iloc[0] == L.SHEET_DATA


def test_there_are_enough_distinct_cases():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 35


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_hostile_case(c: Case, T, tmp_path):
    folder = tmp_path / c.id
    folder.mkdir()
    c.make(folder, T)
    before = hashes(folder)
    res = intake(folder, **c.kwargs)                 # never raises
    assert hashes(folder) == before                  # never modifies the input
    assert res.ok == c.ok, "\n".join(map(str, res.issues))
    for w in c.want(T):
        check_issue(res, w)
    for cell in c.cells:
        check_cell(res, T, cell)
    assert res.report()


def test_hostile_corpus_in_one_run_and_on_the_command_line(T, tmp_path):
    """Every case in one folder: one run, each problem reported; the CLI exits 2 without a traceback."""
    root = tmp_path / "hostile"
    cases = [c for c in CASES if not c.kwargs]
    for c in cases:
        (root / c.id).mkdir(parents=True)
        c.make(root / c.id, T)
    before = hashes(root)
    res = intake(root)
    assert hashes(root) == before and not res.ok
    for c in cases:
        for w in c.want(T):
            check_issue(res, w, prefix=f"{c.id}/")
    r = subprocess.run([sys.executable, "-m", "qstrong", "intake", str(root), "--report", str(tmp_path / "r.xlsx")],
                       capture_output=True, text=True, encoding="utf-8", cwd=ROOT)
    assert r.returncode == 2 and "Traceback" not in r.stderr + r.stdout
    assert "values_in_copied_sheet/区科技局.xlsx" in r.stdout and "填报 (2)" in r.stdout
    assert hashes(root) == before
