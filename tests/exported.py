"""What every exported file must satisfy, checked on the files themselves (shared by the hostile tests):
no formula cell and no text starting with = + - @ (or tab/CR) unescaped, in any xlsx or csv."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

import openpyxl
import python_calamine

_NUMBER = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")
_LIVE = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def live(text: object) -> bool:
    """A text a spreadsheet could take for a formula (plain numbers like -3.2 are numbers, not formulas)."""
    return isinstance(text, str) and text.lstrip(" ").startswith(_LIVE) and not _NUMBER.match(text)


def scan(path: Path) -> list[str]:
    """Every formula-like cell of one exported xlsx or csv, as 'file!sheet!cell: text'."""
    bad = []
    if path.suffix.lower() == ".xlsx":
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            if live(ws.title):
                bad.append(f"{path.name}!sheet title {ws.title!r}")
            for row in ws.iter_rows():
                for c in row:
                    if c.data_type == "f" or live(c.value):
                        bad.append(f"{path.name}!{ws.title}!{c.coordinate}: {c.value!r}")
        cal = python_calamine.CalamineWorkbook.from_path(str(path))
        for name in cal.sheet_names:
            for r, row in enumerate(cal.get_sheet_by_name(name).to_python()):
                bad += [f"{path.name}!{name}!r{r}: {v!r} (calamine)" for v in row if live(v)]
    elif path.suffix.lower() == ".csv":
        text = path.read_text(encoding="utf-8-sig")
        for r, row in enumerate(csv.reader(io.StringIO(text, newline=""))):
            bad += [f"{path.name}!r{r}: {v!r}" for v in row if live(v)]
    return bad


def scan_tree(folder: Path) -> list[str]:
    return [b for p in sorted(folder.rglob("*")) if p.is_file() for b in scan(p)]


def hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


_CJK = re.compile(r"[\u4e00-\u9fff]")


def people_problems(path: Path, about: bool = True) -> list[str]:
    """What keeps a file written for people from being sent: a header cell without Chinese (an English key,
    a stray index), no first sheet 说明 (xlsx, with `about`), no BOM (csv); formula-like cells (:func:`scan`)."""
    bad = scan(path)
    if path.suffix.lower() == ".xlsx":
        wb = openpyxl.load_workbook(path)
        if about and wb.sheetnames[0] != "说明":
            bad.append(f"{path.name}: first sheet is {wb.sheetnames[0]!r}, not 说明")
        for ws in wb.worksheets:
            bad += [f"{path.name}!{ws.title}!{c.coordinate}: header {c.value!r}" for c in ws[1]
                    if not (isinstance(c.value, str) and _CJK.search(c.value))]
    elif path.suffix.lower() == ".csv":
        data = path.read_bytes()
        if not data.startswith(b"\xef\xbb\xbf"):
            bad.append(f"{path.name}: no UTF-8 BOM")
        header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")), [])
        bad += [f"{path.name}: header {h!r}" for h in header if not _CJK.search(h)]
    return bad
