"""The two MobileNet multipliers: width (alpha) and resolution (rho), in exact arithmetic.

Multipliers are held as :class:`fractions.Fraction`, parsed from their decimal text, so
``0.75`` is exactly 3/4 and ``224 * 0.714`` is exactly 159.936: no float ever decides a
channel or pixel count. How channels follow alpha is each architecture's width rule
(:mod:`mncost.arch.width`); how the resolution follows rho is :func:`resolution_from_rho`.
"""

from __future__ import annotations

import math
import numbers
import re
from decimal import Decimal
from fractions import Fraction

from mncost.limits import MAX_MULTIPLIER, MAX_NUMBER_CHARS, MAX_RESOLUTION
from mncost.text import quote

__all__ = [
    "Resolution",
    "ScalingError",
    "input_text",
    "multiplier_text",
    "parse_multiplier",
    "parse_resolution",
    "resolution_from_rho",
    "resolution_hw",
    "resolution_text",
]

Resolution = int | tuple[int, int]
"""An input size: one side for a square input (224), or (height, width) for another
((320, 240), written 320x240). A pair with equal sides is always the int."""


class ScalingError(ValueError):
    """A multiplier, resolution or scaled channel count that cannot be used."""


# Decimal text ("0.75", "1e-2", ".5") or a ratio of whole numbers ("3/4"), ASCII digits
# only: the exponent is read apart so it can be bounded before any Fraction is built.
_DECIMAL = re.compile(
    r"[+-]?(?P<mantissa>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
    r"(?:[eE](?P<exp>[+-]?[0-9]+))?",
    re.ASCII,
)
_RATIO = re.compile(r"[+-]?[0-9]+/[0-9]+", re.ASCII)

# Text is at most MAX_NUMBER_CHARS long, so any nonzero mantissa lies within 10**+-40:
# an exponent beyond this puts the value far above MAX_MULTIPLIER or below any useful
# width, and refusing it keeps 10**exponent small.
_MAX_EXPONENT = MAX_NUMBER_CHARS


def _range(what: str) -> str:
    return f"{what} must be in 0 < {what} <= {MAX_MULTIPLIER}"


def _shown(value: object) -> str:
    try:
        return quote(value)
    except ValueError:  # an int too long for str(): say what it is, not its digits
        return f"a {type(value).__name__} too large to print"


def _exponent_ok(exponent: int, value: object, what: str) -> None:
    """Refuse an exponent that would make the exact value huge to build."""
    if exponent > _MAX_EXPONENT:
        raise ScalingError(f"{_range(what)}, got {_shown(value)}")
    if exponent < -_MAX_EXPONENT:
        raise ScalingError(
            f"{_range(what)} with an exponent of at least -{_MAX_EXPONENT}, got {_shown(value)}"
        )


def _from_text(text: str, what: str) -> Fraction:
    if len(text) > MAX_NUMBER_CHARS:
        raise ScalingError(
            f"{what} must be a number of at most {MAX_NUMBER_CHARS} characters, got {quote(text)}"
        )
    if text.lower().lstrip("+-") in {"nan", "inf", "infinity"}:
        raise ScalingError(f"{what} must be a finite number, got {quote(text)}")
    decimal = _DECIMAL.fullmatch(text)
    if decimal is not None:
        if not decimal["mantissa"].strip("0."):
            return Fraction(0)  # zero whatever the exponent: never raise 10 to it
        if decimal["exp"] is not None:
            _exponent_ok(int(decimal["exp"]), text, what)
        return Fraction(text)
    if _RATIO.fullmatch(text) is not None:
        return Fraction(text)  # raises ZeroDivisionError for "1/0"
    raise ScalingError(f"{what} must be a number such as 0.75 or 3/4, got {quote(text)}")


def parse_multiplier(value: object, what: str = "alpha") -> Fraction:
    """Return ``value`` as an exact Fraction in 0 < value <= MAX_MULTIPLIER, or raise
    ScalingError.

    Accepts ints, Fractions, Decimals, floats (read through their shortest repr, so 0.1
    means 1/10; numpy's ints and floats alike) and text such as "0.75", "1e-1" or "3/4"
    (ASCII digits, at most
    MAX_NUMBER_CHARS characters). Every check is cheap: no input makes it compute a
    huge power of ten.
    """
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        raise ScalingError(f"{what} must be a number, got {_shown(value)}")
    try:
        if isinstance(value, Fraction):
            result = value
        elif isinstance(value, numbers.Integral):  # int, numpy's ints
            result = Fraction(int(value))
        elif isinstance(value, float):  # numpy.float64 too: a float, but not its repr
            if not math.isfinite(value):
                raise ScalingError(f"{what} must be a finite number, got {float(value)!r}")
            result = Fraction(float.__repr__(value))
        elif isinstance(value, numbers.Real) and not isinstance(value, Decimal):
            # numpy.float32 and float16: their own shortest decimal ("0.1", not the
            # binary value's 0.100000001490116...), as text reads it
            if not math.isfinite(float(value)):
                raise ScalingError(f"{what} must be a finite number, got {float(value)!r}")
            result = _from_text(str(value), what)
        elif isinstance(value, Decimal):
            if not value.is_finite():
                raise ScalingError(f"{what} must be a finite number, got {_shown(value)}")
            if value:
                _exponent_ok(value.adjusted(), value, what)
            result = Fraction(value)
        elif isinstance(value, str):
            result = _from_text(value.strip(), what)
        else:
            raise ScalingError(f"{what} must be a number, got {_shown(value)}")
    except ZeroDivisionError:
        raise ScalingError(f"{what} must be a number, got {_shown(value)}") from None
    if result.numerator <= 0:  # integer tests: comparing Fractions is slower
        raise ScalingError(
            f"{what} must be greater than 0 (0 < {what} <= {MAX_MULTIPLIER}), got {_shown(value)}"
        )
    if result.numerator > MAX_MULTIPLIER * result.denominator:
        raise ScalingError(f"{_range(what)}, got {_shown(value)}")
    return result


def _round_half_up(x: Fraction) -> int:
    return math.floor(x + Fraction(1, 2))


def resolution_from_rho(rho: Fraction, base: Resolution = 224) -> Resolution:
    """Input resolution for resolution multiplier ``rho``: round half up of base * rho,
    side by side for a non-square ``base``.

    The paper sets rho implicitly through the resolution (224, 192, 160, 128 for
    rho = 1, 0.857, 0.714, 0.571); this rule maps those rhos back to those resolutions.
    """
    sides = []
    for side in resolution_hw(base):
        scaled = _round_half_up(side * rho)
        if scaled < 1:
            raise ScalingError(f"rho {float(rho):g} gives a resolution below 1 pixel")
        if scaled > MAX_RESOLUTION:
            raise ScalingError(
                f"rho {float(rho):g} gives a resolution of {scaled:,} pixels; "
                f"the most is {MAX_RESOLUTION:,}"
            )
        sides.append(scaled)
    return _normal(sides[0], sides[1])


def _normal(h: int, w: int) -> Resolution:
    return h if h == w else (h, w)


def resolution_hw(resolution: Resolution) -> tuple[int, int]:
    """(height, width) of a resolution: 224 -> (224, 224)."""
    return (resolution, resolution) if isinstance(resolution, int) else resolution


def resolution_text(resolution: Resolution) -> str:
    """A resolution as --res reads it: "224", or "320x240" (height x width)."""
    if isinstance(resolution, int):
        return str(resolution)
    return f"{resolution[0]}x{resolution[1]}"


def resolution_json(resolution: Resolution) -> int | list[int]:
    """A resolution as JSON gives it: the side, or [height, width] where not square."""
    return resolution if isinstance(resolution, int) else list(resolution)


def input_text(resolution: Resolution) -> str:
    """The input's size as tables show it: "224x224", "320x240" (height x width)."""
    h, w = resolution_hw(resolution)
    return f"{h}x{w}"


_SIDES = re.compile(r"([0-9]+)\s*[xX\u00d7]\s*([0-9]+)", re.ASCII)


def parse_resolution(value: object, what: str = "resolution") -> Resolution:
    """A resolution from an int (numpy's too), a (height, width) pair, or text: "224" or
    "320x240" (height x width; "x", "X" or "\u00d7"). Each side is a whole number from 1 to
    MAX_RESOLUTION; ScalingError (one line) otherwise, TypeError for another type."""
    limit = f"a whole number of pixels from 1 to {MAX_RESOLUTION:,}, or HxW such as 320x240"

    def side(v: object) -> int:
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise ScalingError(f"{what} must be {limit}, got {_shown(v)}")
        n = int(v)
        if not 1 <= n <= MAX_RESOLUTION:
            raise ScalingError(f"{what} must be {limit}, got {n:,}")
        return n

    if isinstance(value, str):
        text = value.strip()
        if len(text) > MAX_NUMBER_CHARS:
            raise ScalingError(f"{what} must be {limit}, got {quote(text)}")
        pair = _SIDES.fullmatch(text)
        if pair is not None:
            return _normal(side(int(pair[1])), side(int(pair[2])))
        if text.isascii() and text.isdigit():
            return side(int(text))
        raise ScalingError(f"{what} must be {limit}, got {quote(text)}")
    if isinstance(value, tuple | list) and len(value) == 2:
        return _normal(side(value[0]), side(value[1]))
    if isinstance(value, numbers.Number) or isinstance(value, tuple | list):
        return side(value)
    raise TypeError(f"{what} must be {limit}, got a {type(value).__name__}")


def multiplier_text(value: Fraction) -> str:
    """A multiplier as the papers write it: 1 -> "1.0", 3/4 -> "0.75", 7/5 -> "1.4".

    The one way alpha and rho are shown; :func:`parse_multiplier` reads it back exactly
    for every multiplier with a short decimal expansion.
    """
    return f"{float(value):.1f}" if value.denominator == 1 else f"{float(value):g}"
