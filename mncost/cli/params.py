"""The command line's parameter types: alpha and rho read exactly, whole numbers in a
range, resolutions, model references, forgiving choices, devices and patch grids.
Each rejects bad text with one line naming the option.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mncost.cli.files import INPUTS_KEY, InputFile
from mncost.cost.scaling import ScalingError, parse_multiplier, parse_resolution
from mncost.limits import MAX_NUMBER_CHARS
from mncost.text import quote

__all__ = [
    "DeviceChoice",
    "KeyChoice",
    "MULTIPLIER",
    "ModelArgument",
    "ParamType",
    "PatchGrid",
    "RESOLUTION",
    "ROUNDING_CHOICES",
    "WholeNumber",
]


if TYPE_CHECKING:
    ParamType = click.ParamType[Any]
else:  # click before 8.2 has no subscriptable ParamType at run time
    ParamType = click.ParamType
"""The base of mncost's click parameter types."""


class _Multiplier(ParamType):
    """alpha or rho: a number in 0 < m <= MAX_MULTIPLIER, parsed exactly and cheaply."""

    name = "NUMBER"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Fraction:
        if isinstance(value, Fraction):
            return value
        what = param.name if param is not None and param.name else "value"
        try:
            return parse_multiplier(value, what)
        except ScalingError as exc:
            self.fail(str(exc), param, ctx)


class WholeNumber(ParamType):
    """A whole number in a stated range; an error states the range it missed."""

    def __init__(self, minimum: int, maximum: int, what: str) -> None:
        self.minimum, self.maximum, self.what = minimum, maximum, what
        self.name = "INTEGER"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        expected = f"{self.what} must be a whole number from {self.minimum:,} to {self.maximum:,}"
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            text = str(value).strip()
            digits = text[1:] if text[:1] in ("+", "-") else text
            # ASCII digits only (int() also takes '١' and '1_0'), and short text: int()
            # refuses, or slowly converts, thousands of digits.
            if len(text) > MAX_NUMBER_CHARS or not (digits.isascii() and digits.isdigit()):
                self.fail(f"{expected}, got {quote(value)}", param, ctx)
            number = int(text, 10)
        if not self.minimum <= number <= self.maximum:
            self.fail(f"{expected}, got {quote(value)}", param, ctx)
        return number


class _Resolution(ParamType):
    """--res: a side ("224") or height x width ("320x240"), each 1 to 16,384 pixels."""

    name = "R|HxW"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return parse_resolution(value if not isinstance(value, str) else value)
        except (ScalingError, TypeError) as exc:
            self.fail(str(exc), param, ctx)


RESOLUTION = _Resolution()


class ModelArgument(ParamType):
    """MODEL: a built-in name, or a spec or ONNX file (registered as an input, so that no
    output can be written over it)."""

    name = "MODEL"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        # lazy, as the analysis imports below: this module is loaded by `mncost --help`
        from mncost.analysis.scenario import ONNX_ENDINGS, SPEC_ENDINGS

        text = str(value)
        if text.lower().endswith((*SPEC_ENDINGS, *ONNX_ENDINGS)) and ctx is not None:
            ctx.meta.setdefault(INPUTS_KEY, {})[Path(text)] = "MODEL"
        return text


ROUNDING_CHOICES = ("round", "floor", "make_divisible", "div8")
"""--rounding's choices: the width rules of mncost.arch.width, and div8 (make_divisible)."""

MULTIPLIER = _Multiplier()
"""A positive, finite number parsed exactly (0.75 is exactly 3/4)."""


class KeyChoice(ParamType):
    """A choice read forgivingly: case and - vs _ do not matter (mobilenet-v1 = mobilenet_v1)."""

    name = "KEY"

    def __init__(self, choices: Iterable[str], what: str) -> None:
        self.choices, self.what = tuple(choices), what

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(self.choices) + "]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        key = str(value).strip().lower().replace("-", "_").replace(" ", "_")
        if key not in self.choices:
            self.fail(
                f"unknown {self.what} {value!r}; choose from {', '.join(self.choices)}", param, ctx
            )
        return key


class DeviceChoice(ParamType):
    """A built-in device's name, or a profile file (registered as an input, so that no
    output can be written over it)."""

    name = "DEVICE"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> str | Path:
        from mncost.analysis.latency import BUILTIN_DEVICES

        if isinstance(value, Path):
            return value
        text = str(value)
        if text in BUILTIN_DEVICES:
            return text
        if text.lower().endswith(".json") or "/" in text or os.sep in text or os.path.lexists(text):
            return InputFile().convert(text, param, ctx)  # type: ignore[no-any-return]
        self.fail(
            f"unknown device {quote(text)}; built-in devices: "
            f"{', '.join(BUILTIN_DEVICES)}, or a profile file (.json) made by "
            "'mncost calibrate'",
            param,
            ctx,
        )


class PatchGrid(ParamType):
    """--patches: ROWSxCOLUMNS (4x4), or one number for a square grid (or, where the
    command searches, "auto")."""

    name = "PxQ"

    def __init__(self, auto: bool = False) -> None:
        self.auto = auto

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from mncost.analysis.scenario import patch_grid

        if isinstance(value, tuple):
            return value
        if self.auto and str(value).strip().lower() == "auto":
            return "auto"
        try:
            return patch_grid(str(value), "--patches")
        except ScalingError as exc:
            self.fail(str(exc).removeprefix("--patches "), param, ctx)
