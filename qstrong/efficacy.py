"""功效系数法 (efficacy-coefficient method), vectorised over counties on the last axis.

    d = base + span · (x − x_s) / (x_h − x_s),   clipped to [base, base + span]

x_h / x_s (the goalposts) come from a policy over the panel counties that have a value; leading
axes (scenarios, draws) are scored independently. Pure functions over numpy arrays.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field, replace

import numpy as np

POLICIES = ("minmax", "fixed", "topk", "quantile")
CHANGES = ("pp", "relative")
POLICY_ZH = {"minmax": "面板最大/最小值", "fixed": "固定值", "topk": "前/后k名均值", "quantile": "分位数"}


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
        if self.policy not in POLICIES:
            raise ValueError(f"未知的标杆取值方法 {self.policy!r}，可选：{'、'.join(POLICIES)}")
        if self.policy in ("fixed", "quantile"):
            if self.low is None or self.high is None or not self.low < self.high:
                raise ValueError(f"标杆方法 {self.policy} 需要 low < high")
        if self.policy == "quantile" and not (0 <= self.low <= 1 and 0 <= self.high <= 1):
            raise ValueError("分位数标杆的 low/high 应在 0 到 1 之间")
        if self.policy == "topk" and (not isinstance(self.k, int) or self.k < 1):
            raise ValueError("标杆方法 topk 需要正整数 k")

    def describe(self) -> str:
        if self.policy == "fixed":
            return f"固定标杆 {self.low:g}～{self.high:g}"
        if self.policy == "topk":
            return f"前/后{self.k}名均值"
        if self.policy == "quantile":
            return f"{self.low:g}/{self.high:g}分位数"
        return "面板最高/最低值"


@dataclass(frozen=True)
class EfficacySettings:
    """The configurable reading of the efficacy method for one indicator."""

    goalposts: Goalposts = field(default_factory=Goalposts)
    base: float = 60.0
    span: float = 40.0
    gate: float | None = None
    change: str = "relative"

    def __post_init__(self) -> None:
        if isinstance(self.goalposts, dict):
            object.__setattr__(self, "goalposts", Goalposts(**self.goalposts))
        if not self.span > 0:
            raise ValueError("功效系数的 span 必须大于0")
        if self.change not in CHANGES:
            raise ValueError(f"变动幅度定义 {self.change!r} 无效，可选：pp（百分点）、relative（相对增长率）")

    def updated(self, **changes) -> EfficacySettings:
        return replace(self, **changes)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["goalposts"] = {k: v for k, v in d["goalposts"].items() if v is not None}
        return d


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
        with warnings.catch_warnings():  # all-NaN rows warn; they are handled below
            warnings.simplefilter("ignore", RuntimeWarning)
            lo = np.nanquantile(x, gp.low, axis=-1, keepdims=True)
            hi = np.nanquantile(x, gp.high, axis=-1, keepdims=True)
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
    """Result of the method for one value array: d (NaN where x is missing) and the goalposts."""

    x: np.ndarray
    d: np.ndarray
    low: np.ndarray
    high: np.ndarray
    gated_out: np.ndarray


def coefficient(x: np.ndarray, s: EfficacySettings) -> Coefficient:
    """d for every county (last axis). With a gate, values below it score d = 0 and are left
    out of the benchmark; d = base + span where x_h = x_s."""
    x = np.asarray(x, dtype=float)
    missing = np.isnan(x)
    gated_out = np.zeros(x.shape, dtype=bool) if s.gate is None else (~missing & (x < s.gate))
    bench = np.where(gated_out, np.nan, x)
    lo, hi = goalposts(bench, s.goalposts)
    width = hi - lo
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(width > 0, (x - lo) / width, 1.0)
    d = s.base + s.span * np.clip(frac, 0.0, 1.0)
    d = np.where(gated_out, 0.0, d)
    d = np.where(missing, np.nan, d)
    return Coefficient(x=x, d=d, low=lo, high=hi, gated_out=gated_out)


def required_value(x: np.ndarray, i: int, target_d: float, s: EfficacySettings) -> float:
    """The smallest value of county `i` (last axis of a 1-D `x`) whose d reaches `target_d`, the other
    counties unchanged. The county's own value moves the goalposts: with min/max goalposts it
    becomes the new peer best at the top, and the new worst below the others' minimum.

    Closed form for ``minmax`` and ``fixed`` goalposts; bisection on the engine for the others.
    Returns NaN when no value reaches `target_d` (e.g. above base + span).
    """
    x = np.asarray(x, dtype=float)
    top = s.base + s.span
    if target_d > top + 1e-12:
        return float("nan")
    floor = s.gate if s.gate is not None else -np.inf
    others = np.delete(x, i)
    others = others[~np.isnan(others)]
    if s.gate is not None:
        others = others[others >= s.gate]
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
