"""The width and resolution rules, each against a hand derivation."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from mncost.arch.width import WidthError, parse_rule
from mncost.cost.scaling import ScalingError, parse_multiplier, resolution_from_rho


@pytest.mark.parametrize(
    "text,expected",
    [
        ("0.75", Fraction(3, 4)),
        ("1", Fraction(1)),
        ("3/4", Fraction(3, 4)),
        (0.1, Fraction(1, 10)),
        (Decimal("0.35"), Fraction(7, 20)),
        (2, Fraction(2)),
    ],
)
def test_parse_multiplier_is_exact(text, expected):
    assert parse_multiplier(text) == expected


@pytest.mark.parametrize(
    "bad",
    ["0", "-1", "nan", "inf", "-inf", "abc", "", float("nan"), float("inf"), True, None, "1/0"],
)
def test_parse_multiplier_rejects(bad):
    with pytest.raises(ScalingError):
        parse_multiplier(bad)


@pytest.mark.parametrize(
    "channels,alpha,rounding,expected",
    [
        # round: round half up of c*alpha, as Python 2's round() in the paper's TF code.
        (32, "0.75", "round", 24),  # 24 exactly
        (32, "0.35", "round", 11),  # 11.2 -> 11
        (64, "0.35", "round", 22),  # 22.4 -> 22
        (10, "0.25", "round", 3),  # 2.5 -> 3 (half up; Python 3's round() would give 2)
        (1024, "1.3", "round", 1331),  # 1331.2 -> 1331
        # floor: TF-slim's max(int(c*alpha), 8).
        (32, "0.35", "floor", 11),  # int(11.2) = 11
        (32, "0.2", "floor", 8),  # int(6.4) = 6 -> min depth 8
        (1024, "1.3", "floor", 1331),
        # div8: max(8, int(v + 4) // 8 * 8), +8 if that is below 0.9 v.
        (32, "0.35", "div8", 16),  # v = 11.2: int(15.2)//8*8 = 8 < 10.08 -> 16
        (64, "0.35", "div8", 24),  # v = 22.4: int(26.4)//8*8 = 24 >= 20.16 -> 24
        (1024, "1.3", "div8", 1328),  # v = 1331.2: int(1335.2)//8*8 = 1328 >= 1198 -> 1328
        (32, "0.25", "div8", 8),  # v = 8: int(12)//8*8 = 8
    ],
)
def test_width_rules(channels, alpha, rounding, expected):
    assert parse_rule(rounding).scale(channels, Fraction(alpha)) == expected


def test_round_rule_refuses_zero_channels():
    # 32 * 0.01 = 0.32 rounds to 0: an error, not a silent 1-channel layer.
    with pytest.raises(WidthError, match="0 channels"):
        parse_rule("round").scale(32, Fraction(1, 100))


@pytest.mark.parametrize(
    "rho,base,expected",
    [
        ("0.5", 224, 112),
        ("0.857", 224, 192),
        ("0.714", 224, 160),
        ("0.571", 224, 128),
        ("1.5", 224, 336),
        ("0.5", 33, 17),  # 16.5 -> 17, half up
    ],
)
def test_resolution_from_rho(rho, base, expected):
    assert resolution_from_rho(Fraction(rho), base) == expected


def test_resolution_from_tiny_rho_is_an_error():
    with pytest.raises(ScalingError):
        resolution_from_rho(Fraction(1, 1000), 224)
