"""Published (model, accuracy, mult-adds, params) results, with provenance.

Two sources: the paper's Tables 4-10 (:mod:`~mncost.published.paper`, built on
:mod:`mncost.paper`'s transcribed cells) and the released checkpoints' figures
(:mod:`~mncost.published.checkpoints`, ``mncost/data/checkpoints.csv``). Published
figures stay as printed (exact Decimals, in millions); where mncost can count the same
configuration, its exact count is attached beside them (:mod:`~mncost.published.query`),
never in their place.

>>> from mncost.published import published_points
>>> [p.label for p in published_points(source="paper", families=["other"])][:2]
['Conv MobileNet', 'Shallow MobileNet']
"""

from __future__ import annotations

from mncost.published.points import (
    DATASETS,
    FAMILIES,
    SOURCES,
    ComputedCost,
    Provenance,
    PublishedPoint,
    relative_difference,
    within_rounding,
)
from mncost.published.query import PublishedQueryError, computed_cost, published_points

__all__ = [
    "DATASETS",
    "FAMILIES",
    "SOURCES",
    "ComputedCost",
    "Provenance",
    "PublishedPoint",
    "PublishedQueryError",
    "computed_cost",
    "published_points",
    "relative_difference",
    "within_rounding",
]
