"""How figures are shown: the one place where exact counts get rounded, always with a unit."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

__all__ = ["fixed", "millions", "percent", "plain", "scaled", "shape", "si"]


_FLOAT_FORMATS = [f"{{:,.{d}f}}".format for d in range(8)]
"""A float with d decimals and thousands separators, by d (a bound method: a 100,000-row
table's column calls it once a cell)."""


def fixed(value: Any, divisor: int, digits: int) -> str:
    """``value / divisor`` with ``digits`` decimals and thousands separators, rounded
    half to even as Python rounds, and exact for an integer however large:
    fixed(680020895130418849775616, 10**6, 1) is "680,020,895,130,418,849.8" (through a
    float it would be "...816.0"). A float is formatted as a float."""
    if type(value) is int and 0 <= value < 1 << 53 and not divisor & (divisor - 1):
        # A power-of-two divisor (bytes in KiB, MiB) of an int below 2**53 gives the
        # exact quotient as a float, and a float is printed correctly rounded, ties to
        # even: the same digits as the exact arithmetic below, at half the cost.
        return (
            _FLOAT_FORMATS[digits](value / divisor)
            if digits < 8
            else f"{value / divisor:,.{digits}f}"
        )
    if isinstance(value, float):
        return f"{value / divisor:,.{digits}f}"
    n = int(value) * 10**digits
    q, r = divmod(abs(n), divisor)
    if 2 * r > divisor or (2 * r == divisor and q % 2):
        q += 1
    whole, frac = divmod(q, 10**digits)
    sign = "-" if n < 0 and q else ""
    return f"{sign}{whole:,}" + (f".{frac:0{digits}d}" if digits else "")


def plain(value: Any) -> str:
    """A published figure as printed, in positional notation: a Decimal that keeps a
    figure printed in billions in millions ("1.2" billion is ``Decimal("1.2E+3")``) shows
    as "1200"; anything else as ``str()`` ("70.0", "0.50")."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent > 0:
            return format(value, "f")
    return str(value)


def millions(value: int, digits: int = 2) -> str:
    """``568740352`` -> ``"568.74 M"``."""
    return f"{fixed(value, 10**6, digits)} M"


def scaled(value: int, digits: int = 2) -> str:
    """A total for a summary line: G from a billion up, M from a million, whole below.

    14193932288 -> "14.19 G", 568740352 -> "568.74 M", 21888 -> "21,888". Summaries
    only: tables keep the exact integer.
    """
    # Decided on the figure as shown, so 999,999,999 is "1.00 G", never "1,000.00 M".
    if abs(round(Fraction(value, 10**6), digits)) >= 1000:
        return f"{fixed(value, 10**9, digits)} G"
    if abs(value) >= 10**6:
        return f"{fixed(value, 10**6, digits)} M"
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
    if type(share) is float and digits == 2:  # a table's share column: the usual cell
        return f"{share * 100:.2f}%"
    if share is None:
        return ""
    return f"{float(share) * 100:.{digits}f}%"


def shape(value: Any) -> str:
    """(112, 112, 32) -> "112x112x32"."""
    if type(value) is tuple and len(value) == 3:  # a feature map: the common case
        return f"{value[0]}x{value[1]}x{value[2]}"
    return "x".join(str(v) for v in value) if value else ""
