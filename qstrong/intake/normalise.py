"""Turning what people type into a measure's value, recording every normalisation.

Returns the canonical text the panel accepts (是/否, a level id, a number) or a Chinese problem.
A number is read as the cell shows it (its number format: a real % shows ×100, a literal "%" or
unit text is shown beside the value as typed); typed text must be digits a person would read as
that number (no internal spaces, no superscripts, circled digits or fractions that NFKC would turn
into digits; full-width digits, ％ and ， are accepted with a note). Pure functions: no files.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ..measures import Measure, fmt_num, parse_value
from ..names import clean_text
from . import numfmt

TRUE_TEXT = {"是", "有", "√", "✓", "✔", "y", "yes", "true", "t", "1", "对"}
FALSE_TEXT = {"否", "无", "×", "✗", "✘", "n", "no", "false", "f", "0", "没有"}
SHORT_UNITS = {"亿元": "亿", "万元": "万", "万人": "万", "μg/m³": "ug/m3"}
_THOUSANDS = re.compile(r"^[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$")
_NUMBER = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$")
_LEADING_NUMBER = re.compile(r"^([+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+)([^0-9,.].*)$")
_SPACED_DIGITS = re.compile(r"[0-9.,+\-]\s+[0-9.,]")
QUOTE_LIMIT = 60          # characters of a typed value quoted in a message


def quote(raw: object) -> str:
    """What was typed, for a message: control characters visible, long text cut with its length."""
    t = clean_text(raw)
    return t if len(t) <= QUOTE_LIMIT else f"{t[:QUOTE_LIMIT]}…（共{len(t)}字）"


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


def _units(m: Measure) -> list[str]:
    """The measure's own unit and its short form, longest first (the only text that may follow a number)."""
    units = {m.unit, SHORT_UNITS.get(m.unit, "")}
    return sorted(units - {"", "%"}, key=len, reverse=True)


def _split_unit(m: Measure, text: str) -> tuple[str, str]:
    """(text before the measure's own unit, that unit) — matched after NFKC, so μg/m³ typed with the
    micro sign or as μg/m3 is the unit; ('text', '') when it does not end in it."""
    for unit in _units(m):
        u = unicodedata.normalize("NFKC", unit)
        for k in range(max(1, len(text) - len(u) - 4), len(text)):
            if unicodedata.normalize("NFKC", text[k:]) == u:
                return text[:k], unit
    return text, ""


def _not_digits(m: Measure, raw: str) -> str:
    """Why typed text is not a plain number even though NFKC might make one of it ('' if none)."""
    t = _split_unit(m, raw.strip())[0].rstrip()     # the unit itself may hold a superscript (μg/m³)
    odd = [ch for ch in t if not ch.isascii() and not "\uff01" <= ch <= "\uff5e" and not ch.isspace()
           and any(c.isdigit() for c in unicodedata.normalize("NFKC", ch))]
    if odd:
        return (f"“{quote(raw)}”含不是阿拉伯数字的数字字符（{'、'.join(dict.fromkeys(odd))}；上标、下标、圈码、分数"
                "或其他文字的数字），不是数字：请只填阿拉伯数字0～9")
    hidden = [f"U+{ord(ch):04X}" for ch in t if unicodedata.category(ch) in ("Cf", "Cc")]
    if hidden:
        return f"“{quote(raw)}”含不可见字符（{'、'.join(dict.fromkeys(hidden))}），不是数字：请删除后重新填写"
    if _SPACED_DIGITS.search(unicodedata.normalize("NFKC", t)):
        return f"“{quote(raw)}”数字中间有空格，无法确定是一个数还是几个数：请只填一个数，不要加空格"
    return ""


def _number_from_text(m: Measure, text: str) -> tuple[float | None, list[str], str]:
    """(number, notes, error) from typed text; percent signs handled by the caller."""
    notes = []
    t = text
    # Only the measure's own unit (or its short form) is dropped: "5亿元" in a 万元 field stays an error.
    t, unit = _split_unit(m, t)
    if unit:
        notes.append(f"去掉单位“{unit}”")
    if _THOUSANDS.match(t):
        t = t.replace(",", "")
        notes.append("去掉千位分隔符")
    if not _NUMBER.match(t):
        lead = _LEADING_NUMBER.match(t)
        if lead and not re.search(r"[0-9]", lead.group(2)):
            mine = f"该数据项的单位是{m.unit}" if m.unit and m.unit != "%" else "该数据项不带单位"
            return None, notes, (f"“{quote(text)}”带单位“{quote(lead.group(2))}”，但{mine}：请只填阿拉伯数字，"
                                 "按规定单位填写")
        hint = f"（请只填阿拉伯数字，单位按{m.unit}）" if m.unit and m.unit != "%" else "（请只填阿拉伯数字）"
        return None, notes, f"“{quote(text)}”不是数字{hint}"
    return float(t), notes, ""


def _as_shown(m: Measure, x: float, number_format: str) -> tuple[float | None, list[str], str, bool]:
    """(value as the cell shows it, notes, error, read as the template intends) for a stored number."""
    s = numfmt.shown(number_format, x)
    err = numfmt.problem(s, m.name_zh)
    if err:
        return None, [], err, False
    if (s.percent or s.literal_percent) and m.kind != "percent":
        return None, [], f"单元格格式“{s.code}”把数值显示为百分数，但{m.name_zh}不是百分比：请把单元格格式改为“常规”", False
    notes: list[str] = []
    unit = unicodedata.normalize("NFKC", s.unit)
    if unit:
        own = {unicodedata.normalize("NFKC", u) for u in _units(m)}
        if unit not in own:
            mine = f"该数据项的单位是{m.unit}" if m.unit and m.unit != "%" else "该数据项不带单位"
            return None, [], (f"单元格格式“{s.code}”在数值旁显示“{s.unit}”，但{mine}：请把单元格格式改为“常规”，"
                              "按规定单位填写"), False
        notes.append(f"单元格格式显示单位“{s.unit}”")
    intended = not notes
    if m.kind == "percent":
        if s.percent:
            y = round(x * 100, 10)
            notes.append(f"百分比格式单元格中的{fmt_num(x, 10)}按{fmt_num(y, 10)}%")
            return y, notes, "", intended
        if s.literal_percent:
            notes.append(f"单元格格式把{fmt_num(x, 10)}显示为{fmt_num(x, 10)}%（格式中的“%”是文字），按{fmt_num(x, 10)}%")
            return x, notes, "", False
        if 0 < abs(x) <= 1:
            return None, [], (f"{fmt_num(x, 10)}含义不明：是{fmt_num(x, 10)}%还是{fmt_num(x * 100, 10)}%？"
                              f"请填写带百分号的数，如“{fmt_num(x * 100, 10)}%”"), False
        return x, notes, "", False
    return x, notes, "", intended


def normalise(m: Measure, raw: object, number_format: str = "") -> Normalised:
    """Normalise one typed value for measure `m`; `number_format` is the cell's (numbers are read as
    the cell shows them)."""
    if raw is None or (isinstance(raw, str) and _clean(raw) == ""):
        return Normalised(None)
    if isinstance(raw, datetime | date | time | timedelta):
        return Normalised(None, error=f"填报值是日期/时间（{raw}），应为{m.describe_allowed()}")
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if not math.isfinite(float(raw)):
            return Normalised(None, error="不是有限数字")
        x, notes, err, intended = _as_shown(m, float(raw), number_format)
        if err:
            return Normalised(None, error=err)
        if m.kind in ("bool", "level"):
            if notes:
                return Normalised(None, error=f"单元格格式使{fmt_num(float(raw), 10)}显示为其他内容：请把单元格格式改为“常规”")
            raw = int(raw) if float(raw).is_integer() else raw
        else:
            return _finish(m, x, notes, changed=not intended)
    if isinstance(raw, str) and numfmt.hides_text(number_format):
        return Normalised(None, error=f"单元格格式“{number_format}”不显示所填的文字：请把单元格格式改为“常规”")
    notes = []
    if isinstance(raw, str) and raw != raw.strip():
        notes.append("去掉多余空格")
    text = _clean(raw) if isinstance(raw, str) else None
    if text is not None and any("\uff01" <= ch <= "\uff5e" for ch in raw):
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
                return Normalised(None, error=f"“{quote(raw)}”不是是/否值，应为{m.describe_allowed()}")
        if str(raw).strip() != canon:
            notes.append(f"“{quote(raw)}”按“{canon}”")
        return Normalised(canon, "；".join(notes))

    if m.kind == "level":
        t = text if text is not None else _clean(str(raw))
        for lid, label in zip(m.levels, m.level_labels, strict=True):
            if t in (lid, _clean(label)):
                if str(raw).strip() not in (lid, label):
                    notes.append(f"“{quote(raw)}”按“{label}”")
                return Normalised(lid, "；".join(notes))
        return Normalised(None, error=f"“{quote(raw)}”不是可选等级，应为{m.describe_allowed()}")

    # typed text for a count, percent or number
    if not isinstance(raw, str):
        return Normalised(None, error=f"“{quote(raw)}”不是数字")
    err = _not_digits(m, raw)
    if err:
        return Normalised(None, error=err)
    t = text
    has_pct = t.endswith("%")
    if has_pct:
        if m.kind != "percent":
            return Normalised(None, error=f"“{quote(raw)}”带百分号，但{m.name_zh}不是百分比")
        t = t[:-1]
    x, more, err = _number_from_text(m, t)
    if err:
        return Normalised(None, error=err)
    notes += more
    if m.kind == "percent" and not has_pct and 0 < abs(x) <= 1:
        return Normalised(None, error=f"“{quote(raw)}”含义不明：是{fmt_num(x, 10)}%还是{fmt_num(x * 100, 10)}%？"
                                      f"请填写带百分号的数，如“{fmt_num(x * 100, 10)}%”")
    if has_pct:
        notes.append("去掉百分号")
    if notes or t != text:
        notes.insert(0, f"“{quote(raw)}”→{fmt_num(x, 10)}")
    return _finish(m, x, notes, changed=True)


def _finish(m: Measure, x: float, notes: list[str], changed: bool) -> Normalised:
    value, err = parse_value(m, x)
    if err:
        return Normalised(None, error=f"{m.name_zh}：{err}")
    return Normalised(fmt_num(value, 10), "；".join(dict.fromkeys(notes)), changed=changed)
