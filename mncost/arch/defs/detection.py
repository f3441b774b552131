"""Detection on MobileNets: SSDLite on MobileNetV3-Large, as torchvision builds it.

torchvision.models.detection.ssdlite320_mobilenet_v3_large (ssdlite.py, mobilenetv3.py),
as it is built for its released COCO weights (``weights_backbone`` is then None, so
``reduce_tail`` is true):

- the backbone is MobileNetV3-Large with its tail halved (``reduced_tail``: blocks 13 to
  15 output 80 channels, expanding to 672, 480 and 480; the last conv 6 x 80 = 480);
- the feature maps are block 13's expansion output (672 channels at 1/16: torchvision
  splits that block after its expansion conv), the last conv's (480 at 1/32), and four
  extra blocks on it (``_extra_block``: 1x1 to half the output, 3x3 depthwise at stride
  2, 1x1 to 512, 256, 256, 128; batch norm and ReLU6 after each);
- each of the six maps has a classification and a regression predictor
  (``_prediction_block``: 3x3 depthwise, batch norm, ReLU6, then a 1x1 conv with bias
  to 6 anchors x 91 classes, or 6 x 4 box coordinates).

Anchors, box decoding and non-maximum suppression are not MACs (as PyTorch's
FlopCounterMode counts them: they are not convolutions or matrix products), and are not
counted. Under a width multiplier the backbone scales as mobilenet-v3-large; the extra
blocks and predictors keep their widths (torchvision fixes them).
"""

from __future__ import annotations

from mncost.arch import ops
from mncost.arch.defs.mobilenet_v3 import LARGE_SETTING
from mncost.arch.ops import builtin
from mncost.arch.registry import register

_Conv = builtin(ops.Conv)
_PW = builtin(ops.PointwiseConv)
_DW = builtin(ops.DepthwiseConv)
_Block = builtin(ops.InvertedResidual)

_ANCHORS = 6
"""Default boxes per location on every map (DefaultBoxGenerator([[2, 3]] * 6))."""


def _reduced_large() -> list[ops.Layer]:
    layers: list[ops.Layer] = [_Conv(name="conv_0", kernel=3, stride=2, filters=16, act="hswish")]
    for number, (kernel, expanded, filters, se, act, stride) in enumerate(LARGE_SETTING, start=1):
        if number >= 13:  # reduced_tail: the last stage at half width
            filters = 80
            expanded = 672 if number == 13 else 480
        layers.append(
            _Block(
                name=f"block_{number}",
                expanded=expanded,
                kernel=kernel,
                stride=stride,
                filters=filters,
                se=se,
                act=act,
            )
        )
    layers.append(_PW(name="conv_last", expansion=6, act="hswish"))
    return layers


def _extra(name: str, filters: int) -> ops.Layer:
    fixed = "fixed"
    return builtin(ops.Block)(
        name=name,
        layers=[
            _PW(name="reduce", filters=filters // 2, act="relu6", scale=fixed),
            _DW(name="dw", stride=2, act="relu6"),
            _PW(name="expand", filters=filters, act="relu6", scale=fixed),
        ],
    )


def _predictor(name: str, source: str, outputs: int | str, per_class: int = 1) -> ops.Layer:
    return builtin(ops.Head)(
        name=name,
        input=source,
        layers=[
            _DW(name="dw", act="relu6"),
            _PW(
                name="conv",
                filters=outputs,
                per_class=per_class,
                batch_norm=False,
                bias=True,
                act="none",
                scale="fixed",
            ),
        ],
    )


@register(
    "ssdlite320-mobilenet-v3-large",
    "SSDLite detection on MobileNetV3-Large with a reduced tail (320x320 RGB, 91 COCO "
    "classes, 6 anchors per location)",
    "Sandler et al. 2018, arXiv:1801.04381 (SSDLite); Howard et al. 2019, arXiv:1905.02244, "
    "Section 6.2; torchvision ssdlite320_mobilenet_v3_large",
    family="detection",
)
def ssdlite320_mobilenet_v3_large() -> ops.Architecture:
    """SSDLite on MobileNetV3-Large, as torchvision builds it for its COCO weights."""
    maps = ["block_13.expand", "conv_last", "extra_1", "extra_2", "extra_3", "extra_4"]
    heads: list[ops.Layer] = []
    for n, source in enumerate(maps, start=1):
        heads.append(_predictor(f"cls_{n}", source, "classes", _ANCHORS))
        heads.append(_predictor(f"box_{n}", source, 4 * _ANCHORS))
    return builtin(ops.Architecture)(
        name="ssdlite320-mobilenet-v3-large",
        description=(
            "SSDLite (Sandler et al. 2018; Howard et al. 2019, Section 6.2) on "
            "MobileNetV3-Large with its tail halved, as torchvision's "
            "ssdlite320_mobilenet_v3_large builds it for its COCO weights: six feature "
            "maps (block 13's expansion, the last conv, four extra blocks to 512, 256, "
            "256, 128), each with a depthwise-separable class and box predictor, 6 "
            "anchors per location, 91 classes; anchors, decoding and NMS not counted"
        ),
        input_channels=3,
        resolution=320,
        classes=91,
        width=builtin(ops.WidthSpec)(rule="make_divisible", divisor=8),
        layers=[
            *_reduced_large(),
            _extra("extra_1", 512),
            _extra("extra_2", 256),
            _extra("extra_3", 256),
            _extra("extra_4", 128),
            *heads,
        ],
    )
