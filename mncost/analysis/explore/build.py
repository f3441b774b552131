"""The orchestration: :func:`explore_grid` checks what is asked for, counts the grid
(:func:`mncost.cost.sweep.grid`), estimates its latency (a measurement first where the
device has one) and its top-1, and gathers them in an :class:`ExploreGrid`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

from mncost.analysis.explore.axes import check_grid_size
from mncost.analysis.explore.checkpoints import model_checkpoints
from mncost.analysis.explore.columns import (
    ACCURACY,
    DEFAULT_METRICS,
    ESTIMATES,
    LATENCY,
    check_metrics,
)
from mncost.analysis.explore.estimates import latency_cautions, top1_grid
from mncost.analysis.explore.grid import ExploreGrid
from mncost.arch.registry import get_entry
from mncost.arch.width import WidthRule
from mncost.cost.conventions import DTYPE_BYTES, Conventions
from mncost.cost.execution import Execution
from mncost.cost.model import Model
from mncost.cost.scaling import Resolution
from mncost.errors import ExploreError

if TYPE_CHECKING:
    import numpy

    from mncost.analysis.accuracy import AccuracyModel, PublishedOnly
    from mncost.analysis.latency import LatencyProfile

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``: called as a long computation advances."""


def explore_grid(
    arch: Model,
    alphas: Sequence[Fraction],
    resolutions: Sequence[Resolution],
    classes: int | None = None,
    conventions: Conventions = Conventions(),
    *,
    metrics: Iterable[str] | None = None,
    execution: Execution | None = None,
    profile: LatencyProfile | None = None,
    model: str | None = None,
    extrapolate: bool = False,
    top1: AccuracyModel | PublishedOnly | None = None,
    progress: Progress | None = None,
) -> ExploreGrid:
    """``arch``'s figures at every (alpha, resolution).

    ``metrics`` names the columns (:func:`explorer_metrics`; default
    :data:`DEFAULT_METRICS`, plus latency_ms with a ``profile`` and top1 when the model
    has an accuracy model). ``model`` is ``arch``'s registered name (None: a spec
    file's); top-1 estimates need it, unless ``top1`` gives your own (fitted to your
    checkpoints, :mod:`mncost.analysis.accuracy_points`), which replaces the published.
    ``conventions.dtype`` sizes the byte counts; the
    latency's bytes follow the profile's own dtype. ExploreError for an unknown metric,
    a column that cannot be given (latency_ms without a profile, top1 without an
    accuracy model) or a grid out of bounds; ScalingError when a configuration cannot
    be counted.
    """
    # lazy: the vectorised grid (numpy), only for a grid
    from mncost.cost.sweep import grid

    alphas, resolutions = tuple(alphas), tuple(resolutions)
    check_grid_size(len(alphas), len(resolutions))
    if conventions.dtype not in DTYPE_BYTES:
        raise ExploreError(f"dtype must be one of {', '.join(DTYPE_BYTES)}")
    if execution is None:
        execution = Execution(dtype=conventions.dtype)
    conventions = execution.conventions(conventions)
    asked = metrics is not None
    chosen = (
        list(check_metrics(metrics))
        if metrics is not None
        else [*DEFAULT_METRICS, LATENCY, ACCURACY]
    )
    if LATENCY in chosen and profile is None:
        if asked:
            raise ExploreError(
                "latency_ms needs a device profile (--device pixel1-cpu, or "
                "a profile file made by `mncost calibrate`)"
            )
        chosen.remove(LATENCY)
    n_classes = arch.classes if classes is None else classes
    family = None
    if model is not None:
        family = get_entry(model).family
    accuracy, reason, accuracy_caution = (None, "", "")
    if ACCURACY in chosen:
        if progress is not None:
            progress("estimating top-1", 0, 1)
        accuracy, reason, accuracy_caution = top1_grid(
            model, arch, n_classes, conventions, alphas, resolutions, extrapolate, top1
        )
        if accuracy is None:
            if asked:
                raise ExploreError(f"top1: {reason}")
            chosen.remove(ACCURACY)
    counted = [m for m in chosen if m not in ESTIMATES]

    def step(phase: str) -> Callable[[int, int], None] | None:
        if progress is None:
            return None
        return lambda done, total: progress(phase, done, total)

    counts = (
        grid(arch, alphas, resolutions, classes, conventions, counted, step("counting"), execution)
        if counted
        else {}
    )
    latency = outside = None
    estimate: numpy.ndarray | None = None
    measured: numpy.ndarray | None = None
    cautions: tuple[str, ...] = ()
    if profile is not None and LATENCY in chosen:
        from mncost.analysis.latency import latency_grid  # lazy: only for a latency

        latency = latency_grid(
            profile,
            arch,
            alphas,
            resolutions,
            classes,
            conventions.rounding,
            step("estimating latency"),
        )
        cautions, outside = latency_cautions(
            profile, model, family, alphas, resolutions, conventions.dtype
        )
        estimate = latency
        if classes is None and conventions.rounding is None:
            latency, measured = _measured_first(
                profile, model, alphas, resolutions, conventions.dtype, latency
            )
            if measured.all():  # every latency measured: only the estimates' own caution
                cautions = tuple(c for c in cautions if c == profile.poor_fit_caution)
    return ExploreGrid(
        model=arch.name,
        registered=model,
        family=family,
        alphas=alphas,
        resolutions=resolutions,
        classes=n_classes,
        conventions=conventions,
        execution=execution,
        metrics=tuple(chosen),
        counts=counts,
        latency=latency,
        latency_estimate=estimate,
        latency_measured=measured,
        profile=profile if LATENCY in chosen else None,
        latency_cautions=cautions,
        latency_outside=outside,
        accuracy=accuracy,
        accuracy_reason=reason,
        accuracy_caution=accuracy_caution,
        extrapolate=extrapolate,
        checkpoints=model_checkpoints(model),
        own_rule=WidthRule(
            arch.width.rule,
            arch.width.divisor,
            arch.width.min_value,
        ),
    )


def _measured_first(
    profile: LatencyProfile,
    model: str | None,
    alphas: Sequence[Fraction],
    resolutions: Sequence[Resolution],
    dtype: str,
    estimate: numpy.ndarray,
) -> tuple[numpy.ndarray, numpy.ndarray]:
    """The latency grid with each configuration measured on the device set to its
    measurement, and where those are."""
    import numpy as np

    # lazy: only when a latency is asked for
    from mncost.analysis.latency import device_measurements

    measured = np.zeros(estimate.shape, dtype=bool)
    if model is None:
        return estimate, measured
    at_alpha = {a: i for i, a in enumerate(alphas)}
    at_res = {r: j for j, r in enumerate(resolutions)}
    latency = estimate
    for (name, alpha, resolution, kind), m in device_measurements(profile).items():
        i, j = at_alpha.get(alpha), at_res.get(resolution)
        if name != model or kind != dtype or i is None or j is None:
            continue
        if latency is estimate:
            latency = estimate.copy()
        latency[i, j] = m.latency_ms
        measured[i, j] = True
    return latency, measured
