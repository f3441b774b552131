"""Single values from a stranger's script, read and checked: whole numbers of pixels, an
input size, alpha or rho, a grid axis, the classifier's width, a choice among names, a
flag, a patch grid, a cap on extra MACs, a list of metric names.

A wrong *type* is a :class:`TypeError` naming the argument, a wrong *value* a
:class:`ValueError` (one of mncost's: :class:`~mncost.cost.scaling.ScalingError`,
:class:`~mncost.errors.ExploreError`) naming it too, never an AttributeError from deep
inside. Numbers are read as the command line reads text: a float (numpy's too) through
its shortest decimal, so ``numpy.float64(0.75)`` is exactly 3/4. An iterable axis is read
lazily and refused as soon as it passes the limit, so an endless one
(``itertools.repeat(0.5)``) cannot hang.

Cut from :mod:`mncost.analysis.scenario` (which re-exports every name here and reads the
model, its input size and how it runs from these), for the command line and the Python
API alike.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeVar

from mncost.cost.conventions import DTYPE_BYTES, Conventions
from mncost.cost.scaling import ScalingError, parse_multiplier
from mncost.errors import ExploreError
from mncost.limits import MAX_AXIS_VALUES, MAX_CLASSES, MAX_RESOLUTION
from mncost.text import quote

if TYPE_CHECKING:
    from mncost.cost.scaling import Resolution

__all__ = [
    "MAX_OVERHEAD_PERCENT",
    "axis",
    "check_choice",
    "check_classes",
    "check_dtype",
    "check_flag",
    "metric_names",
    "multiplier",
    "overhead_cap",
    "patch_grid",
    "resolution",
    "size",
    "type_name",
    "with_dtype",
]


_T = TypeVar("_T")


def type_name(value: object) -> str:
    """How a wrong argument is named in a TypeError: its type, e.g. "list"."""
    return type(value).__name__


def resolution(value: object, what: str = "resolution") -> int:
    """A whole number of pixels from 1 to MAX_RESOLUTION (numpy's ints too)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, (str, numbers.Real)):  # a value of the wrong kind
            raise ScalingError(
                f"{what} must be a whole number from 1 to {MAX_RESOLUTION}, got {quote(value)}"
            )
        raise TypeError(f"{what} must be a whole number of pixels, got a {type_name(value)}")
    pixels = int(value)
    if not 1 <= pixels <= MAX_RESOLUTION:
        raise ScalingError(
            f"{what} must be a whole number from 1 to {MAX_RESOLUTION}, got {pixels}"
        )
    return pixels


def size(value: object, what: str = "resolution") -> Resolution:
    """An input size: a side (as :func:`resolution`), or (height, width) for a
    non-square input (a tuple or a list of two sides)."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ScalingError(
                f"{what} must be a side or (height, width), got {len(value)} numbers"
            )
        h, w = resolution(value[0], what), resolution(value[1], what)
        return h if h == w else (h, w)
    return resolution(value, what)


def check_classes(value: object) -> int | None:
    """None (the model's own) or a classifier width from 0 to MAX_CLASSES."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"classes must be a whole number or None, got a {type_name(value)}")
    n = int(value)
    if not 0 <= n <= MAX_CLASSES:
        raise ScalingError(f"classes must be from 0 to {MAX_CLASSES:,}, got {n}")
    return n


def check_choice(value: object, what: str, choices: Iterable[str]) -> str:
    """One of ``choices``: TypeError for a value that is not text, ValueError else."""
    names = tuple(choices)
    if not isinstance(value, str):
        raise TypeError(f"{what} must be one of {', '.join(names)}, got a {type_name(value)}")
    if value not in names:
        raise ScalingError(f"{what} must be one of {', '.join(names)}, got {quote(value)}")
    return value


def check_dtype(value: object) -> str:
    """float32, float16 or int8."""
    return check_choice(value, "dtype", DTYPE_BYTES)


def check_flag(value: object, what: str) -> bool:
    """A yes or no: a bool (numpy's too), never a string that happens to be truthy."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    raise TypeError(f"{what} must be True or False, got a {type_name(value)}")


def with_dtype(conventions: Conventions, dtype: object) -> Conventions:
    """``conventions`` in ``dtype`` (checked)."""
    from dataclasses import replace

    return replace(conventions, dtype=check_dtype(dtype))  # type: ignore[arg-type]


def patch_grid(value: object, what: str = "patches") -> tuple[int, int]:
    """A patch grid: "4x4" (rows x columns), "4" (square), or (rows, columns)."""
    # lazy: mncost.cost() loads this module and needs no execution (2 ms)
    from mncost.cost.execution import MAX_PATCHES

    if isinstance(value, str):
        text = value.strip().lower()
        parts = text.split("x") if "x" in text else [text, text]
        if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
            raise ScalingError(
                f"{what} must be ROWSxCOLUMNS such as 4x4 (or one number for a square "
                f"grid), got {quote(value)}"
            )
        rows, cols = (int(p) for p in parts)
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        rows, cols = value
    elif isinstance(value, numbers.Integral) and not isinstance(value, bool):
        rows = cols = int(value)
    else:
        raise ScalingError(f"{what} must be ROWSxCOLUMNS such as 4x4, got a {type_name(value)}")
    for n in (rows, cols):
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or not 1 <= n <= MAX_PATCHES:
            raise ScalingError(
                f"{what} must be 1 to {MAX_PATCHES} per side, got {quote(str(value))}"
            )
    return int(rows), int(cols)


MAX_OVERHEAD_PERCENT = 10_000
"""The largest --max-overhead (a schedule 100x the network's MACs is past any use)."""


def overhead_cap(value: object, what: str = "max_overhead") -> Fraction:
    """A cap on extra MACs in percent of the network's ("10", "10%", 12.5) as a share:
    a plain decimal (no exponent, at most 12 characters), 0 to 10,000."""
    if isinstance(value, bool) or not isinstance(value, (str, numbers.Real)):
        raise ScalingError(f"{what} must be a percentage such as 10, got a {type_name(value)}")
    text = value if isinstance(value, str) else repr(float(value))
    digits = text.strip().removesuffix("%").strip()
    if len(digits) > 12 or not re.fullmatch(r"[0-9]+(\.[0-9]*)?|\.[0-9]+", digits, re.ASCII):
        raise ScalingError(
            f"{what} must be a percentage such as 10 or 12.5%, got {quote(str(value))}"
        )
    share = Fraction(digits)
    if share > MAX_OVERHEAD_PERCENT:
        raise ScalingError(
            f"{what} must be 0 to {MAX_OVERHEAD_PERCENT:,} (percent of the network's MACs), "
            f"got {quote(str(value))}"
        )
    return share / 100


def axis(
    values: object,
    what: str,
    one: str,
    parse_text: Callable[[str], Sequence[_T]],
    parse_one: Callable[[Any, str], _T],
) -> list[_T]:
    """A grid axis (the argument ``what``, each value a ``one``): text as the command
    line reads it ("0.25:1.4:0.05", "128,160"), or an iterable of values, read lazily
    and refused past MAX_AXIS_VALUES."""
    if isinstance(values, str):
        return list(parse_text(values))
    if isinstance(values, (bytes, numbers.Number)) or not isinstance(values, Iterable):
        raise TypeError(
            f"{what} must be a list of values or text such as 0.25:1.4:0.05, "
            f"got a {type_name(values)}"
        )
    read = list(islice(iter(values), MAX_AXIS_VALUES + 1))
    if len(read) > MAX_AXIS_VALUES:
        raise ExploreError(
            f"{what} has more than {MAX_AXIS_VALUES:,} values (the most an axis has)"
        )
    return [parse_one(v, one) for v in read]


def multiplier(value: object, what: str) -> Fraction:
    """alpha or rho, exact (see :func:`mncost.cost.scaling.parse_multiplier`): a value of
    a type no number has is a TypeError."""
    if not isinstance(value, (str, numbers.Number)):
        raise TypeError(f"{what} must be a number, got a {type_name(value)}")
    return parse_multiplier(value, what)


def metric_names(metrics: object) -> list[str]:
    """Metric names: one as text, or an iterable of them (the first 100 read)."""
    if isinstance(metrics, str):
        return [metrics]
    if not isinstance(metrics, Iterable):
        raise TypeError(f"metrics must be a list of metric names, got a {type_name(metrics)}")
    names = list(islice(iter(metrics), 100))
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"metrics must be metric names (text), got a {type_name(name)}")
    return names
