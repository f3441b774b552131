"""The spec language: a closed, tagged set of layer kinds that can describe any CNN graph.

An architecture is data: a list of layers in network order. Every kind is a frozen
pydantic model with ``extra="forbid"`` and strict types, tagged by its ``kind`` and
joined in the :data:`Layer` discriminated union, so a typo, an unknown kind, ``"3"`` for
3 or ``1`` for ``true`` in a spec file fails loudly and names the field.

Channel counts are written at width multiplier 1 and scaled by the architecture's width
rule (:mod:`mncost.arch.width`); input channels and feature-map sizes are never written
down, they follow from the layers before, so a spec cannot contradict itself.

Primitive kinds (one row each in a cost table):

- ``conv``: any convolution: kernel ``3`` or ``[1, 7]``, stride, padding (``same``,
  ``valid``, or explicit pixels), dilation, groups (``depthwise`` = one group per input
  channel), batch norm or bias, and the activation after it.
- ``dw`` and ``pw``: shorthands for a depthwise conv and a 1x1 conv (MobileNet's two
  halves of a depthwise separable block).
- ``avgpool`` and ``maxpool``: a window with stride, padding and ceil mode, an adaptive
  output size, or global pooling.
- ``fc``: a fully connected layer over the flattened input; ``softmax``.
- ``bn`` and ``act``: a batch norm or an activation on its own, where it does not follow
  a conv (DenseNet's BN-ReLU before each conv; what ``mncost import`` writes for an
  ONNX graph's standalone nodes).
- ``scale``: a learned per-channel multiply, one weight per channel of its input (Caffe's
  Scale layer without bias; torchvision's ``L2Norm`` weight in SSD300): C parameters,
  0 mult-adds.
- ``resize``: upsampling by a whole factor, or to a fixed size.

Composite kinds (their parts are rows, each naming the block it belongs to):

- ``block``: a named group of layers in sequence (a stage).
- ``residual``: a body whose output is added to its input (or to a projection
  ``shortcut``), then an optional activation.
- ``concat``: parallel branches on the same input, joined by channel concatenation
  (Inception, GoogLeNet, SqueezeNet's fire module).
- ``se``: squeeze-and-excite: global pool, 1x1 reduce, 1x1 expand, gate, rescale.
- ``aux``: an auxiliary classifier hanging off the main path (training only: its
  parameters count, its mult-adds do not).
- ``inverted_residual``: MobileNet V2/V3's block: optional 1x1 expansion, depthwise
  conv, optional SE, linear 1x1 projection, and a residual when the stride is 1 and
  the input and output channels are equal (at alpha 1).

Activations, batch norm, per-channel scales, pooling, element-wise adds and multiplies
count 0 mult-adds;
:mod:`mncost.cost.metrics` states the conventions.

The modules: :mod:`~mncost.arch.fields` (the field types, :class:`LayerBase` and the
helpers), :mod:`~mncost.arch.primitives` (the primitive kinds) and this one: the
composite kinds, the :data:`Layer` union, :class:`WidthSpec` and :class:`Architecture`,
whose names must be unique among the parts of each composite. It re-exports the others'
public names.
"""

# No `from __future__ import annotations` here: pydantic would evaluate every field's
# annotation from its string when each class is created, a fifth of `mncost table`'s
# start-up (benchmarks/startup.py). Forward references are quoted instead.

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from mncost.arch.fields import (
    ACTIVATIONS,
    Activation,
    Count,
    LayerBase,
    Padding,
    Pair,
    SideOrPair,
    Size,
    builtin,
    pair,
    plain,
)
from mncost.arch.primitives import (
    AvgPool,
    BatchNorm,
    ChannelScale,
    Conv,
    DepthwiseConv,
    Elementwise,
    FullyConnected,
    MaxPool,
    PointwiseConv,
    Resize,
    Softmax,
)
from mncost.limits import MAX_CHANNELS, MAX_CLASSES
from mncost.text import quote

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "Architecture",
    "Aux",
    "AvgPool",
    "BatchNorm",
    "Block",
    "ChannelScale",
    "Concat",
    "Conv",
    "DepthwiseConv",
    "Elementwise",
    "FullyConnected",
    "InvertedResidual",
    "Layer",
    "LayerBase",
    "MaxPool",
    "Padding",
    "PointwiseConv",
    "Resize",
    "Residual",
    "SqueezeExcite",
    "Softmax",
    "WidthSpec",
    "builtin",
    "pair",
]


class Block(LayerBase):
    """A named group of layers in sequence (a stage of the network)."""

    kind: Literal["block"] = "block"
    layers: list["Layer"] = Field(min_length=1)
    """The layers of the group, in order."""


class Residual(LayerBase):
    """A residual connection: ``act(body(x) + shortcut(x))``.

    The body's output must have the same shape as the shortcut's (the input itself
    when ``shortcut`` is empty).
    """

    kind: Literal["residual"] = "residual"
    body: list["Layer"] = Field(min_length=1)
    """The main path."""
    shortcut: list["Layer"] = Field(default_factory=list)
    """A projection on the skip path (ResNet's 1x1 conv with stride); empty: identity."""
    act: Activation = "none"
    """Activation after the add (ResNet: relu); counts 0 mult-adds."""


class Concat(LayerBase):
    """Parallel branches on the same input, joined by concatenating their channels."""

    kind: Literal["concat"] = "concat"
    branches: list[list["Layer"]] = Field(min_length=2)
    """Each branch is a list of layers; an empty list passes the input through."""


class SqueezeExcite(LayerBase):
    """Squeeze-and-excite: global average pool, 1x1 conv down to the squeeze channels,
    1x1 conv back up, a gate, and the input rescaled channel by channel.

    Squeeze channels: ``make_divisible(channels // reduction, divisor)`` of the scaled
    input channels (torchvision's and TF-slim's MobileNet V3 rule), or ``squeeze``
    channels at alpha 1, scaled by the width rule (EfficientNet sizes them from the
    block's input, not from the channels the SE sees; an imported graph states them).
    """

    kind: Literal["se"] = "se"
    reduction: Size = 4
    """The squeeze channels are the input channels divided by this."""
    divisor: Size = 8
    """The squeeze channels are rounded to a multiple of this (make_divisible)."""
    squeeze: Count | None = None
    """Instead of reduction and divisor: the squeeze channels at alpha 1, scaled by the
    architecture's width rule like any other filters."""
    act: Activation = "relu"
    """Activation after the squeeze conv."""
    gate: Activation = "hsigmoid"
    """Gate after the expand conv (hsigmoid in MobileNet V3, sigmoid in SENet)."""
    bias: bool = True
    """The two 1x1 convs have biases (an exported graph may have dropped zero biases)."""


class Aux(LayerBase):
    """An auxiliary classifier: a side head on the current feature map, used in training
    only (Inception's AuxLogits). Its parameters count, as in torchvision's totals; it
    costs no mult-adds and no memory at inference, where it does not run. The main path
    continues from the head's input."""

    kind: Literal["aux"] = "aux"
    layers: list["Layer"] = Field(min_length=1)
    """The head's layers, in order."""


class Head(LayerBase):
    """A head on an inner feature map: a detector's box and class predictors, a
    segmenter's decoder. Its layers run on the output of the earlier layer named
    ``input`` (its full name, as the tables show it: ``block_12.expand``, or a
    composite's ``block_12``, which is its last op's output), and its last output is one
    of the network's outputs, held until the network ends, unless a ``join`` reads it (a
    head inside a head computes a branch: LR-ASPP's gate). The network goes on from where
    it was: the layers after a head read what they read before it, and reach a head's
    tensors only through a ``join``."""

    kind: Literal["head"] = "head"
    input: str = Field(min_length=1, max_length=400)
    """The full name of the earlier layer whose output the head reads."""
    layers: list["Layer"] = Field(min_length=1)
    """The head's layers, in order; shown as ``head.layer``."""


class Join(LayerBase):
    """The current feature map joined with earlier ones, named in ``others`` (full
    names, as for a head's input): ``add`` (the same shapes), ``mul`` (each other a 1x1
    map with the same channels: a gate, channel by channel, as LR-ASPP's) or ``concat``
    (channels; the same height and width). 0 mult-adds."""

    kind: Literal["join"] = "join"
    mode: Literal["add", "mul", "concat"]
    """How the maps are joined."""
    others: list[str] = Field(min_length=1, max_length=16)
    """The full names of the earlier layers whose outputs join the current map."""
    act: Activation = "none"
    """Activation after the join; counts 0 mult-adds."""

    @model_validator(mode="after")
    def _one_gate(self) -> Any:
        if self.mode != "concat" and len(self.others) != 1:
            raise ValueError(
                f"{self.mode} joins the current map with one other, not {len(self.others)}"
            )
        return self


class InvertedResidual(LayerBase):
    """MobileNet V2/V3's inverted residual block ("bottleneck").

    A 1x1 expansion (left out when the expanded width equals the input's), a depthwise
    conv with the block's kernel and stride, optional squeeze-and-excite, and a linear
    1x1 projection to ``filters``. A residual adds the input when the stride is 1 and
    the input and output channels are equal at width multiplier 1.
    """

    kind: Literal["inverted_residual"] = "inverted_residual"
    expansion: Annotated[int, Field(ge=1, le=64)] | None = None
    """Expansion factor t: expanded channels = t x the (scaled) input channels (V2)."""
    expanded: Count | None = None
    """Expanded channels at alpha 1, scaled by the width rule (V3's "exp size")."""
    expanded_scale: Literal["alpha", "input"] = "alpha"
    """How ``expanded`` follows alpha: alpha (scaled by the width rule, as torchvision
    scales V3's exp sizes) or input (TF-slim's ``expand_input_by_factor``: the block's
    scaled input channels times expanded / its input channels at alpha 1, made divisible
    by 8, so each expansion keeps its ratio to the block's input)."""
    kernel: Pair = 3
    """Depthwise kernel size."""
    stride: Pair = 1
    """Depthwise stride."""
    dilation: Pair = 1
    """Depthwise dilation."""
    filters: Count
    """Output channels at alpha 1."""
    se: SqueezeExcite | bool = False
    """Squeeze-and-excite after the depthwise conv: true (the defaults), or its fields."""
    act: Activation = "relu6"
    """Activation after the expansion and the depthwise conv (the projection is linear)."""

    @model_validator(mode="after")
    def _one_width(self) -> Any:
        if (self.expansion is None) == (self.expanded is None):
            raise ValueError("give exactly one of expansion (t) or expanded (channels)")
        if self.expanded_scale == "input" and self.expanded is None:
            raise ValueError("expanded_scale: input scales expanded, so give expanded")
        return self


Layer = Annotated[
    Conv
    | DepthwiseConv
    | PointwiseConv
    | AvgPool
    | MaxPool
    | FullyConnected
    | Softmax
    | BatchNorm
    | Elementwise
    | ChannelScale
    | Resize
    | Block
    | Residual
    | Concat
    | SqueezeExcite
    | InvertedResidual
    | Aux
    | Head
    | Join,
    Field(discriminator="kind"),
]
"""Any layer kind, picked by its ``kind`` tag."""

KINDS: tuple[str, ...] = (
    "conv",
    "dw",
    "pw",
    "avgpool",
    "maxpool",
    "fc",
    "softmax",
    "bn",
    "act",
    "scale",
    "resize",
    "block",
    "residual",
    "concat",
    "se",
    "inverted_residual",
    "aux",
    "head",
    "join",
)
"""Every ``kind`` tag, in the order the docs list them."""


class WidthSpec(BaseModel):
    """An architecture's channel rounding rule under alpha (see mncost.arch.width)."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, defer_build=True)

    rule: Literal["round", "floor", "make_divisible"] = "round"
    """round: round(c*alpha) half up (MobileNet v1); floor: max(int(c*alpha), min_value)
    (TF-slim); make_divisible: to a multiple of divisor, never more than 10% down (V2, V3)."""
    divisor: Annotated[int, Field(ge=1, le=1024)] = 8
    """make_divisible's divisor."""
    min_value: Annotated[int, Field(ge=1, le=MAX_CHANNELS)] | None = None
    """make_divisible's smallest result (default: the divisor); floor's min_depth
    (default 8)."""


_JOINS = {"residual": "add", "concat": "concat"}
"""The op each composite adds under its own name (``res.add``): no part may take it."""


def _walk_names(layers: list[tuple[str, Any]], reserved: str = "") -> None:
    # Parts of a composite are shown as block.part, so names must be unique among all
    # the parts of one composite (across a residual's body and shortcut, or across
    # branches), and no part may take the name of the op the composite adds.
    seen: set[str] = set()
    for where, layer in layers:
        if layer.name in seen or layer.name == reserved:
            raise ValueError(f"{where}.name: duplicate layer name {quote(layer.name)}")
        seen.add(layer.name)
        children = [
            (f"{where}.{field}[{j}]", child)
            for field, group in _children(layer)
            for j, child in enumerate(group)
        ]
        _walk_names(children, _JOINS.get(layer.kind, ""))


def _children(layer: Any) -> list[tuple[str, list[Any]]]:
    kind = layer.kind
    if kind in ("block", "aux", "head"):
        return [("layers", list(layer.layers))]
    if kind == "residual":
        return [("body", list(layer.body)), ("shortcut", list(layer.shortcut))]
    if kind == "concat":
        return [(f"branches[{b}]", list(branch)) for b, branch in enumerate(layer.branches)]
    return []


class Architecture(BaseModel):
    """A whole network: the ordered layers plus what they need to be costed."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, defer_build=True)

    name: str = Field(min_length=1, max_length=200)
    """Name of the architecture, shown in every report."""
    description: str = Field(default="", max_length=2000)
    """One line on what the network is and where it comes from."""
    input_channels: Count = 3
    """Channels of the input image (3 for RGB)."""
    resolution: SideOrPair = 224
    """Default input resolution: R (square), or [height, width]; --res and --rho override
    it. Read as an int, or as a (height, width) tuple when the sides differ."""
    classes: Annotated[int, Field(ge=0, le=MAX_CLASSES)] = 1000
    """Classifier width: units of every fc layer with ``units`` omitted. 0 drops the
    classifier (that fc and every layer after it)."""
    width: WidthSpec = Field(default_factory=lambda: WidthSpec.model_construct())
    """How channels follow alpha (default: round, MobileNet v1's rule). The default is
    built without validation (its values are the defaults): validating it would build
    WidthSpec's schema, 17 ms on the first MobileNet v1 of a process."""
    layers: list["Layer"] = Field(min_length=1)
    """The layers in network order."""

    @field_validator("name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        return plain(value)

    @field_validator("resolution", mode="before")
    @classmethod
    def _resolution_list(cls, value: Any) -> Any:
        # A spec file writes [height, width]: a list, which a strict tuple refuses.
        return tuple(value) if isinstance(value, list) else value

    @field_validator("resolution", mode="after")
    @classmethod
    def _resolution_square(cls, value: Any) -> Any:
        if isinstance(value, tuple) and value[0] == value[1]:
            return value[0]
        return value

    @field_validator("description")
    @classmethod
    def _plain_description(cls, value: str) -> str:
        return plain(value, "the description")

    @model_validator(mode="after")
    def _names_unique(self) -> "Architecture":
        _walk_names([(f"layers[{i}]", layer) for i, layer in enumerate(self.layers)])
        return self
