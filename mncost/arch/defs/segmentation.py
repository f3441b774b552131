"""Segmentation on MobileNets: LR-ASPP and DeepLabV3 on MobileNetV3-Large, as torchvision
builds them.

DeepLabV3 (torchvision deeplabv3.py, fcn.py): the same dilated backbone; DeepLabHead on
the last conv (ASPP: a 1x1 branch, 3x3 branches at dilation 12, 24, 36 and image pooling,
256 channels each, concatenated and projected to 256; a 3x3 conv; a 1x1 classifier) and
FCNHead on block 4 as the auxiliary classifier (3x3 conv to 40 // 4 = 10, a 1x1
classifier), which torchvision runs in eval mode too: it is a second output here, not a
training-only ``aux``. Its documented 11,029,328 params include it.

torchvision.models.segmentation.lraspp_mobilenet_v3_large (lraspp.py, mobilenetv3.py):

- the backbone is ``mobilenet_v3_large(dilated=True)``'s features: its last stage (blocks
  13 to 15, 160 channels) runs at dilation 2, and block 13's depthwise conv at stride 1
  instead of 2 (``stride = 1 if cnf.dilation > 1 else cnf.stride``), so the features
  stay at 1/16 of the input; then the 960-channel last conv. No classifier;
- the head reads two of them (``stage_indices[-4]`` and ``[-1]``): "low", the output of
  block 4 (40 channels at 1/8), and "high", the last conv's (960 channels);
- ``LRASPPHead``: cbr = 1x1 conv 960 -> 128, batch norm, ReLU; scale = global average
  pool, 1x1 conv 960 -> 128 without bias, sigmoid; x = cbr * scale, upsampled
  (bilinear) to low's size; out = low_classifier(low) (1x1 conv 40 -> classes, bias) +
  high_classifier(x) (1x1 conv 128 -> classes, bias); upsampled (bilinear) to the input.

The upsamplings cost 0 MACs, as PyTorch's FlopCounterMode counts interpolation. Under a
width multiplier the backbone scales as mobilenet-v3-large does; the head's 128 inner
channels and its classifiers stay (torchvision's ``inter_channels`` is fixed).
"""

from __future__ import annotations

from mncost.arch import ops
from mncost.arch.defs.mobilenet_v3 import LARGE_SETTING
from mncost.arch.ops import builtin
from mncost.arch.registry import register

_Conv = builtin(ops.Conv)
_PW = builtin(ops.PointwiseConv)
_Block = builtin(ops.InvertedResidual)


def _dilated_large() -> list[ops.Layer]:
    layers: list[ops.Layer] = [_Conv(name="conv_0", kernel=3, stride=2, filters=16, act="hswish")]
    for number, (kernel, expanded, filters, se, act, stride) in enumerate(LARGE_SETTING, start=1):
        dilation = 2 if number >= 13 else 1
        layers.append(
            _Block(
                name=f"block_{number}",
                expanded=expanded,
                kernel=kernel,
                stride=1 if dilation > 1 else stride,
                dilation=dilation,
                filters=filters,
                se=se,
                act=act,
            )
        )
    layers.append(_PW(name="conv_last", expansion=6, act="hswish"))
    return layers


def _lraspp_head() -> ops.Layer:
    fixed = "fixed"
    return builtin(ops.Head)(
        name="head",
        input="conv_last",
        layers=[
            _PW(name="cbr", filters=128, act="relu", scale=fixed),
            builtin(ops.Head)(
                name="scale",
                input="conv_last",
                layers=[
                    builtin(ops.AvgPool)(name="pool"),
                    _PW(
                        name="conv",
                        filters=128,
                        batch_norm=False,
                        bias=False,
                        act="sigmoid",
                        scale=fixed,
                    ),
                ],
            ),
            builtin(ops.Join)(name="gated", mode="mul", others=["head.scale"]),
            builtin(ops.Resize)(name="up", like="block_4", mode="bilinear"),
            _PW(
                name="high_classifier",
                filters="classes",
                batch_norm=False,
                bias=True,
                act="none",
            ),
            builtin(ops.Head)(
                name="low",
                input="block_4",
                layers=[
                    _PW(
                        name="low_classifier",
                        filters="classes",
                        batch_norm=False,
                        bias=True,
                        act="none",
                    )
                ],
            ),
            builtin(ops.Join)(name="add", mode="add", others=["head.low"]),
            builtin(ops.Resize)(name="out", like="input", mode="bilinear"),
        ],
    )


@register(
    "lraspp-mobilenet-v3-large",
    "LR-ASPP segmentation on a dilated MobileNetV3-Large (520x520 RGB, 21 VOC classes)",
    "Howard et al. 2019, arXiv:1905.02244, Section 6.3; torchvision lraspp_mobilenet_v3_large",
    family="segmentation",
)
def lraspp_mobilenet_v3_large() -> ops.Architecture:
    """LR-ASPP on MobileNetV3-Large, as torchvision builds it."""
    return builtin(ops.Architecture)(
        name="lraspp-mobilenet-v3-large",
        description=(
            "LR-ASPP (Howard et al. 2019, arXiv:1905.02244, Section 6.3) on a dilated "
            "MobileNetV3-Large, as torchvision's lraspp_mobilenet_v3_large builds it: the "
            "last stage at dilation 2 and stride 1 (features at 1/16), a head on block 4 "
            "(1/8) and the last conv, bilinear upsampling (0 MACs); 21 classes (VOC), "
            "evaluated at 520x520"
        ),
        input_channels=3,
        resolution=520,
        classes=21,
        width=builtin(ops.WidthSpec)(rule="make_divisible", divisor=8),
        layers=[*_dilated_large(), _lraspp_head()],
    )


def _deeplab_heads() -> list[ops.Layer]:
    fixed = "fixed"

    def cbr(name: str, filters: int, kernel: int = 1, dilation: int = 1) -> ops.Layer:
        return _Conv(
            name=name, kernel=kernel, dilation=dilation, filters=filters, act="relu", scale=fixed
        )

    aspp = builtin(ops.Concat)(
        name="aspp",
        branches=[
            [cbr("b0", 256)],
            [cbr("b1", 256, 3, 12)],
            [cbr("b2", 256, 3, 24)],
            [cbr("b3", 256, 3, 36)],
            [
                builtin(ops.AvgPool)(name="pool"),
                cbr("pool_conv", 256),
                builtin(ops.Resize)(name="up", like="conv_last", mode="bilinear"),
            ],
        ],
    )
    classifier = builtin(ops.Head)(
        name="classifier",
        input="conv_last",
        layers=[
            aspp,
            cbr("project", 256),
            cbr("conv", 256, 3),
            _Conv(
                name="logits", kernel=1, filters="classes", batch_norm=False, bias=True, act="none"
            ),
            builtin(ops.Resize)(name="out", like="input", mode="bilinear"),
        ],
    )
    aux = builtin(ops.Head)(
        name="aux_classifier",
        input="block_4",
        layers=[
            cbr("conv", 10, 3),  # FCNHead: inter_channels = 40 // 4
            _Conv(
                name="logits", kernel=1, filters="classes", batch_norm=False, bias=True, act="none"
            ),
            builtin(ops.Resize)(name="out", like="input", mode="bilinear"),
        ],
    )
    return [classifier, aux]


@register(
    "deeplabv3-mobilenet-v3-large",
    "DeepLabV3 segmentation on a dilated MobileNetV3-Large, with its FCN auxiliary head "
    "(520x520 RGB, 21 VOC classes)",
    "Chen et al. 2017, arXiv:1706.05587 (DeepLabV3); torchvision deeplabv3_mobilenet_v3_large",
    family="segmentation",
)
def deeplabv3_mobilenet_v3_large() -> ops.Architecture:
    """DeepLabV3 on MobileNetV3-Large, as torchvision builds it (aux head included)."""
    return builtin(ops.Architecture)(
        name="deeplabv3-mobilenet-v3-large",
        description=(
            "DeepLabV3 (Chen et al. 2017, arXiv:1706.05587) on a dilated MobileNetV3-Large, "
            "as torchvision's deeplabv3_mobilenet_v3_large builds it: ASPP on the last "
            "conv (a 1x1 branch, 3x3 branches at dilation 12, 24 and 36, and image "
            "pooling; 256 channels each, concatenated and projected to 256), a 3x3 conv "
            "and the classifier; the FCN auxiliary head on block 4 (40 -> 10 -> classes), "
            "which torchvision runs at inference too and counts in its figures; bilinear "
            "upsampling to the input (0 MACs); 21 classes (VOC), evaluated at 520x520"
        ),
        input_channels=3,
        resolution=520,
        classes=21,
        width=builtin(ops.WidthSpec)(rule="make_divisible", divisor=8),
        layers=[*_dilated_large(), *_deeplab_heads()],
    )
