"""MobileNet V3 (Howard et al. 2019, "Searching for MobileNetV3", arXiv:1905.02244).

The bodies are the paper's Table 1 (Large) and Table 2 (Small): one row per inverted
residual block ("bneck"), with its depthwise kernel, its absolute expanded width ("exp
size"), its output channels, squeeze-and-excite or not, its activation (RE: ReLU, HS:
h-swish) and its stride. Around each body, as torchvision builds it
(torchvision/models/mobilenetv3.py):

- a 3x3 stem conv with 16 filters at stride 2, batch norm and h-swish;
- a 1x1 conv to 6 x the last block's channels (torchvision's ``6 *
  lastconv_input_channels``: 960 for Large, 576 for Small), batch norm and h-swish;
- global average pooling, a hidden fully connected layer with bias and h-swish (1280
  units for Large, 1024 for Small, scaled by the width multiplier), and the fc to the
  classes.

A block's squeeze-and-excite sits after its depthwise conv: squeeze channels
make_divisible(expanded // 4, 8), 1x1 convs with bias, ReLU inside, a hard-sigmoid gate.
A block has no 1x1 expansion when its expanded width equals its input's, and adds its
input back when its stride is 1 and its width is unchanged.

Width: every channel count, the expanded widths and the hidden fc included, is
make_divisible(c * alpha, 8), as in torchvision; the last conv is 6 x the last block's
scaled width.

The "minimalistic" models (TF-slim's V3_LARGE_MINIMALISTIC and V3_SMALL_MINIMALISTIC in
research/slim/nets/mobilenet/mobilenet_v3.py) are transforms of these specs, not copies:
the same layer sizes, no squeeze-and-excite, ReLU wherever there was h-swish, and 3x3
depthwise kernels in place of 5x5 (:func:`minimalistic`).
"""

from __future__ import annotations

from typing import Literal

from mncost.arch import ops
from mncost.arch.ops import builtin
from mncost.arch.registry import get_model, register

__all__ = [
    "LARGE_SETTING",
    "SMALL_SETTING",
    "Bneck",
    "minimalistic",
    "mobilenet_v3_large",
    "mobilenet_v3_large_minimalistic",
    "mobilenet_v3_small",
    "mobilenet_v3_small_minimalistic",
]

_Conv = builtin(ops.Conv)
_PW = builtin(ops.PointwiseConv)
_FC = builtin(ops.FullyConnected)
_Block = builtin(ops.InvertedResidual)

Bneck = tuple[int, int, int, bool, Literal["relu", "hswish"], int]
"""One row of the paper's tables: (kernel, exp size, out channels, SE, activation, stride)."""

_RE: Literal["relu"] = "relu"
_HS: Literal["hswish"] = "hswish"

LARGE_SETTING: list[Bneck] = [
    # k, exp, out, SE,  NL,  s      (Howard et al. 2019, Table 1)
    (3, 16, 16, False, _RE, 1),
    (3, 64, 24, False, _RE, 2),
    (3, 72, 24, False, _RE, 1),
    (5, 72, 40, True, _RE, 2),
    (5, 120, 40, True, _RE, 1),
    (5, 120, 40, True, _RE, 1),
    (3, 240, 80, False, _HS, 2),
    (3, 200, 80, False, _HS, 1),
    (3, 184, 80, False, _HS, 1),
    (3, 184, 80, False, _HS, 1),
    (3, 480, 112, True, _HS, 1),
    (3, 672, 112, True, _HS, 1),
    (5, 672, 160, True, _HS, 2),
    (5, 960, 160, True, _HS, 1),
    (5, 960, 160, True, _HS, 1),
]
"""MobileNetV3-Large's 15 bottleneck blocks."""

SMALL_SETTING: list[Bneck] = [
    # k, exp, out, SE,  NL,  s      (Howard et al. 2019, Table 2)
    (3, 16, 16, True, _RE, 2),
    (3, 72, 24, False, _RE, 2),
    (3, 88, 24, False, _RE, 1),
    (5, 96, 40, True, _HS, 2),
    (5, 240, 40, True, _HS, 1),
    (5, 240, 40, True, _HS, 1),
    (5, 120, 48, True, _HS, 1),
    (5, 144, 48, True, _HS, 1),
    (5, 288, 96, True, _HS, 2),
    (5, 576, 96, True, _HS, 1),
    (5, 576, 96, True, _HS, 1),
]
"""MobileNetV3-Small's 11 bottleneck blocks."""


def _layers(setting: list[Bneck], hidden: int) -> list[ops.Layer]:
    layers: list[ops.Layer] = [
        _Conv(name="conv_0", kernel=3, stride=2, filters=16, act="hswish")]
    for number, (kernel, expanded, filters, se, act, stride) in enumerate(setting, start=1):
        layers.append(_Block(name=f"block_{number}", expanded=expanded, kernel=kernel,
                             stride=stride, filters=filters, se=se, act=act))
    layers += [
        # torchvision: 6 * lastconv_input_channels, i.e. 6 x the last block's scaled width.
        _PW(name="conv_last", expansion=6, act="hswish"),
        builtin(ops.AvgPool)(name="avgpool"),
        # torchvision scales the hidden layer with the blocks (adjust_channels(1280)).
        _FC(name="fc_hidden", units=hidden, scale="alpha", act="hswish"),
        _FC(name="fc"),
        builtin(ops.Softmax)(name="softmax"),
    ]
    return layers


def _architecture(name: str, description: str, layers: list[ops.Layer]) -> ops.Architecture:
    return builtin(ops.Architecture)(
        name=name, description=description, input_channels=3, resolution=224,
        classes=1000, width=builtin(ops.WidthSpec)(rule="make_divisible", divisor=8),
        layers=layers)


def _plain_act(act: ops.Activation) -> ops.Activation:
    return "relu" if act == "hswish" else act


def _minimal_layer(layer: ops.Layer) -> ops.Layer:
    # TF-slim's minimalistic defs: the same sizes; no SE, no h-swish, no 5x5 kernels.
    if isinstance(layer, ops.InvertedResidual):
        kernel = layer.kernel
        return layer.model_copy(update={
            "se": False, "act": _plain_act(layer.act),
            "kernel": [3 if side == 5 else side for side in kernel]
            if isinstance(kernel, list) else 3 if kernel == 5 else kernel})
    if isinstance(layer, (ops.Conv, ops.PointwiseConv, ops.FullyConnected)):
        return layer.model_copy(update={"act": _plain_act(layer.act)})
    return layer


def minimalistic(arch: ops.Architecture, name: str, description: str) -> ops.Architecture:
    """``arch`` with every squeeze-and-excite removed, h-swish replaced by ReLU and 5x5
    depthwise kernels replaced by 3x3 (TF-slim's "minimalistic" MobileNet V3)."""
    return arch.model_copy(update={
        "name": name, "description": description,
        "layers": [_minimal_layer(layer) for layer in arch.layers]})


def _description(size: str, table: str, last: int, hidden: int, factors: str) -> str:
    # Where torchvision, TF-slim and the paper differ (read from their code and text).
    return (
        f"MobileNetV3-{size} (Howard et al. 2019, arXiv:1905.02244, {table}) as torchvision "
        "builds it: widths make_divisible(c*alpha, 8), each exp size scaled the same way, "
        f"the last conv 6 x the last block's width ({last} at alpha 1), a hidden fc of "
        f"{hidden}*alpha units with h-swish. Where the sources differ: the squeeze-and-"
        "excite width is make_divisible(exp // 4, 8) in torchvision and TF-slim, where the "
        "paper gives a quarter of the expansion layer's channels (72 channels: 18 there, "
        "24 here); the hidden layer is an fc in torchvision, a 1x1 conv without batch norm "
        "on the pooled map in the paper and TF-slim (the same cost); TF-slim's classifier "
        "has 1001 classes (one for background). At alpha 1 torchvision's and TF-slim's "
        "layer sizes are the same. Under a width multiplier TF-slim "
        "(research/slim/nets/mobilenet/mobilenet_v3.py) "
        "sizes each expansion from its block's scaled input, make_divisible(input x "
        f"factor, 8) with factors {factors}, and its last conv make_divisible({last}*alpha, "
        "8); mncost follows torchvision, so its count of a TF-slim checkpoint below width 1 "
        "differs (the published checkpoints' notes say by how much)"
    )


_LARGE_DESCRIPTION = _description("Large", "Table 1", 960, 1280, "1, 4, 3, 6, 2.5, 184/80")
_SMALL_DESCRIPTION = _description("Small", "Table 2", 576, 1024, "1, 72/16, 88/24, 4, 6, 3")


@register(
    "mobilenet-v3-large",
    "MobileNetV3-Large: bottlenecks with SE and h-swish (224x224 RGB, 1000 classes)",
    "Howard et al. 2019, arXiv:1905.02244, Table 1",
    family="mobilenet_v3",
)
def mobilenet_v3_large() -> ops.Architecture:
    """MobileNetV3-Large as torchvision builds it."""
    return _architecture("mobilenet-v3-large", _LARGE_DESCRIPTION,
                         _layers(LARGE_SETTING, hidden=1280))


@register(
    "mobilenet-v3-small",
    "MobileNetV3-Small: bottlenecks with SE and h-swish (224x224 RGB, 1000 classes)",
    "Howard et al. 2019, arXiv:1905.02244, Table 2",
    family="mobilenet_v3",
)
def mobilenet_v3_small() -> ops.Architecture:
    """MobileNetV3-Small as torchvision builds it."""
    return _architecture("mobilenet-v3-small", _SMALL_DESCRIPTION,
                         _layers(SMALL_SETTING, hidden=1024))


@register(
    "mobilenet-v3-large-minimalistic",
    "MobileNetV3-Large minimalistic: no SE, ReLU only, 3x3 depthwise kernels",
    "TF-slim mobilenet_v3.py, V3_LARGE_MINIMALISTIC (Howard et al. 2019)",
    family="mobilenet_v3",
)
def mobilenet_v3_large_minimalistic() -> ops.Architecture:
    """mobilenet-v3-large without SE, h-swish or 5x5 kernels."""
    return minimalistic(
        get_model("mobilenet-v3-large"), "mobilenet-v3-large-minimalistic",
        "MobileNetV3-Large minimalistic (TF-slim's V3_LARGE_MINIMALISTIC): the layer sizes "
        "of mobilenet-v3-large with no squeeze-and-excite, ReLU in place of h-swish and 3x3 "
        "depthwise kernels in place of 5x5; not in the paper's tables or in torchvision")


@register(
    "mobilenet-v3-small-minimalistic",
    "MobileNetV3-Small minimalistic: no SE, ReLU only, 3x3 depthwise kernels",
    "TF-slim mobilenet_v3.py, V3_SMALL_MINIMALISTIC (Howard et al. 2019)",
    family="mobilenet_v3",
)
def mobilenet_v3_small_minimalistic() -> ops.Architecture:
    """mobilenet-v3-small without SE, h-swish or 5x5 kernels."""
    return minimalistic(
        get_model("mobilenet-v3-small"), "mobilenet-v3-small-minimalistic",
        "MobileNetV3-Small minimalistic (TF-slim's V3_SMALL_MINIMALISTIC): the layer sizes "
        "of mobilenet-v3-small with no squeeze-and-excite, ReLU in place of h-swish and 3x3 "
        "depthwise kernels in place of 5x5; not in the paper's tables or in torchvision")
