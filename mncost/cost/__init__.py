"""Counting: exact mult-adds and parameters per layer, and the multipliers' rules."""

from mncost.cost.counter import (
    Conventions,
    CostResult,
    LayerCost,
    Totals,
    TypeShare,
    count,
)
from mncost.cost.scaling import ScalingError, parse_multiplier, resolution_from_rho, scale_channels

__all__ = [
    "Conventions",
    "CostResult",
    "LayerCost",
    "ScalingError",
    "Totals",
    "TypeShare",
    "count",
    "parse_multiplier",
    "resolution_from_rho",
    "scale_channels",
]
