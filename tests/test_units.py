"""Budgets with units (mncost/units.py): each reading by hand."""

from __future__ import annotations

from fractions import Fraction

import pytest

from mncost.units import UnitError, parse_budget, show_bytes, show_count


@pytest.mark.parametrize(
    "text,quantity,expected",
    [
        ("300M", "count", 300_000_000),
        ("3.5e6", "count", 3_500_000),
        ("1.2G", "count", 1_200_000_000),
        ("250k", "count", 250_000),
        ("42", "count", 42),
        ("512KB", "bytes", 512_000),  # decimal: K = 1000
        ("512kB", "bytes", 512_000),
        ("512KiB", "bytes", 524_288),  # binary: Ki = 1024
        ("4MiB", "bytes", 4 * 1024 * 1024),
        ("4MB", "bytes", 4_000_000),
        ("1048576", "bytes", 1_048_576),  # a bare number is bytes
        ("30", "ms", 30),
        ("30ms", "ms", 30),
        ("0.03s", "ms", 30),
        ("1500us", "ms", Fraction(3, 2)),
    ],
)
def test_budgets_read_exactly(text, quantity, expected):
    assert parse_budget(text, quantity) == expected


@pytest.mark.parametrize(
    "text,quantity,words",
    [
        ("", "count", "expected a number"),
        ("-3M", "count", "expected a number"),
        ("nan", "bytes", "expected a number"),
        ("3 apples", "count", "unknown unit"),
        ("4MiB", "count", "'MiB' is a byte unit; a count takes K, M, G or T"),
        # A count's K given for bytes: say both byte units it may mean, not "unknown".
        ("256K", "bytes", "write 256KB \\(KB = 1,000 bytes\\) or 256KiB \\(KiB = 1,024 bytes\\)"),
        ("4m", "bytes", "write 4MB .* or 4MiB"),
        ("1e1000000000", "count", "out of range"),
        ("9" * 50, "count", "at most 40 characters"),
        ("30min", "ms", "unknown unit"),
        ("²", "count", "expected a number"),
    ],
)
def test_bad_budgets_are_one_line_errors(text, quantity, words):
    with pytest.raises(UnitError, match=words) as info:
        parse_budget(text, quantity)
    assert "\n" not in str(info.value)


def test_shown_with_their_units():
    assert show_count(300_774_272) == "301 M"
    assert show_bytes(1_404_928) == "1.4 MB"
    assert show_bytes(1_404_928, binary=True) == "1.34 MiB"
    assert show_bytes(999) == "999 B"
