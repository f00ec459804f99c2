"""What a workbook file really is, checked from its bytes before any parser sees it (intake and yearbook).

One opening path for every reader of workbooks: :func:`sniff` tells .xlsx, legacy OLE (.xls/.et) and
text apart by their bytes (never by the name), refuses encrypted workbooks, web pages saved as “.xls”,
zip bombs and damaged archives; :func:`workbook_sheets` lists the sheets from xl/workbook.xml and
:func:`scan_cells` reads a sheet's XML as it is (cells written twice, formulas and the results Excel saved,
error values, hidden rows, merged ranges, the used range) before any parser loads it. Each reader brings
its :class:`Policy`: its size limits and the advice it gives; the diagnosis of a case is worded here once.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_OLE_MARK = "EncryptionInfo".encode("utf-16-le")
_STRICT_NS = b"purl.oclc.org/ooxml/spreadsheetml/main"
_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)>")
_ATTR = re.compile(rb"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REL = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)>")
_CELL_CONTENT = re.compile(rb"<(?:\w+:)?(?:v|is|f)[\s>/]")
_ROW_OR_CELL = re.compile(rb"<(?:\w+:)?row\b(?P<row>[^>]*)>|<(?:\w+:)?c\b(?P<cell>[^>]*?)(?:/>|>(?P<body>.*?)</(?:\w+:)?c>)",
                          re.S)
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_FORMULA_TEXT = re.compile(rb"<(?:\w+:)?f\b[^>]*>(.*?)</(?:\w+:)?f>", re.S)
_CACHED = re.compile(rb"<(?:\w+:)?v\b[^>]*>(.*?)</(?:\w+:)?v>", re.S)
_INLINE = re.compile(rb"<(?:\w+:)?is\b")
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b([^>]*)>")
_COL = re.compile(rb"<(?:\w+:)?col\b([^>]*)>")
_REF = re.compile(r"([A-Za-z]{1,3})([0-9]+)")
_TRUE = ("1", "true")
_HTML_START = (b"<!doctype html", b"<html", b"<table", b"<?xml", b"<head", b"<meta", b"<body", b"<style",
               b"mime-version:")

# The diagnosis of each case, worded once; a reader's Policy adds its advice after it.
EMPTY = "文件为空（0字节）"
TOO_BIG = "文件过大（{mb:.1f} MB，上限 {cap} MB）"
ENCRYPTED = "工作簿已加密（设置了打开密码），无法读取"
LEGACY_RENAMED = "文件扩展名是{suffix}，但内容是旧版Excel(.xls)或WPS表格(.et)格式（只改了扩展名）"
WEB_PAGE = "文件实际是网页/XML（可能是从系统导出的“假Excel”并改了扩展名）"
TEXT = "文件实际是文本/CSV（只改了扩展名）"
UNKNOWN = "不是Excel工作簿（无法识别的文件格式）"
BROKEN_ZIP = "文件已损坏或不完整（压缩包结构错误，可能传输中断）"
BIG_UNZIPPED = "解压后体积异常（{mb:.0f} MB，{what}不超过 {cap} MB），{why}，不予读取"
BOMB = "疑似压缩炸弹"
WORD = "文件实际是Word文档（.docx），不是Excel工作簿"
NOT_WORKBOOK_ZIP = "压缩包不是Excel工作簿（缺少工作簿结构）"
MACROS = "工作簿含宏（.xlsm/VBA），为安全起见不予读取、不运行宏"
BROKEN_MEMBER = "文件已损坏（{member} 无法解压）"
STRICT = "工作簿是“Strict Open XML 电子表格”格式（另存为时选了严格格式），无法读取"
REPEATED_CELL = "单元格{cell}在文件中出现不止一次（文件被程序改动），无法确定Excel显示的是哪一个"
DUPLICATE_SHEET = "工作簿中有{n}个名为“{name}”的工作表（文件被改动），无法确定读哪一个"
OPEN_FAILED = "工作簿无法打开（{error}），文件可能已损坏"
LEGACY_UNREADABLE = "旧版Excel(.xls)或WPS表格(.et)文件无法读取"
CASES = ("empty", "too_big", "encrypted", "legacy_renamed", "web_page", "text", "unknown", "broken_zip",
         "big_unzipped", "word", "not_workbook_zip", "macros", "broken_member", "strict")
XLSX_SUFFIXES = (".xlsx", ".xltx", ".xlsm")


@dataclass(frozen=True)
class Policy:
    """One reader's limits and wording: `advice` maps each case of :data:`CASES` to the text after the
    diagnosis (starting with its own punctuation); `big_what` and `big_why` complete BIG_UNZIPPED."""

    max_file_bytes: int
    max_unzipped_bytes: int
    advice: Mapping[str, str]
    big_what: str                              # “填好的模板” / “年鉴表格”
    big_why: str                               # why a large but not bomb-like archive may be so
    text_suffixes: frozenset[str] = frozenset()  # names read as text files (their bytes permitting)
    legacy_renamed_ok: bool = False            # OLE content under an .xlsx name read as .xls (else refused)
    macros_ok: bool = False                    # VBA kept unread and unrun, the values read (else refused)


@dataclass(frozen=True)
class Sniffed:
    """kind (xlsx / xls / text / bad), the Chinese problem ('' when none) and remarks (提醒)."""

    kind: str
    problem: str = ""
    remarks: tuple[str, ...] = ()


def sniff(data: bytes, size: int, suffix: str, policy: Policy) -> Sniffed:
    """What `data` (the file's first `policy.max_file_bytes` bytes; `size` its length) is."""
    def bad(case: str, diagnosis: str) -> Sniffed:
        return Sniffed("bad", diagnosis + policy.advice.get(case, ""))

    suffix = suffix.lower()
    if size == 0:
        return bad("empty", EMPTY)
    if size > policy.max_file_bytes or not data:
        return bad("too_big", TOO_BIG.format(mb=size / 1048576, cap=policy.max_file_bytes // 1048576))
    head = data[:4096]
    if head.startswith(_OLE):
        if _ENCRYPTED_OLE_MARK in data:
            return bad("encrypted", ENCRYPTED)
        if suffix in XLSX_SUFFIXES:
            if not policy.legacy_renamed_ok:
                return bad("legacy_renamed", LEGACY_RENAMED.format(suffix=suffix))
            return Sniffed("xls", "", (LEGACY_RENAMED.format(suffix=suffix) + "，已按旧版格式读取",))
        return Sniffed("xls")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _check_zip(data, suffix, policy)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):     # Excel's "Unicode text" export is UTF-16
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith(_HTML_START):
        return bad("web_page", WEB_PAGE)
    if suffix in policy.text_suffixes:
        return Sniffed("text")
    if b"\x00" not in head and (b"," in head or b"\t" in head or b"\n" in head):
        return bad("text", TEXT)
    return bad("unknown", UNKNOWN)


def _check_zip(data: bytes, suffix: str, policy: Policy) -> Sniffed:
    def bad(case: str, diagnosis: str) -> Sniffed:
        return Sniffed("bad", diagnosis + policy.advice.get(case, ""))

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return bad("broken_zip", BROKEN_ZIP)
    total = sum(i.file_size for i in infos)
    if total > policy.max_unzipped_bytes:
        why = BOMB if total > 20 * len(data) else policy.big_why
        return bad("big_unzipped", BIG_UNZIPPED.format(mb=total / 1048576, what=policy.big_what,
                                                       cap=policy.max_unzipped_bytes // 1048576, why=why))
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        if any(n.startswith("word/") for n in names):
            return bad("word", WORD)
        return bad("not_workbook_zip", NOT_WORKBOOK_ZIP)
    remarks: tuple[str, ...] = ()
    if "xl/vbaProject.bin" in names or suffix == ".xlsm":
        if not policy.macros_ok:
            return bad("macros", MACROS)
        remarks = ("工作簿含宏（.xlsm/VBA）：宏未运行，只读取了单元格保存的值",)
    member = _test_members(data)
    if member:
        return bad("broken_member", BROKEN_MEMBER.format(member=member))
    if "xl/workbook.xml" in names:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if _STRICT_NS in z.read("xl/workbook.xml")[:4096]:
                return bad("strict", STRICT)
    return Sniffed("xlsx", "", remarks)


def _test_members(data: bytes) -> str:
    """Name of the first member that cannot be decompressed or fails its CRC, or ''.

    Damaged deflate data raises zlib.error and an unknown compression method NotImplementedError,
    neither of which ZipFile.testzip() turns into a result, so each member is read here.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for info in z.infolist():
                try:
                    with z.open(info) as f:
                        while f.read(1 << 20):
                            pass
                except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, OSError, EOFError,
                        ValueError):  # RuntimeError: a password-protected member
                    return info.filename
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        return str(exc) or "压缩数据"
    return ""


def _attrs(raw: bytes) -> dict[str, str]:
    out = {}
    for k, v, w in _ATTR.findall(raw):
        out[k.decode().split(":")[-1]] = html.unescape((v or w).decode("utf-8", errors="replace"))
    return out


@dataclass(frozen=True)
class Sheet:
    """A sheet as xl/workbook.xml lists it (nothing of it parsed): name, zip member, visible/hidden/veryHidden."""

    name: str
    member: str
    state: str = "visible"


def workbook_sheets(data: bytes) -> list[Sheet]:
    """The sheets xl/workbook.xml lists, in order, with their zip members (no sheet is parsed)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        wbx = z.read("xl/workbook.xml")
        try:
            rels = z.read("xl/_rels/workbook.xml.rels")
        except KeyError:
            rels = b""
    targets = {}
    for raw in _REL.findall(rels):
        a = _attrs(raw)
        t = a.get("Target", "")
        targets[a.get("Id", "")] = t.lstrip("/") if t.startswith("/") else str(PurePosixPath("xl") / t)
    out = []
    for raw in _SHEET_TAG.findall(wbx):
        a = _attrs(raw)
        out.append(Sheet(a.get("name", ""), targets.get(a.get("id", ""), ""), a.get("state", "visible") or "visible"))
    return out


@dataclass
class CellScan:
    """What a sheet's XML says about its cells before any parser sees it (rows and columns 1-based)."""

    repeated: list[tuple[int, int]]             # (row, column) written more than once, in order
    formulas: dict[tuple[int, int], str | None]  # formula cells: the result Excel saved (None: none saved)
    unsaved: dict[tuple[int, int], str] = field(default_factory=dict)  # formulas with no (or an empty) saved result
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # error values (#DIV/0!, #N/A), formula or not
    hidden_rows: list[int] = field(default_factory=list)
    hidden_columns: list[int] = field(default_factory=list)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (r0, c0, r1, c1) inclusive
    backwards: list[int] = field(default_factory=list)   # rows written after a later row (a program's edit)
    rows: int = 0                               # the used range: last row and column holding a value or formula
    columns: int = 0


def scan_cells(z: zipfile.ZipFile, member: str) -> CellScan:
    """Every <c> of a sheet, positioned as Excel does (an omitted r follows the previous cell or row)."""
    return scan_xml(z.read(member))


def _one(name: str) -> re.Pattern[bytes]:
    return re.compile(rb"(?:^|\s)(?:\w+:)?" + name.encode() + rb"""\s*=\s*(?:"([^"]*)"|'([^']*)')""")


_R, _T, _HIDDEN = _one("r"), _one("t"), _one("hidden")
_R_PLAIN = re.compile(rb'(?:^|\s)r="([A-Z]{1,3})([0-9]+)"')


def _get(pattern: re.Pattern[bytes], raw: bytes) -> str:
    """One attribute's value ('' when absent), as :func:`_attrs` reads it, without reading the others."""
    m = pattern.search(raw)
    if m is None:
        return ""
    v = m.group(1) if m.group(1) is not None else m.group(2)
    return html.unescape(v.decode("utf-8", "replace")) if b"&" in v else v.decode("utf-8", "replace")


def _ref(text: str) -> tuple[str, str] | None:
    m = _REF.fullmatch(text)
    return (m.group(1), m.group(2)) if m else None


def scan_xml(xml: bytes) -> CellScan:
    """:func:`scan_cells` on a sheet's XML."""
    from openpyxl.utils import column_index_from_string

    seen: set[tuple[int, int]] = set()
    out = CellScan([], {})
    row = col = 0
    for m in _ROW_OR_CELL.finditer(xml):
        cell = m.group("cell")
        if cell is None:
            raw = m.group("row")
            r = _get(_R, raw)
            last, (row, col) = row, ((int(r) if r.isascii() and r.isdigit() else row + 1), 0)
            if row <= last:
                out.backwards.append(row)
            if _get(_HIDDEN, raw).lower() in _TRUE:
                out.hidden_rows.append(row)
            continue
        plain = _R_PLAIN.search(cell) if b"&" not in cell else None   # r="B5", as every program writes it
        ref = (plain.group(1).decode(), plain.group(2)) if plain else _ref(_get(_R, cell))
        if ref:
            row, col = int(ref[1]), column_index_from_string(ref[0].upper())
        else:
            col += 1
        key = (row, col)
        if key in seen and key not in out.repeated:
            out.repeated.append(key)
        seen.add(key)
        body = m.group("body")
        if not body:
            continue
        v = _CACHED.search(body)
        value = None if v is None else (html.unescape(v.group(1).decode("utf-8", "replace")) if b"&" in v.group(1)
                                        else v.group(1).decode("utf-8", "replace"))
        formula = b"f" in body and _FORMULA.search(body) is not None
        if formula:
            out.formulas[key] = value
            if not value and _get(_T, cell) != "str":
                f = _FORMULA_TEXT.search(body)
                out.unsaved[key] = html.unescape(f.group(1).decode("utf-8", "replace")) if f else ""
        if value and b"e" in cell and _get(_T, cell) == "e":
            out.errors[key] = value
        if value or formula or (b"is" in body and _INLINE.search(body)):
            if row > out.rows:
                out.rows = row
            if col > out.columns:
                out.columns = col
    for raw in _COL.findall(xml):
        a = _attrs(raw)
        lo, hi = a.get("min", ""), a.get("max", "")
        if a.get("hidden", "").lower() in _TRUE and (lo + hi).isascii() and lo.isdigit() and hi.isdigit():
            out.hidden_columns += range(int(a["min"]), min(int(a["max"]), int(a["min"]) + 16384) + 1)
    for raw in _MERGE.findall(xml):
        ends = [_REF.fullmatch(x) for x in _attrs(raw).get("ref", "").split(":")]
        if len(ends) == 2 and all(ends):
            (c0, r0), (c1, r1) = ((column_index_from_string(e.group(1).upper()), int(e.group(2))) for e in ends)
            out.merged.append((min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1)))
    return out


def sheet_has_content(z: zipfile.ZipFile, member: str) -> bool:
    """Whether a sheet's XML holds any cell value or formula (read as a stream, never parsed)."""
    tail = b""
    try:
        with z.open(member) as f:
            for chunk in iter(lambda: f.read(1 << 16), b""):
                if _CELL_CONTENT.search(tail + chunk):
                    return True
                tail = chunk[-16:]
    except (KeyError, zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError):
        return False
    return False
