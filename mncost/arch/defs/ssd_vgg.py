"""SSD300 on VGG 16 (Liu et al. 2016, arXiv:1512.02325), as torchvision builds it.

torchvision.models.detection.ssd300_vgg16 (detection/ssd.py: ``_vgg_extractor``,
``SSDFeatureExtractorVGG``, ``SSDHead``; models/vgg.py: ``vgg16().features``,
configuration "D"), for its COCO weights (``SSD300_VGG16_Weights.COCO_V1``, 91 classes,
300x300; the paper's Figure 2):

- the backbone is VGG 16's convs to conv5_3: 3x3 convs with bias, stride 1, padding 1,
  ReLU, no batch norm, with 2x2/2 max pools after stages 1 to 4; torchvision sets
  pool3's ``ceil_mode`` (75 to 38 at 300, as the paper's maps) and drops VGG's last
  pool, pool5, for ``MaxPool2d(3, stride=1, padding=1)`` (the map stays 19x19);
- conv6 (the paper's atrous fc6): a 3x3 conv to 1024 at dilation 6, padding 6; conv7
  (fc7): a 1x1 conv to 1024; then four extra blocks, each a 1x1 conv and a 3x3 conv,
  with bias and ReLU: conv8 (1x1 to 256, 3x3 stride 2 padding 1 to 512), conv9 (1x1 to
  128, 3x3 stride 2 padding 1 to 256), conv10 and conv11 (1x1 to 128, 3x3 valid to
  256): the maps are 38, 19, 10, 5, 3 and 1 at 300. The last two 3x3 convs have no
  padding, so an input under 268x268 leaves conv11_2 nothing to convolve: it is refused;
- conv4_3's map is L2-normalised across channels and rescaled by a learned weight per
  channel (``scale_weight * F.normalize(x)``, torchvision's ``scale_weight``: 512
  parameters; the paper's Section 3.1, after ParseNet) before its predictors: the
  ``conv4_3_norm`` head, whose output the first predictors read; the backbone goes on
  from the raw conv4_3;
- ``SSDHead``: on each of the six maps, a 3x3 conv with padding 1 and bias to anchors x
  91 class scores (``SSDClassificationHead``) and one to anchors x 4 box offsets
  (``SSDRegressionHead``); anchors per location are ``2 + 2 * len(ratios)`` of
  ``DefaultBoxGenerator([[2], [2, 3], [2, 3], [2, 3], [2], [2]])``: 4, 6, 6, 6, 4, 4
  (8,732 boxes at 300).

Anchors, box decoding and non-maximum suppression are not MACs (as PyTorch's
FlopCounterMode counts them: they are not convolutions or matrix products), and are not
counted; nor is the L2 normalisation (a reduction over channels, a divide and a multiply:
element-wise, 0 MACs, as FlopCounterMode counts it), written as an element-wise op
(``act: mul``, no parameters). Its 512 weights are a ``scale`` layer after it (a learned
per-channel multiply: 512 parameters, 0 MACs, as FlopCounterMode counts the multiply),
so they count as what they are: ``--classes 0`` keeps them (it drops the class
predictors only) and an ONNX export writes them (a ``Mul`` by a 1 x 512 x 1 x 1 weight,
which ``mncost import`` reads back as a ``scale``). Each of the two writes a tensor of
its own, as in PyTorch (``F.normalize``, then the multiply).

Width: torchvision has no width multiplier for SSD300. As for vgg16, mncost scales
every conv of the backbone and conv6 to conv11 by round(c*alpha), half up; the L2
scale has a weight per channel of conv4_3, so it follows conv4_3's width; the
predictors' outputs (anchors x classes, anchors x 4) stay.
"""

from __future__ import annotations

from mncost.arch import ops
from mncost.arch.defs.vgg import VGG16_STAGES
from mncost.arch.ops import builtin
from mncost.arch.registry import register

__all__ = ["ANCHORS", "ssd300_vgg16"]

_Conv = builtin(ops.Conv)
_MaxPool = builtin(ops.MaxPool)

ANCHORS: tuple[int, ...] = (4, 6, 6, 6, 4, 4)
"""Default boxes per location on each of the six maps: 2 + 2 x the aspect ratios
([2], [2, 3], [2, 3], [2, 3], [2], [2]), DefaultBoxGenerator.num_anchors_per_location."""
MAPS: tuple[str, ...] = ("conv4_3_norm", "conv7", "conv8_2", "conv9_2", "conv10_2", "conv11_2")
"""The layers whose outputs the predictors read, in torchvision's order."""
_BOX_CODE = 4
"""Four box offsets per anchor."""


def _conv(name: str, kernel: int, filters: int, **fields: object) -> ops.Layer:
    return _Conv(name=name, kernel=kernel, filters=filters, batch_norm=False, **fields)


def _backbone() -> list[ops.Layer]:
    """VGG 16 to conv5_3, pool3 in ceil mode, pool5 as 3x3 stride 1, then conv6, conv7."""
    layers: list[ops.Layer] = []
    for stage, widths in enumerate(VGG16_STAGES, start=1):
        layers += [
            _conv(f"conv{stage}_{i}", 3, filters, padding=1)
            for i, filters in enumerate(widths, start=1)
        ]
        if stage == 4:
            layers.append(_l2_norm())
        if stage < 5:
            layers.append(_MaxPool(name=f"pool{stage}", kernel=2, stride=2, ceil_mode=stage == 3))
    layers += [
        _MaxPool(name="pool5", kernel=3, stride=1, padding=1),
        _conv("conv6", 3, 1024, padding=6, dilation=6),
        _conv("conv7", 1, 1024, padding=0),
    ]
    return layers


def _l2_norm() -> ops.Layer:
    """conv4_3's map, L2-normalised (0 params), then rescaled per channel (512 weights,
    0 MACs): torchvision's ``scale_weight.view(1, -1, 1, 1) * F.normalize(x)``."""
    return builtin(ops.Head)(
        name="conv4_3_norm",
        input="conv4_3",
        layers=[
            builtin(ops.Elementwise)(name="normalize", act="mul"),
            builtin(ops.ChannelScale)(name="scale"),
        ],
    )


def _extras() -> list[ops.Layer]:
    """conv8 to conv11: a 1x1 conv, then a 3x3 conv (stride 2 padding 1, or valid)."""
    layers: list[ops.Layer] = []
    for number, (reduce, filters, stride, padding) in enumerate(
        [(256, 512, 2, 1), (128, 256, 2, 1), (128, 256, 1, 0), (128, 256, 1, 0)], start=8
    ):
        layers += [
            _conv(f"conv{number}_1", 1, reduce, padding=0),
            _conv(f"conv{number}_2", 3, filters, stride=stride, padding=padding),
        ]
    return layers


def _predictor(name: str, source: str, outputs: int | str, per_class: int = 1) -> ops.Layer:
    return builtin(ops.Head)(
        name=name,
        input=source,
        layers=[
            _Conv(
                name="conv",
                kernel=3,
                padding=1,
                filters=outputs,
                per_class=per_class,
                batch_norm=False,
                bias=True,
                act="none",
                scale="fixed",
            )
        ],
    )


@register(
    "ssd300-vgg16",
    "SSD300 detection on VGG 16 (300x300 RGB, 91 COCO classes, 4 or 6 anchors per location)",
    "Liu et al. 2016, arXiv:1512.02325, Figure 2; torchvision ssd300_vgg16",
    family="detection",
)
def ssd300_vgg16() -> ops.Architecture:
    """SSD300 on VGG 16, as torchvision builds it for its COCO weights."""
    heads: list[ops.Layer] = []
    for n, (source, anchors) in enumerate(zip(MAPS, ANCHORS, strict=True), start=1):
        heads.append(_predictor(f"cls_{n}", source, "classes", anchors))
        heads.append(_predictor(f"box_{n}", source, _BOX_CODE * anchors))
    return builtin(ops.Architecture)(
        name="ssd300-vgg16",
        description=(
            "SSD300 (Liu et al. 2016, arXiv:1512.02325, Figure 2) on VGG 16, as "
            "torchvision's ssd300_vgg16 builds it for its COCO weights: VGG 16's convs to "
            "conv5_3 (pool3 in ceil mode, pool5 as 3x3 stride 1), conv4_3 L2-normalised "
            "with 512 learned scales, conv6 (3x3 at dilation 6) and conv7 to 1024, four "
            "extra blocks to 512, 256, 256, 256; on the six maps (38, 19, 10, 5, 3, 1 at "
            "300) 3x3 class and box predictors, 4, 6, 6, 6, 4, 4 anchors per location, 91 "
            "classes; no batch norm; anchors, decoding, NMS and the L2 normalisation not "
            "counted (0 MACs)"
        ),
        input_channels=3,
        resolution=300,
        classes=91,
        width=builtin(ops.WidthSpec)(rule="round"),
        layers=[*_backbone(), *_extras(), *heads],
    )
