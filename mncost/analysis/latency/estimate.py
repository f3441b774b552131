"""Estimates from a profile: one configuration op by op (:func:`estimate_latency`,
:class:`LatencyEstimate`, with the cautions that say when it is less sure than the
profile's leave-one-out error), and a whole alpha x resolution grid
(:func:`latency_grid`, :func:`predict_grid`)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import TYPE_CHECKING, Any

from mncost.analysis.latency.builtin import (
    DeviceMeasurement,
    cross_family_check,
    measured_latency,
)
from mncost.analysis.latency.features import op_table
from mncost.analysis.latency.linear import features
from mncost.analysis.latency.measurements import _conventions, _model_family
from mncost.analysis.latency.profile import LatencyProfile, PointFit, kind_mix_caution
from mncost.analysis.latency.roofline import bound, intensity
from mncost.cost.model import Model
from mncost.cost.result import count, op_type
from mncost.cost.scaling import Resolution, multiplier_text, resolution_hw, resolution_text

if TYPE_CHECKING:
    import numpy
    import pandas


@dataclass(slots=True, unsafe_hash=True)
class OpLatency:
    """One op's estimated time and the features it was estimated from.

    Treated as immutable, but not frozen: a frozen dataclass sets each field through
    ``object.__setattr__``, eight times the cost of these slots, and a 100,000-op spec
    has 100,000 records.
    """

    name: str
    type: str
    """The op's group ("Conv 1x1", "Conv DW 3x3", "Add", ...)."""
    block: str
    ms: float
    features: tuple[int, ...]
    """The op's value of each of the linear estimator's features in the profile's
    traffic (:func:`~mncost.analysis.latency.linear.features`; exact ints)."""
    intensity: float | None = None
    """MACs per byte the op moves (activations read and written, weights read); None
    for an op that moves none."""
    bound: str = ""
    """Under a roofline profile: "compute" or "memory" (which roof the op sits under);
    "" otherwise, and for an op with no MACs and no bytes."""
    kind: str = "other"
    """dense_1x1, dense_kxk, depthwise, fc or other (no mult-adds), from its geometry."""


@dataclass(frozen=True)
class LatencyEstimate:
    """An estimated latency of one configuration on one device: per op and in total."""

    model: str
    family: str | None
    """The model's family (None: a spec file's architecture)."""
    alpha: Fraction
    resolution: Resolution
    """The input's side, or (height, width)."""
    classes: int
    profile: LatencyProfile
    per_op: Callable[[], tuple[OpLatency, ...]] = field(repr=False, compare=False)
    """Builds :attr:`layers` (a 100,000-op spec's records, built only when read)."""
    total_ms: float
    """The estimated latency: the sum of the per-op estimates."""
    cautions: tuple[str, ...]
    """Why this estimate is less sure than the profile's LOO error says: another family
    than the fit's, a configuration outside its range. Empty when none applies."""
    mult_adds: int
    measured: PointFit | None = None
    """The profile's own measured point for this very configuration (same model, alpha
    and resolution), when there is one: the measurement beside the estimate."""
    measurement: DeviceMeasurement | None = None
    """Any measurement of this configuration on the device (the profile's own point, or
    a published one it never saw), in the dtype asked for: it beats the estimate."""

    @property
    def feature_names(self) -> tuple[str, ...]:
        """The metrics each op's ``features`` hold, in order: the linear estimator's in
        the profile's traffic (mult_adds, the two bytes, ops)."""
        return features(self.profile.traffic)

    @property
    def best_ms(self) -> float:
        """The measurement where there is one, else the estimate."""
        return self.measurement.latency_ms if self.measurement else self.total_ms

    @cached_property
    def layers(self) -> tuple[OpLatency, ...]:
        """One record per op: its estimated time and the features it was estimated from."""
        return self.per_op()

    def to_dict(self) -> dict[str, Any]:
        """Plain data in the documented JSON layout."""
        return {
            "estimate": True,
            "model": self.model,
            "family": self.family,
            "alpha": float(self.alpha),
            "resolution": self.resolution,
            "classes": self.classes,
            "total_ms": self.total_ms,
            "measured_ms": self.measurement.latency_ms if self.measurement else None,
            "measurement": self.measurement.to_dict() if self.measurement else None,
            "mult_adds": self.mult_adds,
            "cautions": list(self.cautions),
            "device": self.profile.provenance(),
            "layers": [
                {
                    "name": op.name,
                    "type": op.type,
                    "block": op.block,
                    "ms": op.ms,
                    **dict(zip(self.feature_names, op.features)),
                    "intensity_macs_per_byte": op.intensity,
                    "bound": op.bound or None,
                    "kind": op.kind,
                }
                for op in self.layers
            ],
        }

    def to_frame(self) -> pandas.DataFrame:
        """One row per op: name, type, block, ms and each feature."""
        import pandas as pd

        frame_: pandas.DataFrame = pd.DataFrame(
            [
                {
                    "name": op.name,
                    "type": op.type,
                    "block": op.block,
                    "ms": op.ms,
                    **dict(zip(self.feature_names, op.features)),
                    "intensity_macs_per_byte": op.intensity,
                    "bound": op.bound or None,
                    "kind": op.kind,
                }
                for op in self.layers
            ]
        )
        return frame_


def dtype_caution(profile: LatencyProfile, dtype: str) -> str:
    """What an estimate in ``dtype`` from a profile fitted in another one is ("" when
    they are the same)."""
    if dtype == profile.dtype:
        return ""
    return (
        f"{profile.name} was fitted on {profile.dtype} measurements: its estimate for "
        f"{dtype} is the {profile.dtype} estimate (the speed-up of {dtype} is not modelled); "
        f"only a measurement in {dtype} says more"
    )


def _cautions(
    profile: LatencyProfile,
    model: str | None,
    family: str | None,
    alpha: Fraction,
    resolution: Resolution,
    dtype: str | None = None,
) -> tuple[str, ...]:
    poor = profile.poor_fit_caution
    kind = dtype_caution(profile, dtype) if dtype is not None else ""
    return (
        ((poor,) if poor else ())
        + ((kind,) if kind else ())
        + _fit_cautions(profile, model, family, alpha, resolution)
    )


def structural_caution(
    profile: LatencyProfile, model: str | None, family: str | None, grid: bool = False
) -> str | None:
    """Why an estimate of ``model`` is less sure than the profile's LOO error says, in
    what it is rather than where (None when the profile was fitted on the model itself):
    an architecture from a file, another family, or other models of its family. One
    estimate's wording, or a grid's (``grid``)."""
    fitted = ", ".join(profile.families)
    these = "every estimate" if grid else "this estimate"
    if model is None or family is None:
        return (
            f"this architecture comes from a file (a spec or an ONNX graph), not a built-in "
            f"model: {profile.name} was fitted on {fitted} only, so {these} carries its "
            "model to an architecture it never saw"
        )
    if family not in profile.families:
        checked = [
            c.error_percent for c in cross_family_check(profile) if _model_family(c.model) == family
        ]
        seen = (
            (
                f" (on the {len(checked)} {family} checkpoints it was checked on, its "
                f"errors run from {min(checked):+.1f}% to {max(checked):+.1f}%: see "
                "--fit-report)"
            )
            if checked
            else ""
        )
        return (
            f"{model} is a {family} model, and {profile.name} was fitted on {fitted} "
            f"only: {these} crosses families, and its error may exceed the "
            f"profile's leave-one-out error{seen}"
        )
    if profile.alpha_range(model) is None or profile.resolution_range(model) is None:
        return (
            f"{profile.name} was fitted on other {family} models "
            f"({', '.join(profile.models)}), not on {model}"
        )
    return None


def _fit_cautions(
    profile: LatencyProfile,
    model: str | None,
    family: str | None,
    alpha: Fraction,
    resolution: Resolution,
) -> tuple[str, ...]:
    kind = structural_caution(profile, model, family)
    if kind is not None:
        return (kind,)
    assert model is not None
    notes = []
    alphas, sizes = profile.alpha_range(model), profile.resolution_range(model)
    assert alphas is not None and sizes is not None
    if not alphas[0] <= alpha <= alphas[1]:
        notes.append(
            f"alpha {multiplier_text(alpha)} lies outside the alphas "
            f"{profile.name} was fitted on ({multiplier_text(alphas[0])} to "
            f"{multiplier_text(alphas[1])}): extrapolated"
        )
    if not all(sizes[0] <= side <= sizes[1] for side in resolution_hw(resolution)):
        notes.append(
            f"resolution {resolution_text(resolution)} lies outside the resolutions "
            f"{profile.name} was fitted on ({sizes[0]} to {sizes[1]}): extrapolated"
        )
    return tuple(notes)


def estimate_latency(
    arch: Model,
    alpha: Fraction,
    resolution: Resolution | None,
    classes: int | None,
    profile: LatencyProfile,
    *,
    rounding: str | None = None,
    model: str | None = None,
    dtype: str | None = None,
) -> LatencyEstimate:
    """The estimated latency of ``arch`` at (alpha, resolution) on ``profile``'s device,
    op by op, and the measurement of that configuration on the device where there is
    one (in ``dtype``, default the profile's). ``model`` is its registered name (None
    for a spec file's architecture); ScalingError when the configuration cannot be
    counted."""
    resolution = arch.resolution if resolution is None else resolution
    result = count(arch, alpha, resolution, classes, _conventions(profile.dtype, rounding))
    columns = [result.metric(name) for name in features(profile.traffic)]

    table = op_table(result, profile.traffic)
    per_op = profile.model.op_ms(profile.coefficients, table)
    macs_per_byte = intensity(table)
    bounds = bound(profile.coefficients, table) if profile.estimator == "roofline" else None
    # Straight from the geometry's columns (the op records of result.layers would cost
    # as much again on a deep spec).
    g = result.geometry
    st, wd, sp = g.static, g.width, g.spatial
    ms = per_op.astype(float).tolist()

    def records() -> tuple[OpLatency, ...]:
        types = map(op_type, st.role, sp.k_h, sp.k_w, wd.groups, wd.c_in)
        return tuple(
            OpLatency(
                name,
                kind_of,
                block,
                op_ms,
                values,
                None if math.isnan(value) else value,
                bounds[i] if bounds is not None else "",
                op_kind,
            )
            for i, (name, kind_of, block, op_ms, values, value, op_kind) in enumerate(
                zip(
                    st.name,
                    types,
                    st.block,
                    ms,
                    zip(*columns),
                    macs_per_byte.astype(float).tolist(),
                    table.kinds,
                    strict=True,
                )
            )
        )

    family = _model_family(model) if model is not None else None
    same = [
        p
        for p in profile.points
        if model is not None
        and p.measurement.model == model
        and p.measurement.alpha == alpha
        and p.measurement.resolution == resolution
        and result.classes == arch.classes
        and rounding is None
    ]
    return LatencyEstimate(
        model=model or arch.name,
        family=family,
        alpha=alpha,
        resolution=resolution,
        classes=result.classes,
        profile=profile,
        per_op=records,
        total_ms=math.fsum(ms),
        cautions=_cautions(profile, model, family, alpha, resolution, dtype)
        + tuple(c for c in (kind_mix_caution(profile, table),) if c),
        mult_adds=result.total.mult_adds,
        measured=same[0] if same else None,
        measurement=measured_latency(profile, model, alpha, resolution, dtype or profile.dtype)
        if result.classes == arch.classes and rounding is None
        else None,
    )


def predict_grid(profile: LatencyProfile, grids: dict[str, numpy.ndarray]) -> numpy.ndarray:
    """Estimated ms at every grid point, from the feature totals of
    :func:`mncost.cost.sweep.grid` (called with ``metrics=features(profile.traffic)``
    and the profile's dtype): one multiply-add per feature and point. A linear profile
    only (ValueError for another: :func:`latency_grid` takes any)."""
    import numpy as np

    if profile.estimator != "linear":
        raise ValueError(
            f"predict_grid weighs a linear profile's totals; {profile.name} is a "
            f"{profile.estimator} profile: use latency_grid"
        )
    names = features(profile.traffic)
    missing = [name for name in names if name not in grids]
    if missing:
        raise KeyError(f"the grid lacks the feature(s) {', '.join(missing)}")
    total = np.zeros(np.shape(grids[names[0]]), dtype=float)
    for name, c in zip(names, profile.coefficients):
        if c:  # a grid past int64 holds Python ints (dtype object): as floats here
            total += c * np.asarray(grids[name], dtype=float)
    return total


def latency_grid(
    profile: LatencyProfile,
    arch: Model,
    alphas: Sequence[Fraction],
    resolutions: Sequence[Resolution],
    classes: int | None = None,
    rounding: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> numpy.ndarray:
    """Estimated ms of ``arch`` at every (alpha, resolution), shape (alphas, resolutions),
    from the profile's estimator (the linear one from the sweep's exact totals)."""
    progress_ = progress
    return profile.model.grid_ms(
        profile.coefficients,
        arch,
        alphas,
        resolutions,
        classes,
        _conventions(profile.dtype, rounding),
        progress_,
    )
