"""Property tests of the scoring engine over random complete panels (hypothesis).

Panels are drawn within the data contract of measures.csv: bools, level indices, counts 0..200,
percents 0..100 (energy-intensity reduction −100..100), positive amounts where a measure divides
another. Properties: bounds, monotonicity, row-order invariance, vectorised == one-at-a-time.
"""

import math

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qstrong.catalog import load_catalog
from qstrong.config import ScoringConfig
from qstrong.measures import load_measures
from qstrong.scoring import score_arrays, score_panel

MEASURES = load_measures()
CATALOG = load_catalog()
POINTS = {ind.id: float(ind.points) for ind in CATALOG.indicators}
NAMES = ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛"]
YEAR = 2023
FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Growth rates (19, 20) cannot be computed when the previous year's count is 0: the engine leaves
# that indicator unscored (NaN) for the county. Every other indicator of a complete panel is scored.
GROWTH_BASE = {19: "q19.smes_helped_prev", 20: "q20.certificates_prev"}

BOOLS = [m for m, x in MEASURES.items() if x.kind == "bool" and not m.startswith("veto.")]
MONOTONE_COUNTS = [
    m for m, x in MEASURES.items() if x.kind == "count" and m.split(".")[0]
    in {"q04", "q14", "q15", "q18", "q24", "q33", "q36", "q40", "q42", "q43"}
] + ["q19.smes_helped", "q20.certificates"]
# values scored by the efficacy method (or a threshold/gate) where more is better
MONOTONE_VALUES = [
    "q33.prefab_bases", "q39.hightech_share", "q37.energy_intensity_reduction", "q26.disposal_rate",
    "q17.class_a_coverage", "q17.energy_review_coverage", "q17.verification_rate",
    "q38.good_days_ratio", "q36.service_revenue", "q35.service_value_added", "q41.tech_trade",
    "q28.supervision_funding", "q10.quality_funding", "q31.drug_inspection_coverage",
    "q32.green_design_rate", "q34.online_rate",
]


def indicator_of(mid: str) -> int:
    return int(MEASURES[mid].indicator)


def percent(lo: float, hi: float):
    edges = [lo, hi, 0.0, 89.5, 90.0, 95.0, 99.9, 100.0]
    return st.one_of(st.sampled_from([e for e in edges if lo <= e <= hi]),
                     st.floats(lo, hi, allow_nan=False, allow_infinity=False))


def value_strategy(mid: str):
    m = MEASURES[mid]
    if m.kind == "bool":
        return st.sampled_from([0.0, 1.0])
    if m.kind == "level":
        return st.integers(0, len(m.levels) - 1).map(float)
    if m.kind == "count":
        return st.integers(0, 200).map(float)
    if m.kind == "percent":
        return percent(m.low, m.high)
    # number: strictly positive where the contract says > 0 and for gdp (a divisor in 35 and 41)
    lo = 0.5 if (m.low_open or mid == "gdp") else 0.0
    return st.one_of(st.integers(int(math.ceil(lo)), 1000).map(float),
                     st.floats(lo, 1e5, allow_nan=False, allow_infinity=False))


@st.composite
def envs(draw, n: int | None = None):
    """A complete panel as engine arrays: measure id → float array over n counties."""
    if n is None:
        n = draw(st.integers(2, 8))
    env = {mid: np.array(draw(st.lists(value_strategy(mid), min_size=n, max_size=n)), dtype=float)
           for mid in MEASURES}
    # q23.sampled_compliant ≤ q23.sampled (a constraint of the panel): often equal
    short = np.array(draw(st.lists(st.sampled_from([0, 0, 1, 3, 200]), min_size=n, max_size=n)), dtype=float)
    env["q23.sampled_compliant"] = np.maximum(env["q23.sampled"] - short, 0.0)
    return env


def n_of(env) -> int:
    return len(next(iter(env.values())))


def raw_value(mid: str, x: float):
    """Engine encoding → a value as a user would type it in the long table."""
    m = MEASURES[mid]
    if m.kind == "bool":
        return "是" if x else "否"
    if m.kind == "level":
        return m.levels[int(x)]
    if m.kind == "count":
        return int(x)
    return float(x)


def long_frame(env) -> pd.DataFrame:
    n = n_of(env)
    rows = [{"county": NAMES[i], "year": YEAR, "measure": mid, "value": raw_value(mid, env[mid][i])}
            for mid in MEASURES for i in range(n)]
    return pd.DataFrame(rows)


def scores(env) -> np.ndarray:
    return score_arrays(env)


def expected_nan(env, zero_base: str = "top") -> np.ndarray:
    """(n, 43) mask of the indicators a complete panel leaves unscored: none under zero_base "top" (a
    growth from 0 counts above every peer, 0 → 0 is growth 0); under "null" the growths from a zero base
    to a positive value."""
    mask = np.zeros((n_of(env), 43), dtype=bool)
    if zero_base == "null":
        for ind, base in GROWTH_BASE.items():
            mask[:, ind - 1] = (env[base] == 0) & (env[base.removesuffix("_prev")] > 0)
    return mask


# ── bounds ──

@FAST
@given(envs())
def test_scores_within_points_and_total_at_most_100(env):
    ps = score_panel(long_frame(env))
    s = ps.scores
    assert list(s.columns) == list(range(1, 44))
    assert (s.isna().to_numpy() == expected_nan(env)).all()
    for ind, pts in POINTS.items():
        col = s[ind].dropna()
        assert (col >= 0).all(), ind
        assert (col <= pts + 1e-9).all(), ind
    assert (ps.totals <= 100 + 1e-9).all()
    assert (ps.totals >= 0).all()
    assert np.allclose(ps.totals.to_numpy(), np.nansum(s.to_numpy(), axis=1))
    null = score_panel(long_frame(env), config=ScoringConfig.default().with_efficacy([19, 20], zero_base="null"))
    assert (null.scores.isna().to_numpy() == expected_nan(env, "null")).all()
    assert null.complete.all()                     # unscored for a zero base is not missing data


# ── monotonicity ──

def bump(env, mid: str, i: int, delta: float):
    m = MEASURES[mid]
    new = {k: v.copy() for k, v in env.items()}
    x = new[mid][i] + delta
    if m.high is not None:
        x = min(x, m.high)
    new[mid][i] = x
    return new


def assert_not_lower(before: np.ndarray, after: np.ndarray, i: int, ind: int):
    b, a = before[i, ind - 1], after[i, ind - 1]
    if np.isnan(b):
        assert np.isnan(a)
    else:
        assert a >= b - 1e-9, (ind, b, a)


@FAST
@given(envs(), st.data())
def test_raising_a_count_never_lowers_its_indicator(env, data):
    mid = data.draw(st.sampled_from(MONOTONE_COUNTS), label="measure")
    i = data.draw(st.integers(0, n_of(env) - 1), label="county")
    delta = data.draw(st.integers(1, 50), label="delta")
    ind = indicator_of(mid)
    assert_not_lower(scores(env), scores(bump(env, mid, i, delta)), i, ind)


@FAST
@given(envs(), st.data())
def test_turning_a_bool_true_never_lowers_its_indicator(env, data):
    mid = data.draw(st.sampled_from(BOOLS), label="measure")
    i = data.draw(st.integers(0, n_of(env) - 1), label="county")
    before = {k: v.copy() for k, v in env.items()}
    before[mid][i] = 0.0
    after = {k: v.copy() for k, v in env.items()}
    after[mid][i] = 1.0
    assert_not_lower(scores(before), scores(after), i, indicator_of(mid))


@FAST
@given(envs(), st.data())
def test_raising_an_efficacy_value_never_lowers_its_indicator(env, data):
    mid = data.draw(st.sampled_from(MONOTONE_VALUES), label="measure")
    i = data.draw(st.integers(0, n_of(env) - 1), label="county")
    delta = data.draw(st.one_of(st.integers(1, 100).map(float),
                                st.floats(1e-3, 1e3, allow_nan=False)), label="delta")
    if MEASURES[mid].kind == "count":
        delta = float(math.ceil(delta))
    assert_not_lower(scores(env), scores(bump(env, mid, i, delta)), i, indicator_of(mid))


@FAST
@given(envs(), st.data())
def test_raising_any_county_measure_keeps_every_score_in_bounds(env, data):
    # after any in-range change the bounds still hold (also for the other counties)
    mid = data.draw(st.sampled_from(MONOTONE_VALUES + MONOTONE_COUNTS), label="measure")
    i = data.draw(st.integers(0, n_of(env) - 1), label="county")
    after = scores(bump(env, mid, i, 7.0))
    pts = np.array([POINTS[k] for k in range(1, 44)])
    ok = np.isnan(after) | ((after >= 0) & (after <= pts + 1e-9))
    assert ok.all()
    assert (np.nansum(after, axis=-1) <= 100 + 1e-9).all()


# ── invariance to row order ──

@FAST
@given(envs(), st.randoms(use_true_random=False))
def test_shuffling_the_long_table_gives_identical_scores(env, rnd):
    df = long_frame(env)
    base = score_panel(df)
    order = list(range(len(df)))
    rnd.shuffle(order)
    shuffled = score_panel(df.iloc[order].reset_index(drop=True))
    names = base.counties
    pd.testing.assert_frame_equal(shuffled.scores.loc[names], base.scores.loc[names])
    pd.testing.assert_series_equal(shuffled.totals.loc[names], base.totals.loc[names])
    assert shuffled.complete.loc[names].tolist() == base.complete.loc[names].tolist()
    assert shuffled.vetoed.loc[names].tolist() == base.vetoed.loc[names].tolist()


# ── vectorised == one at a time ──

@st.composite
def stacked(draw):
    n = draw(st.integers(2, 6))
    k = draw(st.integers(2, 4))
    return [draw(envs(n)) for _ in range(k)]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stacked())
def test_stacked_draws_equal_separate_scoring(draws):
    env = {mid: np.stack([d[mid] for d in draws]) for mid in MEASURES}
    together = score_arrays(env)
    assert together.shape == (len(draws), n_of(draws[0]), 43)
    for k, d in enumerate(draws):
        alone = score_arrays(d)
        np.testing.assert_array_equal(together[k], alone)
        # and the DataFrame path, county by county
        ps = score_panel(long_frame(d))
        np.testing.assert_allclose(ps.scores.to_numpy(), alone, rtol=0, atol=1e-12)
        for i, name in enumerate(ps.counties):
            card = ps.county(name).to_dict()
            got = np.array([np.nan if x["score"] is None else x["score"] for x in card["indicators"]])
            np.testing.assert_allclose(got, alone[i], rtol=0, atol=1e-9)
            assert abs(card["total"] - np.nansum(alone[i])) < 1e-9


@FAST
@given(envs(), st.data())
def test_nan_in_one_draw_does_not_leak_into_another(env, data):
    # a missing value in draw 0 only affects draw 0
    mid = data.draw(st.sampled_from(sorted(MEASURES)), label="measure")
    i = data.draw(st.integers(0, n_of(env) - 1), label="county")
    holed = {k: v.copy() for k, v in env.items()}
    holed[mid][i] = np.nan
    together = score_arrays({k: np.stack([holed[k], env[k]]) for k in MEASURES})
    np.testing.assert_array_equal(together[1], score_arrays(env))
    np.testing.assert_array_equal(together[0], score_arrays(holed))
