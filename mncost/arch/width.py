"""Width rules: how a layer's channel count follows the width multiplier alpha.

Each architecture carries its own rule (MobileNet v1 the paper's ``round``, MobileNet V2
and V3 ``make_divisible(8)``), and ``--rounding`` can override it. Every rule works in
exact integer arithmetic on c * alpha, with alpha given as the fraction p/q, so no float
ever decides a channel count:

- ``round``: round half up, as ``round(c * alpha)`` in the paper's own TensorFlow code
  (Python 2, where round() rounds halves away from zero). A result of 0 is an error,
  not a silent 1.
- ``floor``: TF-slim's ``max(int(c * alpha), min_depth)`` (``min_depth`` 8 by default).
- ``make_divisible``: the rule of MobileNet V2/V3 (TF-slim and torchvision):
  ``max(min_value, int(c * alpha + divisor / 2) // divisor * divisor)``, plus one
  ``divisor`` if that rounded down by more than 10%. ``min_value`` defaults to the divisor.

A layer may also opt out of alpha (``fixed``: a classifier, the image's channels) or be
scaled only upward (``up``: c * max(1, alpha), MobileNet V2's last 1280-channel conv).
An inverted residual's expansion may follow its block's scaled input instead of alpha
(:func:`expand_input`, TF-slim's MobileNet V3).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

__all__ = [
    "EXPAND_DIVISOR",
    "RULES",
    "RuleName",
    "Scale",
    "WidthError",
    "WidthRule",
    "expand_input",
    "parse_rule",
]

RuleName = Literal["round", "floor", "make_divisible"]
RULES: tuple[str, ...] = ("round", "floor", "make_divisible")
Scale = Literal["alpha", "fixed", "up"]
"""How one layer's channels follow alpha: scaled (the default for convs), fixed (not
scaled: the default for fully connected layers), or up (scaled by max(1, alpha))."""


class WidthError(ValueError):
    """A scaled channel count that cannot be used (0 channels under ``round``)."""


@dataclass(frozen=True)
class WidthRule:
    """One channel-rounding rule with its parameters."""

    rule: RuleName = "round"
    divisor: int = 8
    """make_divisible's divisor."""
    min_value: int | None = None
    """make_divisible's floor (None: the divisor); floor's min_depth."""

    def apply(self, channels: int, p: int, q: int) -> int:
        """Channels of a ``channels``-filter layer at alpha = p / q (p, q > 0)."""
        if self.rule == "round":
            scaled = (2 * channels * p + q) // (2 * q)  # floor(c*alpha + 1/2): half up
            if scaled < 1:
                raise WidthError(
                    f"alpha {p / q:g} leaves a {channels}-filter layer with 0 channels under "
                    "the round rule; use a larger alpha or --rounding floor"
                )
            return scaled
        if self.rule == "floor":
            return max(channels * p // q, 8 if self.min_value is None else self.min_value)
        d = self.divisor
        floor = d if self.min_value is None else self.min_value
        # int(v + d/2) // d * d with v = c*p/q, in integers: floor((2cp + dq) / 2q) // d * d
        scaled = max(floor, (2 * channels * p + d * q) // (2 * q) // d * d)
        if 10 * scaled * q < 9 * channels * p:  # scaled < 0.9 * v
            scaled += d
        return scaled

    def scale(self, channels: int, alpha: Fraction, how: Scale = "alpha") -> int:
        """Channels of a layer with ``channels`` filters at ``alpha``, under ``how``."""
        if how == "fixed":
            return channels
        if how == "up" and alpha < 1:
            alpha = Fraction(1)
        return self.apply(channels, alpha.numerator, alpha.denominator)

    def describe(self) -> str:
        """The rule in one short phrase, for the conventions line."""
        if self.rule == "round":
            return "round(c*alpha)"
        if self.rule == "floor":
            return f"max(int(c*alpha), {8 if self.min_value is None else self.min_value})"
        floor = "" if self.min_value in (None, self.divisor) else f", min {self.min_value}"
        return f"make_divisible(c*alpha, {self.divisor}{floor})"

    def as_dict(self) -> dict[str, object]:
        """The rule as plain data, for JSON."""
        if self.rule == "round":
            return {"rule": "round"}
        if self.rule == "floor":
            return {"rule": "floor", "min_depth": 8 if self.min_value is None else self.min_value}
        return {
            "rule": "make_divisible",
            "divisor": self.divisor,
            "min_value": self.divisor if self.min_value is None else self.min_value,
        }


EXPAND_DIVISOR = 8
"""TF-slim's ``expand_input_by_factor(n, divisible_by=8)``: the divisor of an expansion
sized from its block's input, whatever rounds the width multiplier."""


def expand_input(c_in: int, expanded: int, input_at_1: int, divisor: int = EXPAND_DIVISOR) -> int:
    """Expanded channels of a block whose input has ``c_in`` channels at this alpha and
    ``input_at_1`` at alpha 1, for an exp size of ``expanded`` at alpha 1:
    make_divisible(c_in * expanded / input_at_1, divisor), exactly.

    TF-slim's rule (research/slim/nets/mobilenet/conv_blocks.py, ``expand_input_by_factor``:
    ``_make_divisible(num_inputs * n, divisible_by)``), with each block's factor n its exp
    size over its input at width 1 (V3-Large's 4, 3, ..., 184/80). At alpha 1 it is the
    exp size itself whenever that is a multiple of ``divisor``.
    """
    return WidthRule("make_divisible", divisor).apply(c_in, expanded, input_at_1)


_ALIASES = {
    "round": WidthRule("round"),
    "floor": WidthRule("floor"),
    "make_divisible": WidthRule("make_divisible"),
    "div8": WidthRule("make_divisible"),
}


def parse_rule(name: str) -> WidthRule:
    """A rule by name: round, floor (min 8), make_divisible (by 8); div8 is make_divisible."""
    try:
        return _ALIASES[name]
    except KeyError:
        raise WidthError(f"unknown rounding {name!r}; choose one of {', '.join(RULES)}") from None
