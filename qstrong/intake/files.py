"""What a submitted file really is, checked from its bytes before any parser sees it.

A file is read once, into memory (bounded by MAX_FILE_BYTES): its hash, the checks and the parsers
all see the same bytes, and the file on disk is never opened again.
"""

from __future__ import annotations

import hashlib
import html
import io
import os
import re
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

MAX_FILE_BYTES = 20 * 1024 * 1024          # a filled template is ~20 KB
# Total uncompressed size of an .xlsx. The master template (every measure) unzips to ~96 KB and a
# fully filled one, evidence and remark in every row, to well under 1 MB; 4 MB leaves room for a
# 1 MB remark (kept, then cut visibly) but not for extra sheets or a compressed bomb.
MAX_UNZIPPED_BYTES = 4 * 1024 * 1024

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".et", ".ett", ".xltx", ".csv", ".htm", ".html", ".txt", ""}
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
_CACHED = re.compile(rb"<(?:\w+:)?v\b[^>]*>(.*?)</(?:\w+:)?v>", re.S)
_REF = re.compile(r"([A-Za-z]{1,3})([0-9]+)")


@dataclass(frozen=True)
class FileInfo:
    path: Path
    name: str                 # path relative to the intake folder
    size: int
    sha256: str
    modified: str             # ISO time of last modification


@dataclass(frozen=True)
class Sheet:
    """A sheet as xl/workbook.xml lists it (nothing of it parsed): name and zip member."""

    name: str
    member: str


def read_submission(path: Path, root: Path) -> tuple[FileInfo, bytes]:
    """The file's provenance and its bytes (b'' when over MAX_FILE_BYTES: hashed, not kept).

    One open, one read: raises OSError (permission, vanished file) for the caller to report.
    """
    h = hashlib.sha256()
    kept = bytearray()
    with path.open("rb") as f:
        st = os.fstat(f.fileno())
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
            if len(kept) <= MAX_FILE_BYTES:
                kept += chunk
    size = max(st.st_size, len(kept))
    data = bytes(kept) if len(kept) <= MAX_FILE_BYTES else b""
    info = FileInfo(path, str(path.relative_to(root)), size, h.hexdigest(),
                    datetime.fromtimestamp(st.st_mtime).isoformat(timespec="seconds"))
    return info, data


def skipped_name(path: Path) -> str:
    """Why a file is skipped by its name ('' if it is not): Office lock files (~$x.xlsx), hidden and
    system files. Said as a notice, so a real workbook saved under such a name is never lost unseen."""
    name = path.name
    if name.startswith("~$"):
        return ("文件名以“~$”开头（Office打开文件时生成的临时锁定文件），已跳过未读取：如果这是要报送的工作簿，"
                "请去掉文件名开头的“~$”后重新报送")
    if name.startswith("."):
        return "隐藏文件（文件名以“.”开头），已跳过未读取：如果这是要报送的工作簿，请去掉文件名开头的“.”后重新报送"
    if name.lower() in ("thumbs.db", "desktop.ini"):
        return "系统文件，已跳过"
    return ""


def sniff(data: bytes, size: int, suffix: str = ".xlsx") -> tuple[str, str]:
    """(kind, Chinese problem or ''): kind is xlsx, xls (legacy OLE) or 'bad'."""
    if size == 0:
        return "bad", "文件为空（0字节），请重新保存后报送"
    if size > MAX_FILE_BYTES or not data:
        return "bad", f"文件过大（{size / 1048576:.1f} MB，上限 {MAX_FILE_BYTES // 1048576} MB），不予读取"
    head = data[:4096]
    if head.startswith(_OLE):
        if _ENCRYPTED_OLE_MARK in data:
            return "bad", "工作簿已加密（设置了打开密码），无法读取：请在Excel中取消密码后另存为.xlsx再报送"
        if suffix.lower() in (".xlsx", ".xltx", ".xlsm"):
            return "bad", (f"文件扩展名是{suffix}，但内容是旧版Excel(.xls)或WPS表格(.et)格式（只改了扩展名）："
                           "请在Excel或WPS中打开，“另存为”→“Excel工作簿(*.xlsx)”后报送")
        return "xls", ""
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _check_zip(data, suffix)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):     # Excel's "Unicode text" export is UTF-16
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")):
        return "bad", "文件实际是网页/XML（可能是从系统导出的“假Excel”并改了扩展名）：请在Excel中打开后另存为.xlsx"
    if b"\x00" not in head and (b"," in head or b"\t" in head or b"\n" in head):
        return "bad", "文件实际是文本/CSV（只改了扩展名）：请使用下发的模板填报并保存为.xlsx"
    return "bad", "不是Excel工作簿（无法识别的文件格式）"


def _check_zip(data: bytes, suffix: str) -> tuple[str, str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return "bad", "文件已损坏或不完整（压缩包结构错误，可能传输中断）：请重新保存并报送"
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED_BYTES:
        what = "疑似压缩炸弹" if total > 20 * len(data) else "可能插入了图片、附件或多余的工作表"
        return "bad", (f"解压后体积异常（{total / 1048576:.0f} MB，填好的模板不超过 {MAX_UNZIPPED_BYTES // 1048576} MB），"
                       f"{what}，不予读取：请用下发的模板重新填报，佐证材料另行报送")
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        if any(n.startswith("word/") for n in names):
            return "bad", "文件实际是Word文档（.docx），不是Excel工作簿"
        return "bad", "压缩包不是Excel工作簿（缺少工作簿结构）"
    if "xl/vbaProject.bin" in names or suffix.lower() == ".xlsm":
        return "bad", "工作簿含宏（.xlsm/VBA），为安全起见不予读取、不运行宏：请另存为“Excel工作簿(*.xlsx)”后报送"
    bad = _test_members(data)
    if bad:
        return "bad", f"文件已损坏（{bad} 无法解压），请重新保存并报送"
    if "xl/workbook.xml" in names:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if _STRICT_NS in z.read("xl/workbook.xml")[:4096]:
                return "bad", ("工作簿是“Strict Open XML 电子表格”格式（另存为时选了严格格式），无法读取："
                               "请在Excel中打开，“另存为”→“Excel工作簿(*.xlsx)”后报送")
    return "xlsx", ""


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
        out.append(Sheet(a.get("name", ""), targets.get(a.get("id", ""), "")))
    return out


@dataclass
class CellScan:
    """What a sheet's XML says about its cells before any parser sees it."""

    repeated: list[tuple[int, int]]             # (row, column) written more than once, in order
    formulas: dict[tuple[int, int], str | None]  # formula cells: the result Excel saved (None: none saved)


def scan_cells(z: zipfile.ZipFile, member: str) -> CellScan:
    """Every <c> of a sheet, positioned as Excel does (an omitted r follows the previous cell or row)."""
    from openpyxl.utils import column_index_from_string

    xml = z.read(member)
    seen: set[tuple[int, int]] = set()
    out = CellScan([], {})
    row = col = 0
    for m in _ROW_OR_CELL.finditer(xml):
        if m.group("row") is not None:
            r = _attrs(m.group("row")).get("r", "")
            row, col = (int(r) if r.isdigit() else row + 1), 0
            continue
        ref = _REF.fullmatch(_attrs(m.group("cell")).get("r", ""))
        if ref:
            row, col = int(ref.group(2)), column_index_from_string(ref.group(1).upper())
        else:
            col += 1
        if (row, col) in seen and (row, col) not in out.repeated:
            out.repeated.append((row, col))
        seen.add((row, col))
        body = m.group("body") or b""
        if _FORMULA.search(body):
            v = _CACHED.search(body)
            out.formulas[(row, col)] = html.unescape(v.group(1).decode("utf-8", "replace")) if v else None
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
