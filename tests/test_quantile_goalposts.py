"""Quantile goalposts: rows without NaN are computed at once by np.quantile, the others by np.nanquantile;
the values must be those np.nanquantile gives for every row (bit for bit), whatever the NaN pattern."""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from qstrong.efficacy import Goalposts, goalposts

values = st.one_of(st.floats(-1e6, 1e6, allow_nan=False), st.just(np.nan), st.sampled_from([0.0, 1.0, 90.0]))


@settings(max_examples=300, deadline=None)
@given(arrays(np.float64, array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=9), elements=values),
       st.floats(0, 1), st.floats(0, 1))
def test_quantile_goalposts_equal_nanquantile(x, a, b):
    low, high = sorted((a, b))
    if not low < high:
        return
    lo, hi = goalposts(x, Goalposts("quantile", low, high))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        want_lo = np.nanquantile(x, low, axis=-1, keepdims=True)
        want_hi = np.nanquantile(x, high, axis=-1, keepdims=True)
    np.testing.assert_array_equal(lo, want_lo)
    np.testing.assert_array_equal(hi, want_hi)
    assert lo.shape == x.shape[:-1] + (1,)


def test_quantile_goalposts_by_hand():
    x = np.array([[1.0, 2.0, 3.0, 4.0, 5.0], [np.nan, 10.0, 20.0, np.nan, 30.0], [np.nan] * 5])
    lo, hi = goalposts(x, Goalposts("quantile", 0.1, 0.9))
    # linear: position (n − 1)·q; row 1: 0.4 → 1.4, 3.6 → 4.6; row 2 (10, 20, 30): 0.2 → 12, 1.8 → 28
    np.testing.assert_allclose(lo[:2, 0], [1.4, 12.0])
    np.testing.assert_allclose(hi[:2, 0], [4.6, 28.0])
    assert np.isnan(lo[2, 0]) and np.isnan(hi[2, 0])
