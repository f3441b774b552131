"""Top-1 estimates between published checkpoints, never shown as measurements.

mncost counts cost exactly; accuracy it can only read from what was published. For a
model with a grid of released checkpoints (MobileNet v1: 16 float32 points, 4 widths x 4
resolutions; v2: 22), this package fits one smooth surface of ImageNet top-1 over
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

**The modules.** Each imports only those listed before it:

- :mod:`~mncost.analysis.accuracy.statuses`: the method, the statuses and where each
  holds, the errors, and the check of a query's numbers;
- :mod:`~mncost.analysis.accuracy.records`: the records an estimate is given in, one
  point (:class:`Estimate`) or whole arrays (:class:`AccuracyGrid`);
- :mod:`~mncost.analysis.accuracy.surface`: the fitted surface, :class:`AccuracyModel`;
- :mod:`~mncost.analysis.accuracy.published_only`: top-1 at the checkpoints alone,
  :class:`PublishedOnly`;
- :mod:`~mncost.analysis.accuracy.packaged`: the packaged checkpoints, what each name's
  top-1 is read from, and the precision cautions.

This module only re-exports their names, those of ``__all__``.
"""

from __future__ import annotations

from mncost.analysis.accuracy.packaged import (
    PRECISIONS,
    accuracy_model,
    float_top1_caution,
    no_model_reason,
    precision_caution,
    precision_of,
    top1_source,
)
from mncost.analysis.accuracy.published_only import PublishedOnly
from mncost.analysis.accuracy.records import (
    AccuracyGrid,
    Estimate,
    FittedOn,
    Loo,
    LooPoint,
    Observation,
)
from mncost.analysis.accuracy.statuses import (
    INSIDE,
    METHOD,
    PUBLISHED_ONLY,
    STATUSES,
    TERMS,
    TRUST_FACTOR,
    TRUSTED,
    AccuracyFitError,
    AccuracyQueryError,
    Status,
)
from mncost.analysis.accuracy.surface import AccuracyModel

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
