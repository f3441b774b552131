"""MobileNet V2 (Sandler et al. 2018), in the layout of TF-slim and torchvision.

The body is the paper's Table 2: rows of (t, c, n, s), each n inverted-residual blocks
with expansion t and c output channels, the first with stride s and the rest with
stride 1. Around it: a 3x3 stem conv with 32 filters at stride 2, a final 1x1 conv to
1280 channels, global average pooling and the classifier.

Width: channels are scaled by make_divisible(c * alpha, 8) (never rounded down by more
than 10%), and the final conv keeps at least 1280 channels: 1280 * max(1, alpha), as in
TF-slim and torchvision. Every conv is followed by batch norm and ReLU6, except the
blocks' projections, which are linear. A block adds its input when its stride is 1 and
its input and output channels are equal.
"""

from __future__ import annotations

from mncost.arch import ops
from mncost.arch.ops import builtin
from mncost.arch.registry import register

__all__ = ["INVERTED_RESIDUAL_SETTING", "mobilenet_v2"]

_Conv = builtin(ops.Conv)
_PW = builtin(ops.PointwiseConv)
_Block = builtin(ops.InvertedResidual)

INVERTED_RESIDUAL_SETTING: list[tuple[int, int, int, int]] = [
    # t, c,   n, s      (Sandler et al. 2018, Table 2)
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
]
"""Each row: expansion t, output channels c, repeats n, first stride s."""


def _body() -> list[ops.Layer]:
    layers: list[ops.Layer] = [_Conv(name="conv_0", kernel=3, stride=2, filters=32, act="relu6")]
    block = 0
    for t, c, n, s in INVERTED_RESIDUAL_SETTING:
        for i in range(n):
            block += 1
            layers.append(_Block(name=f"block_{block}", expansion=t, filters=c,
                                 stride=s if i == 0 else 1))
    layers += [
        _PW(name="conv_last", filters=1280, scale="up", act="relu6"),
        builtin(ops.AvgPool)(name="avgpool"),
        builtin(ops.FullyConnected)(name="fc"),
        builtin(ops.Softmax)(name="softmax"),
    ]
    return layers


@register(
    "mobilenet-v2",
    "MobileNet V2: inverted residuals and linear bottlenecks (224x224 RGB, 1000 classes)",
    "Sandler et al. 2018, arXiv:1801.04381, Table 2",
    family="mobilenet_v2",
)
def mobilenet_v2() -> ops.Architecture:
    """MobileNet V2 as TF-slim and torchvision build it (make_divisible(8) widths)."""
    return builtin(ops.Architecture)(
        name="mobilenet-v2",
        description="MobileNet V2 (Sandler et al. 2018, arXiv:1801.04381, Table 2), in the "
                    "TF-slim and torchvision layout: widths make_divisible(c*alpha, 8), the "
                    "last conv 1280*max(1, alpha) channels",
        input_channels=3, resolution=224, classes=1000,
        width=builtin(ops.WidthSpec)(rule="make_divisible", divisor=8),
        layers=_body(),
    )
