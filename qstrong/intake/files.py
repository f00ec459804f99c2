"""What a submitted file really is, checked from its bytes before any parser sees it."""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

MAX_FILE_BYTES = 20 * 1024 * 1024          # a filled template is ~20 KB
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024     # total uncompressed size of an .xlsx
MAX_RATIO = 200                            # uncompressed / compressed for any sizeable member

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".et", ".ett", ".xltx", ".csv", ".htm", ".html", ".txt", ""}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_OLE_MARK = "EncryptionInfo".encode("utf-16-le")


@dataclass(frozen=True)
class FileInfo:
    path: Path
    name: str                 # path relative to the intake folder
    size: int
    sha256: str
    modified: str             # ISO time of last modification


def file_info(path: Path, root: Path) -> FileInfo:
    data = path.read_bytes() if path.stat().st_size <= MAX_FILE_BYTES else b""
    digest = hashlib.sha256(data).hexdigest() if data else _sha256_stream(path)
    st = path.stat()
    return FileInfo(path, str(path.relative_to(root)), st.st_size, digest,
                    datetime.fromtimestamp(st.st_mtime).isoformat(timespec="seconds"))


def _sha256_stream(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def is_ignorable(path: Path) -> bool:
    """Office lock files (~$x.xlsx) and hidden files are skipped without comment."""
    return path.name.startswith(("~$", ".")) or path.name in ("Thumbs.db", "desktop.ini")


def sniff(path: Path, size: int) -> tuple[str, str]:
    """(kind, Chinese problem or ''): kind is xlsx, xls (legacy OLE) or 'bad'."""
    if size == 0:
        return "bad", "文件为空（0字节），请重新保存后报送"
    if size > MAX_FILE_BYTES:
        return "bad", f"文件过大（{size / 1048576:.1f} MB，上限 {MAX_FILE_BYTES // 1048576} MB），不予读取"
    with path.open("rb") as f:
        head = f.read(4096)
    if head.startswith(_OLE):
        data = path.read_bytes()
        if _ENCRYPTED_OLE_MARK in data:
            return "bad", "工作簿已加密（设置了打开密码），无法读取：请在Excel中取消密码后另存为.xlsx再报送"
        return "xls", ""
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _check_zip(path, size)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):     # Excel's "Unicode text" export is UTF-16
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")):
        return "bad", "文件实际是网页/XML（可能是从系统导出的“假Excel”并改了扩展名）：请在Excel中打开后另存为.xlsx"
    if b"\x00" not in head and (b"," in head or b"\t" in head or b"\n" in head):
        return "bad", "文件实际是文本/CSV（只改了扩展名）：请使用下发的模板填报并保存为.xlsx"
    return "bad", "不是Excel工作簿（无法识别的文件格式）"


def _check_zip(path: Path, size: int) -> tuple[str, str]:
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return "bad", "文件已损坏或不完整（压缩包结构错误，可能传输中断）：请重新保存并报送"
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED_BYTES or any(
            i.file_size > 1_000_000 and i.file_size > MAX_RATIO * max(i.compress_size, 1) for i in infos):
        return "bad", f"解压后体积异常（{total / 1048576:.0f} MB），疑似压缩炸弹，不予读取"
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        if any(n.startswith("word/") for n in names):
            return "bad", "文件实际是Word文档（.docx），不是Excel工作簿"
        return "bad", "压缩包不是Excel工作簿（缺少工作簿结构）"
    if "xl/vbaProject.bin" in names or path.suffix.lower() == ".xlsm":
        return "bad", "工作簿含宏（.xlsm/VBA），为安全起见不予读取、不运行宏：请另存为“Excel工作簿(*.xlsx)”后报送"
    bad = _test_members(path)
    if bad:
        return "bad", f"文件已损坏（{bad} 无法解压），请重新保存并报送"
    return "xlsx", ""


def _test_members(path: Path) -> str:
    """Name of the first member that cannot be decompressed or fails its CRC, or ''.

    Damaged deflate data raises zlib.error and an unknown compression method NotImplementedError,
    neither of which ZipFile.testzip() turns into a result, so each member is read here.
    """
    try:
        with zipfile.ZipFile(path) as z:
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
