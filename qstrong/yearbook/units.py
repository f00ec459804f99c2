"""Units as statistical yearbooks print them, and conversion between them by an explicit table.

:data:`UNITS` is the data: every unit, its dimension and its size in the dimension's base unit
(亿元 = 10⁸ 元, 万人 = 10⁴ 人, ‰ = 0.1 %). :func:`parse_unit` reads a unit from a header
(“地区生产总值（亿元）”) or a unit line (“单位：万元”); :func:`convert` converts a value and returns the
factor used. A unit missing, unknown or of another dimension is refused in Chinese, never guessed.
"""

from __future__ import annotations

import math
import re
import unicodedata
from fractions import Fraction

from ..errors import InputError

# unit, dimension, size in the dimension's base unit, other spellings (after NFKC)
_TABLE: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("元", "money", "1", ("元人民币",)),
    ("千元", "money", "1000", ()),
    ("万元", "money", "10000", ("万元人民币",)),
    ("百万元", "money", "1000000", ()),
    ("亿元", "money", "100000000", ("亿元人民币",)),
    ("元/人", "money_per_person", "1", ("元/每人", "元每人")),
    ("万元/人", "money_per_person", "10000", ()),
    ("人", "people", "1", ()),
    ("千人", "people", "1000", ()),
    ("万人", "people", "10000", ()),
    ("户", "households", "1", ()),
    ("万户", "households", "10000", ()),
    ("%", "ratio", "1/100", ("百分比",)),
    ("‰", "ratio", "1/1000", ()),
    ("百分点", "percentage_point", "1", ()),
    ("个", "count_ge", "1", ()),
    ("万个", "count_ge", "10000", ()),
    ("项", "count_xiang", "1", ()),
    ("件", "count_jian", "1", ()),
    ("万件", "count_jian", "10000", ()),
    ("次", "count_ci", "1", ()),
    ("家", "count_jia", "1", ()),
    ("张", "count_zhang", "1", ()),
    ("处", "count_chu", "1", ()),
    ("所", "count_suo", "1", ()),
    ("座", "count_zuo", "1", ()),
    ("台", "count_tai", "1", ()),
    ("辆", "count_liang", "1", ()),
    ("吨", "mass", "1", ()),
    ("千克", "mass", "1/1000", ("公斤", "kg")),
    ("万吨", "mass", "10000", ()),
    ("天", "days", "1", ("日",)),
    ("小时", "hours", "1", ()),
    ("平方公里", "area", "1000000", ("平方千米", "km²", "km2")),
    ("公顷", "area", "10000", ()),
    ("亩", "area", "2000/3", ()),
    ("万亩", "area", "20000000/3", ()),
    ("平方米", "area", "1", ("m²", "m2")),
    ("万平方米", "area", "10000", ()),
    ("公里", "length", "1000", ("千米", "km")),
    ("千瓦时", "energy", "1", ("度",)),
    ("万千瓦时", "energy", "10000", ()),
    ("亿千瓦时", "energy", "100000000", ()),
    ("吨标准煤", "coal", "1", ()),
    ("万吨标准煤", "coal", "10000", ()),
    ("μg/m³", "concentration", "1", ("微克/立方米", "μg/m3", "ug/m3", "ug/m³")),
    ("mg/m³", "concentration", "1000", ("毫克/立方米", "mg/m3")),
)

UNITS: dict[str, tuple[str, Fraction]] = {u: (dim, Fraction(size)) for u, dim, size, _ in _TABLE}
_SPELLINGS: dict[str, str] = {s: u for u, _, _, alts in _TABLE for s in (u, *alts)}
# dimension: its Chinese name, and whether two places' figures add up to the figure of both (a merged
# county's earlier figure is the sum of its predecessors' only for these; a ratio, concentration,
# per-person figure or number of days in the year is not)
DIMENSIONS: dict[str, tuple[str, bool]] = {
    "money": ("金额", True), "money_per_person": ("人均金额", False), "people": ("人数", True),
    "households": ("户数", True), "ratio": ("比率", False), "percentage_point": ("百分点差", False),
    "count_ge": ("计数", True), "count_xiang": ("计数", True), "count_jian": ("计数", True),
    "count_ci": ("计数", True), "count_jia": ("计数", True), "count_zhang": ("计数", True),
    "count_chu": ("计数", True), "count_suo": ("计数", True), "count_zuo": ("计数", True),
    "count_tai": ("计数", True), "count_liang": ("计数", True), "mass": ("重量", True),
    "days": ("天数", False), "hours": ("时长", False), "area": ("面积", True), "length": ("长度", True),
    "energy": ("电量", True), "coal": ("能耗", True), "concentration": ("浓度", False)}
DIMENSION_ZH = {d: zh for d, (zh, _) in DIMENSIONS.items()}
_UNIT_LINE = re.compile(r"^单位[:：]\s*(.+)$")
_BRACKET = re.compile(r"^(.*?)[（(]([^（）()]*)[）)]\s*$")


class UnitError(InputError):
    """A unit that cannot be read or converted."""

    title = "单位有{n}处问题"


def _norm(text: object) -> str:
    t = unicodedata.normalize("NFKC", "" if text is None else str(text))
    return re.sub(r"\s+", "", t).replace("％", "%")


def parse_unit(text: object) -> str | None:
    """The canonical unit `text` names (“亿元”, “（万人）”, “单位：万元”, “%”), or None."""
    t = _norm(text)
    m = _UNIT_LINE.match(t)
    if m:
        t = m[1]
    m = _BRACKET.match(t)
    if m and not m[1]:
        t = m[2]
    return _SPELLINGS.get(t)


def unit_line(text: object) -> str | None:
    """The text after “单位：” when `text` is a unit line (the unit itself may be unknown), else None."""
    m = _UNIT_LINE.match(_norm(text))
    return m[1] if m else None


def split_unit(header: object) -> tuple[str, str, str]:
    """(label, unit, note) of a header: “地区生产总值（亿元）” → (“地区生产总值”, “亿元”, “”); a trailing %
    or ‰ counts; a bracket that holds no known unit stays in the label and is named in `note`."""
    t = "" if header is None else str(header).strip()
    m = _BRACKET.match(t)
    if m:
        inner = m[2].strip()
        line = unit_line(inner)
        unit = parse_unit(line if line is not None else inner)
        if unit:
            return _label(m[1]), unit, ""
        return _label(t), "", f"括号中的“{inner}”不是已知单位" if _looks_like_unit(inner) else ""
    for sym in ("%", "％", "‰"):
        if t.endswith(sym) and len(t) > 1:
            return _label(t[:-1]), parse_unit(sym) or "", ""
    return _label(t), "", ""


def _looks_like_unit(text: str) -> bool:
    return 0 < len(text) <= 6 and not re.search(r"[0-9含不其中按年季月]", text)


def _label(text: str) -> str:
    return re.sub(r"\s+", "", text).translate(str.maketrans({"(": "（", ")": "）"}))


def problem(from_unit: str, to_unit: str) -> str:
    """Why `from_unit` cannot be converted to `to_unit`, in Chinese ('' when it can)."""
    f, t = parse_unit(from_unit) if from_unit else None, parse_unit(to_unit) if to_unit else None
    if not from_unit:
        return f"缺少单位，无法换算为“{to_unit}”：请在表头或“单位：”行写明单位" if to_unit else "缺少单位"
    if f is None:
        return f"单位“{from_unit}”无法识别（已知单位：{'、'.join(UNITS)}）"
    if not to_unit or t is None:
        return f"目标单位“{to_unit}”无法识别" if to_unit else "缺少目标单位"
    (fd, _), (td, _) = UNITS[f], UNITS[t]
    if fd != td:
        return (f"单位“{f}”（{DIMENSION_ZH.get(fd, '计数')}）不能换算为“{t}”（{DIMENSION_ZH.get(td, '计数')}）："
                "两者不是同一种量")
    return ""


def additive(unit: str) -> bool:
    """Whether figures in `unit` of two places add up to the figure of both (:data:`DIMENSIONS`);
    False for an unknown unit."""
    canon = parse_unit(unit) if unit else None
    return canon is not None and DIMENSIONS[UNITS[canon][0]][1]


def dimension_zh(unit: str) -> str:
    """The Chinese name of `unit`'s dimension (浓度, 比率…; '' for an unknown unit)."""
    canon = parse_unit(unit) if unit else None
    return DIMENSION_ZH.get(UNITS[canon][0], "计数") if canon else ""


def factor(from_unit: str, to_unit: str) -> Fraction:
    """The exact factor (value in `to_unit` = value in `from_unit` × factor); UnitError when none."""
    why = problem(from_unit, to_unit)
    if why:
        raise UnitError([why])
    return UNITS[parse_unit(from_unit)][1] / UNITS[parse_unit(to_unit)][1]


def convert(value: float, from_unit: str, to_unit: str) -> tuple[float, float]:
    """(value in `to_unit`, factor): 12.5 亿元 → (1250000.0, 10000.0). The product is taken on the value's
    decimal form, so 1.1 亿元 is 11000 万元 exactly, not 11000.000000000002."""
    f = factor(from_unit, to_unit)
    x = float(value)
    return (float(Fraction(repr(x)) * f) if math.isfinite(x) else x * float(f)), float(f)
