"""The spec language's vocabulary: the field types its layer kinds are written in, and the
base every kind shares.

A channel count, a kernel side, padding, an activation and an input size are each one
bounded, strict type (:data:`Count`, :data:`Size`, :data:`Padding`, :data:`Activation`,
:data:`SideOrPair`, ...), so every kind that has the field reads and refuses it the same
way. :class:`LayerBase` holds what every layer has (its ``kind`` tag and a plain
``name``); :func:`plain` refuses a name with a control or format character,
:func:`pair` reads a kernel, stride or dilation as (height, width), and :func:`builtin`
builds mncost's own trusted specs without validation.

Cut from :mod:`mncost.arch.ops`, which re-exports the public names the language had
there (:data:`Activation`, :data:`ACTIVATIONS`, :data:`Padding`, :class:`LayerBase`,
:func:`builtin`, :func:`pair`).
"""

# No `from __future__ import annotations` here, as in mncost.arch.ops: pydantic would
# evaluate every field's annotation from its string when each class is created
# (benchmarks/startup.py).

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from mncost.limits import MAX_CHANNELS, MAX_KERNEL, MAX_RESOLUTION
from mncost.text import escape_controls, quote

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "Count",
    "LayerBase",
    "Pad",
    "Padding",
    "Pair",
    "Scale",
    "Side",
    "SideOrPair",
    "Size",
    "builtin",
    "pair",
    "plain",
]

_M = TypeVar("_M", bound=BaseModel)

Count = Annotated[int, Field(gt=0, le=MAX_CHANNELS)]
"""A channel, filter or unit count."""
Size = Annotated[int, Field(gt=0, le=MAX_KERNEL)]
"""A kernel side, stride, dilation or window."""
Pad = Annotated[int, Field(ge=0, le=MAX_KERNEL)]
Side = Annotated[int, Field(gt=0, le=MAX_RESOLUTION)]
"""A side of the input image, in pixels."""
SideOrPair = Side | tuple[Side, Side]
"""An input size: one side (square), or [height, width] (read as a tuple)."""
Pair = Size | Annotated[list[Size], Field(min_length=2, max_length=2)]
"""One number for both sides, or ``[height, width]``."""


def _two_or_four(value: list[int]) -> list[int]:
    if len(value) == 3:
        raise ValueError(
            "give 1 number, 2 ([height, width]) or 4 ([top, left, bottom, right]), not 3"
        )
    return value


Padding = (
    Literal["same", "valid"]
    | Pad
    | Annotated[list[Pad], Field(min_length=2, max_length=4), AfterValidator(_two_or_four)]
)
"""``same`` (TensorFlow: output side ceil(input / stride)), ``valid`` (no padding), or
explicit pixels: one number for every side, ``[height, width]`` (PyTorch's ``padding``:
top and bottom, left and right), or ``[top, left, bottom, right]`` (uneven padding, as
an ONNX graph's ``pads`` or a ``Pad`` before a conv give it)."""
Activation = Literal[
    "relu",
    "relu6",
    "hswish",
    "hsigmoid",
    "sigmoid",
    "swish",
    "gelu",
    "tanh",
    "none",
    # What an imported graph can have besides (0 MACs each, like every activation).
    "clip",
    "leaky_relu",
    "prelu",
    "elu",
    "selu",
    "celu",
    "softplus",
    "softsign",
    "mish",
    "thresholded_relu",
    "erf",
    "abs",
    "neg",
    "exp",
    "log",
    "sqrt",
    "reciprocal",
    "floor",
    "ceil",
    "round",
    "sign",
    "not",
    "pow",
    "add",
    "sub",
    "mul",
    "div",
    "max",
    "min",
    "mean",
]
"""An activation, or an element-wise op on one map; each counts 0 mult-adds. The first
nine are what hand-written specs use; the rest are the element-wise ops of an imported
ONNX graph (``mncost import``), kept by name: ``add``, ``mul`` and the others are an op
with a constant (a normalisation), not a join of two maps."""
ACTIVATIONS: tuple[str, ...] = Activation.__args__  # type: ignore[attr-defined]
Scale = Literal["alpha", "fixed", "up"]


def plain(value: str, what: str = "a name") -> str:
    # Names are shown in terminals, Markdown and spreadsheets: no control characters, and
    # no format characters (a zero width space or a soft hyphen makes two names that look
    # the same, a bidi override reorders what is shown).
    if value.isascii() and value.isprintable() or escape_controls(value) == value:
        return value
    char = next(c for c in value if escape_controls(c) != c)
    what_char = "control" if char.isascii() or "\x80" <= char <= "\x9f" else "format"
    raise ValueError(f"{what_char} character {quote(char)} not allowed in {what}")


def pair(value: int | list[int] | tuple[int, int]) -> tuple[int, int]:
    """A kernel, stride or dilation as (height, width)."""
    if type(value) is int or isinstance(value, int):
        return (value, value)
    return (value[0], value[1])


def builtin(cls: type[_M]) -> Callable[..., _M]:
    """A constructor for trusted, built-in specs that skips validation (for start-up speed).

    Defaults are filled in as usual. Only for specs written in mncost's own code, which
    the test suite validates in full; user spec files always go through validation.
    """

    def construct(**fields: Any) -> _M:
        return cls.model_construct(**fields)

    construct.__name__ = cls.__name__
    return construct


class LayerBase(BaseModel):
    """Fields shared by every layer kind."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, defer_build=True)

    kind: str
    """The layer's type tag; each kind fixes it to a literal."""
    name: str = Field(min_length=1, max_length=200)
    """Name of the layer, unique among its siblings; a part of a composite is shown as
    ``block.part``."""

    @field_validator("name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        return plain(value)
