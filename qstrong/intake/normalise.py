"""Turning what people type into a measure's value, recording every normalisation.

Returns the canonical text the panel accepts (是/否, a level id, a number) or a Chinese problem.
Pure functions: no files, no workbooks.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time

from ..measures import Measure, fmt_num, parse_value

TRUE_TEXT = {"是", "有", "√", "✓", "✔", "y", "yes", "true", "t", "1", "对"}
FALSE_TEXT = {"否", "无", "×", "✗", "✘", "n", "no", "false", "f", "0", "没有"}
COUNT_UNITS = ("项", "个", "家", "次", "件", "张", "处")   # a count typed with any of these is still a count
SHORT_UNITS = {"亿元": "亿", "万元": "万", "万人": "万", "μg/m³": "ug/m3"}
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


@dataclass(frozen=True)
class Normalised:
    """value: canonical text for the panel (None = missing); note: how it was read; error.

    `changed` is False when the value was read exactly as the template intends (e.g. 95% in a
    percent-formatted cell), True when what was typed had to be normalised.
    """

    value: str | None
    note: str = ""
    error: str = ""
    changed: bool = True


def _clean(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _number_from_text(m: Measure, text: str) -> tuple[float | None, list[str], str]:
    """(number, notes, error) from typed text; percent signs handled by the caller."""
    notes = []
    t = text
    # Only the measure's own unit (or its short form) is dropped: "5亿元" in a 万元 field stays an error.
    units = {m.unit, SHORT_UNITS.get(m.unit, "")} | (set(COUNT_UNITS) if m.kind == "count" else set())
    for unit in sorted(units - {""}, key=len, reverse=True):
        if t.endswith(unit) and len(t) > len(unit):
            t = t[: -len(unit)]
            notes.append(f"去掉单位“{unit}”")
            break
    if _THOUSANDS.match(t):
        t = t.replace(",", "")
        notes.append("去掉千位分隔符")
    if not _NUMBER.match(t):
        hint = f"（请只填阿拉伯数字，单位按{m.unit}）" if m.unit and m.unit != "%" else "（请只填阿拉伯数字）"
        return None, notes, f"“{text}”不是数字{hint}"
    return float(t), notes, ""


def normalise(m: Measure, raw: object, percent_format: bool = False) -> Normalised:
    """Normalise one typed value for measure `m` (`percent_format`: the cell shows numbers as %)."""
    if raw is None or (isinstance(raw, str) and _clean(raw) == ""):
        return Normalised(None)
    if isinstance(raw, datetime | date | time):
        return Normalised(None, error=f"填报值是日期/时间（{raw}），应为{m.describe_allowed()}")
    original = raw if isinstance(raw, str) else None
    notes: list[str] = []
    if original is not None and original != original.strip():
        notes.append("去掉多余空格")
    text = _clean(raw) if isinstance(raw, str) else None
    if text is not None and text != raw.strip():
        if unicodedata.normalize("NFKC", raw.strip()) != raw.strip():
            notes.append("全角转半角")

    if m.kind == "bool":
        if isinstance(raw, bool):
            canon = "是" if raw else "否"
        elif isinstance(raw, int | float):
            if raw not in (0, 1):
                return Normalised(None, error=f"{fmt_num(raw)}不是是/否值，应为{m.describe_allowed()}")
            canon = "是" if raw == 1 else "否"
        else:
            low = text.lower()
            if low in TRUE_TEXT:
                canon = "是"
            elif low in FALSE_TEXT:
                canon = "否"
            else:
                return Normalised(None, error=f"“{raw}”不是是/否值，应为{m.describe_allowed()}")
        if str(raw).strip() != canon:
            notes.append(f"“{raw}”按“{canon}”")
        return Normalised(canon, "；".join(notes))

    if m.kind == "level":
        t = text if text is not None else _clean(str(raw))
        for lid, label in zip(m.levels, m.level_labels, strict=True):
            if t in (lid, _clean(label)):
                if str(raw).strip() not in (lid, label):
                    notes.append(f"“{raw}”按“{label}”")
                return Normalised(lid, "；".join(notes))
        return Normalised(None, error=f"“{raw}”不是可选等级，应为{m.describe_allowed()}")

    # numbers: count, percent, number
    if isinstance(raw, bool):
        return Normalised(None, error=f"“{raw}”不是数字")
    if isinstance(raw, int | float):
        x = float(raw)
        if not math.isfinite(x):
            return Normalised(None, error="不是有限数字")
        if m.kind == "percent":
            if percent_format:
                y = round(x * 100, 10)
                notes.append(f"百分比格式单元格中的{fmt_num(x, 10)}按{fmt_num(y, 10)}%")
                x = y
            elif 0 < abs(x) <= 1:
                return Normalised(None, error=f"{fmt_num(x, 10)}含义不明：是{fmt_num(x, 10)}%还是"
                                              f"{fmt_num(x * 100, 10)}%？请填写带百分号的数，如“{fmt_num(x * 100, 10)}%”")
    else:
        t = text
        has_pct = t.endswith("%")
        if has_pct:
            if m.kind != "percent":
                return Normalised(None, error=f"“{raw}”带百分号，但{m.name_zh}不是百分比")
            t = t[:-1]
        x, more, err = _number_from_text(m, t)
        if err:
            return Normalised(None, error=err)
        notes += more
        if m.kind == "percent" and not has_pct and 0 < abs(x) <= 1:
            return Normalised(None, error=f"“{raw}”含义不明：是{fmt_num(x, 10)}%还是{fmt_num(x * 100, 10)}%？"
                                          f"请填写带百分号的数，如“{fmt_num(x * 100, 10)}%”")
        if has_pct:
            notes.append("去掉百分号")
        if notes or t != text:
            notes.insert(0, f"“{raw}”→{fmt_num(x, 10)}")
    value, err = parse_value(m, x)
    if err:
        return Normalised(None, error=f"{m.name_zh}：{err}")
    as_intended = isinstance(raw, int | float) and (m.kind != "percent" or percent_format)
    return Normalised(fmt_num(value, 10), "；".join(dict.fromkeys(notes)), changed=not as_intended)
