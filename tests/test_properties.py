"""Property tests: what must hold for every alpha and resolution, not just the paper's."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

import mncost

alphas = st.integers(min_value=8, max_value=256).map(lambda k: Fraction(k, 64))
resolutions = st.integers(min_value=1, max_value=512)


@settings(max_examples=60, deadline=None)
@given(a=alphas, b=alphas, resolution=resolutions)
def test_monotonic_in_alpha(a, b, resolution):
    low, high = sorted((a, b))
    small = mncost.cost(alpha=low, resolution=resolution).total
    large = mncost.cost(alpha=high, resolution=resolution).total
    assert small.mult_adds <= large.mult_adds
    assert small.params <= large.params


@settings(max_examples=60, deadline=None)
@given(alpha=alphas, r1=resolutions, r2=resolutions)
def test_monotonic_in_resolution_and_params_do_not_depend_on_it(alpha, r1, r2):
    low, high = sorted((r1, r2))
    small = mncost.cost(alpha=alpha, resolution=low).total
    large = mncost.cost(alpha=alpha, resolution=high).total
    assert small.mult_adds <= large.mult_adds
    assert small.params == large.params


@settings(max_examples=40, deadline=None)
@given(k1=st.integers(1, 128), k2=st.integers(1, 128), k3=st.integers(1, 128))
def test_cost_is_exactly_a_alpha_squared_plus_b_alpha(k1, k2, k3):
    # With alpha = k/32 every channel count (all multiples of 32) scales exactly, so
    # each layer costs either c*alpha^2 (conv/pw: both ends scale) or c*alpha (first
    # conv, dw, FC: one end scales). Hence f(alpha)/alpha is linear in alpha: three
    # points lie on one line.
    points = []
    for k in sorted({k1, k2, k3}):
        alpha = Fraction(k, 32)
        points.append((alpha, Fraction(mncost.cost(alpha=alpha).total.mult_adds) / alpha))
    for (x0, y0), (x1, y1), (x2, y2) in zip(points, points[1:], points[2:]):
        assert (y1 - y0) * (x2 - x1) == (y2 - y1) * (x1 - x0)


@settings(max_examples=40, deadline=None)
@given(alpha=st.integers(min_value=16, max_value=256).map(lambda k: Fraction(k, 64)))
def test_roughly_alpha_squared(alpha):
    # Between the all-quadratic and all-linear extremes: for alpha <= 1,
    # alpha^2 <= f(alpha)/f(1) <= alpha (and reversed above 1), with a few percent slack
    # for channel rounding. The paper: "reduces cost ... by roughly alpha^2".
    ratio = Fraction(mncost.cost(alpha=alpha).total.mult_adds, mncost.cost().total.mult_adds)
    low, high = sorted((alpha * alpha, alpha))
    assert low * Fraction(95, 100) <= ratio <= high * Fraction(105, 100)
    assert abs(ratio / (alpha * alpha) - 1) < Fraction(1, 4)


@settings(max_examples=40, deadline=None)
@given(k=st.integers(min_value=1, max_value=24))
def test_body_cost_scales_exactly_with_resolution_squared_at_multiples_of_32(k):
    # At R = 32k every stride-2 layer halves an even side, so each feature map is
    # (R/224)^2 times its size at 224: body mult-adds scale by exactly (R/224)^2.
    resolution = 32 * k
    body = mncost.cost(resolution=resolution, classes=0).total.mult_adds
    assert Fraction(body) == Fraction(567_716_352) * Fraction(resolution, 224) ** 2
