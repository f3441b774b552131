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
"""

# No `from __future__ import annotations` here: pydantic would evaluate every field's
# annotation from its string when each class is created, a fifth of `mncost table`'s
# start-up (benchmarks/startup.py). Forward references are quoted instead.

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from mncost.limits import MAX_CHANNELS, MAX_CLASSES, MAX_KERNEL, MAX_RESOLUTION
from mncost.text import escape_controls, quote

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


def _plain(value: str, what: str = "a name") -> str:
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
        return _plain(value)


class _ConvFields(LayerBase):
    stride: Pair = 1
    """Stride, one number or [height, width]."""
    padding: Padding = "same"
    """same (output side ceil(input / stride), TensorFlow's rule), valid, or explicit
    pixels per side (PyTorch's padding)."""
    dilation: Pair = 1
    """Dilation of the kernel (1: none)."""
    batch_norm: bool = True
    """Batch norm follows the conv."""
    bias: bool | None = None
    """The conv has a bias; omitted: it has one exactly when it has no batch norm."""
    act: Activation = "relu"
    """Activation after the conv (and its batch norm); counts 0 mult-adds."""


class Conv(_ConvFields):
    """A convolution: full (groups 1), grouped, or depthwise (groups: depthwise)."""

    kind: Literal["conv"] = "conv"
    kernel: Pair
    """Kernel size D_K, one number (3 for 3x3) or [height, width] ([1, 7])."""
    filters: Count | Literal["classes"] | None = None
    """Output channels N at width multiplier 1, or classes: the number of classes (a
    classifier conv, as in SqueezeNet)."""
    expansion: Annotated[int, Field(gt=0, le=64)] | None = None
    """Instead of filters: output channels = this times the input channels (MobileNet
    V3's last conv, 6 x 160)."""
    per_class: Annotated[int, Field(ge=1, le=1024)] = 1
    """With filters: classes, this many output channels per class (a detector's class
    predictor: one score per class for each of its anchors per location)."""
    groups: Size | Literal["depthwise"] = 1
    """Channel groups: 1 (a full conv), a number that divides the input and output
    channels, or depthwise (one group per input channel)."""
    scale: Scale = "alpha"
    """How the filters follow alpha: alpha (scaled), fixed, or up (by max(1, alpha))."""

    @model_validator(mode="after")
    def _one_width(self) -> Any:
        return _one_of_filters_or_expansion(self)


class DepthwiseConv(_ConvFields):
    """A depthwise convolution: one D_K x D_K filter per input channel."""

    kind: Literal["dw"] = "dw"
    kernel: Pair = 3
    """Kernel size D_K."""
    multiplier: Size = 1
    """Depth multiplier: output channels per input channel."""


class PointwiseConv(LayerBase):
    """A 1x1 convolution that mixes channels (the second half of a separable block)."""

    kind: Literal["pw"] = "pw"
    stride: Pair = 1
    """Stride; 1 in every MobileNet."""
    filters: Count | Literal["classes"] | None = None
    """Output channels N at width multiplier 1, or classes: the number of classes."""
    expansion: Annotated[int, Field(gt=0, le=64)] | None = None
    """Instead of filters: output channels = this times the input channels."""
    per_class: Annotated[int, Field(ge=1, le=1024)] = 1
    """With filters: classes, this many output channels per class (a detector's class
    predictor: one score per class for each of its anchors per location)."""
    batch_norm: bool = True
    """Batch norm follows the conv."""
    bias: bool | None = None
    """The conv has a bias; omitted: it has one exactly when it has no batch norm."""
    act: Activation = "relu"
    """Activation after the conv; counts 0 mult-adds."""
    scale: Scale = "alpha"
    """How the filters follow alpha: alpha (scaled), fixed, or up (by max(1, alpha))."""

    @model_validator(mode="after")
    def _one_width(self) -> Any:
        return _one_of_filters_or_expansion(self)


def _one_of_filters_or_expansion(layer: Any) -> Any:
    if layer.filters is not None and layer.expansion is not None:
        raise ValueError("expansion: give filters or expansion, not both")
    if layer.filters is None and layer.expansion is None:
        raise ValueError("filters: Field required (a count, or classes; or give expansion)")
    if layer.per_class != 1 and layer.filters != "classes":
        raise ValueError("per_class: only with filters: classes")
    return layer


class _PoolFields(LayerBase):
    size: Literal["global"] | Size | None = None
    """The simple form: global (the whole map to 1x1), or a square window whose stride
    is its size, with the partial window at the edge kept. Omit it to use kernel,
    stride, padding and ceil_mode, or output."""
    kernel: Pair | None = None
    """Window size (PyTorch's kernel_size)."""
    stride: Pair | None = None
    """Stride; omitted: the kernel size (as in PyTorch)."""
    padding: Padding = 0
    """Padding: explicit pixels per side (default 0), same or valid."""
    ceil_mode: bool = False
    """Round the output side up instead of down (PyTorch's ceil_mode)."""
    output: Pair | None = None
    """Adaptive pooling to this output size (PyTorch's AdaptiveAvgPool2d((7, 7)))."""

    @model_validator(mode="after")
    def _one_form(self) -> Any:
        forms = [self.size is not None, self.kernel is not None, self.output is not None]
        if sum(forms) > 1:
            raise ValueError("give one of size, kernel or output")
        return self


class AvgPool(_PoolFields):
    """Average pooling (global unless a window or an output size is given)."""

    kind: Literal["avgpool"] = "avgpool"


class MaxPool(_PoolFields):
    """Max pooling (a window, an adaptive output size, or global)."""

    kind: Literal["maxpool"] = "maxpool"


class FullyConnected(LayerBase):
    """A fully connected (dense) layer over the flattened input."""

    kind: Literal["fc"] = "fc"
    units: Count | None = None
    """Output units; omitted (null) means the architecture's number of classes."""
    bias: bool = True
    """The layer has a bias (``--no-fc-bias`` leaves it out of the count)."""
    act: Activation = "none"
    """Activation after the layer (a hidden fc); counts 0 mult-adds."""
    scale: Scale = "fixed"
    """How units follow alpha: fixed (the default: a classifier), alpha, or up."""


class Softmax(LayerBase):
    """The softmax classifier: no weights, no mult-adds."""

    kind: Literal["softmax"] = "softmax"


class BatchNorm(LayerBase):
    """A batch norm on its own, not right after a conv: DenseNet's and pre-activation
    ResNet's BN-ReLU before a conv, or a batch norm after a join. Its parameters count
    under ``--bn`` (2 or 4 per channel), its mult-adds are 0."""

    kind: Literal["bn"] = "bn"
    act: Activation = "none"
    """Activation after it; counts 0 mult-adds."""


class Elementwise(LayerBase):
    """An activation (or another element-wise op) on its own, where it cannot ride on the
    layer before (an imported graph's activation whose input another layer also reads).
    0 mult-adds, no parameters; its output is a tensor of its own in the memory count."""

    kind: Literal["act"] = "act"
    act: Activation
    """Which activation."""


class ChannelScale(LayerBase):
    """A learned per-channel scale: each channel of the input multiplied by a weight of its
    own, ``x * weight.view(1, -1, 1, 1)`` (Caffe's Scale layer without bias; the weight
    of torchvision's ``L2Norm`` in SSD300). Its parameters are one per channel of its
    input, so it has no channel count of its own to write: under a width multiplier it
    follows the scaled channels. 0 mult-adds (an element-wise multiply, as PyTorch's
    FlopCounterMode counts it); its output is a tensor of its own in the memory count,
    as an ``act``'s is."""

    kind: Literal["scale"] = "scale"


class Resize(LayerBase):
    """A resize of the feature map (nearest or bilinear upsampling; an ONNX Resize or
    Upsample): 0 mult-adds and no parameters, as PyTorch's FlopCounterMode counts
    interpolation; the channels stay."""

    kind: Literal["resize"] = "resize"
    scale: Pair | None = None
    """Each side times this whole number (2: twice the height and width), one number or
    [height, width]."""
    output: Annotated[list[Side], Field(min_length=2, max_length=2)] | Side | None = None
    """Instead of scale: this output size, one side or [height, width], whatever the
    input's (an adaptive pool that enlarges a small map exports as this)."""
    like: str | None = Field(default=None, min_length=1, max_length=400)
    """Instead of scale: the size of the earlier layer named here (its full name), or of
    ``input``, the network's input (a segmenter's decoder: up to the low-level features,
    then to the image)."""
    mode: Literal["nearest", "bilinear"] = "nearest"
    """How values are interpolated (the same cost: 0 MACs)."""

    @model_validator(mode="after")
    def _one_size(self) -> Any:
        if sum(v is not None for v in (self.scale, self.output, self.like)) != 1:
            raise ValueError(
                "give one of scale (a whole factor), output (a size) or like (a layer's size)"
            )
        return self


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
        return _plain(value)

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
        return _plain(value, "the description")

    @model_validator(mode="after")
    def _names_unique(self) -> "Architecture":
        _walk_names([(f"layers[{i}]", layer) for i, layer in enumerate(self.layers)])
        return self
