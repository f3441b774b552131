"""The fitted surface: a quadratic in (ln alpha, ln R) with a cross term, fitted by least
squares to a model's checkpoints (:class:`AccuracyModel`), the convex hull of those
checkpoints that tells an interpolation from an extrapolation, the estimates it gives one
point or whole arrays at a time, and its leave-one-out error."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import TYPE_CHECKING, Any

from mncost.analysis.accuracy.records import (
    AccuracyGrid,
    Estimate,
    FittedOn,
    Loo,
    LooPoint,
    Observation,
)
from mncost.analysis.accuracy.statuses import (
    METHOD,
    SAME,
    TERMS,
    TRUST_FACTOR,
    AccuracyFitError,
    positive_array,
)

if TYPE_CHECKING:
    import numpy


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

        la = np.log(positive_array(alpha, "alpha"))
        lr = np.log(positive_array(resolution, "resolution"))
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
            result &= left >= -SAME
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
            positive_array(alphas, "alpha"), positive_array(resolutions, "resolution")
        )
        la, lr = np.log(alpha), np.log(resolution)
        surface = self._surface(la, lr)
        inside = self._inside(la, lr)
        trusted = (self._distance(la, lr) <= math.log(TRUST_FACTOR) + SAME) & (
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
            hit = (np.abs(alpha - a) <= SAME * a) & (resolution == r)
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
        a = positive_array(list(alphas), "alpha").reshape(-1, 1)
        r = positive_array(list(resolutions), "resolution").reshape(1, -1)
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
