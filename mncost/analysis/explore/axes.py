"""The grid's axes read from text and written in words: :func:`parse_alphas` and
:func:`parse_resolutions` read ``start:stop:step`` ranges (exact, the stop included when a
step lands on it) and comma lists, bounded per axis (:data:`MAX_AXIS_VALUES`) and per
grid (:func:`check_grid_size`); :func:`axis_text` says an axis back, and
:func:`resolution_order` is how resolutions sort on one."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from mncost.cost.scaling import (
    Resolution,
    ScalingError,
    multiplier_text,
    parse_multiplier,
    parse_resolution,
    resolution_hw,
    resolution_text,
)
from mncost.errors import ExploreError
from mncost.limits import MAX_AXIS_VALUES, MAX_CONFIGS, MAX_NUMBER_CHARS, MAX_RESOLUTION
from mncost.text import quote

MAX_AXIS_TEXT = 4_000
"""An axis written as text (a range or a list) has at most this many characters."""

_ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def _resolution_value(text: str, where: str) -> int:
    if (
        len(text) > MAX_NUMBER_CHARS
        or not _ASCII_DIGITS.fullmatch(text)
        or not 1 <= int(text) <= MAX_RESOLUTION
    ):
        hint = (
            " (a range steps square sides: list HxW sizes, e.g. 240x320,480x640)"
            if any(c in text for c in "xX\u00d7")
            else ""
        )
        raise ExploreError(
            f"{where} must be a whole number from 1 to {MAX_RESOLUTION:,}, got {quote(text)}{hint}"
        )
    return int(text)


def _size_value(text: str, where: str) -> Resolution:
    """One input size: a side, or HxW (height x width, "320x240") for a non-square one."""
    if not any(c in text for c in "xX\u00d7"):
        try:
            return _resolution_value(text, where)
        except ExploreError as exc:
            raise ExploreError(f"{exc} (or HxW, such as 320x240)") from None
    try:
        return parse_resolution(text, where)
    except ScalingError as exc:
        raise ExploreError(str(exc)) from None


def resolution_order(resolution: Resolution) -> tuple[int, int, int]:
    """How resolutions sort on an axis: by pixel count, then height (224 before
    320x240 before 320x320)."""
    h, w = resolution_hw(resolution)
    return h * w, h, w


def _alpha_value(text: str, where: str) -> Fraction:
    try:
        return parse_multiplier(text, where)
    except ScalingError as exc:
        raise ExploreError(str(exc)) from None


def _parse_axis(
    text: str,
    what: str,
    value: Callable[[str, str], Any],
    item_value: Callable[[str, str], Any] | None = None,
    key: Callable[[Any], Any] | None = None,
) -> tuple[Any, ...]:
    """Comma-separated values and ``start:stop:step`` ranges, sorted (by ``key``), repeats
    dropped. A lone item is read by ``item_value`` (default ``value``), a range's three
    parts by ``value``."""
    if not isinstance(text, str):
        raise ExploreError(f"{what} must be text such as 0.25:1.4:0.05 or 0.5,0.75,1")
    raw = text.strip()
    if not raw:
        raise ExploreError(
            f"{what} is empty: give a value, a list (0.5,0.75,1) or a range (start:stop:step)"
        )
    if len(raw) > MAX_AXIS_TEXT:
        raise ExploreError(f"{what} must be at most {MAX_AXIS_TEXT:,} characters")
    values: set[Any] = set()
    for item in raw.split(","):
        item = item.strip()
        if not item:
            raise ExploreError(f"{what} {quote(raw)} has an empty item between commas")
        if ":" not in item:
            values.add((item_value or value)(item, what))
        else:
            parts = [p.strip() for p in item.split(":")]
            if len(parts) != 3:
                raise ExploreError(
                    f"{what} range {quote(item)} must be start:stop:step "
                    "(three numbers, the stop included)"
                )
            start, stop = value(parts[0], f"{what} start"), value(parts[1], f"{what} stop")
            step = value(parts[2], f"{what} step")
            if stop < start:
                raise ExploreError(f"{what} range {quote(item)}: the stop is below the start")
            n = math.floor((stop - start) / step) + 1  # exact: Fractions or ints
            if n > MAX_AXIS_VALUES:
                raise ExploreError(
                    f"{what} range {quote(item)} has {n:,} values; the most "
                    f"is {MAX_AXIS_VALUES:,} (use a larger step)"
                )
            values.update(start + k * step for k in range(n))
        if len(values) > MAX_AXIS_VALUES:
            raise ExploreError(f"{what} has more than {MAX_AXIS_VALUES:,} values")
    return tuple(sorted(values, key=key))


def parse_alphas(text: str) -> tuple[Fraction, ...]:
    """Width multipliers from text: "0.25:1.4:0.05" (start:stop:step, the stop included
    when a step lands on it), "0.5,0.75,1" or a mix; exact, sorted, each 0 < alpha <= 16."""
    return _parse_axis(text, "alpha", _alpha_value)


def parse_resolutions(text: str) -> tuple[Resolution, ...]:
    """Resolutions from text: "96:320:16", "128,160,224", "320x240,640x480" (height x
    width) or a mix; sorted by pixel count (:func:`resolution_order`), each side a whole
    number from 1 to 16,384. A range steps square sides; list non-square sizes."""
    return _parse_axis(text, "resolution", _resolution_value, _size_value, key=resolution_order)


def check_grid_size(n_alphas: int, n_resolutions: int) -> None:
    """ExploreError unless the grid is non-empty and within the bounds."""
    if n_alphas == 0 or n_resolutions == 0:
        raise ExploreError("the grid is empty: give at least one alpha and one resolution")
    if n_alphas > MAX_AXIS_VALUES or n_resolutions > MAX_AXIS_VALUES:
        raise ExploreError(
            f"an axis has at most {MAX_AXIS_VALUES:,} values, got {max(n_alphas, n_resolutions):,}"
        )
    n = n_alphas * n_resolutions
    if n > MAX_CONFIGS:
        raise ExploreError(
            f"the grid has {n_alphas:,} alphas x {n_resolutions:,} "
            f"resolutions = {n:,} configurations; the most is "
            f"{MAX_CONFIGS:,} (use a larger step)"
        )


def axis_text(values: Sequence[Any]) -> str:
    """An axis in words: "0.25 to 1.4 in steps of 0.05 (24 values)", "128, 160, 224"."""

    def show(v: Any) -> str:
        if isinstance(v, Fraction):
            return multiplier_text(v)
        return resolution_text(v) if isinstance(v, tuple) else str(v)

    if len(values) <= 4 or any(isinstance(v, tuple) for v in values):
        if len(values) > 4:
            return (
                f"{len(values)} values from {show(values[0])} to {show(values[-1])} "
                f"({', '.join(show(v) for v in values[:3])}, ..., {show(values[-1])})"
            )
        return ", ".join(show(v) for v in values)
    steps = {b - a for a, b in zip(values, values[1:])}
    if len(steps) == 1:
        (step,) = steps
        return (
            f"{show(values[0])} to {show(values[-1])} in steps of "
            f"{show(step) if isinstance(step, Fraction) else step} ({len(values)} values)"
        )
    return (
        f"{len(values)} values from {show(values[0])} to {show(values[-1])} "
        f"({', '.join(show(v) for v in values[:3])}, ..., {show(values[-1])})"
    )
