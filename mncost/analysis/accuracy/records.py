"""The records an estimate is given in: a checkpoint fitted to (:class:`Observation`),
what a surface was fitted to (:class:`FittedOn`), its leave-one-out check
(:class:`LooPoint`, :class:`Loo`), one estimate with its status (:class:`Estimate`) and
estimates over whole arrays (:class:`AccuracyGrid`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from mncost.analysis.accuracy.statuses import TRUST_FACTOR, Status

if TYPE_CHECKING:
    import numpy


@dataclass(frozen=True)
class Observation:
    """One published checkpoint the surface is fitted to."""

    label: str
    """The checkpoint as its publisher names it ("MobileNet_v1_0.75_160")."""
    alpha: Fraction
    resolution: int
    top1: Decimal
    """Published ImageNet top-1 in percent, as printed."""
    source: str
    """Where it was printed: document and row."""


@dataclass(frozen=True)
class FittedOn:
    """What a surface was fitted to."""

    model: str
    """The built-in model the checkpoints are (mobilenet-v1)."""
    family: str
    """Its family (one of FAMILIES)."""
    n_points: int
    """How many checkpoints."""
    source: str
    """The documents they were read from, "; "-joined."""
    precision: str = "float32"
    dataset: str = "ImageNet"
    own: bool = False
    """Your own checkpoints (``choose --accuracy``), not published ones."""

    def describe(self) -> str:
        """One line: "16 float32 ImageNet checkpoints of mobilenet-v1 (document)"."""
        plural = "s" if self.n_points != 1 else ""
        if self.own:
            return f"{self.n_points} of your own checkpoint{plural} of {self.model} ({self.source})"
        return (
            f"{self.n_points} {self.precision} {self.dataset} checkpoint{plural} of "
            f"{self.model} ({self.source})"
        )


@dataclass(frozen=True)
class LooPoint:
    """One checkpoint predicted by the fit to all the others."""

    observation: Observation
    predicted: float
    """The surface fitted without this point, at this point (top-1 %)."""

    @property
    def error(self) -> float:
        """predicted - published, in top-1 points."""
        return self.predicted - float(self.observation.top1)


@dataclass(frozen=True)
class Loo:
    """The leave-one-out check of a surface."""

    points: tuple[LooPoint, ...]

    @property
    def mae(self) -> float:
        """Mean absolute error in top-1 points."""
        return sum(abs(p.error) for p in self.points) / len(self.points)

    @property
    def max(self) -> float:
        """Largest absolute error in top-1 points."""
        return abs(self.worst.error)

    @property
    def worst(self) -> LooPoint:
        """The checkpoint predicted worst."""
        return max(self.points, key=lambda p: abs(p.error))


@dataclass(frozen=True)
class Estimate:
    """Top-1 at one (alpha, resolution), with what it is and how far to trust it."""

    alpha: float
    resolution: float
    value: float | None
    """Top-1 in percent: the published figure when measured, else the surface; None when
    extrapolated and not asked for (withheld)."""
    status: Status
    method: str
    """:data:`METHOD` (also for a measured point: the surface its neighbours use)."""
    fitted_on: FittedOn
    loo_mae: float | None
    """Leave-one-out mean absolute error of the surface, top-1 points (None: no surface,
    only published checkpoints: :class:`PublishedOnly`)."""
    loo_max: float | None
    """Leave-one-out largest absolute error of the surface, top-1 points."""
    surface: float
    """The surface's value here (equal to ``value`` unless measured or withheld)."""
    source: str = ""
    """For a measured point: document and row of the published figure; else empty."""
    published: Decimal | None = None
    """For a measured point: the published figure exactly as printed."""

    @property
    def withheld(self) -> bool:
        """An extrapolation nobody asked for: status known, value not given."""
        return self.value is None

    @property
    def is_measurement(self) -> bool:
        """Whether ``value`` is a published measurement (and not an estimate)."""
        return self.status == "measured"

    def describe(self) -> str:
        """One line for a reader: the value, its status and where it comes from."""
        if self.status == "measured":
            return f"{self.published}% measured ({self.source})"
        if self.status == "no estimate":
            return (
                f"no estimate: {self.fitted_on.model} has {self.fitted_on.n_points} released "
                "checkpoint(s) of its layout, too few to estimate between (top-1 only "
                "at those)"
            )
        error = f"LOO error {self.loo_mae:.2f} mean, {self.loo_max:.2f} max (top-1 points)"
        if self.status == "out of range":
            return (
                f"no estimate: out of range (beyond {TRUST_FACTOR:g}x the published grid "
                f"of {self.fitted_on.model}, or a surface outside 0..100%)"
            )
        if self.value is None:
            return (
                f"extrapolated, not given (outside the published grid of "
                f"{self.fitted_on.model}; ask to extrapolate)"
            )
        return (
            f"{self.value:.1f}% {self.status} ({self.method}, fitted on "
            f"{self.fitted_on.describe()}; {error})"
        )


@dataclass(frozen=True, eq=False)
class AccuracyGrid:
    """Estimates for whole arrays of (alpha, resolution) at once.

    Every array has the broadcast shape of the inputs (``estimate_grid``: (alphas,
    resolutions)). ``value`` is NaN where an extrapolation was withheld; ``source`` is
    "" where the point is not measured.
    """

    alpha: numpy.ndarray
    resolution: numpy.ndarray
    value: numpy.ndarray
    status: numpy.ndarray
    """One of STATUSES per point (a numpy str array)."""
    surface: numpy.ndarray
    source: numpy.ndarray
    """Document and row for measured points, "" elsewhere (an object array)."""
    published: numpy.ndarray
    """The published Decimal for measured points, None elsewhere (an object array)."""
    method: str
    fitted_on: FittedOn
    loo_mae: float | None
    loo_max: float | None

    def estimate_at(self, index: tuple[int, ...] | int) -> Estimate:
        """The point at ``index`` as the scalar form gives it."""
        value = float(self.value[index])
        return Estimate(
            alpha=float(self.alpha[index]),
            resolution=float(self.resolution[index]),
            value=None if math.isnan(value) else value,
            status=str(self.status[index]),  # type: ignore[arg-type]
            method=self.method,
            fitted_on=self.fitted_on,
            loo_mae=self.loo_mae,
            loo_max=self.loo_max,
            surface=float(self.surface[index]),
            source=str(self.source[index]),
            published=self.published[index],
        )

    def flat(self) -> dict[str, numpy.ndarray]:
        """Columns in C order (alpha-major for a grid, as
        :func:`mncost.cost.sweep.sweep_frame` rows): top1, top1_status, top1_source."""
        return {
            "top1": self.value.reshape(-1),
            "top1_status": self.status.reshape(-1),
            "top1_source": self.source.reshape(-1),
        }
