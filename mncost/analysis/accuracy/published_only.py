"""Top-1 where a checkpoint was released and nowhere else (:class:`PublishedOnly`): the
source of a model whose checkpoints are too few to fit a surface to, with the same
interface as :class:`~mncost.analysis.accuracy.surface.AccuracyModel`."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from mncost.analysis.accuracy.records import AccuracyGrid, Estimate, FittedOn, Observation
from mncost.analysis.accuracy.statuses import PUBLISHED_ONLY, SAME, positive_array


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
            positive_array(alphas, "alpha"), positive_array(resolutions, "resolution")
        )
        status = np.full(alpha.shape, "no estimate", dtype="<U12")
        value = np.full(alpha.shape, np.nan, dtype=np.float64)
        source = np.full(alpha.shape, "", dtype=object)
        published = np.full(alpha.shape, None, dtype=object)
        for (a, r), o in self._measured.items():
            hit = (np.abs(alpha - a) <= SAME * a) & (resolution == r)
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
        a = positive_array(list(alphas), "alpha").reshape(-1, 1)
        r = positive_array(list(resolutions), "resolution").reshape(1, -1)
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
