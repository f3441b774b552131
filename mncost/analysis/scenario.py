"""What a question to mncost is about, read once: the model, alpha, the resolution, the
conventions, the device, the grid's axes.

Every value here may come from a stranger's script: a wrong *type* is a
:class:`TypeError` naming the argument, a wrong *value* a :class:`ValueError` (one of
mncost's: :class:`~mncost.cost.scaling.ScalingError`, :class:`~mncost.arch.load.SpecError`,
:class:`~mncost.errors.ExploreError`, :class:`~mncost.errors.LatencyError`) naming it too,
never an AttributeError from deep inside. Numbers are read as the command line reads
text: a float (numpy's too) through its shortest decimal, so ``numpy.float64(0.75)`` is
exactly 3/4. An iterable axis is read lazily and refused as soon as it passes the limit,
so an endless one (``itertools.repeat(0.5)``) cannot hang.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from mncost.arch.ops import Architecture
from mncost.cost.conventions import DTYPE_BYTES, Conventions
from mncost.cost.scaling import ScalingError, parse_multiplier
from mncost.errors import ExploreError
from mncost.limits import MAX_AXIS_VALUES, MAX_CLASSES, MAX_RESOLUTION
from mncost.text import quote

if TYPE_CHECKING:
    from mncost.analysis.latency import LatencyProfile

__all__ = [
    "SPEC_ENDINGS",
    "axis",
    "check_classes",
    "check_choice",
    "check_dtype",
    "check_flag",
    "device_profile",
    "model_architecture",
    "multiplier",
    "resolution",
    "type_name",
    "with_dtype",
]

SPEC_ENDINGS = (".yaml", ".yml", ".json")
"""A model given as text with one of these endings is a spec file's path."""

_T = TypeVar("_T")


def type_name(value: object) -> str:
    """How a wrong argument is named in a TypeError: its type, e.g. "list"."""
    return type(value).__name__


def model_architecture(model: object, what: str = "model") -> Architecture:
    """A built-in model's name, a spec file's path (a :class:`~pathlib.Path`, or text
    ending in .yaml, .yml or .json), or an :class:`Architecture`."""
    from mncost.arch.load import load_spec
    from mncost.arch.registry import get_model

    if isinstance(model, Architecture):
        return model
    if isinstance(model, Path):
        return load_spec(model)
    if isinstance(model, str):
        if model.lower().endswith(SPEC_ENDINGS):
            return load_spec(model)
        return get_model(model)
    raise TypeError(
        f"{what} must be a built-in model's name, a spec file's path or an Architecture, "
        f"got a {type_name(model)}"
    )


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


def device_profile(device: object) -> LatencyProfile:
    """A built-in device's name, a profile file's path (a Path, or text ending in .json),
    or a :class:`~mncost.analysis.latency.LatencyProfile`."""
    from mncost.analysis.latency import LatencyProfile, resolve_device

    if not isinstance(device, (str, Path, LatencyProfile)):
        raise TypeError(
            "device must be a built-in device's name (pixel1-cpu), a profile file's path "
            f"or a LatencyProfile, got a {type_name(device)}"
        )
    return resolve_device(device)


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
