"""How figures are shown: the one place where exact counts get rounded, always with a unit."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

__all__ = ["millions", "percent", "shape", "si"]


def millions(value: int, digits: int = 2) -> str:
    """``568740352`` -> ``"568.74 M"``."""
    return f"{value / 1_000_000:,.{digits}f} M"


def si(value: int) -> str:
    """A count with an SI suffix sized to it: 4210088 -> "4.21 M", 21888 -> "21.9 K"."""
    for factor, suffix in ((10**9, "G"), (10**6, "M"), (10**3, "K")):
        if abs(value) >= factor:
            return f"{value / factor:.3g} {suffix}" if value / factor < 100 else \
                f"{value / factor:,.0f} {suffix}"
    return str(value)


def percent(share: Fraction | float | None, digits: int = 2) -> str:
    """An exact share as a percentage: Fraction(1, 8) -> "12.50%"."""
    if share is None:
        return ""
    return f"{float(share) * 100:.{digits}f}%"


def shape(value: Any) -> str:
    """(112, 112, 32) -> "112x112x32"."""
    return "x".join(str(v) for v in value) if value else ""
