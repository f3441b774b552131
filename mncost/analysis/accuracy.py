"""Top-1 estimates between published checkpoints, never shown as measurements.

mncost counts cost exactly; accuracy it can only read from what was published. For a
model with a grid of released checkpoints (MobileNet v1: 16 float32 points, 4 widths x 4
resolutions; v2: 22), this module fits one smooth surface of ImageNet top-1 over
(ln alpha, ln R) and answers every query with a status that says what the number is:

``measured``
    (alpha, R) is a released checkpoint: the value is its published top-1, as printed,
    with its source (document and row). The surface is not used.
``interpolated``
    (alpha, R) lies inside the published grid: inside the convex hull of the published
    points in the (ln alpha, ln R) plane, its boundary included (see :data:`INSIDE`).
    For v1 that hull is the rectangle 0.25..1.0 x 128..224. For v2 it is the polygon
    (0.35, 96), (1.0, 96), (1.4, 224), (0.35, 224): v2's widths 1.3 and 1.4 were only
    released at 224, so (1.2, 160) is inside but (1.2, 128) is not; the bounding
    rectangle would have called that an interpolation with no checkpoint near it.
``extrapolated``
    Outside the hull, but within a factor of 1.5 of it (:data:`TRUSTED`: in alpha, in R,
    or both together; a distance of ln 1.5 in the (ln alpha, ln R) plane), where the
    surface lies in 0..100. The value is given only when the caller asks
    (``extrapolate=True``); otherwise it is *withheld*, not refused: the estimate keeps
    its status, method and error, its value is None (NaN in the array form), so a table or
    heatmap can say why a cell is empty. Both forms behave the same.
``out of range``
    Further out, or where the surface leaves 0..100 (a quadratic carried to alpha 0.1 at
    32 pixels says -22%): no estimate, even with ``extrapolate=True``; the status says why
    the cell is empty. An accuracy is a percentage, and nothing supports a number there.

The surface is a quadratic with a cross term,
``top1 = c0 + c1 la + c2 lr + c3 la^2 + c4 lr^2 + c5 la lr`` with ``la = ln alpha``,
``lr = ln R``, fitted by ordinary least squares (numpy) to the float32 ImageNet
checkpoints of one model. Its error is reported as leave-one-out (LOO): each checkpoint
is predicted by the fit to the others. Measured on the packaged data (checked by
tests/test_accuracy.py): v1 LOO mean absolute error 0.18 top-1 points, max 0.50
(0.5/160); v2 0.52, max 1.73 (0.75/96, on the edge of its grid). A model or family whose
checkpoints cannot determine the six coefficients with any one left out (MobileNet V3:
six float32 checkpoints of four different models, at most two of one, all at 224) has no
accuracy model, and :func:`no_model_reason` says why.

Every :class:`Estimate` carries its ``method`` (:data:`METHOD`), ``fitted_on`` (model,
family, number of points, source), and the LOO ``loo_mae`` / ``loo_max`` in top-1
points; ``value`` is a float in percent, rounded only when shown.

The API::

    from mncost.analysis.accuracy import accuracy_model, no_model_reason

    model = accuracy_model("mobilenet-v1")   # a built-in model or a family; None if no fit
    model.estimate(0.75, 160)                # Estimate: 65.3, "measured", source=...
    model.estimate(0.6, 176)                 # Estimate: "interpolated", value 63.4...
    model.estimate(1.4, 224)                 # "extrapolated", value None (withheld)
    model.estimate(1.4, 224, extrapolate=True).value
    grid = model.estimate_grid(alphas, resolutions)  # arrays shaped (alphas, resolutions)
    grid.value, grid.status, grid.flat()             # flat(): alpha-major, as sweep_frame
    model.estimate_array(alpha_array, res_array)     # any two broadcastable arrays
    model.loo().mae, model.loo().max, model.loo().worst
    no_model_reason("mobilenet_v3")          # why there is none ("" when there is one)

Ask by built-in model name when you have one: a family's checkpoints are those of one
model (mobilenet-v1 for ``mobilenet_v1``), and a model of the same family that no
checkpoint was trained as (mobilenet-v1-conv, mobilenet-v1-shallow) has no estimate.
An estimate is the checkpoints' accuracy surface: it is for the model as released (1000
ImageNet classes, its own channel rounding), whatever conventions its cost is counted
under.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any, Literal

from mncost.sources.points import FAMILIES, PublishedPoint
from mncost.text import quote

if TYPE_CHECKING:
    import numpy

__all__ = [
    "INSIDE",
    "METHOD",
    "STATUSES",
    "TERMS",
    "TRUSTED",
    "TRUST_FACTOR",
    "AccuracyFitError",
    "AccuracyGrid",
    "AccuracyModel",
    "AccuracyQueryError",
    "Estimate",
    "FittedOn",
    "Loo",
    "LooPoint",
    "Observation",
    "PRECISIONS",
    "PUBLISHED_ONLY",
    "PublishedOnly",
    "Status",
    "accuracy_model",
    "no_model_reason",
    "float_top1_caution",
    "precision_caution",
    "precision_of",
    "top1_source",
]

METHOD = "quadratic in log alpha, log R with cross term, least squares"
"""How every estimate is made, as shown beside it."""
TERMS: tuple[str, ...] = ("1", "ln a", "ln R", "ln a^2", "ln R^2", "ln a ln R")
"""The surface's terms, in the order of :attr:`AccuracyModel.coefficients`."""
INSIDE = (
    "inside the convex hull of the published checkpoints in the (ln alpha, ln R) "
    "plane, boundary included"
)
"""What "interpolated" means."""

TRUST_FACTOR = 1.5
"""An extrapolation is given (when asked for) up to this factor beyond the published grid."""
TRUSTED = (
    f"within a factor of {TRUST_FACTOR:g} of the published grid (a distance of "
    f"ln {TRUST_FACTOR:g} in the (ln alpha, ln R) plane), the surface within 0..100"
)
"""Where an extrapolation is trusted enough to give (what "out of range" is not)."""

Status = Literal["measured", "interpolated", "extrapolated", "out of range", "no estimate"]
STATUSES: tuple[Status, ...] = (
    "measured",
    "interpolated",
    "extrapolated",
    "out of range",
    "no estimate",
)
PUBLISHED_ONLY = "published checkpoints only, no estimate between them"
"""The method of a model whose checkpoints are too few to fit a surface to
(:class:`PublishedOnly`): top-1 where a checkpoint was released, "no estimate" elsewhere."""

_SAME = 1e-9
"""Relative tolerance for "the same alpha" (a float 0.35 is a published 7/20) and, in log
units, for "on the hull's boundary": far below any step a user can ask for."""


class AccuracyQueryError(ValueError):
    """An unknown model or family, or an alpha or resolution that is not a positive
    number; the message says which."""


class AccuracyFitError(ValueError):
    """The points cannot determine the surface with any one of them left out."""


# --- records ----------------------------------------------------------------------------


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


# --- the surface ------------------------------------------------------------------------


def _design(la: numpy.ndarray, lr: numpy.ndarray) -> numpy.ndarray:
    import numpy as np

    return np.stack([np.ones_like(la), la, lr, la * la, lr * lr, la * lr], axis=-1)


def _hull(xs: Sequence[float], ys: Sequence[float]) -> tuple[tuple[float, float], ...]:
    """The convex hull's corners, counter-clockwise (monotone chain; collinear points on an
    edge are dropped, so every edge is a real one)."""
    points = sorted(set(zip(xs, ys)))

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    def chain(seq: list[tuple[float, float]]) -> list[tuple[float, float]]:
        out: list[tuple[float, float]] = []
        for p in seq:
            while len(out) >= 2 and cross(out[-2], out[-1], p) <= 0:
                out.pop()
            out.append(p)
        return out

    lower, upper = chain(points), chain(points[::-1])
    return tuple(lower[:-1] + upper[:-1])


def _positive(values: Any, what: str) -> numpy.ndarray:
    """``values`` as a float64 array; AccuracyQueryError unless every one is a positive
    finite number (numpy would read "0.5" or True as one: neither is a width)."""
    import numpy as np

    try:
        raw = np.asarray(values)
        if raw.dtype.kind not in "iuf":
            # Check each value as given ([0.5, "x"] would otherwise be all text).
            raw = np.asarray(values, dtype=object)
            for value in raw.reshape(-1):
                if isinstance(value, bool) or not isinstance(value, (numbers.Real, Decimal)):
                    raise AccuracyQueryError(f"{what} must be a number, got {quote(value)}")
        array = raw.astype(np.float64)
    except (TypeError, ValueError) as exc:
        if isinstance(exc, AccuracyQueryError):
            raise
        raise AccuracyQueryError(f"{what} must be numbers of one shape") from None
    bad = ~(np.isfinite(array) & (array > 0))
    if bad.any():
        first = float(array[bad].reshape(-1)[0])
        raise AccuracyQueryError(f"{what} must be a positive finite number, got {first}")
    return array


class AccuracyModel:
    """A fitted top-1 surface over (ln alpha, ln R), its grid, and its checkpoints.

    Build it with :func:`accuracy_model` (the packaged checkpoints) or
    :meth:`AccuracyModel.fit` (any observations).
    """

    method: str = METHOD

    def __init__(self, observations: Sequence[Observation], fitted_on: FittedOn) -> None:
        """Fit the surface (least squares); AccuracyFitError if some leave-one-out subset
        cannot determine its six coefficients, or a configuration is given twice."""
        import numpy as np

        self.observations: tuple[Observation, ...] = tuple(observations)
        self.fitted_on = fitted_on
        keys = [(o.alpha, o.resolution) for o in self.observations]
        if len(set(keys)) != len(keys):
            raise AccuracyFitError("a configuration is given twice")
        if any(o.alpha <= 0 or o.resolution <= 0 for o in self.observations):
            raise AccuracyFitError("alpha and resolution must be positive")
        la = np.log(np.array([float(o.alpha) for o in self.observations]))
        lr = np.log(np.array([float(o.resolution) for o in self.observations]))
        self._y = np.array([float(o.top1) for o in self.observations])
        self._la, self._lr = la, lr
        n = len(self.observations)
        if n <= len(TERMS):
            raise AccuracyFitError(
                f"{n} points: a leave-one-out check of {len(TERMS)} "
                f"coefficients needs at least {len(TERMS) + 1}"
            )
        # Standardised variables keep the normal equations well conditioned (ln R^2 is
        # nearly collinear with ln R and 1 over 96..224); a quadratic in them is the same
        # family of surfaces, so nothing about the fit changes but its rounding.
        self._center = (float(la.mean()), float(lr.mean()))
        self._scale = (float(la.std()) or 1.0, float(lr.std()) or 1.0)
        x = self._features(la, lr)
        for i in range(n):
            if np.linalg.matrix_rank(np.delete(x, i, axis=0)) < len(TERMS):
                raise AccuracyFitError(
                    f"{n} points over {len(set(la))} widths and {len(set(lr))} resolutions "
                    f"cannot determine the {len(TERMS)} coefficients with "
                    f"{self.observations[i].label} left out"
                )
        self._coef = np.linalg.lstsq(x, self._y, rcond=None)[0]
        self._hull = _hull(la.tolist(), lr.tolist())
        self._measured = {(float(o.alpha), o.resolution): o for o in self.observations}

    @classmethod
    def fit(cls, observations: Sequence[Observation], fitted_on: FittedOn) -> AccuracyModel:
        """Fit a surface to any observations (the packaged ones: :func:`accuracy_model`)."""
        return cls(observations, fitted_on)

    # -- the surface

    def _features(self, la: numpy.ndarray, lr: numpy.ndarray) -> numpy.ndarray:
        return _design(
            (la - self._center[0]) / self._scale[0], (lr - self._center[1]) / self._scale[1]
        )

    @property
    def coefficients(self) -> tuple[float, ...]:
        """The surface in :data:`TERMS`' basis (1, ln a, ln R, ln a^2, ln R^2, ln a ln R),
        expanded from the standardised fit."""
        c0, c1, c2, c3, c4, c5 = (float(c) for c in self._coef)
        p, q = 1 / self._scale[0], 1 / self._scale[1]
        s, t = -self._center[0] * p, -self._center[1] * q  # u = p la + s, v = q lr + t
        return (
            c0 + c1 * s + c2 * t + c3 * s * s + c4 * t * t + c5 * s * t,
            p * (c1 + 2 * c3 * s + c5 * t),
            q * (c2 + 2 * c4 * t + c5 * s),
            c3 * p * p,
            c4 * q * q,
            c5 * p * q,
        )

    def _logs(self, alpha: Any, resolution: Any) -> tuple[numpy.ndarray, numpy.ndarray]:
        import numpy as np

        la = np.log(_positive(alpha, "alpha"))
        lr = np.log(_positive(resolution, "resolution"))
        return tuple(np.broadcast_arrays(la, lr))  # type: ignore[return-value]

    def _surface(self, la: numpy.ndarray, lr: numpy.ndarray) -> numpy.ndarray:
        import numpy as np

        # Term by term, element-wise: a matrix product's summation order depends on the
        # array's shape (BLAS blocking), and a grid must give the scalar form's bits.
        u = (la - self._center[0]) / self._scale[0]
        v = (lr - self._center[1]) / self._scale[1]
        c = [float(x) for x in self._coef]
        return np.array(
            c[0] + c[1] * u + c[2] * v + c[3] * (u * u) + c[4] * (v * v) + c[5] * (u * v),
            dtype=np.float64,
        )

    def _inside(self, la: numpy.ndarray, lr: numpy.ndarray) -> numpy.ndarray:
        import numpy as np

        result = np.ones(la.shape, dtype=bool)
        corners = self._hull
        for (x1, y1), (x2, y2) in zip(corners, corners[1:] + corners[:1]):
            # Counter-clockwise corners: inside is to the left of every edge. The cross
            # product divided by the edge's length is the signed distance in log units.
            length = math.hypot(x2 - x1, y2 - y1)
            left = ((x2 - x1) * (lr - y1) - (y2 - y1) * (la - x1)) / length
            result &= left >= -_SAME
        return result

    def _distance(self, la: numpy.ndarray, lr: numpy.ndarray) -> numpy.ndarray:
        """Each point's distance to the hull in the (ln alpha, ln R) plane (0 inside)."""
        import numpy as np

        corners = self._hull
        nearest = np.full(la.shape, np.inf)
        for (x1, y1), (x2, y2) in zip(corners, corners[1:] + corners[:1]):
            dx, dy = x2 - x1, y2 - y1
            length2 = dx * dx + dy * dy
            t = np.clip(((la - x1) * dx + (lr - y1) * dy) / length2, 0.0, 1.0) if length2 else 0.0
            nearest = np.minimum(nearest, np.hypot(la - (x1 + t * dx), lr - (y1 + t * dy)))
        return np.where(self._inside(la, lr), 0.0, nearest)

    def surface(self, alpha: Any, resolution: Any) -> numpy.ndarray:
        """The fitted surface at (alpha, resolution), any broadcastable arrays; no
        statuses, nothing withheld (for plotting a contour, not for showing a value)."""
        return self._surface(*self._logs(alpha, resolution))

    def inside(self, alpha: Any, resolution: Any) -> numpy.ndarray:
        """Whether each point is :data:`INSIDE` the published grid (boundary included)."""
        return self._inside(*self._logs(alpha, resolution))

    @property
    def hull(self) -> tuple[tuple[float, int], ...]:
        """The published grid's corners as (alpha, resolution), counter-clockwise in the
        (ln alpha, ln R) plane."""
        lookup = {
            (math.log(float(o.alpha)), math.log(o.resolution)): (float(o.alpha), o.resolution)
            for o in self.observations
        }
        return tuple(lookup[c] for c in self._hull)

    # -- estimates

    def estimate_array(
        self, alphas: Any, resolutions: Any, extrapolate: bool = False
    ) -> AccuracyGrid:
        """Estimates at every point of two broadcastable arrays (or scalars)."""
        import numpy as np

        alpha, resolution = np.broadcast_arrays(
            _positive(alphas, "alpha"), _positive(resolutions, "resolution")
        )
        la, lr = np.log(alpha), np.log(resolution)
        surface = self._surface(la, lr)
        inside = self._inside(la, lr)
        trusted = (self._distance(la, lr) <= math.log(TRUST_FACTOR) + _SAME) & (
            (surface >= 0) & (surface <= 100)
        )
        status = np.where(
            inside, "interpolated", np.where(trusted, "extrapolated", "out of range")
        ).astype("<U12")
        value = np.array(surface, dtype=np.float64)
        if not extrapolate:
            value[~inside] = np.nan
        value[~inside & ~trusted] = np.nan
        source = np.full(alpha.shape, "", dtype=object)
        published = np.full(alpha.shape, None, dtype=object)
        for (a, r), o in self._measured.items():
            hit = (np.abs(alpha - a) <= _SAME * a) & (resolution == r)
            if hit.any():
                status[hit] = "measured"
                value[hit] = float(o.top1)
                source[hit] = o.source
                published[hit] = o.top1
        loo = self.loo()
        return AccuracyGrid(
            alpha=alpha,
            resolution=resolution,
            value=value,
            status=status,
            surface=surface,
            source=source,
            published=published,
            method=self.method,
            fitted_on=self.fitted_on,
            loo_mae=loo.mae,
            loo_max=loo.max,
        )

    def estimate_grid(
        self, alphas: Sequence[Any], resolutions: Sequence[Any], extrapolate: bool = False
    ) -> AccuracyGrid:
        """Estimates over alphas x resolutions: arrays shaped (len(alphas),
        len(resolutions)), the shape of :func:`mncost.cost.sweep.grid`."""
        a = _positive(list(alphas), "alpha").reshape(-1, 1)
        r = _positive(list(resolutions), "resolution").reshape(1, -1)
        return self.estimate_array(a, r, extrapolate)

    def estimate(
        self,
        alpha: float | int | Fraction | Decimal,
        resolution: float | int,
        extrapolate: bool = False,
    ) -> Estimate:
        """The estimate at one point (the array form at a single point, so the two always
        agree); an extrapolation is withheld (value None) unless ``extrapolate``."""
        return self.estimate_array(alpha, resolution, extrapolate).estimate_at(())

    # -- the error

    def loo(self) -> Loo:
        """Each checkpoint predicted by the surface fitted to all the others."""
        return self._loo

    @cached_property
    def _loo(self) -> Loo:
        import numpy as np

        x = self._features(self._la, self._lr)
        predictions = []
        for i in range(len(self._y)):
            keep = np.arange(len(self._y)) != i
            coef = np.linalg.lstsq(x[keep], self._y[keep], rcond=None)[0]
            predictions.append(float(x[i] @ coef))
        return Loo(tuple(LooPoint(o, p) for o, p in zip(self.observations, predictions)))

    def __repr__(self) -> str:
        loo = self.loo()
        return (
            f"AccuracyModel({self.fitted_on.describe()}; LOO MAE {loo.mae:.2f}, max {loo.max:.2f})"
        )


class PublishedOnly:
    """Top-1 at a model's released checkpoints and nowhere else: for a model whose
    checkpoints are too few to fit the surface with one left out (MobileNet V3: one or
    two widths, all at 224). A checkpoint is "measured"; anything else is "no estimate"
    (value NaN, None in the scalar form), so an explorer shows it and ranks it only
    where a checkpoint was released. It has no leave-one-out error: it estimates
    nothing. The same interface as :class:`AccuracyModel`."""

    method: str = PUBLISHED_ONLY

    def __init__(self, observations: Sequence[Observation], fitted_on: FittedOn) -> None:
        self.observations: tuple[Observation, ...] = tuple(observations)
        self.fitted_on = fitted_on
        self._measured = {(float(o.alpha), o.resolution): o for o in self.observations}

    def estimate_array(
        self, alphas: Any, resolutions: Any, extrapolate: bool = False
    ) -> AccuracyGrid:
        """Published top-1 where a checkpoint was released, NaN ("no estimate") elsewhere."""
        import numpy as np

        alpha, resolution = np.broadcast_arrays(
            _positive(alphas, "alpha"), _positive(resolutions, "resolution")
        )
        status = np.full(alpha.shape, "no estimate", dtype="<U12")
        value = np.full(alpha.shape, np.nan, dtype=np.float64)
        source = np.full(alpha.shape, "", dtype=object)
        published = np.full(alpha.shape, None, dtype=object)
        for (a, r), o in self._measured.items():
            hit = (np.abs(alpha - a) <= _SAME * a) & (resolution == r)
            if hit.any():
                status[hit] = "measured"
                value[hit] = float(o.top1)
                source[hit] = o.source
                published[hit] = o.top1
        return AccuracyGrid(
            alpha=alpha,
            resolution=resolution,
            value=value,
            status=status,
            surface=value.copy(),
            source=source,
            published=published,
            method=self.method,
            fitted_on=self.fitted_on,
            loo_mae=None,
            loo_max=None,
        )

    def estimate_grid(
        self, alphas: Sequence[Any], resolutions: Sequence[Any], extrapolate: bool = False
    ) -> AccuracyGrid:
        a = _positive(list(alphas), "alpha").reshape(-1, 1)
        r = _positive(list(resolutions), "resolution").reshape(1, -1)
        return self.estimate_array(a, r, extrapolate)

    def estimate(
        self,
        alpha: float | int | Fraction | Decimal,
        resolution: float | int,
        extrapolate: bool = False,
    ) -> Estimate:
        return self.estimate_array(alpha, resolution, extrapolate).estimate_at(())

    def __repr__(self) -> str:
        return f"PublishedOnly({self.fitted_on.describe()})"


# --- the packaged checkpoints -----------------------------------------------------------


@dataclass(frozen=True)
class _Resolved:
    model: str | None
    family: str
    points: tuple[PublishedPoint, ...] = field(default=())
    reason: str = ""


PRECISIONS = ("float32", "int8")
"""The precisions of published checkpoints a top-1 can be of (float16 runs a float32
checkpoint's weights)."""


def precision_of(dtype: str) -> str:
    """The checkpoints' precision a top-1 in ``dtype`` is read from: int8 for int8, else
    float32 (float16 is a float32 checkpoint run in half precision)."""
    return "int8" if dtype == "int8" else "float32"


@cache
def _checkpoints(precision: str) -> tuple[PublishedPoint, ...]:
    from mncost.sources.checkpoints import checkpoint_points

    return tuple(
        p
        for p in checkpoint_points()
        if p.precision == precision
        and p.dataset == "imagenet"
        and p.top1 is not None
        and p.alpha is not None
        and p.resolution is not None
    )


@cache
def _resolve(name: str, precision: str = "float32") -> _Resolved:
    from mncost.arch.registry import list_models

    entries = {entry.name: entry for entry in list_models()}
    checkpoints = _checkpoints(precision)
    if name in entries:
        points = tuple(p for p in checkpoints if p.model == name)
        reason = "" if points else f"no published {precision} ImageNet checkpoints of {name}"
        return _Resolved(name, entries[name].family, points, reason)
    family = name.replace("-", "_")
    if family not in FAMILIES:
        fitted = [n for n in entries if _fit(n) is not None]
        raise AccuracyQueryError(
            f"unknown model or family {quote(name)}; accuracy models exist for "
            f"{', '.join(fitted)} (families: {', '.join(FAMILIES)})"
        )
    points = tuple(p for p in checkpoints if p.family == family)
    models = list(dict.fromkeys(p.model for p in points if p.model))
    if not points:
        return _Resolved(
            None, family, (), f"no published {precision} ImageNet checkpoints in family {family}"
        )
    if len(models) > 1:
        counts = ", ".join(f"{m} {sum(p.model == m for p in points)}" for m in models)
        resolutions = sorted({p.resolution for p in points if p.resolution})
        return _Resolved(
            None,
            family,
            points,
            (
                f"family {family}'s {len(points)} {precision} ImageNet checkpoints are of "
                f"{len(models)} different models ({counts}), at resolution"
                f"{'s' if len(resolutions) > 1 else ''} {', '.join(map(str, resolutions))}: "
                f"too few of one model to fit a {METHOD}"
            ),
        )
    return _Resolved(models[0], family, points)


@cache
def _fit(model: str, precision: str = "float32") -> AccuracyModel | None:
    resolved = _resolve(model, precision)
    if not resolved.points or resolved.model is None:
        return None
    try:
        return _build(resolved)
    except AccuracyFitError:
        return None


def _build(resolved: _Resolved) -> AccuracyModel:
    return AccuracyModel(*_observations(resolved))


def _observations(resolved: _Resolved) -> tuple[list[Observation], FittedOn]:
    points = resolved.points
    precision = points[0].precision if points else "float32"
    documents = "; ".join(dict.fromkeys(pr.citation for p in points for pr in p.provenance))
    observations = []
    for p in points:
        if p.alpha is None or p.resolution is None or p.top1 is None:  # filtered out before
            raise AccuracyFitError(f"{p.label} has no configuration or no top-1")
        observations.append(
            Observation(
                label=p.label,
                alpha=p.alpha,
                resolution=p.resolution,
                top1=p.top1,
                source="; ".join(pr.describe() for pr in p.provenance),
            )
        )
    return observations, FittedOn(
        model=resolved.model or "",
        family=resolved.family,
        n_points=len(points),
        source=documents,
        precision=precision,
    )


def accuracy_model(name: str, precision: str = "float32") -> AccuracyModel | None:
    """The top-1 surface of a built-in model ("mobilenet-v2") or of a family whose
    checkpoints are all of one model ("mobilenet_v2"; "mobilenet-v2" spelling accepted),
    fitted to its ImageNet checkpoints of ``precision`` (float32, or int8: the quantized
    ones); None when there are too few of them (:func:`no_model_reason` says why).
    AccuracyQueryError for an unknown name."""
    resolved = _resolve(name, precision)
    return _fit(resolved.model, precision) if resolved.model is not None else None


def top1_source(name: str, precision: str = "float32") -> AccuracyModel | PublishedOnly | None:
    """Where a built-in model's top-1 comes from: its fitted surface
    (:func:`accuracy_model`), else its released checkpoints alone (:class:`PublishedOnly`:
    the checkpoints counted by this model, in the layout they were built with), else None
    (no checkpoint of it was released;
    :func:`no_model_reason` says why). For int8, the quantized checkpoints where they
    were published, else the float32 ones: the source's ``fitted_on.precision`` says
    which (and :func:`precision_caution` says so in words)."""
    for wanted in dict.fromkeys((precision, "float32")):
        fitted = accuracy_model(name, wanted)
        if fitted is not None:
            return fitted
        published = _published_only(name, wanted)
        if published is not None:
            return published
    return None


def precision_caution(model: str, source: AccuracyModel | PublishedOnly, dtype: str) -> str:
    """ "" when ``source`` is of the checkpoints ``dtype`` runs; else one sentence saying
    that the top-1 is of float32 checkpoints, none of ``model`` having been published in
    8 bits."""
    if source.fitted_on.precision == precision_of(dtype):
        return ""
    return float_top1_caution([model])


def float_top1_caution(models: Sequence[str]) -> str:
    """One sentence: the top-1 of ``models`` in int8 is of their float32 checkpoints."""
    one = len(models) == 1
    return (
        f"top-1 of {', '.join(models)} is of {'its' if one else 'their'} float32 "
        f"checkpoints: no 8-bit checkpoints of {'it' if one else 'them'} were published, "
        "and 8-bit inference usually loses some top-1 (MobileNet v1's 16 quantized "
        f"checkpoints: {_int8_loss_text()})"
    )


@cache
def _int8_loss_text() -> str:
    floats = {
        (p.model, p.alpha, p.resolution): p.top1
        for p in _checkpoints("float32")
        if p.top1 is not None
    }
    losses = [
        float(floats[key] - p.top1)
        for p in _checkpoints("int8")
        if p.model == "mobilenet-v1"
        and p.top1 is not None
        and (key := (p.model, p.alpha, p.resolution)) in floats
    ]
    if not losses:
        return "no pairs to compare"
    return f"{min(losses):.1f} to {max(losses):.1f} points below the float32 ones"


@cache
def _published_only(name: str, precision: str = "float32") -> PublishedOnly | None:
    resolved = _resolve(name, precision)
    if resolved.model is None or not resolved.points:
        return None
    return PublishedOnly(*_observations(resolved))


def no_model_reason(name: str) -> str:
    """Why ``name`` has no accuracy model, in one line; "" when it has one."""
    resolved = _resolve(name)
    if resolved.model is None or not resolved.points:
        return resolved.reason
    try:
        _build(resolved)
    except AccuracyFitError as exc:
        alphas = sorted({float(p.alpha) for p in resolved.points if p.alpha is not None})
        resolutions = sorted({p.resolution for p in resolved.points if p.resolution})
        return (
            f"{len(resolved.points)} float32 ImageNet checkpoints of {resolved.model} "
            f"(alpha {', '.join(f'{a:g}' for a in alphas)}; resolution "
            f"{', '.join(map(str, resolutions))}) cannot fit a {METHOD}: {exc}"
        )
    return ""
