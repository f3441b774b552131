"""How figures are shown: the one place where exact counts get rounded, always with a unit."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

__all__ = ["millions", "percent", "scaled", "shape", "si"]


def millions(value: int, digits: int = 2) -> str:
    """``568740352`` -> ``"568.74 M"``."""
    return f"{value / 1_000_000:,.{digits}f} M"


def scaled(value: int, digits: int = 2) -> str:
    """A total for a summary line: G from a billion up, M from a million, whole below.

    14193932288 -> "14.19 G", 568740352 -> "568.74 M", 21888 -> "21,888". Summaries
    only: tables keep the exact integer.
    """
    # Decided on the figure as shown, so 999,999,999 is "1.00 G", never "1,000.00 M".
    if abs(round(value / 10**6, digits)) >= 1000:
        return f"{value / 10**9:,.{digits}f} G"
    if abs(value) >= 10**6:
        return f"{value / 10**6:,.{digits}f} M"
    return f"{value:,}"


def si(value: int) -> str:
    """A count with an SI suffix sized to it: 4210088 -> "4.21 M", 21888 -> "21.9 K"."""
    for factor, suffix in ((10**9, "G"), (10**6, "M"), (10**3, "K")):
        if abs(value) >= factor:
            return (
                f"{value / factor:.3g} {suffix}"
                if value / factor < 100
                else f"{value / factor:,.0f} {suffix}"
            )
    return str(value)


def percent(share: Fraction | float | None, digits: int = 2) -> str:
    """An exact share as a percentage: Fraction(1, 8) -> "12.50%"."""
    if share is None:
        return ""
    return f"{float(share) * 100:.{digits}f}%"


def shape(value: Any) -> str:
    """(112, 112, 32) -> "112x112x32"."""
    return "x".join(str(v) for v in value) if value else ""
