"""One yearbook cell as a number: missing marks, thousands separators and footnote marks.

“—”, “-”, “…”, “x” and blank are missing (counted, not errors); “1,234.5” is 1234.5; a footnote mark
after a number (“123.4①”, “123.4*”) is stripped and said; anything else is text, which is an error
in a value column.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

NUMBER, MISSING, TEXT = "number", "missing", "text"
_MISSING = re.compile(r"^[-—–‐―－.·…xX×/／]+$")
_MARKS = re.compile(r"[①-⑳⑴-⒇*＊△▲#＃†‡]+$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)


@dataclass(frozen=True)
class Parsed:
    """status (number / missing / text), the value (numbers only) and a footnote mark stripped ('' if none)."""

    status: str
    value: float | None = None
    mark: str = ""


def parse_cell(v: Any) -> Parsed:
    """What a cell holds, as a yearbook prints it (see the module's docstring)."""
    if v is None:
        return Parsed(MISSING)
    if isinstance(v, bool) or isinstance(v, datetime | date | time):
        return Parsed(TEXT)
    if isinstance(v, int | float):
        return Parsed(NUMBER, float(v)) if math.isfinite(v) else Parsed(TEXT)
    raw = str(v).strip()
    if not raw:
        return Parsed(MISSING)
    mark = ""
    m = _MARKS.search(raw)
    if m and m.start() > 0:
        mark, raw = m[0], raw[:m.start()].rstrip()
    t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw).replace("\u2212", "-"))
    if _MISSING.match(t):
        return Parsed(MISSING, None, mark)
    if _THOUSANDS.match(t):
        t = t.replace(",", "")
    if _NUM.match(t):
        x = float(t)
        return Parsed(NUMBER, x, mark) if math.isfinite(x) else Parsed(TEXT)
    return Parsed(TEXT, None, mark)


def strip_mark(text: str) -> tuple[str, str]:
    """(text without a trailing footnote mark, the mark): “张店区①” → (“张店区”, “①”)."""
    m = _MARKS.search(text)
    if m and m.start() > 0:
        return text[:m.start()].rstrip(), m[0]
    return text, ""
