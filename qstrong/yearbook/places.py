"""Every place the yearbook import names, in one wording: a table's cell as the reader says it
(``RawSheet.where``: 文件“a.csv”第3行第2列, 文件“x.xlsx”工作表“表1”单元格B5) from the importer's
file/sheet/cell columns or a ``real:<file>#<sheet>!<cell>`` source (:func:`place`), and a line of another
input, named by its role (裁定文件“r.csv”第4行, 对标面板“p.csv”第7行: :func:`line_place`)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from openpyxl.utils.cell import coordinate_to_tuple

from .reader import RawSheet

RULES = "裁定文件"
BASE = "对标面板"
_SOURCE = re.compile(r"real:(?P<file>[^#]*)#(?:(?P<sheet>.*)!)?(?P<cell>[^!]*)")
_LINE_COLUMN = re.compile(r"(\d+):(\d+)")


def place(file: object = "", sheet: object = "", cell: object = "", source: object = "") -> str:
    """Where an imported value is, in the reader's words (``RawSheet.where``): 文件“x.xlsx”工作表“表1”单元格B5,
    文件“a.csv”第3行第2列, summed cells joined by +; from ``real:<file>#<sheet>!<cell>`` when `file` is empty."""
    file, sheet, cell = ("" if pd.isna(x) else str(x) for x in (file, sheet, cell))
    if not file and (m := _SOURCE.fullmatch(str(source))):
        file, sheet, cell = m["file"], m["sheet"] or "", m["cell"]
    if not file:
        return str(source)
    parts = []
    for i, a in enumerate(x.strip() for x in cell.split("+") if x.strip()):
        lc = _LINE_COLUMN.fullmatch(a)
        try:
            r, c = (int(lc[1]), int(lc[2])) if lc else coordinate_to_tuple(a)
        except ValueError:
            parts.append(f"单元格{a}")
            continue
        text = RawSheet(file, sheet, "csv" if lc else "xlsx", []).where(r - 1, c - 1)
        parts.append(text if i == 0 else text[len(RawSheet(file, sheet, "", []).where()):])
    if not parts or not parts[0].startswith("文件"):
        parts.insert(0, RawSheet(file, sheet, "", []).where())
        return parts[0] + "+".join(parts[1:])
    return "+".join(parts)


def line_place(role: str, file: object = "", line: object = None) -> str:
    """A line of a file named by its role: 裁定文件“x.csv”第3行; the role alone when there is no file name,
    no 第N行 when there is no line."""
    text = file.name if isinstance(file, Path) else file
    name = f"“{text}”" if isinstance(text, str) and text else ""
    return f"{role}{name}" + (f"第{line}行" if line is not None and not pd.isna(line) else "")


def rule_place(file: object = "", line: object = None) -> str:
    """A line of the ``--resolve`` file: 裁定文件“x.csv”第3行 (裁定文件第3行 when the rules came without a file)."""
    return line_place(RULES, file, line)


def base_place(file: object = "", line: object = None) -> str:
    """A line of the base peer panel: 对标面板“shandong.csv”第7行."""
    return line_place(BASE, file, line)


def places(df: pd.DataFrame) -> pd.Series:
    """:func:`place` of every row (the report's 位置 column)."""
    cols = [df[c] if c in df else pd.Series("", index=df.index) for c in ("file", "sheet", "cell", "source")]
    return pd.Series([place(*x) for x in zip(*cols, strict=True)], index=df.index, dtype=object)
