"""What an estimate is said to be: how it is made (:data:`METHOD`, the surface's
:data:`TERMS`), its statuses (:data:`STATUSES`) and where each holds (:data:`INSIDE`,
:data:`TRUSTED`), the two errors a fit or a query raises, and the check of the numbers a
query gives (:func:`positive_array`)."""

from __future__ import annotations

import numbers
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from mncost.text import quote

if TYPE_CHECKING:
    import numpy

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

SAME = 1e-9
"""Relative tolerance for "the same alpha" (a float 0.35 is a published 7/20) and, in log
units, for "on the hull's boundary": far below any step a user can ask for."""


class AccuracyQueryError(ValueError):
    """An unknown model or family, or an alpha or resolution that is not a positive
    number; the message says which."""


class AccuracyFitError(ValueError):
    """The points cannot determine the surface with any one of them left out."""


def positive_array(values: Any, what: str) -> numpy.ndarray:
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
