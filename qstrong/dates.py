"""Dates given as options (a deadline, a brief's date): one reading for every command."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

# 2023-03-31, 2023/3/31, 2023.3.31, 2023年3月31日 — ASCII digits after NFKC (full-width digits folded)
_DATE = re.compile(r"(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:[-/.月])\s*(\d{1,2})\s*日?", re.ASCII)
YEARS = (2000, 2100)


def chinese(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def read_date(text: object, option: str) -> tuple[dt.date | None, str]:
    """(the date, '') or (None, a Chinese problem naming `option`, e.g. "--deadline（报送截止日期）")."""
    if isinstance(text, dt.date):
        return text, ""
    raw = str(text).strip()
    m = _DATE.fullmatch(unicodedata.normalize("NFKC", raw))
    if not m:
        return None, f"{option}：“{raw}”不是日期，应写成 2023-03-31 或 2023年3月31日"
    try:
        day = dt.date(*map(int, m.groups()))
    except ValueError:
        return None, f"{option}：“{raw}”不是有效的日期"
    if not YEARS[0] <= day.year <= YEARS[1]:
        return None, f"{option}：“{raw}”的年份应在{YEARS[0]}～{YEARS[1]}之间"
    return day, ""
