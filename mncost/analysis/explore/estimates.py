"""What the estimated columns come with: a grid's latency cautions (a poor fit, another
data type, another architecture or family, configurations outside what the profile was
fitted on: :func:`latency_cautions`) and its top-1 grid, or why there is none, with the
caution on it (:func:`top1_grid`)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

from mncost.cost.conventions import Conventions
from mncost.cost.model import Model
from mncost.cost.scaling import Resolution, multiplier_text, resolution_hw

if TYPE_CHECKING:
    import numpy

    from mncost.analysis.accuracy import AccuracyGrid, AccuracyModel, PublishedOnly
    from mncost.analysis.latency import LatencyProfile


def latency_cautions(
    profile: LatencyProfile,
    model: str | None,
    family: str | None,
    alphas: Sequence[Fraction],
    resolutions: Sequence[Resolution],
    dtype: str,
) -> tuple[tuple[str, ...], numpy.ndarray]:
    """What makes a grid's latency estimates less sure, and where it leaves the fit."""
    # lazy: only when a latency is asked for
    from mncost.analysis.latency import dtype_caution

    cautions, outside = _grid_fit_cautions(profile, model, family, alphas, resolutions)
    poor = profile.poor_fit_caution
    kind = dtype_caution(profile, dtype)
    return ((poor,) if poor else ()) + ((kind,) if kind else ()) + cautions, outside


def _grid_fit_cautions(
    profile: LatencyProfile,
    model: str | None,
    family: str | None,
    alphas: Sequence[Fraction],
    resolutions: Sequence[Resolution],
) -> tuple[tuple[str, ...], numpy.ndarray]:
    import numpy as np

    # lazy: only when a latency is asked for
    from mncost.analysis.latency.estimate import structural_caution

    shape = (len(alphas), len(resolutions))
    kind = structural_caution(profile, model, family, grid=True)
    if kind is not None:
        return (kind,), np.ones(shape, dtype=bool)
    assert model is not None
    a_range, r_range = profile.alpha_range(model), profile.resolution_range(model)
    assert a_range is not None and r_range is not None
    a_out = np.array([not a_range[0] <= a <= a_range[1] for a in alphas])
    r_out = np.array(
        [
            not all(r_range[0] <= side <= r_range[1] for side in resolution_hw(r))
            for r in resolutions
        ]
    )
    outside = a_out[:, None] | r_out[None, :]
    cautions: tuple[str, ...] = ()
    if outside.any():
        cautions = (
            f"{int(outside.sum()):,} of the {outside.size:,} configurations lie "
            f"outside what {profile.name} was fitted on for {model} (alpha "
            f"{multiplier_text(a_range[0])} to {multiplier_text(a_range[1])}, "
            f"{r_range[0]} to {r_range[1]} pixels): there the latency is "
            "extrapolated",
        )
    return cautions, outside


def top1_grid(
    model: str | None,
    arch: Model,
    classes: int,
    conventions: Conventions,
    alphas: Sequence[Fraction],
    resolutions: Sequence[Resolution],
    extrapolate: bool,
    own: AccuracyModel | PublishedOnly | None = None,
) -> tuple[AccuracyGrid | None, str, str]:
    """The top-1 grid, why there is none, and a caution on it (a top-1 of float32
    checkpoints for an int8 model)."""
    # lazy: only when top-1 is asked for
    from mncost.analysis.accuracy import (
        no_model_reason,
        precision_caution,
        precision_of,
        top1_source,
    )

    if any(isinstance(r, tuple) for r in resolutions):
        return (
            None,
            (
                "no top-1 estimates at a non-square input (HxW): the accuracy models are "
                "fitted to square checkpoints, at one side R"
            ),
            "",
        )
    if own is not None:  # your points: of your model as you trained it
        grid = own.estimate_grid(
            [float(a) for a in alphas], list(resolutions), extrapolate=extrapolate
        )
        return grid, "", ""
    if model is None:
        return (
            None,
            (
                "no top-1 estimates for an architecture from a spec file: they come "
                "from a model's released checkpoints"
            ),
            "",
        )
    if classes != arch.classes or conventions.rounding is not None:
        return (
            None,
            (
                f"no top-1 estimates: they describe {model} as released "
                f"({arch.classes:,} classes, its own channel rounding), and "
                "--classes or --rounding change the network"
            ),
            "",
        )
    fitted = top1_source(model, precision_of(conventions.dtype))
    if fitted is None:
        return None, f"no top-1 estimates for {model}: {no_model_reason(model)}", ""
    grid = fitted.estimate_grid(
        [float(a) for a in alphas], list(resolutions), extrapolate=extrapolate
    )
    return grid, "", precision_caution(model, fitted, conventions.dtype)
