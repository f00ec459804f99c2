"""功效系数法 (efficacy-coefficient method), vectorised over counties on the last axis.

    d = base + span · (x − x_s) / (x_h − x_s),   clipped to [base, base + span]

x_h / x_s (the goalposts) come from a policy over the panel counties that have a value; leading
axes (scenarios, draws) are scored independently. Pure functions over numpy arrays.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from .errors import InputError

POLICIES = ("minmax", "fixed", "topk", "quantile")
CHANGES = ("pp", "relative")
CHANGE_ZH = {"pp": "百分点", "relative": "相对变化"}      # indicator 10's 变动幅度, in words
#: growth from a zero base (previous = 0, current > 0) under ``change: relative``: counted above every peer
#: (d = base + span, left out of the goalposts), not computable (the indicator unscored, its own status), or
#: taken as the difference current − previous
ZERO_BASES = ("top", "null", "pp")
POLICY_ZH = {"minmax": "面板最高/最低值", "fixed": "固定值", "topk": "前/后k名均值", "quantile": "分位数"}


@dataclass(frozen=True)
class Goalposts:
    """How x_h (high) and x_s (low) are set.

    minmax: panel max/min · fixed: `low`/`high` values · topk: mean of the top/bottom `k` ·
    quantile: the `low`/`high` quantiles (probabilities in [0, 1]) of the panel.
    """

    policy: str = "minmax"
    low: float | None = None
    high: float | None = None
    k: int | None = None

    def __post_init__(self) -> None:
        problems = goalposts_problems(asdict(self), "goalposts")
        if problems:
            raise InputError(problems, "标杆设置有{n}处问题")

    def describe(self) -> str:
        """The goalposts in words — the one wording of the explanations, the benchmark line and the
        sensitivity grid's options."""
        if self.policy == "fixed":
            return f"固定标杆{self.low:g}～{self.high:g}"
        if self.policy == "topk":
            return f"前/后{self.k}名均值"
        if self.policy == "quantile":
            return f"{self.low * 100:g}%/{self.high * 100:g}%分位数"
        return "面板最高/最低值"


@dataclass(frozen=True)
class EfficacySettings:
    """The configurable reading of the efficacy method for one indicator."""

    goalposts: Goalposts = field(default_factory=Goalposts)
    base: float = 60.0
    span: float = 40.0
    gate: float | None = None
    change: str = "relative"
    zero_base: str = "top"          # see ZERO_BASES
    gate_inclusive: bool = True     # x = gate passes (达到90%); False: only x > gate (90%以下 includes 90)

    def __post_init__(self) -> None:
        problems = settings_problems({k: getattr(self, k) for k in SETTING_KEYS}, "")
        if problems:
            raise InputError(problems, "功效系数设置有{n}处问题")
        if isinstance(self.goalposts, Mapping):
            object.__setattr__(self, "goalposts", Goalposts(**self.goalposts))

    def updated(self, **changes) -> EfficacySettings:
        return replace(self, **changes)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["goalposts"] = {k: v for k, v in d["goalposts"].items() if v is not None}
        return d


GOALPOST_KEYS = ("policy", "low", "high", "k")
SETTING_KEYS = ("goalposts", "base", "span", "gate", "change", "zero_base", "gate_inclusive")
MAX_TOPK = 1000


def _path(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _number(raw: Mapping, key: str, where: str, problems: list[str]) -> float | None:
    """raw[key] as a finite float (None when absent or null); a problem when it is not a number."""
    v = raw.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
        problems.append(f"{_path(where, key)}：应为数字，而不是{shown_value(v)}")
        return None
    try:
        x = float(v)
    except OverflowError:
        x = math.inf
    if not math.isfinite(x):
        problems.append(f"{_path(where, key)}：应为有限数字，而不是{shown_value(v)}")
        return None
    return x


def shown_value(v: object) -> str:
    """A value as a Chinese message shows it (its kind when it is a structure)."""
    if v is None:
        return "空值 null"
    if isinstance(v, bool):
        return f"是/否值 {str(v).lower()}"
    if isinstance(v, str):
        return f"文本“{v}”"
    if isinstance(v, Mapping | list | tuple):
        return "键值对" if isinstance(v, Mapping) else "列表"
    text = repr(v)
    return text if len(text) <= 30 else text[:30] + "…"


def goalposts_problems(raw: Mapping, where: str = "goalposts") -> list[str]:
    """Every problem of a goalposts mapping (policy, low, high, k), each named by its path."""
    if not isinstance(raw, Mapping):
        return [f"{where}：应为键值对（policy、low、high、k），而不是{shown_value(raw)}"]
    problems = [f"{_path(where, k)}：未知的设置项，可选：{'、'.join(GOALPOST_KEYS)}" for k in raw
                if k not in GOALPOST_KEYS]
    policy = raw.get("policy", "minmax")
    if policy not in POLICIES:
        problems.append(f"{_path(where, 'policy')}：未知的标杆取值方法{shown_value(policy)}，可选：{'、'.join(POLICIES)}")
        return problems
    low, high = _number(raw, "low", where, problems), _number(raw, "high", where, problems)
    uses = {"fixed": ("low", "high"), "quantile": ("low", "high"), "topk": ("k",), "minmax": ()}[policy]
    for key in ("low", "high", "k"):
        if key not in uses and raw.get(key) is not None:
            problems.append(f"{_path(where, key)}：标杆方法 {policy} 不使用 {key}（{POLICY_ZH[policy]}）")
    if policy in ("fixed", "quantile"):
        for key, v in (("low", low), ("high", high)):
            if raw.get(key) is None:
                problems.append(f"{_path(where, key)}：标杆方法 {policy} 需要 {key}")
            elif policy == "quantile" and v is not None and not 0 <= v <= 1:
                problems.append(f"{_path(where, key)}：分位数应在0到1之间，而不是{v:g}")
        if low is not None and high is not None and not low < high:
            problems.append(f"{where}：标杆方法 {policy} 需要 low < high（现为 {low:g} 与 {high:g}）")
        elif low is not None and high is not None and not math.isfinite(high - low):
            problems.append(f"{where}：high − low（{high:g} − {low:g}）超出可表示的范围，请检查是否多写了位数")
    if policy == "topk":
        k = raw.get("k")
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k <= MAX_TOPK:
            problems.append(f"{_path(where, 'k')}：标杆方法 topk 需要1到{MAX_TOPK}之间的整数 k，而不是{shown_value(k)}")
    return problems


def settings_problems(raw: Mapping, where: str = "") -> list[str]:
    """Every problem of efficacy settings (base, span, gate, change, zero_base, gate_inclusive; goalposts
    if a mapping is given).

    base ≥ 0, span > 0 and base + span ≤ 100 (d is a percentage of the indicator's points), all
    finite numbers (a yes/no value is not a number); gate a finite number or null; change in CHANGES;
    zero_base in ZERO_BASES; gate_inclusive true or false."""
    problems = [f"{_path(where, k)}：未知的设置项，可选：{'、'.join(SETTING_KEYS)}" for k in raw if k not in SETTING_KEYS]
    base, span = _number(raw, "base", where, problems), _number(raw, "span", where, problems)
    _number(raw, "gate", where, problems)
    for key in ("base", "span", "goalposts"):
        if key in raw and raw[key] is None:
            problems.append(f"{_path(where, key)}：不能为空")
    if base is not None and base < 0:
        problems.append(f"{_path(where, 'base')}：应不小于0，而不是{base:g}")
    if span is not None and span <= 0:
        problems.append(f"{_path(where, 'span')}：应大于0，而不是{span:g}")
    if base is not None and span is not None and base >= 0 and span > 0 and base + span > 100:
        problems.append(f"{where or '功效系数设置'}：base + span 应不大于100（d是指标分值的百分比），"
                        f"现为 {base:g} + {span:g} = {base + span:g}")
    if "change" in raw and raw["change"] not in CHANGES:
        problems.append(f"{_path(where, 'change')}：变动幅度定义{shown_value(raw['change'])}无效，"
                        "可选：pp（百分点）、relative（相对增长率）")
    if "zero_base" in raw and raw["zero_base"] not in ZERO_BASES:
        problems.append(f"{_path(where, 'zero_base')}：上年为0时增长率的处理{shown_value(raw['zero_base'])}无效，"
                        "可选：top（按高于所有对标县计）、null（无法计算，不计分）、pp（按增加量计）")
    if "gate_inclusive" in raw and not isinstance(raw["gate_inclusive"], bool | np.bool_):
        problems.append(f"{_path(where, 'gate_inclusive')}：应为 true（恰好等于门槛按功效系数法计分）或 false"
                        f"（恰好等于门槛不得分），而不是{shown_value(raw['gate_inclusive'])}")
    gp = raw.get("goalposts")
    if gp is not None and not isinstance(gp, Goalposts):
        problems += goalposts_problems(gp, _path(where, "goalposts"))
    return problems


def _quantiles(x: np.ndarray, valid: np.ndarray, q: float) -> np.ndarray:
    """``np.nanquantile(x, q, axis=-1, keepdims=True)``, with the rows that have no NaN computed by
    ``np.quantile`` at once (nanquantile loops over rows in Python: 0.5 s for 2,000 × 132; the same
    values, as nanquantile drops the NaN and calls the same quantile function on what is left)."""
    full = valid.all(axis=-1)
    out = np.empty(x.shape[:-1] + (1,))
    if full.any():
        out[full] = np.quantile(x[full], q, axis=-1, keepdims=True)
    if not full.all():
        with warnings.catch_warnings():  # all-NaN rows warn; goalposts() handles them
            warnings.simplefilter("ignore", RuntimeWarning)
            out[~full] = np.nanquantile(x[~full], q, axis=-1, keepdims=True)
    return out


def goalposts(x: np.ndarray, gp: Goalposts) -> tuple[np.ndarray, np.ndarray]:
    """(x_s, x_h) over the last axis, ignoring NaN; shapes (..., 1). All-NaN rows give NaN."""
    shape = x.shape[:-1] + (1,)
    if gp.policy == "fixed":
        return np.full(shape, float(gp.low)), np.full(shape, float(gp.high))
    valid = ~np.isnan(x)
    any_valid = valid.any(axis=-1, keepdims=True)
    if gp.policy == "minmax":
        lo = np.min(np.where(valid, x, np.inf), axis=-1, keepdims=True)
        hi = np.max(np.where(valid, x, -np.inf), axis=-1, keepdims=True)
    elif gp.policy == "quantile":
        lo, hi = _quantiles(x, valid, gp.low), _quantiles(x, valid, gp.high)
    else:  # topk
        k = gp.k
        n_valid = valid.sum(axis=-1, keepdims=True)
        asc = np.sort(np.where(valid, x, np.inf), axis=-1)
        desc = -np.sort(np.where(valid, -x, np.inf), axis=-1)
        take = np.minimum(n_valid, k)
        idx = np.arange(x.shape[-1])
        mask = idx < take
        with np.errstate(all="ignore"):
            lo = np.where(mask, asc, 0).sum(axis=-1, keepdims=True) / take
            hi = np.where(mask, desc, 0).sum(axis=-1, keepdims=True) / take
    lo = np.where(any_valid, lo, np.nan)
    hi = np.where(any_valid, hi, np.nan)
    return lo, hi


@dataclass(frozen=True)
class Coefficient:
    """Result of the method for one value array: d (NaN where x is missing) and the goalposts.

    `zero_base`: counties whose value is a growth from a zero base (previous = 0, current > 0), whatever
    the policy; under ``zero_base: top`` their x is NaN and d = base + span (above every peer)."""

    x: np.ndarray
    d: np.ndarray
    low: np.ndarray
    high: np.ndarray
    gated_out: np.ndarray
    zero_base: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.zero_base is None:
            object.__setattr__(self, "zero_base", np.zeros(np.shape(self.x), dtype=bool))


def gated(x: np.ndarray, s: EfficacySettings) -> np.ndarray:
    """Values that fail the gate (d = 0): below it, or also equal to it when the gate is not inclusive."""
    x = np.asarray(x, dtype=float)
    if s.gate is None:
        return np.zeros(x.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        return ~np.isnan(x) & ((x < s.gate) if s.gate_inclusive else (x <= s.gate))


def coefficient(x: np.ndarray, s: EfficacySettings, zero_base: np.ndarray | None = None) -> Coefficient:
    """d for every county (last axis). With a gate, values that fail it (:func:`gated`) score d = 0
    and are left out of the benchmark; d = base + span where x_h = x_s. `zero_base` marks growths
    from a zero base: under ``s.zero_base == "top"`` they score base + span and are left out of the
    goalposts (their x is not a number); otherwise their x is used as given (NaN under "null")."""
    x = np.asarray(x, dtype=float)
    zb = np.zeros(x.shape, dtype=bool) if zero_base is None else np.broadcast_to(zero_base, x.shape)
    top = zb & (s.zero_base == "top")
    any_top = bool(top.any())
    if any_top:
        x = np.where(top, np.nan, x)
    gated_out = gated(x, s)
    any_gated = bool(gated_out.any())
    lo, hi = goalposts(np.where(gated_out, np.nan, x) if any_gated else x, s.goalposts)
    width = hi - lo
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(width > 0, (x - lo) / width, 1.0)     # NaN where x is missing: d is NaN there
    d = s.base + s.span * np.clip(frac, 0.0, 1.0)
    if any_gated:
        d[gated_out] = 0.0
    missing = np.isnan(x)                                          # also where the goalposts have no width
    if missing.any():
        d[missing] = np.nan
    if any_top:
        d[top] = s.base + s.span
    return Coefficient(x=x, d=d, low=lo, high=hi, gated_out=gated_out, zero_base=np.array(zb))


def passes_at(value: float, s: EfficacySettings) -> bool:
    """True when `value` of a required-value answer is itself enough: False only when it is the gate and
    the gate is not inclusive (the county then needs more than it: “需高于90”)."""
    return s.gate is None or s.gate_inclusive or not value <= s.gate + 1e-9


def required_value(x: np.ndarray, i: int, target_d: float, s: EfficacySettings) -> float:
    """The smallest value of county `i` (last axis of a 1-D `x`) whose d reaches `target_d`, the other
    counties unchanged. The county's own value moves the goalposts: with min/max goalposts it
    becomes the new peer best at the top, and the new worst below the others' minimum.

    Closed form for ``minmax`` and ``fixed`` goalposts; bisection on the engine for the others.
    Returns NaN when no value reaches `target_d` (e.g. above base + span). With a gate that is not
    inclusive the answer may be the gate itself, meaning “just above it” (:func:`passes_at`).
    """
    x = np.asarray(x, dtype=float)
    top = s.base + s.span
    if target_d > top + 1e-12:
        return float("nan")
    floor = s.gate if s.gate is not None else -np.inf
    others = np.delete(x, i)
    others = others[~np.isnan(others)]
    others = others[~gated(others, s)]
    if target_d <= s.base:  # d ≥ base for any admissible value: the gate or the panel minimum
        return float(s.gate) if s.gate is not None else float(np.nanmin(x))
    if s.goalposts.policy == "fixed":
        lo, hi = float(s.goalposts.low), float(s.goalposts.high)
        frac = max(target_d - s.base, 0.0) / s.span
        return max(lo + frac * (hi - lo), floor)
    if s.goalposts.policy == "minmax":
        if others.size == 0:  # alone in the benchmark: any admissible value gives base + span
            return float(max(floor, x[i])) if not np.isnan(x[i]) else float(max(floor, 0.0))
        lo, hi = float(others.min()), float(others.max())
        if target_d >= top - 1e-12 or hi == lo:
            return max(hi, floor)
        frac = max(target_d - s.base, 0.0) / s.span
        return max(lo + frac * (hi - lo), floor)
    return _bisect_value(x, i, target_d, s)


def _bisect_value(x: np.ndarray, i: int, target_d: float, s: EfficacySettings) -> float:
    finite = x[~np.isnan(x)]
    span = max(float(np.ptp(finite)) if finite.size else 1.0, 1.0)
    lo = float(finite.min()) - span if finite.size else -1.0
    hi = float(finite.max()) + span if finite.size else 1.0
    if s.gate is not None:
        lo = max(lo, s.gate)

    def d_at(v: float) -> float:
        y = x.copy()
        y[i] = v
        return float(coefficient(y, s).d[i])

    v = solve_monotone(d_at, lo, hi, target_d, reach_tol=1e-9, step_tol=1e-12, iterations=100)
    return float("nan") if v is None else v


def solve_monotone(f, lo: float, hi: float, target: float, *, increasing: bool = True, reach_tol: float = 0.0,
                   step_tol: float = 0.0, iterations: int = 200) -> float | None:
    """Bisection for a monotone `f` on [lo, hi]: the smallest v with f(v) ≥ target (f increasing) or
    the largest (f decreasing); None when f does not reach `target` (less `reach_tol`) on the interval."""
    if f(hi if increasing else lo) < target - reach_tol:
        return None
    for _ in range(iterations):
        mid = (lo + hi) / 2
        if (f(mid) >= target - step_tol) == increasing:
            hi = mid
        else:
            lo = mid
    return hi if increasing else lo
