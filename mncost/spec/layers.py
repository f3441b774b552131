"""Layer specs: the closed, tagged set of layer kinds an architecture is written in.

Every kind is a frozen pydantic model with ``extra="forbid"``, tagged by its ``kind``
field and joined in the :data:`Layer` discriminated union, so a typo or an unknown kind
in a spec file fails loudly and names the field.

Channel counts in a spec are the counts at width multiplier 1; input channels are never
written down, they follow from the previous layer, so a spec cannot contradict itself.

Spec files come from strangers, so validation is strict (an integer field takes only an
integer, not ``true`` or ``"3"``; a boolean only a boolean), every number has an upper
bound from :mod:`mncost.limits` (shown as ``maximum`` by ``mncost schema``), and names
and the description may not hold control characters (which could drive a terminal).

Extending the set (inverted residuals, grouped convs, branches) means adding a kind here
and a counter in :mod:`mncost.cost.counter`; nothing else changes. A composite kind (a
residual block, or parallel branches joined by concatenation) holds its own
``list[Layer]`` and is counted by running the same interpreter over it, which the
recursive union below already allows.
"""

from __future__ import annotations

from typing import Annotated, Any, Callable, Literal, TypeVar, Union

from pydantic import (BaseModel, ConfigDict, Field, ValidationInfo, field_validator,
                      model_validator)

from mncost.limits import MAX_CHANNELS, MAX_CLASSES, MAX_KERNEL, MAX_RESOLUTION
from mncost.text import escape_controls, quote

__all__ = [
    "Architecture",
    "AvgPool",
    "Conv",
    "DepthwiseConv",
    "FullyConnected",
    "Layer",
    "LayerBase",
    "PointwiseConv",
    "Softmax",
    "builtin",
]

_M = TypeVar("_M", bound=BaseModel)

Channels = Annotated[int, Field(gt=0, le=MAX_CHANNELS)]
"""A channel, filter or unit count: 1 to MAX_CHANNELS."""
Size = Annotated[int, Field(gt=0, le=MAX_KERNEL)]
"""A kernel side, stride or pooling window: 1 to MAX_KERNEL."""

_CONFIG = ConfigDict(frozen=True, extra="forbid", defer_build=True, strict=True)


def _no_controls(value: str, what: str) -> str:
    if escape_controls(value) == value:
        return value
    char = next(c for c in value if escape_controls(c) != c)
    raise ValueError(f"control character {quote(char)} not allowed in {what}")


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

    model_config = _CONFIG

    kind: str
    """The layer's type tag; each kind fixes it to a literal."""
    name: str = Field(min_length=1, max_length=200)
    """Unique name of the layer, shown in every report."""

    @field_validator("name")
    @classmethod
    def _printable_name(cls, value: str) -> str:
        return _no_controls(value, "a name")


class Conv(LayerBase):
    """A standard (full) convolution: every output channel sees every input channel."""

    kind: Literal["conv"] = "conv"
    kernel: Size
    """Square kernel size D_K (3 for a 3x3 conv)."""
    stride: Size = 1
    """Stride; SAME padding, so the output side is ceil(input side / stride)."""
    filters: Channels
    """Output channels N at width multiplier 1."""
    batch_norm: bool = True
    """Batch norm follows (so the conv has no bias); false gives the conv a bias instead."""


class DepthwiseConv(LayerBase):
    """A depthwise convolution: one D_K x D_K filter per input channel (depth multiplier 1)."""

    kind: Literal["dw"] = "dw"
    kernel: Size = 3
    """Square kernel size D_K."""
    stride: Size = 1
    """Stride; SAME padding, so the output side is ceil(input side / stride)."""
    batch_norm: bool = True
    """Batch norm follows (so the conv has no bias); false gives the conv a bias instead."""


class PointwiseConv(LayerBase):
    """A 1x1 convolution that mixes channels (the second half of a separable block)."""

    kind: Literal["pw"] = "pw"
    stride: Size = 1
    """Stride; 1 in every MobileNet."""
    filters: Channels
    """Output channels N at width multiplier 1."""
    batch_norm: bool = True
    """Batch norm follows (so the conv has no bias); false gives the conv a bias instead."""


class AvgPool(LayerBase):
    """Average pooling; ``global`` (the default) pools the whole feature map to 1x1."""

    kind: Literal["avgpool"] = "avgpool"
    size: Literal["global"] | Size = "global"
    """Pooling window: "global", or a square window size with stride equal to it."""


class FullyConnected(LayerBase):
    """A fully connected (dense) layer over the flattened input."""

    kind: Literal["fc"] = "fc"
    units: Channels | None = None
    """Output units; omitted (null) means the architecture's number of classes."""


class Softmax(LayerBase):
    """The softmax classifier: no weights, no mult-adds."""

    kind: Literal["softmax"] = "softmax"


Layer = Annotated[
    Union[Conv, DepthwiseConv, PointwiseConv, AvgPool, FullyConnected, Softmax],
    Field(discriminator="kind"),
]
"""Any layer kind, picked by its ``kind`` tag."""


class Architecture(BaseModel):
    """A whole network: the ordered layers plus what they need to be costed."""

    model_config = _CONFIG

    name: str = Field(min_length=1, max_length=200)
    """Name of the architecture, shown in every report."""
    description: str = ""
    """One line on what the network is and where it comes from."""
    input_channels: Channels = 3
    """Channels of the input image (3 for RGB)."""
    resolution: Annotated[int, Field(gt=0, le=MAX_RESOLUTION)] = 224
    """Default input resolution R (square); --res and --rho override it."""
    classes: int = Field(default=1000, ge=0, le=MAX_CLASSES)
    """Classifier width: units of every fc layer with ``units`` omitted. 0 drops the classifier."""
    layers: list[Layer] = Field(min_length=1)
    """The layers in network order."""

    @field_validator("name", "description")
    @classmethod
    def _printable(cls, value: str, info: ValidationInfo) -> str:
        return _no_controls(value, "a name" if info.field_name == "name" else "the description")

    @model_validator(mode="after")
    def _names_unique(self) -> Architecture:
        seen: set[str] = set()
        for i, layer in enumerate(self.layers):
            if layer.name in seen:
                raise ValueError(f"layers[{i}].name: duplicate layer name {quote(layer.name)}")
            seen.add(layer.name)
        return self
