"""The data contract: every raw figure a department reports (package copy of measures.csv)."""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

KINDS = ("bool", "count", "percent", "number", "level")

TRUE_WORDS = {"true", "1", "是", "有", "yes", "y", "t", "√"}
FALSE_WORDS = {"false", "0", "否", "无", "no", "n", "f", "×"}


@dataclass(frozen=True)
class Measure:
    """One reported figure: id (public API), indicator, kind, unit, allowed range, Chinese name."""

    id: str
    indicator: str
    kind: str
    unit: str
    allowed: str
    name_zh: str
    note: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    levels: tuple[str, ...] = ()
    level_labels: tuple[str, ...] = ()

    def describe_allowed(self) -> str:
        """Chinese wording of the allowed values."""
        if self.kind == "bool":
            return "是/否（也可填1/0、有/无）"
        if self.kind == "level":
            return "、".join(self.level_labels)
        if self.kind == "count" and self.low == 0 and self.high is None:
            return "不小于0的整数"
        parts = []
        if self.low is not None:
            parts.append(f"{'大于' if self.low_open else '不小于'}{_fmt(self.low)}")
        if self.high is not None:
            parts.append(f"不大于{_fmt(self.high)}")
        return "，".join(parts) or "数值"

    def level_code(self, text: str) -> int | None:
        """Index of a level given its id or its Chinese label."""
        t = text.strip()
        for i, (lid, lab) in enumerate(zip(self.levels, self.level_labels, strict=True)):
            if t == lid or t == lab:
                return i
        return None


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _parse_allowed(kind: str, allowed: str) -> dict:
    out: dict = {}
    a = allowed.strip()
    if kind == "level":
        out["levels"] = tuple(a.split("|"))
    elif a.startswith(">="):
        out["low"] = float(a[2:])
    elif a.startswith(">"):
        out["low"], out["low_open"] = float(a[1:]), True
    elif ".." in a:
        lo, hi = a.split("..")
        out["low"], out["high"] = float(lo), float(hi)
    elif a:
        raise ValueError(f"unknown allowed range {allowed!r}")
    if kind == "count" and "low" not in out:
        out["low"] = 0.0
    return out


@cache
def load_measures() -> dict[str, Measure]:
    """All measures of the package's data contract, keyed by id (file order)."""
    text = resources.files("qstrong").joinpath("data/measures.csv").read_text(encoding="utf-8-sig")
    out: dict[str, Measure] = {}
    for row in csv.DictReader(text.splitlines()):
        kind = row["kind"]
        if kind not in KINDS:
            raise ValueError(f"measure {row['measure']}: unknown kind {kind!r}")
        extra = _parse_allowed(kind, row["allowed"])
        if kind == "level":
            labels = tuple(row["note"].split("|"))
            if len(labels) != len(extra["levels"]):
                raise ValueError(f"measure {row['measure']}: level labels do not match levels")
            extra["level_labels"] = labels
        out[row["measure"]] = Measure(
            id=row["measure"], indicator=row["indicator"], kind=kind, unit=row["unit"],
            allowed=row["allowed"], name_zh=row["name_zh"], note=row["note"], **extra,
        )
    return out


_NUM_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)   # ASCII digits only


def normalise_text(text: str) -> str:
    """Full-width to half-width (NFKC), no invisible format characters (U+200B, BOM …), strip spaces."""
    t = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in t if unicodedata.category(ch) != "Cf").strip()


def not_plain_digits(text: str) -> str:
    """Characters that NFKC would turn into digits or signs but that are not typed numbers: superscripts
    (1² → 12), subscripts, circled or fraction forms (half-width forms of full-width digits are fine).
    Returns a Chinese description of the first one, or ''."""
    for ch in text:
        if ("\uff01" <= ch <= "\uff5e") or ch in "\u3000\u00a0":
            continue
        folded = unicodedata.normalize("NFKC", ch)
        if folded != ch and any(c.isdigit() or c in "+-.,/%" for c in folded):
            return f"特殊字符“{ch}”（U+{ord(ch):04X}，上标、下标、带圈或分数形式）"
    return ""


def parse_value(measure: Measure, raw: object) -> tuple[float | None, str | None]:
    """Parse one raw value for a measure into the engine's float encoding.

    bool → 1.0/0.0; level → index in the allowed list; numbers as floats.
    Returns (value, None) or (None, Chinese problem text). Empty input → (None, None).
    """
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return None, None
    if isinstance(raw, bool):
        text = "true" if raw else "false"
    elif isinstance(raw, int | float):
        try:
            text = fmt_num(raw, 10)
        except OverflowError:                      # an int beyond float range (10**400)
            return None, f"{str(raw)[:20]}…超出可表示的数值范围"
    else:
        text = normalise_text(str(raw))
    if text == "":
        return None, None
    if measure.kind == "bool":
        low = text.lower()
        if low in TRUE_WORDS:
            return 1.0, None
        if low in FALSE_WORDS:
            return 0.0, None
        return None, f"“{text}”不是是/否值，应为{measure.describe_allowed()}"
    if measure.kind == "level":
        code = measure.level_code(text)
        if code is None:
            return None, f"“{text}”不是可选等级，应为{measure.describe_allowed()}"
        return float(code), None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        x = float(raw)
    elif odd := not_plain_digits(str(raw)):
        return None, f"“{str(raw).strip()}”含有{odd}，不是普通数字（请只填阿拉伯数字）"
    elif _NUM_RE.match(text):
        x = float(text)
    else:
        return None, f"“{text}”不是数字"
    if not math.isfinite(x):
        return None, f"“{text}”不是有限数字"
    if measure.kind == "count" and not x.is_integer():
        return None, f"“{text}”不是整数"
    if measure.low is not None and (x < measure.low or (measure.low_open and x == measure.low)):
        return None, f"{text}超出允许范围：应{measure.describe_allowed()}"
    if measure.high is not None and x > measure.high:
        return None, f"{text}超出允许范围：应{measure.describe_allowed()}"
    return x, None


def format_value(measure: Measure, x: float, keep: tuple[float, ...] = ()) -> str:
    """Human-readable Chinese rendering of an encoded value (`keep`: thresholds it is compared with —
    see :func:`fmt_num`)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "缺失"
    if measure.kind == "bool":
        return "是" if x else "否"
    if measure.kind == "level":
        return measure.level_labels[int(x)]
    return fmt_num(x, keep=keep) + (measure.unit if measure.unit and measure.unit != "%" else ("%" if measure.unit else ""))


def fmt_num(x: float, digits: int = 4, keep: tuple[float, ...] = ()) -> str:
    """A number without float noise: integers bare, others to `digits` decimals, trailing zeros cut.

    `keep`: thresholds the number is compared with in the same sentence; more decimals are shown (up to
    12) while rounding would put it on the other side of one, or on it — 89.99999 against 90 prints
    89.99999, never “90；低于90”. A number equal to a threshold rounds as that threshold does."""
    if x is None or math.isnan(x):
        return "—"
    x = float(x)
    keep = tuple(t for t in keep if t != x)
    while digits < 12 and any((round(x, digits) > t) != (x > t) or (round(x, digits) < t) != (x < t)
                              for t in keep):
        digits += 1
    r = round(x, digits)
    if r == 0:
        return "0"
    if r.is_integer():
        return str(int(r))
    return f"{r:.{digits}f}".rstrip("0").rstrip(".")
