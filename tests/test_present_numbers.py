"""mncost.present.numbers.fixed: an exact count shown with a fixed number of decimals.

The oracle is the definition in fixed()'s docstring, through Python's own exact
arithmetic: round(Fraction(value * 10**digits, divisor)) rounds half to even, then the
digits are split off and grouped by thousands. fixed() has a float path for power-of-two
divisors below 2**53 and exact integer arithmetic elsewhere; both must agree with it.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from mncost.present.numbers import fixed


def _oracle(value: int, divisor: int, digits: int) -> str:
    n = round(Fraction(value * 10**digits, divisor))  # ties to even
    sign = "-" if n < 0 else ""
    whole, frac = divmod(abs(n), 10**digits)
    return f"{sign}{whole:,}" + (f".{frac:0{digits}d}" if digits else "")


@given(
    value=st.one_of(
        st.integers(0, 1 << 60),
        st.integers(0, 1 << 20).map(lambda k: k * 512),  # ties at KiB and one decimal
        st.integers((1 << 53) - 10, (1 << 53) + 10),  # each side of the float path's edge
    ),
    shift=st.integers(0, 30),
    digits=st.integers(0, 3),
)
def test_power_of_two_divisors_round_as_exact_arithmetic(
    value: int, shift: int, digits: int
) -> None:
    assert fixed(value, 1 << shift, digits) == _oracle(value, 1 << shift, digits)


@given(value=st.integers(-(1 << 70), 1 << 70), digits=st.integers(0, 3))
def test_other_divisors_and_negative_values(value: int, digits: int) -> None:
    for divisor in (10**6, 1000, 3, 1024):
        expected = _oracle(value, divisor, digits)
        if expected.strip("-0.,") == "":  # a negative value rounded to zero: no sign
            expected = expected.lstrip("-")
        assert fixed(value, divisor, digits) == expected


def test_ties_go_to_even() -> None:
    # 256 / 1024 = 0.25 and 768 / 1024 = 0.75: one decimal rounds each to the even digit.
    assert fixed(256, 1024, 1) == "0.2"
    assert fixed(768, 1024, 1) == "0.8"
    assert fixed(1536, 1024, 0) == "2"  # 1.5
    assert fixed(2560, 1024, 0) == "2"  # 2.5
