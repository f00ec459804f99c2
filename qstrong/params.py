"""Declared parameters of the analyses: name, Chinese label, type and range, checked all at once.

The analysis functions call :func:`check_params` at their top, and the command line calls the same
declarations on its options (given as text), so a Python caller and a command-line user get the
same Chinese InputError, listing every bad value together. Ranges:

    --draws     1 … 1,000,000 draws (and the memory the analysis needs, see :func:`check_memory`)
    --sobol-n   16 … 65,536, a power of two (Sobol sequences are balanced at powers of two)
    --spread    0 ≤ s < 1 (±s around each indicator's points; 1 would allow zero weights)
    --input-error  0 ≤ e < 1 (the county's own efficacy inputs × U(1 − e, 1 + e))
    --to        a year after the panel's last year, at most 30 years after it
    --target    0 … 100 points;  --share 0 … 1 of each indicator's points
    --seed      0 … 2³²−1;  --year 2000 … 2100
    --indicator an efficacy indicator's id;  --points 0 … that indicator's points
"""

from __future__ import annotations

import math
import numbers
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import InputError
from .measures import normalise_text, not_plain_digits

# ASCII digits only, as the panel (measures._NUM_RE) and the effort table read them: ٢٠٢٢ is not 2022
_INT = re.compile(r"[+-]?\d{1,30}", re.ASCII)
_FLOAT = re.compile(r"[+-]?(?:\d{1,30}(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,4})?", re.ASCII)


@dataclass(frozen=True)
class Param:
    """One parameter: Python name, command-line option, Chinese label, type, range."""

    name: str
    option: str
    label: str
    kind: type                     # int, float or str
    low: float | None = None
    high: float | None = None
    high_open: bool = False
    choices: tuple[str, ...] = ()
    power_of_two: bool = False
    dest: str = ""                 # the argparse attribute when it differs from `name`

    @property
    def attr(self) -> str:
        return self.dest or self.name

    @property
    def title(self) -> str:
        return f"{self.option}（{self.label}）"

    def describe(self, low: float | None = None, high: float | None = None) -> str:
        low = self.low if low is None else low
        high = self.high if high is None else high
        what = "整数" if self.kind is int else "数"
        if high is None:
            return f"应为不小于{_num(low)}的{what}"
        upper = f"小于{_num(high)}" if self.high_open else f"不大于{_num(high)}"
        return f"应为不小于{_num(low)}且{upper}的{what}"


def _num(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e16 else f"{x:g}"


PARAMS: dict[str, Param] = {p.name: p for p in (
    Param("draws", "--draws", "抽样次数", int, 1, 1_000_000),
    Param("sobol_n", "--sobol-n", "Sobol基础样本数", int, 16, 65_536, power_of_two=True),
    Param("spread", "--spread", "权重扰动幅度", float, 0.0, 1.0, high_open=True),
    Param("to_year", "--to", "外推目标年", int, 2001, 2130, dest="to"),
    Param("target", "--target", "目标总分", float, 0.0, 100.0),
    Param("share", "--share", "目标分占指标分值的比例", float, 0.0, 1.0),
    Param("seed", "--seed", "随机种子", int, 0, 2**32 - 1),
    Param("year", "--year", "评价年度", int, 2000, 2100),
    Param("indicator", "--indicator", "指标编号", int, 1, None),
    Param("points", "--points", "该指标的目标分", float, 0.0, None),
    Param("method", "--dirichlet", "权重抽样方法", str, choices=("uniform", "dirichlet")),
    Param("sobol", "--sobol", "Sobol分析对象", str, choices=("weights", "inputs", "none")),
    Param("input_error", "--input-error", "本县数据相对误差", float, 0.0, 1.0, high_open=True),
)}


def _parse(p: Param, value: object) -> tuple[object, str]:
    """(parsed value, '') or (None, Chinese problem) for one value of `p`."""
    if p.kind is str:
        if isinstance(value, str) and value in p.choices:
            return value, ""
        return None, f"“{value}”无效，可选：{'、'.join(p.choices)}"
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return None, f"“{value}”是是/否值，不是数字"
    if isinstance(value, str):
        if odd := not_plain_digits(value):
            return None, f"“{value.strip()}”含有{odd}，不是普通数字"
        text = normalise_text(value)        # full-width digits as typed on a Chinese keyboard
        if not text:
            return None, "值为空"
        if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
            return None, f"“{text}”不是有限数字"
        pattern = _INT if p.kind is int else _FLOAT
        if not pattern.fullmatch(text):
            return None, f"“{text}”不是{'整数' if p.kind is int else '数字'}"
        x = int(text) if p.kind is int else float(text)
    elif isinstance(value, numbers.Integral):
        x = int(value)
    elif isinstance(value, numbers.Real):
        x = float(value)
        if not math.isfinite(x):
            return None, f"“{value}”不是有限数字"
        if p.kind is int:
            if not x.is_integer():
                return None, f"“{value}”不是整数"
            x = int(x)
    else:
        return None, f"“{value}”（{type(value).__name__}）不是数字"
    if p.kind is float:
        x = float(x)
        if not math.isfinite(x):
            return None, f"“{value}”超出可表示的范围"
    return x, ""


def _out_of_range(p: Param, x: float, low: float | None, high: float | None, given: object) -> str:
    too_high = high is not None and (x >= high if p.high_open else x > high)
    if (low is not None and x < low) or too_high:
        shown = given.strip() if isinstance(given, str) else _num(x)
        return f"“{shown}”超出范围：{p.describe(low, high)}"
    if p.power_of_two and x & (x - 1):
        return f"“{x}”应为2的整数次幂（如{2 ** max(4, x.bit_length() - 1)}或{2 ** x.bit_length()}）"
    return ""


def param_problems(bounds: Mapping[str, tuple] | None = None, **values) -> tuple[dict, list[str]]:
    """Parsed values and every problem (Chinese, naming the option); None values are left out.

    `bounds` overrides a declared range by name with (low, high) known only at run time (the panel's
    last year for --to). --points is checked against --indicator's points."""
    bounds = bounds or {}
    parsed, problems = {}, []
    for name, value in values.items():
        if value is None:
            continue
        p = PARAMS[name]
        x, err = _parse(p, value)
        if not err and p.kind is not str:
            low, high = bounds.get(name, (p.low, p.high))
            err = _out_of_range(p, x, low, high, value)
        if err:
            problems.append(f"{p.title}：{err}")
        else:
            parsed[name] = x
    problems += _indicator_points(values, parsed)
    return parsed, problems


def _indicator_points(values: Mapping, parsed: dict) -> list[str]:
    """--indicator is an efficacy indicator; --points goes with it, within that indicator's points."""
    if values.get("indicator") is None and values.get("points") is None:
        return []
    from .catalog import load_catalog

    cat = load_catalog()
    efficacy = [i.id for i in cat.indicators if i.is_efficacy]
    ident, pts = parsed.get("indicator"), parsed.get("points")
    out = []
    if "indicator" in parsed and ident not in efficacy:
        known = ident in {i.id for i in cat.indicators}
        out.append(f"{PARAMS['indicator'].title}：{'指标' + str(ident) + '不按功效系数法计分' if known else '没有指标' + str(ident)}"
                   f"，可选的功效系数法指标：{'、'.join(map(str, efficacy))}")
        parsed.pop("indicator")
    if values.get("points") is not None and values.get("share") is not None:
        out.append(f"{PARAMS['share'].title}：不能与 --indicator/--points 同时使用（二者只能选一）")
    if values.get("points") is not None and values.get("indicator") is None:
        out.append(f"{PARAMS['points'].title}：须与 --indicator 一起使用（指明是哪个指标的目标分）")
    elif pts is not None and parsed.get("indicator") is not None:
        top = cat.indicator(parsed["indicator"]).points
        if pts > top:
            out.append(f"{PARAMS['points'].title}：“{_num(pts)}”超过指标{parsed['indicator']}的分值{_num(top)}分")
    return out


def check_params(bounds: Mapping[str, tuple] | None = None, **values) -> dict:
    """The parsed values; InputError listing every bad one (see :func:`param_problems`)."""
    parsed, problems = param_problems(bounds, **values)
    if problems:
        raise InputError(problems, "参数有{n}处问题")
    return parsed


def memory_budget() -> int:
    """Bytes one analysis may allocate: half the machine's memory, at most 4 GiB."""
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        physical = 8 * 1024**3
    return int(min(physical / 2, 4 * 1024**3))


def _size(nbytes: float) -> str:
    return f"{nbytes / 1024**3:,.1f} GB" if nbytes >= 1024**3 else f"{nbytes / 1024**2:,.0f} MB"


def check_memory(nbytes: float, what: str, advice: str) -> None:
    """InputError when an allocation of about `nbytes` exceeds :func:`memory_budget` (before making it)."""
    budget = memory_budget()
    if nbytes > budget:
        raise InputError([f"{what}约需{_size(nbytes)}内存，超过允许的{_size(budget)}：{advice}"], "参数有{n}处问题")


WORK_BUDGET = 25_000_000       # county scorings one analysis may run: about a minute on an office PC


def check_work(runs: int, formula: str, what: str, advice: str) -> None:
    """InputError when an analysis would score more than :data:`WORK_BUDGET` counties (before starting);
    `formula` shows how `runs` was counted."""
    if runs > WORK_BUDGET:
        raise InputError([f"{what}需计分 {formula} = {runs:,}次（县×样本），超过允许的{WORK_BUDGET:,}次"
                          f"（约一两分钟）：{advice}"], "参数有{n}处问题")
