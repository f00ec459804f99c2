"""Reading a panel CSV: the bytes, the encoding (``textfiles.decoded``, as for every text input), the
header and every row checked before pandas sees it.

The header may be English (``county,year,measure,value``) or Chinese (``县（市、区）,年份,数据项,数值``
and the Chinese names of the provenance columns, from ``qstrong.vocabulary``). A file saved by Excel as
"Unicode text" (UTF-16, tab-separated) is read with tab as the separator, and a note says so.

A wrong value must never come from the wrong place: a column named twice (``value`` and ``Value``,
or ``value`` and ``value\u200b``), a nameless column with content, or a row with more fields than the
header is an error naming the line and column, never a guess. Header names are normalised
(``normalise_name``, lower case) so an invisible character or a full-width letter is not a new column.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from .names import normalise_name
from .textfiles import UTF16, TextError, decoded
from .vocabulary import COLUMNS

MAX_PANEL_BYTES = 200 * 1024 * 1024       # the bundled 136-county panel is ~6 MB
# Columns a panel (or a resolutions file) may carry; a header may name them in Chinese.
KNOWN = ("county", "year", "measure", "value", "source", "department", "file", "sheet", "cell", "original",
         "sha256", "modified", "evidence", "remark", "note", "lower", "upper", "method", "actual")
ENGLISH = {normalise_name(COLUMNS[c]).lower(): c for c in KNOWN if c in COLUMNS}
TAB_NOTE = "列之间用制表符分隔（Excel“Unicode文本”格式），已按制表符读取"


def read_rows(path: Path, required: tuple[str, ...] = ()) -> tuple[pd.DataFrame | None, list[tuple[int | None, str]],
                                                                    list[str]]:
    """The CSV as text columns plus a ``line`` column (or None), with (line, problem) pairs and the notes
    on how it was read (an encoding other than UTF-8, tab as the separator)."""
    try:
        size = path.stat().st_size
        if size > MAX_PANEL_BYTES:
            return None, [(None, f"文件过大（{size / 1048576:.0f} MB，上限 {MAX_PANEL_BYTES // 1048576} MB）")], []
        data = path.read_bytes()
    except OSError as exc:
        return None, [(None, f"无法读取文件（{exc.strerror or type(exc).__name__}）")], []
    try:
        got = decoded(data)
    except TextError as exc:
        return None, [(None, str(p)) for p in exc.problems], []
    text, notes = got.text, [got.note] if got.note else []
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return None, [(line, "含有NUL字符：这不是文本CSV文件（可能是改了扩展名的Excel或其他二进制文件）")], notes
    tabs = got.encoding == UTF16 and tab_separated(text)
    if tabs:
        notes.append(TAB_NOTE)
    return *parse(text, required, "\t" if tabs else ","), notes


def tab_separated(text: str) -> bool:
    """A header with tabs and no comma: Excel's "Unicode text" (UTF-16, tab-separated)."""
    head = text.split("\n", 1)[0]
    return "\t" in head and "," not in head


def parse(text: str, required: tuple[str, ...] = (), sep: str = ",") -> tuple[pd.DataFrame | None,
                                                                              list[tuple[int | None, str]]]:
    """Rows of CSV text checked against its header (see the module docstring): None when the header
    itself is wrong; otherwise the readable rows, and (line, problem) for each row left out. Columns are
    named in English (a Chinese header name of a known column translated)."""
    problems: list[tuple[int | None, str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return None, [(1, f"表头无法按CSV读取（{exc}）")]
    if header is None:
        return None, [(None, "文件为空")]
    names = [normalise_name(h).lower() for h in header]
    names = [ENGLISH.get(n, n) for n in names]
    if len(names) == 1 and any(s in header[0] for s in (";", "\t", "|")):
        used = next(n for s, n in ((";", "分号"), ("\t", "制表符"), ("|", "竖线")) if s in header[0])
        return None, [(1, f"表头只有一列“{header[0][:60]}”：列之间用的是{used}，应为英文逗号。"
                          "请在Excel中另存为“CSV UTF-8(逗号分隔)”")]
    seen: dict[str, int] = {}
    for k, n in enumerate(names, 1):
        if n and n in seen:
            problems.append((1, f"第{seen[n]}列与第{k}列的列名都是“{n}”{_zh(n)}（原文“{header[seen[n] - 1]}”与“{header[k - 1]}”）："
                                "无法确定取哪一列，请删除或改名多余的列"))
        seen.setdefault(n, k)
    if problems:                       # which column is which is unknown: no row can be read
        return None, problems
    unnamed = [k for k, n in enumerate(names) if not n]
    width = len(names)
    rows, lines = [], []
    try:
        for row in reader:
            line = reader.line_num
            if not any(f.strip() for f in row):
                continue                                   # a blank line (Excel writes ",,,")
            if len(row) > width:
                extra = [f for f in row[width:] if f.strip()]
                if extra:
                    problems.append((line, f"这一行有{len(row)}个字段，表头只有{width}列：多出的内容“{extra[0][:40]}”"
                                           "无法确定属于哪一列"))
                    continue
                row = row[:width]
            elif len(row) < width:
                short = [n for n in names[len(row):] if n in required]
                if short:
                    problems.append((line, f"这一行只有{len(row)}个字段，缺少“{'、'.join(short)}”列：请补全该行"
                                           "（没有数值时也要保留逗号）"))
                    continue
                row = row + [""] * (width - len(row))
            stray = [k for k in unnamed if row[k].strip()]
            for k in stray:
                problems.append((line, f"第{k + 1}列没有列名，但这一行在该列有内容“{row[k][:40]}”："
                                       "无法确定它是什么，请补上列名或删除该列"))
            if stray:
                continue
            rows.append(row)
            lines.append(line)
    except csv.Error as exc:
        return None, problems + [(reader.line_num, f"无法按CSV读取（{exc}）")]
    keep = [k for k, n in enumerate(names) if n]
    frame = pd.DataFrame({names[k]: pd.array([r[k] for r in rows], dtype=object) for k in keep})
    frame["line"] = lines
    return frame, problems           # rows with problems left out; the others still checked by the caller


def _zh(name: str) -> str:
    """A known column's Chinese name (``（即“数值”）``), '' for another column."""
    return f"（即“{COLUMNS[name]}”）" if name in KNOWN and name in COLUMNS else ""
