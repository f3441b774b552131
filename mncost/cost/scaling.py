"""The two MobileNet multipliers: width (alpha) and resolution (rho), in exact arithmetic.

Multipliers are held as :class:`fractions.Fraction`, parsed from their decimal text, so
``0.75`` is exactly 3/4 and ``224 * 0.714`` is exactly 159.936: no float ever decides a
channel or pixel count.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Literal, get_args

__all__ = [
    "Rounding",
    "ROUNDINGS",
    "ScalingError",
    "parse_multiplier",
    "resolution_from_rho",
    "scale_channels",
]

Rounding = Literal["round", "floor", "div8"]
ROUNDINGS: tuple[str, ...] = get_args(Rounding)


class ScalingError(ValueError):
    """A multiplier, resolution or scaled channel count that cannot be used."""


def parse_multiplier(value: object, what: str = "alpha") -> Fraction:
    """Return ``value`` as an exact positive, finite Fraction, or raise ScalingError.

    Accepts ints, Fractions, Decimals, floats (read through their shortest repr, so 0.1
    means 1/10) and decimal strings such as "0.75" or "3/4".
    """
    if isinstance(value, bool):
        raise ScalingError(f"{what} must be a number, got {value!r}")
    try:
        if isinstance(value, Fraction):
            result = value
        elif isinstance(value, int):
            result = Fraction(value)
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise ScalingError(f"{what} must be a finite number, got {value!r}")
            result = Fraction(repr(value))
        elif isinstance(value, Decimal):
            if not value.is_finite():
                raise ScalingError(f"{what} must be a finite number, got {value}")
            result = Fraction(value)
        elif isinstance(value, str):
            text = value.strip()
            if text.lower().lstrip("+-") in {"nan", "inf", "infinity"}:
                raise ScalingError(f"{what} must be a finite number, got {value!r}")
            result = Fraction(text)
        else:
            raise ScalingError(f"{what} must be a number, got {value!r}")
    except (ValueError, ZeroDivisionError) as exc:
        if isinstance(exc, ScalingError):
            raise
        raise ScalingError(f"{what} must be a number, got {value!r}") from None
    if result <= 0:
        raise ScalingError(f"{what} must be greater than 0, got {value}")
    return result


def _round_half_up(x: Fraction) -> int:
    return math.floor(x + Fraction(1, 2))


def scale_channels(channels: int, alpha: Fraction, rounding: Rounding = "round") -> int:
    """Channels of a layer with ``channels`` filters at width multiplier ``alpha``.

    The rules, in exact arithmetic on c * alpha:

    - ``round`` (default): round half up, as ``round(c * alpha)`` in the paper's own
      TensorFlow code (Python 2, where round() rounds halves away from zero).
      A result of 0 is an error, not a silent 1.
    - ``floor``: TF-slim's ``max(int(c * alpha), 8)`` (``min_depth=8``).
    - ``div8``: the "make divisible by 8" rule of MobileNet V2/V3:
      ``max(8, int(c * alpha + 4) // 8 * 8)``, plus 8 if that drops more than 10%.
    """
    exact = channels * alpha
    if rounding == "round":
        scaled = _round_half_up(exact)
        if scaled < 1:
            raise ScalingError(
                f"alpha {float(alpha):g} leaves a {channels}-filter layer with 0 channels "
                "under --rounding round; use a larger alpha or --rounding floor"
            )
        return scaled
    if rounding == "floor":
        return max(math.floor(exact), 8)
    if rounding == "div8":
        divisor = 8
        scaled = max(divisor, math.floor(exact + Fraction(divisor, 2)) // divisor * divisor)
        if scaled < Fraction(9, 10) * exact:
            scaled += divisor
        return scaled
    raise ScalingError(f"unknown rounding {rounding!r}; choose one of {', '.join(ROUNDINGS)}")


def resolution_from_rho(rho: Fraction, base: int = 224) -> int:
    """Input resolution for resolution multiplier ``rho``: round half up of base * rho.

    The paper sets rho implicitly through the resolution (224, 192, 160, 128 for
    rho = 1, 0.857, 0.714, 0.571); this rule maps those rhos back to those resolutions.
    """
    resolution = _round_half_up(base * rho)
    if resolution < 1:
        raise ScalingError(f"rho {float(rho):g} gives a resolution below 1 pixel")
    return resolution
