"""The Pareto frontier of (cost, accuracy) points: a pure function, no plotting."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["dominates", "pareto_frontier"]


def dominates(a: tuple[Any, Any], b: tuple[Any, Any]) -> bool:
    """Whether ``a`` = (cost, accuracy) dominates ``b``: cost <= and accuracy >=, one strict."""
    return bool(a[0] <= b[0] and a[1] >= b[1] and (a[0] < b[0] or a[1] > b[1]))


def pareto_frontier(points: Sequence[tuple[Any, Any]]) -> list[int]:
    """Indices of the points no other point dominates, cheapest first.

    Costs and accuracies may be any mutually comparable numbers (ints, Fractions,
    Decimals). Two identical points do not dominate each other, so both stay on the
    frontier. Ties in cost are ordered by accuracy, highest first, then by index.
    """
    members = [
        i
        for i, p in enumerate(points)
        if not any(dominates(q, p) for j, q in enumerate(points) if j != i)
    ]
    return sorted(members, key=lambda i: (points[i][0], -points[i][1], i))
