"""Budgets with units, as people type them: ``300M`` MACs, ``3.5e6`` params, ``512KB``,
``4MiB``, ``30ms``.

The rule, stated once:

- **Counts** (mult-adds, parameters) take the SI suffixes ``K``, ``M``, ``G``, ``T``:
  decimal, powers of 1,000 (``300M`` is 300,000,000).
- **Bytes** take ``B``, ``KB``/``kB``, ``MB``, ``GB`` (decimal: powers of 1,000, as the SI
  and disk makers use them) or ``KiB``, ``MiB``, ``GiB`` (binary: powers of 1,024, as
  memory is sized): ``512KB`` is 512,000 bytes, ``512KiB`` is 524,288. A bare number is
  bytes.
- **Times** take ``ms`` (the default), ``us`` or ``s``.

Numbers are read exactly (as :class:`fractions.Fraction`), with the same bounds as every
other number mncost reads: at most :data:`mncost.limits.MAX_NUMBER_CHARS` characters, a
bounded exponent, finite and not negative. A leaf module: it imports nothing from mncost
but :mod:`mncost.limits` and :mod:`mncost.text`.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Literal

from mncost.limits import MAX_NUMBER_CHARS
from mncost.text import quote

__all__ = ["UnitError", "Quantity", "parse_budget", "show_bytes", "show_count"]

Quantity = Literal["count", "bytes", "ms"]
"""What a budget bounds: a count (MACs, parameters), bytes, or milliseconds."""

_SUFFIXES: dict[str, dict[str, Fraction]] = {
    "count": {
        "": Fraction(1),
        "k": Fraction(10**3),
        "m": Fraction(10**6),
        "g": Fraction(10**9),
        "t": Fraction(10**12),
    },
    "bytes": {
        "": Fraction(1),
        "b": Fraction(1),
        "kb": Fraction(10**3),
        "mb": Fraction(10**6),
        "gb": Fraction(10**9),
        "kib": Fraction(2**10),
        "mib": Fraction(2**20),
        "gib": Fraction(2**30),
    },
    "ms": {"": Fraction(1), "ms": Fraction(1), "us": Fraction(1, 1000), "s": Fraction(1000)},
}
_EXAMPLES = {
    "count": "300M, 3.5e6 or 1.2G",
    "bytes": "512KB, 4MiB or 1048576",
    "ms": "30, 30ms or 0.03s",
}
_NUMBER = re.compile(
    r"(?P<mantissa>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE](?P<exp>[+-]?[0-9]+))?"
    r"\s*(?P<unit>[A-Za-z]*)",
    re.ASCII,
)


class UnitError(ValueError):
    """A budget that cannot be read; the message is one line naming the expected form."""


def parse_budget(text: str, quantity: Quantity, what: str = "budget") -> Fraction:
    """``text`` as an exact, non-negative amount of ``quantity`` (counts, bytes or ms)."""
    raw = text.strip() if isinstance(text, str) else str(text)
    if len(raw) > MAX_NUMBER_CHARS:
        raise UnitError(f"{what} must be at most {MAX_NUMBER_CHARS} characters, got {quote(raw)}")
    match = _NUMBER.fullmatch(raw)
    if match is None:
        raise UnitError(
            f"cannot read {what} {quote(raw)}: expected a number with an "
            f"optional unit, such as {_EXAMPLES[quantity]}"
        )
    unit = match["unit"].lower()
    scale = _SUFFIXES[quantity].get(unit)
    if scale is None:
        raise UnitError(_unit_message(what, raw, match["unit"], quantity))
    exponent = int(match["exp"]) if match["exp"] is not None else 0
    if abs(exponent) > MAX_NUMBER_CHARS:
        raise UnitError(f"{what} {quote(raw)} is out of range")
    mantissa = match["mantissa"]
    return Fraction(mantissa) * Fraction(10) ** exponent * scale


def _unit_message(what: str, raw: str, unit: str, quantity: Quantity) -> str:
    """Why a unit is refused, with what to write instead: a count's K given for bytes
    gets "write 256KB (KB = 1,000 bytes) or 256KiB (KiB = 1,024 bytes)"."""
    head = f"cannot read {what} {quote(raw)}: "
    number = raw[: len(raw) - len(unit)].rstrip()
    lower = unit.lower()
    if quantity == "bytes" and lower in ("k", "m", "g"):
        big = unit.upper()
        power = "" if big == "K" else {"M": "^2", "G": "^3"}[big]
        return head + (
            f"{quote(unit)} alone is not a byte unit; write {number}{big}B "
            f"({big}B = 1,000{power} bytes) or {number}{big}iB ({big}iB = 1,024{power} bytes)"
        )
    if quantity == "count" and lower in _SUFFIXES["bytes"]:
        return head + f"{quote(unit)} is a byte unit; a count takes K, M, G or T (powers of 1,000)"
    units = {
        "count": "K, M, G or T (powers of 1,000)",
        "bytes": "B, KB, MB, GB (powers of 1,000) or KiB, MiB, GiB (powers of 1,024)",
        "ms": "ms, us (microseconds) or s",
    }[quantity]
    return head + f"unknown unit {quote(unit)} (use {units})"


def show_count(value: int | Fraction) -> str:
    """A count with an SI suffix, three significant digits: 300000000 -> "300 M"."""
    for factor, suffix in ((10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "K")):
        if value >= factor:
            return f"{float(value) / factor:.3g} {suffix}"
    return f"{float(value):g}"


def show_bytes(value: int | Fraction, binary: bool = False) -> str:
    """Bytes with a unit: decimal (kB = 1,000 B) by default, binary (KiB = 1,024 B) if asked."""
    steps = (
        ((2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB"))
        if binary
        else ((10**9, "GB"), (10**6, "MB"), (10**3, "kB"))
    )
    for factor, suffix in steps:
        if value >= factor:
            return (
                f"{float(value) / factor:,.3g} {suffix}"
                if value < 1000 * factor
                else f"{float(value) / factor:,.0f} {suffix}"
            )
    return f"{int(value):,} B"
