"""One yearbook cell as a number: missing marks, thousands separators and footnote marks.

“—”, “-”, “…”, “x” and blank are missing (counted, not errors); “1,234.5” is 1234.5; a footnote mark
after or before a number (“123.4①”, “123.4*”, “*123.4”) is stripped and said; anything else is text, which is an error
in a value column. Dates, times and TRUE/FALSE are never numbers, and neither is an :class:`Unread`
cell (an Excel error value, a formula with no saved result): each is text, with ``why`` saying what it is.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from ..names import normalise_name

NUMBER, MISSING, TEXT = "number", "missing", "text"
_MISSING = re.compile(r"^[-—–‐―－.·…xX×/／]+$")
_MARKS = re.compile(r"[①-⑳⑴-⒇*＊△▲#＃†‡]+$")
_LEADING = re.compile(r"^[①-⑳⑴-⒇*＊△▲#＃†‡]+(?=\s*[0-9+\-.])")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)


@dataclass(frozen=True)
class Parsed:
    """status (number / missing / text), the value (numbers only) and a footnote mark stripped ('' if none)."""

    status: str
    value: float | None = None
    mark: str = ""
    why: str = ""            # what a text cell is when it is not plain text: 日期, 逻辑值, Excel错误值…
    grouped: bool = False    # read with thousands separators removed (“1,234.5”)


class Unread(str):
    """A cell whose value the reader could not take, kept as text so it is never a number or a blank:
    ``Unread("#DIV/0!", "Excel错误值")``; ``why`` says what it is, the text shows both."""

    why: str

    def __new__(cls, text: str, why: str) -> Unread:
        out = super().__new__(cls, f"{text}（{why}）")
        out.why = why
        return out


def parse_cell(v: Any) -> Parsed:
    """What a cell holds, as a yearbook prints it (see the module's docstring)."""
    if v is None:
        return Parsed(MISSING)
    if isinstance(v, Unread):
        return Parsed(TEXT, why=v.why)
    if isinstance(v, bool):
        return Parsed(TEXT, why="逻辑值TRUE/FALSE，不是数字")
    if isinstance(v, datetime | date | time | timedelta):
        return Parsed(TEXT, why="日期或时间格式：请把单元格格式改为“数值”后核对")
    if isinstance(v, int | float):
        return Parsed(NUMBER, float(v)) if math.isfinite(v) else Parsed(TEXT)
    raw = str(v).strip()
    if not raw:
        return Parsed(MISSING)
    mark = ""
    m = _MARKS.search(raw)
    if m and m.start() > 0:
        mark, raw = m[0], raw[:m.start()].rstrip()
    elif m := _LEADING.match(raw):      # “*9000000”: a mark before the figure, read like one after it
        mark, raw = m[0], raw[m.end():].lstrip()
    t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw).replace("\u2212", "-"))
    if _MISSING.match(t):
        return Parsed(MISSING, None, mark)
    grouped = bool(_THOUSANDS.match(t))
    if grouped:
        t = t.replace(",", "")
    if _NUM.match(t):
        x = float(t)
        return Parsed(NUMBER, x, mark, grouped=grouped) if math.isfinite(x) else Parsed(TEXT)
    return Parsed(TEXT, None, mark)


def strip_mark(text: str) -> tuple[str, str]:
    """(text without a trailing footnote mark, or one before a figure, and the mark): “张店区①” → (“张店区”, “①”),
    “*12.5” → (“12.5”, “*”)."""
    m = _MARKS.search(text)
    if m and m.start() > 0:
        return text[:m.start()].rstrip(), m[0]
    if m := _LEADING.match(text):
        return text[m.end():].lstrip(), m[0]
    return text, ""


def decimals(raw: object) -> int:
    """Decimals a cell prints: from its text (“1,234.50” → 2), or a float's shortest repr (828.1447 → 4)."""
    if isinstance(raw, bool) or raw is None:
        return 0
    text = repr(float(raw)) if isinstance(raw, float) else str(raw)
    text = normalise_name(strip_mark(text)[0]).replace(",", "")
    try:
        exp = Decimal(text).as_tuple().exponent
    except InvalidOperation:
        return 0
    return max(0, -int(exp)) if isinstance(exp, int) else 0
