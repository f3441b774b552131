"""Top-1 estimates from the published checkpoints (issue 11, section 3).

Expected figures come from elsewhere than mncost's fit: the published top-1s as printed in
mncost/sources/data/checkpoints.csv (a copy of TF-slim's mobilenet_v1.md and
mobilenet/README.md); the issue's feasibility check (LOO mean absolute error 0.18 points
on v1, 0.52 on v2, found outside mncost); grid boundaries derived by hand in comments;
and, for the fitter itself, a surface the test chooses and a closed-form leave-one-out
(the hat matrix) computed here with numpy directly.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import mncost
from mncost.analysis.accuracy import (
    METHOD,
    STATUSES,
    AccuracyFitError,
    AccuracyModel,
    AccuracyQueryError,
    Estimate,
    FittedOn,
    Observation,
    accuracy_model,
    no_model_reason,
)
from mncost.analysis.published import published_points
from tests.conftest import run_cli


def _v1() -> AccuracyModel:
    model = accuracy_model("mobilenet-v1")
    assert model is not None
    return model


def _v2() -> AccuracyModel:
    model = accuracy_model("mobilenet-v2")
    assert model is not None
    return model


def _float_checkpoints(family: str):
    return [
        p
        for p in published_points(source="checkpoints", families=[family], computed=False)
        if p.precision == "float32"
    ]


# --- the fit and its error ---------------------------------------------------------------


def test_loo_meets_the_acceptance_targets():
    # Issue 11 acceptance: at most 0.5 points on v1 and 0.7 on v2. The issue's own check
    # (a quadratic with a cross term, outside mncost) found 0.18 and 0.52.
    v1, v2 = _v1().loo(), _v2().loo()
    assert v1.mae <= 0.5 and v2.mae <= 0.7
    assert v1.mae == pytest.approx(0.18, abs=0.005)
    assert v2.mae == pytest.approx(0.52, abs=0.005)
    assert len(v1.points) == 16 and len(v2.points) == 22
    assert v1.max == max(abs(p.error) for p in v1.points) >= v1.mae


def _raw_design(alpha, resolution):
    la, lr = np.log(np.asarray(alpha, float)), np.log(np.asarray(resolution, float))
    return np.stack([np.ones_like(la), la, lr, la * la, lr * lr, la * lr], axis=-1)


@pytest.mark.parametrize("family", ["mobilenet_v1", "mobilenet_v2"])
def test_loo_agrees_with_the_hat_matrix(family):
    # For ordinary least squares the leave-one-out residual is e_i / (1 - h_ii), with e
    # the full fit's residual and h the hat matrix X (X'X)^-1 X'. Computed here in the
    # raw basis (1, ln a, ln R, ln a^2, ln R^2, ln a ln R), from the published points.
    points = _float_checkpoints(family)
    x = _raw_design([float(p.alpha) for p in points], [p.resolution for p in points])
    y = np.array([float(p.top1) for p in points])
    hat = x @ np.linalg.solve(x.T @ x, x.T)
    residual = y - hat @ y
    loo_error = -residual / (1 - np.diag(hat))  # predicted - published
    model = accuracy_model(family)
    assert model is not None
    by_label = {p.observation.label: p.error for p in model.loo().points}
    for p, expected in zip(points, loo_error):
        assert by_label[p.label] == pytest.approx(expected, abs=1e-6)
    assert model.loo().mae == pytest.approx(np.abs(loo_error).mean(), abs=1e-6)
    # The surface is the same least-squares fit, whatever basis mncost solves it in.
    coef = np.linalg.solve(x.T @ x, x.T @ y)
    probe = ([0.3, 0.6, 0.9, 1.0], [100, 150, 200, 224])
    assert model.surface(*probe) == pytest.approx(_raw_design(*probe) @ coef, abs=1e-6)


def _known(alpha, resolution):
    # A surface chosen here, in the raw basis; the fitter must find it exactly.
    return _raw_design(alpha, resolution) @ np.array(KNOWN)


KNOWN = (-150.0, 20.0, 75.0, -6.0, -6.5, -3.0)
_FIT_ON = FittedOn(model="test", family="other", n_points=20, source="a known quadratic")


def _known_observations(alphas, resolutions):
    return [
        Observation(
            label=f"{a}/{r}",
            alpha=Fraction(a),
            resolution=r,
            top1=Decimal(repr(float(_known(float(a), r)))),
            source="generated",
        )
        for a in alphas
        for r in resolutions
    ]


def test_fit_is_exact_on_a_known_quadratic():
    observations = _known_observations(["0.35", "0.5", "0.75", "1.0"], [96, 128, 160, 192, 224])
    model = AccuracyModel.fit(observations, _FIT_ON)
    assert model.coefficients == pytest.approx(KNOWN, rel=1e-7, abs=1e-7)
    probe_a, probe_r = np.array([0.4, 0.6, 0.9, 1.3]), np.array([100, 140, 210, 300])
    assert model.surface(probe_a, probe_r) == pytest.approx(_known(probe_a, probe_r), abs=1e-8)
    assert model.loo().mae < 1e-8 and model.loo().max < 1e-8
    # An estimate between the points is the surface; a published point is the published.
    inside = model.estimate(0.6, 140)
    assert inside.status == "interpolated"
    assert inside.value == pytest.approx(float(_known(0.6, 140)), abs=1e-8)


def test_fit_refuses_what_it_cannot_determine():
    one_resolution = _known_observations(["0.25", "0.5", "0.75", "1.0", "1.2", "1.4", "1.5"], [224])
    with pytest.raises(AccuracyFitError):
        AccuracyModel.fit(one_resolution, _FIT_ON)
    six = _known_observations(["0.5", "1.0"], [96, 160, 224])  # 6 points, 6 coefficients
    with pytest.raises(AccuracyFitError, match="at least 7"):
        AccuracyModel.fit(six, _FIT_ON)
    # Two widths x four resolutions and one point at a third width: the nine determine the
    # surface, but without the third width (ln a)^2 = (l1 + l2) ln a - l1 l2 on the other
    # eight, so their fit has no unique solution and no leave-one-out error: refused.
    nine = _known_observations(["0.5", "1.0"], [96, 128, 160, 224]) + _known_observations(
        ["0.75"], [160]
    )
    with pytest.raises(AccuracyFitError, match="0.75/160 left out"):
        AccuracyModel.fit(nine, _FIT_ON)
    twice = _known_observations(["0.35", "0.5", "0.75", "1.0"], [96, 128, 160, 224])
    with pytest.raises(AccuracyFitError, match="twice"):
        AccuracyModel.fit(twice + twice[:1], _FIT_ON)


# --- statuses ----------------------------------------------------------------------------


def test_a_published_configuration_is_measured():
    # checkpoints.csv: MobileNet_v1_0.75_160, float32, top-1 65.3; MobileNet_v1_1.0_224,
    # 70.9 (its 8-bit twin, 69.7, is another precision and not used).
    for alpha in (0.75, Fraction(3, 4), Decimal("0.75")):
        e = _v1().estimate(alpha, 160)
        assert e.status == "measured" and e.is_measurement
        assert e.value == 65.3 and e.published == Decimal("65.3")
        assert "MobileNet_v1_0.75_160" in e.source and "mobilenet_v1.md" in e.source
        assert e.describe().startswith("65.3% measured")
    assert _v1().estimate(1, 224).value == 70.9
    # MobileNet_v2_1.3_224: 74.4 (a width only published at 224).
    assert _v2().estimate(1.3, 224).value == 74.4


@pytest.mark.parametrize("family", ["mobilenet_v1", "mobilenet_v2"])
def test_every_float_checkpoint_is_measured(family):
    model = accuracy_model(family)
    assert model is not None
    points = _float_checkpoints(family)
    for p in points:
        e = model.estimate(float(p.alpha), p.resolution)
        assert (e.status, e.published, e.value) == ("measured", p.top1, float(p.top1))


def test_an_estimate_never_passes_for_a_measurement():
    e = _v1().estimate(0.6, 176)
    assert e.status == "interpolated" and not e.is_measurement
    assert e.source == "" and e.published is None
    assert e.value == e.surface
    assert e.method == METHOD == "quadratic in log alpha, log R with cross term, least squares"
    assert (e.fitted_on.model, e.fitted_on.family, e.fitted_on.n_points) == (
        "mobilenet-v1",
        "mobilenet_v1",
        16,
    )
    assert "mobilenet_v1.md" in e.fitted_on.source
    assert (e.loo_mae, e.loo_max) == (_v1().loo().mae, _v1().loo().max)
    assert "interpolated" in e.describe() and "LOO" in e.describe()
    # The value is a float, not rounded to the published precision.
    assert e.value != round(e.value, 1)


def test_v1_grid_is_the_published_rectangle():
    # v1's checkpoints are alpha 0.25, 0.5, 0.75, 1.0 x R 128, 160, 192, 224: the hull is
    # the rectangle, and its edges are inside.
    v1 = _v1()
    assert v1.hull == ((0.25, 128), (1.0, 128), (1.0, 224), (0.25, 224))
    cases = {
        (0.25, 150): "interpolated",
        (1.0, 200): "interpolated",
        (0.6, 128): "interpolated",
        (0.6, 224): "interpolated",
        (0.6, 176): "interpolated",
        (0.5, 128): "measured",
        (0.2499, 150): "extrapolated",
        (1.01, 200): "extrapolated",
        (0.6, 127): "extrapolated",
        (0.6, 225): "extrapolated",
        (1.4, 224): "extrapolated",
    }
    for (alpha, resolution), status in cases.items():
        assert v1.estimate(alpha, resolution).status == status, (alpha, resolution)


def test_v2_grid_is_the_convex_hull_not_the_rectangle():
    # v2: alpha 0.35..1.0 x R 96..224, plus 1.3 and 1.4 at 224 only. In the (ln a, ln R)
    # plane the hull's lower-right edge runs from (1.0, 96) to (1.4, 224): at alpha 1.2 it
    # is at R = 96 * (224/96) ** (ln 1.2 / ln 1.4) = 151.9, so 152 is inside, 151 not.
    boundary = 96 * (224 / 96) ** (math.log(1.2) / math.log(1.4))
    assert 151 < boundary < 152
    v2 = _v2()
    assert v2.hull == ((0.35, 96), (1.0, 96), (1.4, 224), (0.35, 224))
    assert v2.estimate(1.2, 152).status == "interpolated"
    assert v2.estimate(1.2, 151).status == "extrapolated"
    assert v2.estimate(1.35, 224).status == "interpolated"  # on the top edge
    assert v2.estimate(1.4, 223).status == "extrapolated"  # below the corner
    assert v2.estimate(1.4, 96).status == "extrapolated"  # in the rectangle, not the hull
    assert v2.estimate(1.5, 224).status == "extrapolated"
    assert v2.estimate(0.35, 100).status == "interpolated"  # on the left edge


def test_an_extrapolation_is_withheld_unless_asked_for():
    v1 = _v1()
    withheld = v1.estimate(1.4, 224)
    assert withheld.status == "extrapolated" and withheld.withheld
    assert withheld.value is None and "not given" in withheld.describe()
    given_ = v1.estimate(1.4, 224, extrapolate=True)
    assert given_.status == "extrapolated" and not given_.withheld
    assert given_.value == given_.surface == withheld.surface
    grid = v1.estimate_grid([0.5, 1.4], [160])
    assert grid.value[0, 0] == 59.1 and math.isnan(grid.value[1, 0])
    assert list(grid.status[:, 0]) == ["measured", "extrapolated"]
    assert v1.estimate_grid([1.4], [160], extrapolate=True).value[0, 0] == pytest.approx(
        v1.estimate(1.4, 160, extrapolate=True).value
    )


# --- the array form ----------------------------------------------------------------------

ALPHAS = [0.2, 0.25, 0.35, 0.5, 0.6, 0.75, 1.0, 1.2, 1.3, 1.4, 1.5]
RESOLUTIONS = [90, 96, 128, 150, 151, 152, 160, 224, 240]


@pytest.mark.parametrize("family", ["mobilenet_v1", "mobilenet_v2"])
@pytest.mark.parametrize("extrapolate", [False, True])
def test_vectorised_equals_scalar(family, extrapolate):
    model = accuracy_model(family)
    assert model is not None
    grid = model.estimate_grid(ALPHAS, RESOLUTIONS, extrapolate=extrapolate)
    assert grid.value.shape == grid.status.shape == (len(ALPHAS), len(RESOLUTIONS))
    # A fitted surface estimates everywhere it can: "no estimate" is PublishedOnly's.
    assert set(grid.status.reshape(-1)) == set(STATUSES) - {"no estimate"}
    for i, alpha in enumerate(ALPHAS):
        for j, resolution in enumerate(RESOLUTIONS):
            scalar = model.estimate(alpha, resolution, extrapolate=extrapolate)
            assert isinstance(scalar, Estimate)
            assert grid.estimate_at((i, j)) == scalar, (alpha, resolution)
    # Paired arrays (not a grid) give the same points too.
    a = np.array([0.35, 0.6, 1.4, 1.0])
    r = np.array([96, 176, 224, 100])
    paired = model.estimate_array(a, r, extrapolate=extrapolate)
    for k in range(len(a)):
        assert paired.estimate_at(k) == model.estimate(a[k], int(r[k]), extrapolate)


def test_flat_columns_line_up_with_the_sweep_rows():
    from mncost.arch.registry import get_model
    from mncost.cost.sweep import sweep_frame

    alphas, resolutions = [Fraction(1, 2), Fraction(3, 4), Fraction(1)], [128, 160]
    frame = sweep_frame(get_model("mobilenet-v1"), alphas, resolutions)
    flat = _v1().estimate_grid(alphas, resolutions).flat()
    # Every one of these six is a published v1 checkpoint (checkpoints.csv).
    published = {
        (float(p.alpha), p.resolution): float(p.top1) for p in _float_checkpoints("mobilenet_v1")
    }
    expected = [published[(a, r)] for a, r in zip(frame["alpha"], frame["resolution"])]
    assert list(flat["top1"]) == expected
    assert set(flat["top1_status"]) == {"measured"}


def _inside_v2_by_hand(alpha: float, resolution: float) -> float:
    # The v2 hull written out (corners in the docstring of test_v2_grid...): the smallest
    # signed distance, in log units, to the four edges' inner sides.
    la, lr = math.log(alpha), math.log(resolution)
    corners = [
        (math.log(a), math.log(r)) for a, r in [(0.35, 96), (1.0, 96), (1.4, 224), (0.35, 224)]
    ]
    distances = []
    for (x1, y1), (x2, y2) in zip(corners, corners[1:] + corners[:1]):
        distances.append(
            ((x2 - x1) * (lr - y1) - (y2 - y1) * (la - x1)) / math.hypot(x2 - x1, y2 - y1)
        )
    return min(distances)


def _outside_v2_by_hand(alpha: float, resolution: float) -> float:
    # How far a point outside the v2 hull is from it, in log units: the nearest point of
    # the nearest edge (each edge a segment, its end points included).
    px, py = math.log(alpha), math.log(resolution)
    corners = [
        (math.log(a), math.log(r)) for a, r in [(0.35, 96), (1.0, 96), (1.4, 224), (0.35, 224)]
    ]
    best = math.inf
    for (x1, y1), (x2, y2) in zip(corners, corners[1:] + corners[:1]):
        t = ((px - x1) * (x2 - x1) + (py - y1) * (y2 - y1)) / ((x2 - x1) ** 2 + (y2 - y1) ** 2)
        t = min(1.0, max(0.0, t))
        best = min(best, math.hypot(px - (x1 + t * (x2 - x1)), py - (y1 + t * (y2 - y1))))
    return best


@settings(max_examples=300, deadline=None)
@given(
    st.floats(min_value=0.05, max_value=4.0),
    st.integers(min_value=16, max_value=1024),
    st.booleans(),
)
def test_status_and_value_at_any_point(alpha, resolution, extrapolate):
    inside = _inside_v2_by_hand(alpha, resolution)
    assume(abs(inside) > 1e-6)
    v2 = _v2()
    e = v2.estimate(alpha, resolution, extrapolate=extrapolate)
    assert v2.estimate_array([alpha], [resolution], extrapolate).estimate_at(0) == e
    if e.status == "measured":
        return
    if inside > 0:
        expected = "interpolated"
    else:
        # Given only within a factor of 1.5 of the published grid, and as a percentage.
        away = _outside_v2_by_hand(alpha, resolution)
        assume(abs(away - math.log(1.5)) > 1e-6)
        trusted = away < math.log(1.5) and 0 <= e.surface <= 100
        expected = "extrapolated" if trusted else "out of range"
    assert e.status == expected
    shown = e.status == "interpolated" or (extrapolate and e.status == "extrapolated")
    assert (e.value is not None) == shown
    if shown:
        assert e.value == pytest.approx(e.surface)
        assert 0 <= e.value <= 100


# --- which models have one ---------------------------------------------------------------


def test_families_and_models_without_enough_points_say_so():
    # checkpoints_v3.csv: 6 float32 checkpoints, all at 224, of 6 different models (Large,
    # Small and the minimalistic two at 1.0; TF-slim's own layout of Large and Small at
    # 0.75, the -slim models).
    assert accuracy_model("mobilenet_v3") is None
    reason = no_model_reason("mobilenet_v3")
    assert "6 different models" in reason and "224" in reason
    assert accuracy_model("mobilenet-v3-large") is None
    assert "at least 7" in no_model_reason("mobilenet-v3-large")
    # mobilenet-v1-conv is filed under mobilenet_v1, but no checkpoint is that network.
    assert accuracy_model("mobilenet-v1-conv") is None
    assert "no published" in no_model_reason("mobilenet-v1-conv")
    assert accuracy_model("resnet-50") is None
    assert no_model_reason("mobilenet-v1") == ""


def test_a_family_and_its_model_are_one_fit():
    assert accuracy_model("mobilenet_v1") is accuracy_model("mobilenet-v1")
    assert accuracy_model("mobilenet_v2") is accuracy_model("mobilenet-v2")


@pytest.mark.parametrize("name", ["resnet", "mobilenet_v4", "\x1b[31mred"])
def test_an_unknown_name_is_refused(name):
    with pytest.raises(AccuracyQueryError, match="unknown model or family") as error:
        accuracy_model(name)
    assert "\x1b" not in str(error.value)


@pytest.mark.parametrize(
    "alpha, resolution",
    [(0, 224), (-0.5, 224), (math.nan, 224), (math.inf, 224), (0.5, 0), ("0.5", 224), (True, 224)],
)
def test_bad_alpha_or_resolution_is_refused(alpha, resolution):
    with pytest.raises(AccuracyQueryError):
        _v1().estimate(alpha, resolution)
    if not isinstance(alpha, (str, bool)):
        with pytest.raises(AccuracyQueryError):
            _v1().estimate_grid([0.5, alpha], [resolution])


@pytest.mark.parametrize("alpha,resolution", [(0.1, 32), (16, 16384)])
def test_an_accuracy_far_outside_the_grid_is_no_estimate_even_when_asked(alpha, resolution):
    # The surface says -22.5% at (0.1, 32) and -58% at (16, 16384): an accuracy lies in
    # 0..100, and nothing near those points was published.
    frame = mncost.sweep("mobilenet-v1", [alpha], [resolution], accuracy=True, extrapolate=True)
    assert frame["top1_status"][0] == "out of range"
    assert math.isnan(frame["top1"][0])
    result = run_cli(
        "sweep", "mobilenet-v1", "--alpha", str(alpha), "--res", str(resolution),
        "--extrapolate", "-f", "json",
    )  # fmt: skip
    row = json.loads(result.stdout)["rows"][0]
    assert row["top1"] is None and row["top1_status"] == "out of range"
