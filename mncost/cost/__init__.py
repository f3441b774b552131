"""Counting: one interpreter (:mod:`~mncost.cost.geometry`) turns an architecture at
(alpha, resolution) into per-op geometry columns; metrics (:mod:`~mncost.cost.metrics`)
are pure functions of those columns; :func:`~mncost.cost.result.count` gives one
configuration's cost and :mod:`~mncost.cost.sweep` a whole alpha x resolution grid.

The counting conventions are stated once, in :mod:`~mncost.cost.conventions`.
"""

from typing import TYPE_CHECKING

from mncost._lazy import lazy

_EXPORTS = {
    "METRICS": "mncost.cost.metrics",
    "Conventions": "mncost.cost.conventions",
    "CostResult": "mncost.cost.result",
    "Geometry": "mncost.cost.geometry",
    "GeometryError": "mncost.cost.geometry",
    "LayerCost": "mncost.cost.result",
    "Metric": "mncost.cost.metrics",
    "ScalingError": "mncost.cost.scaling",
    "Totals": "mncost.cost.result",
    "TypeShare": "mncost.cost.result",
    "count": "mncost.cost.result",
    "metric": "mncost.cost.metrics",
    "parse_multiplier": "mncost.cost.scaling",
    "resolution_from_rho": "mncost.cost.scaling",
}
"""Each name this package re-exports and its module: importing mncost.cost.scaling alone
(the CLI's options do) must not import the interpreter and pydantic's models."""
__all__ = [
    "Conventions",
    "CostResult",
    "Geometry",
    "GeometryError",
    "LayerCost",
    "METRICS",
    "Metric",
    "ScalingError",
    "Totals",
    "TypeShare",
    "count",
    "metric",
    "parse_multiplier",
    "resolution_from_rho",
]
assert sorted(__all__) == sorted([*_EXPORTS]), "every export is listed once"

if TYPE_CHECKING:
    from mncost.cost.conventions import Conventions
    from mncost.cost.geometry import Geometry, GeometryError
    from mncost.cost.metrics import METRICS, Metric, metric
    from mncost.cost.result import CostResult, LayerCost, Totals, TypeShare, count
    from mncost.cost.scaling import ScalingError, parse_multiplier, resolution_from_rho

__getattr__, __dir__ = lazy("mncost.cost", globals(), _EXPORTS)
