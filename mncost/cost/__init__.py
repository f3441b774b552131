"""Counting: one interpreter (:mod:`~mncost.cost.geometry`) turns an architecture at
(alpha, resolution) into per-op geometry columns; metrics (:mod:`~mncost.cost.metrics`)
are pure functions of those columns; :func:`~mncost.cost.result.count` gives one
configuration's cost and :mod:`~mncost.cost.sweep` a whole alpha x resolution grid.

The counting conventions are stated once, in :mod:`~mncost.cost.conventions`.
"""

from mncost.cost.conventions import Conventions
from mncost.cost.geometry import Geometry, GeometryError
from mncost.cost.metrics import METRICS, Metric, metric
from mncost.cost.result import CostResult, LayerCost, Totals, TypeShare, count
from mncost.cost.scaling import ScalingError, parse_multiplier, resolution_from_rho

__all__ = [
    "METRICS",
    "Conventions",
    "CostResult",
    "Geometry",
    "GeometryError",
    "LayerCost",
    "Metric",
    "ScalingError",
    "Totals",
    "TypeShare",
    "count",
    "metric",
    "parse_multiplier",
    "resolution_from_rho",
]
