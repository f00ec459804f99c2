"""What an Excel number format does to a number: the cell shows the value, not what is stored.

Only the section that applies to the value is read (positive;negative;zero;text). Quoted text
("万元"), backslash escapes (\\%), [color], [$symbol-locale] and [condition] brackets, _x (a space
as wide as x) and *x (fill) are parsed, so a literal "%" is told from a real % (which shows the
value ×100), a trailing comma (which shows it ÷1000) from a thousands separator, and a date code
from text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PLACEHOLDER = "0#?"
_DATE_CODES = "ymdhs"
_LITERAL_PLAIN = "$-+/():!^&'~{}<>= "     # shown as they are without quotes
_SIGNS = "-+()\u2212\u2012\u2013\u2014\ufe63\uff0d\uff0b\uff08\uff09"   # minus, plus, brackets, dashes
_CONDITION = re.compile(r"^\[(?:<=|>=|<>|<|>|=)")
_ELAPSED = re.compile(r"^\[(?:h+|m+|s+)\]$", re.I)


@dataclass(frozen=True)
class Shown:
    """How a section of a number format shows a number."""

    code: str                   # the whole format (only the section that applies is read)
    percent: int = 0            # real % signs: each shows the value ×100
    literal: str = ""           # text shown beside the number (quoted, escaped, [$…] symbols)
    date: bool = False          # shown as a date or time
    per_thousand: int = 0       # trailing commas: each shows the value ÷1000
    number: bool = True         # the section shows the number at all
    condition: bool = False     # the format chooses its section by a [condition]
    drops_sign: bool = False    # a negative value shown without its minus sign
    signs: str = ""             # literal signs or brackets beside the number ("-"0.0, \\-0.0, (0.0))

    @property
    def unit(self) -> str:
        """The literal text without the percent sign, signs, brackets and spaces."""
        return re.sub(r"[%\s$\-+/():!^&'~{}<>=.,]", "", self.literal)

    @property
    def literal_percent(self) -> bool:
        return "%" in self.literal

    @property
    def plain(self) -> bool:
        """Shows the number as stored (General, 0.00, #,##0, …)."""
        return (self.number and not (self.percent or self.literal.strip() or self.date or self.per_thousand
                                     or self.condition or self.drops_sign or self.signs))


def sections(code: str) -> list[str]:
    """A format split at the semicolons that are not quoted, escaped or bracketed."""
    out, cur, k = [], [], 0
    while k < len(code):
        ch = code[k]
        if ch == '"':
            end = code.find('"', k + 1)
            end = len(code) - 1 if end < 0 else end
            cur.append(code[k:end + 1])
            k = end + 1
            continue
        if ch in "\\_*" and k + 1 < len(code):
            cur.append(code[k:k + 2])
            k += 2
            continue
        if ch == "[":
            end = code.find("]", k)
            end = len(code) - 1 if end < 0 else end
            cur.append(code[k:end + 1])
            k = end + 1
            continue
        if ch == ";":
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        k += 1
    out.append("".join(cur))
    return out


def shown(code: str | None, value: float) -> Shown:
    """How format `code` shows the number `value`."""
    code = code or "General"
    parts = sections(code)
    condition = any(_CONDITION.match(p) for p in parts)
    if value < 0 and len(parts) >= 2:
        section, negative_section = parts[1], True
    elif value == 0 and len(parts) >= 3:
        section, negative_section = parts[2], False
    else:
        section, negative_section = parts[0], False
    s = _scan(section)
    drops_sign = negative_section and "-" not in s.literal and value < 0
    own = s.literal.replace("-", "", 1) if negative_section else s.literal     # the section's own minus
    signs = "".join(ch for ch in own if ch in _SIGNS)
    return Shown(code, s.percent, s.literal, s.date, s.per_thousand, s.number, condition, drops_sign, signs)


def hides_text(code: str | None) -> bool:
    """Whether the format's text section (the 4th) does not show the typed text (``;;;`` hides it)."""
    parts = sections(code or "General")
    return len(parts) >= 4 and "@" not in parts[3]


def _scan(section: str) -> Shown:
    literal: list[str] = []
    codes: list[str] = []                  # the format codes, literals removed
    date = False
    k = 0
    while k < len(section):
        ch = section[k]
        if ch == '"':
            end = section.find('"', k + 1)
            end = len(section) if end < 0 else end
            literal.append(section[k + 1:end])
            k = end + 1
            continue
        if ch == "\\" and k + 1 < len(section):
            literal.append(section[k + 1])
            k += 2
            continue
        if ch in "_*" and k + 1 < len(section):
            k += 2                         # a space as wide as the next char; a fill character
            continue
        if ch == "[":
            end = section.find("]", k)
            end = len(section) - 1 if end < 0 else end
            inner = section[k:end + 1]
            if _ELAPSED.match(inner):
                date = True
            elif inner.startswith("[$"):
                literal.append(inner[2:-1].split("-")[0])
            k = end + 1
            continue
        for general in ("general", "g/通用格式"):        # Chinese Excel writes General as G/通用格式
            if section[k:k + len(general)].lower() == general:
                codes.append("0")
                k += len(general)
                break
        else:
            general = ""
        if general:
            continue
        if section[k:k + 5].upper() == "AM/PM" or section[k:k + 3].upper() == "A/P":
            date = True
            k += 5 if section[k:k + 5].upper() == "AM/PM" else 3
            continue
        if ch.lower() in _DATE_CODES:
            date = True
        elif ch.lower() == "e" and k + 1 < len(section) and section[k + 1] in "+-":
            codes.append("E")
            k += 2
            continue
        elif ch in _PLACEHOLDER + ".,%/@":
            codes.append(ch)
        else:
            literal.append(ch)
        k += 1
    code = "".join(codes)
    digits = [i for i, c in enumerate(code) if c in _PLACEHOLDER]
    per_thousand = 0
    if digits:
        per_thousand = sum(1 for c in code[digits[-1] + 1:] if c == ",")
    return Shown(section, code.count("%"), "".join(literal), date, per_thousand, bool(digits) and not date)


def problem(s: Shown, what: str) -> str:
    """Why a number shown by `s` cannot be read as typed ('' when it can); `what` names the cell's
    measure in the message. Units and percent signs are the caller's (they depend on the measure)."""
    fmt = f"单元格格式“{s.code}”"
    if s.condition:
        return f"{fmt}带条件（[>…]），显示的内容取决于数值，无法确定{what}：请把单元格格式改为“常规”"
    if s.date:
        return f"{fmt}是日期/时间格式，数字显示为日期：请把单元格格式改为“常规”后重新填写{what}"
    if not s.number:
        return f"{fmt}不显示数字（显示为“{s.literal}”）：请把单元格格式改为“常规”后重新填写{what}"
    if s.per_thousand:
        return (f"{fmt}末尾的逗号使数值按{1000 ** s.per_thousand:,}缩小显示，单元格显示的不是所填的数："
                "请把单元格格式改为“常规”")
    if s.drops_sign:
        return f"{fmt}把负数显示为不带负号的数，含义不明：请把单元格格式改为“常规”"
    if s.signs:
        return (f"{fmt}在数值旁显示符号“{''.join(dict.fromkeys(s.signs))}”，单元格显示的数与所填的数正负不同或含义不明："
                "请把单元格格式改为“常规”")
    if s.percent > 1:
        return f"{fmt}含多个百分号，数值按{100 ** s.percent:,}倍显示：请把单元格格式改为“常规”"
    return ""
