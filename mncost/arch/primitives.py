"""The spec language's primitive layer kinds: each one row of a cost table.

``conv`` (with ``dw`` and ``pw``, its depthwise and 1x1 shorthands), ``avgpool`` and
``maxpool``, ``fc``, ``softmax``, ``bn``, ``act``, ``scale`` and ``resize``: frozen,
strict pydantic models tagged by their ``kind``, with every field documented. None of
them holds other layers; the composite kinds, which do, and the
:data:`~mncost.arch.ops.Layer` union that joins them all are in :mod:`mncost.arch.ops`,
which re-exports these.
"""

# No `from __future__ import annotations` here, as in mncost.arch.ops: pydantic would
# evaluate every field's annotation from its string when each class is created
# (benchmarks/startup.py).

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from mncost.arch.fields import Activation, Count, LayerBase, Padding, Pair, Scale, Side, Size

__all__ = [
    "AvgPool",
    "BatchNorm",
    "ChannelScale",
    "Conv",
    "DepthwiseConv",
    "Elementwise",
    "FullyConnected",
    "MaxPool",
    "PointwiseConv",
    "Resize",
    "Softmax",
]


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
