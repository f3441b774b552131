"""The Pareto plot's axes: the ranges that hold its points with a margin, and the named
ticks of its cost axis (10M, 20M, 50M, ..., 1G; plotly's own log ticks label the minor
ones with bare digits). Cut from :mod:`mncost.present.figures`, which lays them out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from mncost.analysis.pareto import ParetoData

__all__ = ["accuracy_range", "cost_range", "cost_text", "x_ticks"]


def accuracy_range(data: ParetoData) -> tuple[float, float]:
    """The y axis range: the points and highlights with 3 points of margin, within 0-100."""
    ys = [float(p.y) for p in data.points]
    ys += [float(h.accuracy) for h in data.highlights if h.accuracy is not None]
    if not ys:
        return 0.0, 100.0
    return max(0.0, min(ys) - 3), min(100.0, max(ys) + 3)


def cost_range(xs: Sequence[float], log_x: bool) -> tuple[float, float]:
    """The x axis range in axis units (log10 of millions on a log axis): the data with a
    margin, so edge labels and markers are not cut."""
    if log_x:
        logs = [math.log10(x) for x in xs if x > 0] or [0.0]
        low, high = min(logs), max(logs)
        span = max(high - low, 0.5)
        pad = 0.04 * span + 0.04
        middle = (low + high) / 2
        return min(low - pad, middle - span / 2 - pad), max(high + pad, middle + span / 2 + pad)
    high = max([x for x in xs if x > 0], default=1.0)
    return -0.03 * high, 1.06 * high


def cost_text(millions: Fraction) -> str:
    """A cost given in millions, named as a tick: 10 -> "10M", 1500 -> "1.5G", 1/2 -> "500k"."""
    count = millions * 10**6
    for unit, size in (("G", 10**9), ("M", 10**6), ("k", 10**3), ("", 1)):
        if count >= size or size == 1:
            value = count / size
            text = str(value.numerator) if value.denominator == 1 else f"{float(value):g}"
            return text + unit
    raise AssertionError("unreachable")


_MANTISSAS = ((1, 2, 5), (1,), (1, 2, 3, 5, 7), (1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9))


def x_ticks(x_range: tuple[float, float], log_x: bool) -> list[Fraction]:
    """Named tick values (millions) inside ``x_range`` (axis units): 1-2-5 in each decade
    on a log axis, only the decades when that would crowd, more when it would be bare;
    on a linear axis, multiples of a 1-2-5 step from 0."""
    low, high = x_range
    if not log_x:
        raw = (high - max(low, 0.0)) / 6 or 1.0
        base = Fraction(10) ** math.floor(math.log10(raw))
        step = next(base * m for m in (1, 2, 5, 10) if base * m >= Fraction(raw))
        count = int(Fraction(high) / step)
        return [step * k for k in range(count + 1)]
    found: list[Fraction] = []
    for mantissas in _MANTISSAS:
        found = [
            Fraction(m).limit_denominator(10) * Fraction(10) ** k
            for k in range(math.floor(low) - 1, math.ceil(high) + 1)
            for m in mantissas
        ]
        found = [v for v in found if low <= math.log10(v) <= high]
        if 4 <= len(found) <= 12:
            break
    return found
