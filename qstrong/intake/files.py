"""What a submitted file really is, checked from its bytes before any parser sees it (the checks, shared
with the yearbook reader, are in :mod:`qstrong.workbook`; the template's limits and advice are here).

A file is read once, into memory (bounded by MAX_FILE_BYTES): its hash, the checks and the parsers
all see the same bytes, and the file on disk is never opened again.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .. import workbook
from ..workbook import CellScan, Policy, Sheet, scan_cells, sheet_has_content, workbook_sheets

__all__ = ["MAX_FILE_BYTES", "MAX_UNZIPPED_BYTES", "WORKBOOK_SUFFIXES", "CellScan", "FileInfo", "Sheet",
           "read_submission", "scan_cells", "sheet_has_content", "skipped_name", "sniff", "workbook_sheets"]

MAX_FILE_BYTES = 20 * 1024 * 1024          # a filled template is ~20 KB
# Total uncompressed size of an .xlsx. The master template (every measure) unzips to ~96 KB and a
# fully filled one, evidence and remark in every row, to well under 1 MB; 4 MB leaves room for a
# 1 MB remark (kept, then cut visibly) but not for extra sheets or a compressed bomb.
MAX_UNZIPPED_BYTES = 4 * 1024 * 1024

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".et", ".ett", ".xltx", ".csv", ".htm", ".html", ".txt", ""}
_ADVICE = {  # after the diagnosis worded in qstrong.workbook: what a department does about it
    "empty": "，请重新保存后报送",
    "too_big": "，不予读取",
    "encrypted": "：请在Excel中取消密码后另存为.xlsx再报送",
    "legacy_renamed": "：请在Excel或WPS中打开，“另存为”→“Excel工作簿(*.xlsx)”后报送",
    "web_page": "：请在Excel中打开后另存为.xlsx",
    "text": "：请使用下发的模板填报并保存为.xlsx",
    "broken_zip": "：请重新保存并报送",
    "big_unzipped": "：请用下发的模板重新填报，佐证材料另行报送",
    "macros": "：请另存为“Excel工作簿(*.xlsx)”后报送",
    "broken_member": "，请重新保存并报送",
    "strict": "：请在Excel中打开，“另存为”→“Excel工作簿(*.xlsx)”后报送",
}


@dataclass(frozen=True)
class FileInfo:
    path: Path
    name: str                 # path relative to the intake folder
    size: int
    sha256: str
    modified: str             # ISO time of last modification


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
    """(kind, Chinese problem or ''): kind is xlsx, xls (legacy OLE) or 'bad' (:func:`qstrong.workbook.sniff`
    with the template's limits, read here at each call)."""
    got = workbook.sniff(data, size, suffix, Policy(MAX_FILE_BYTES, MAX_UNZIPPED_BYTES, _ADVICE, "填好的模板",
                                                   "可能插入了图片、附件或多余的工作表"))
    return got.kind, got.problem
