"""SSD and SSDLite on MobileNet v1 and V2, as the TensorFlow Object Detection API builds them.

The MobileNets paper's "SSD 300 / MobileNet" (Howard et al. 2017, arXiv:1704.04861,
Section 4.6 and Table 13) and the MobileNetV2 paper's SSDLite detectors (Sandler et al.
2018, arXiv:1801.04381, Section 6.2 and Table 6) were built with that API (the paper's
Section 4.6 cites the 2016 COCO challenge work of Huang et al. 2017, arXiv:1611.10012).
Its layout, from tensorflow/models ``research/object_detection``:

- feature extractor (``models/ssd_mobilenet_v1_feature_extractor.py``,
  ``ssd_mobilenet_v2_feature_extractor.py``): six maps. V1: ``Conv2d_11_pointwise`` (512
  channels at 1/16: 19x19 at 300) and ``Conv2d_13_pointwise`` (1024 at 1/32: 10x10),
  mncost's ``pw_11`` and ``pw_13``. V2: ``layer_15/expansion_output`` (the expansion of
  the first 160-channel block, 6 x 96 = 576 channels at 1/16; mncost's
  ``block_14.expand``, TF-slim's layer_N being mncost's block_{N-1}) and ``layer_19``
  (the 1280-channel last conv at 1/32). The classifier is not built;
- four extra layers on the last map, ``layer_depth`` 512, 256, 256, 128
  (``models/feature_map_generators.py``, ``multi_resolution_feature_maps`` with
  ``insert_1x1_conv``): a 1x1 conv to depth / 2, then a 3x3 stride-2 conv to depth (SSD),
  or, with ``use_depthwise`` (SSDLite), a 3x3 stride-2 depthwise conv and a 1x1 conv to
  depth. Batch norm and ReLU6 after each conv, no bias; 'SAME' padding
  (``use_explicit_padding`` false), so the maps are 19, 10, 5, 3, 2, 1 at 300;
- a box predictor per map (``predictors/convolutional_box_predictor.py``,
  ``predictors/heads/box_head.py`` and ``class_head.py``; the sample configs
  ``samples/configs/ssd_mobilenet_v1_coco.config``, ``ssdlite_mobilenet_v1_coco.config``
  and ``ssdlite_mobilenet_v2_coco.config``: ``num_layers_before_predictor`` 0): a conv
  with a bias and no batch norm to anchors x 4 box coordinates, and one to anchors x 91
  class scores (``num_classes`` 90 plus the background slot). SSD's predictor convs are
  1x1 (``kernel_size: 1``); SSDLite's (``kernel_size: 3``, ``use_depthwise``) are a 3x3
  depthwise conv with batch norm and ReLU6, then the 1x1 conv, separately for the box
  and the class predictor;
- anchors per location (``ssd_anchor_generator``, ``num_layers`` 6, five aspect ratios,
  ``reduce_boxes_in_lowest_layer`` by default): 3 on the first map, 6 (five ratios and
  one interpolated scale) on the others: 1,917 boxes at 300.

Width multiplier (``depth_multiplier``, with the configs' ``min_depth`` 16): the
backbone and the extra layers are scaled, the predictors' outputs are not. V1's rule is
TF-slim's ``max(int(c * alpha), 16)`` everywhere (mobilenet_v1's depth and the feature map
generator's ``get_depth_fn`` agree). V2's backbone is ``make_divisible(c * alpha, 8)`` with
a floor of 16 and its last conv scaled too (``finegrain_classification_mode`` is off in
the feature extractor), so it differs from mobilenet-v2's 1280 * max(1, alpha); V2's extra
layers use ``max(int(c * alpha), 16)`` in TensorFlow but make_divisible here (the same
counts whenever c * alpha is a multiple of 8: alpha 1, 0.75, 0.5 and 0.25).

Anchors, box decoding and non-maximum suppression are not MACs (not convolutions or
matrix products) and are not counted.
"""

from __future__ import annotations

from mncost.arch import ops
from mncost.arch.defs.mobilenet_v1 import mobilenet_v1
from mncost.arch.defs.mobilenet_v2 import INVERTED_RESIDUAL_SETTING
from mncost.arch.ops import builtin
from mncost.arch.registry import register

__all__ = [
    "ANCHORS",
    "EXTRA_DEPTHS",
    "ssd300_mobilenet_v1",
    "ssdlite320_mobilenet_v1",
    "ssdlite320_mobilenet_v2",
]

_Conv = builtin(ops.Conv)
_PW = builtin(ops.PointwiseConv)
_DW = builtin(ops.DepthwiseConv)
_Block = builtin(ops.InvertedResidual)

ANCHORS: tuple[int, ...] = (3, 6, 6, 6, 6, 6)
"""Anchors per location on each of the six maps (reduce_boxes_in_lowest_layer)."""
EXTRA_DEPTHS: tuple[int, ...] = (512, 256, 256, 128)
"""The extra layers' ``layer_depth``: each halves the map."""
_BOX_CODE = 4
"""box_code_size: four coordinates per anchor."""


def _v1_body() -> list[ops.Layer]:
    """MobileNet v1 to Conv2d_13_pointwise (pw_13): Table 1 without pool and classifier."""
    convs = (ops.Conv, ops.DepthwiseConv, ops.PointwiseConv)
    return [layer for layer in mobilenet_v1().layers if isinstance(layer, convs)]


def _v2_body() -> list[ops.Layer]:
    """MobileNet V2 to layer_19, the last conv (scaled by alpha, no classifier)."""
    layers: list[ops.Layer] = [_Conv(name="conv_0", kernel=3, stride=2, filters=32, act="relu6")]
    block = 0
    for t, c, n, s in INVERTED_RESIDUAL_SETTING:
        for i in range(n):
            block += 1
            layers.append(
                _Block(name=f"block_{block}", expansion=t, filters=c, stride=s if i == 0 else 1)
            )
    layers.append(_PW(name="conv_last", filters=1280, act="relu6"))
    return layers


def _extra(number: int, depth: int, depthwise: bool) -> ops.Layer:
    """One extra feature layer: 1x1 to depth / 2, then 3x3 stride 2 (full or separable)."""
    reduce = _PW(name="reduce", filters=depth // 2, act="relu6")
    if depthwise:
        rest: list[ops.Layer] = [
            _DW(name="dw", stride=2, act="relu6"),
            _PW(name="expand", filters=depth, act="relu6"),
        ]
    else:
        rest = [_Conv(name="conv", kernel=3, stride=2, filters=depth, act="relu6")]
    return builtin(ops.Block)(name=f"extra_{number}", layers=[reduce, *rest])


def _predictor(name: str, source: str, outputs: int | str, per_class: int, lite: bool) -> ops.Layer:
    """A box or class predictor on the map ``source``: a 1x1 conv with a bias (SSD), or
    a 3x3 depthwise conv with batch norm and ReLU6 before it (SSDLite)."""
    conv = _PW(
        name="conv",
        filters=outputs,
        per_class=per_class,
        batch_norm=False,
        bias=True,
        act="none",
        scale="fixed",
    )
    layers: list[ops.Layer] = [_DW(name="dw", act="relu6"), conv] if lite else [conv]
    return builtin(ops.Head)(name=name, input=source, layers=layers)


def _heads(maps: list[str], lite: bool) -> list[ops.Layer]:
    heads: list[ops.Layer] = []
    for n, (source, anchors) in enumerate(zip(maps, ANCHORS), start=1):
        # Class predictor before box predictor, as in ssdlite320-mobilenet-v3-large: the
        # last weighted op is then no class-sized conv, so no "classifier" is reported.
        heads.append(_predictor(f"cls_{n}", source, "classes", anchors, lite))
        heads.append(_predictor(f"box_{n}", source, _BOX_CODE * anchors, 1, lite))
    return heads


def _detector(
    name: str,
    description: str,
    body: list[ops.Layer],
    maps: list[str],
    lite: bool,
    width: ops.WidthSpec,
    resolution: int,
) -> ops.Architecture:
    extras = [_extra(n, depth, lite) for n, depth in enumerate(EXTRA_DEPTHS, start=1)]
    maps = maps + [f"extra_{n}" for n in range(1, len(EXTRA_DEPTHS) + 1)]
    return builtin(ops.Architecture)(
        name=name,
        description=description,
        input_channels=3,
        resolution=resolution,
        classes=91,
        width=width,
        layers=[*body, *extras, *_heads(maps, lite)],
    )


_TF_OD = "TF Object Detection API"
_V1_WIDTH = builtin(ops.WidthSpec)(rule="floor", min_value=16)
_V2_WIDTH = builtin(ops.WidthSpec)(rule="make_divisible", divisor=8, min_value=16)
_NOT_COUNTED = "anchors, box decoding and NMS not counted"


@register(
    "ssd300-mobilenet-v1",
    "SSD on MobileNet v1 (300x300 RGB, 91 COCO class slots, 1x1 box predictors)",
    "Howard et al. 2017, arXiv:1704.04861, Section 4.6 and Table 13; TF Object Detection "
    "API ssd_mobilenet_v1_coco",
    family="detection",
)
def ssd300_mobilenet_v1() -> ops.Architecture:
    """SSD on MobileNet v1, as the TF Object Detection API builds ssd_mobilenet_v1_coco."""
    return _detector(
        "ssd300-mobilenet-v1",
        "SSD 300 on MobileNet v1 (Howard et al. 2017, arXiv:1704.04861, Section 4.6 and "
        f"Table 13), as the {_TF_OD}'s ssd_mobilenet_v1 builds it: maps pw_11 (19x19 at "
        "300) and pw_13 (10x10), four extra layers (1x1 to half, 3x3 stride 2 to 512, 256, "
        "256, 128), 1x1 box and class predictors with a bias, 3 anchors per location on "
        "the first map and 6 on the others, 91 class slots (90 COCO ids and background); "
        f"channels max(int(c*alpha), 16); {_NOT_COUNTED}",
        _v1_body(),
        ["pw_11", "pw_13"],
        lite=False,
        width=_V1_WIDTH,
        resolution=300,
    )


@register(
    "ssdlite320-mobilenet-v1",
    "SSDLite on MobileNet v1 (320x320 RGB, 91 COCO class slots, separable predictors)",
    "Sandler et al. 2018, arXiv:1801.04381, Section 6.2 and Table 6; TF Object Detection "
    "API ssdlite_mobilenet_v1_coco",
    family="detection",
)
def ssdlite320_mobilenet_v1() -> ops.Architecture:
    """SSDLite on MobileNet v1, as the TF Object Detection API builds
    ssdlite_mobilenet_v1_coco, at the MobileNetV2 paper's 320x320."""
    return _detector(
        "ssdlite320-mobilenet-v1",
        "SSDLite (Sandler et al. 2018, arXiv:1801.04381, Section 6.2 and Table 6) on "
        f"MobileNet v1, as the {_TF_OD}'s ssdlite_mobilenet_v1 builds it: the maps and "
        "extra layers of ssd300-mobilenet-v1 with every 3x3 conv after the backbone "
        "depthwise separable (extra layers: 1x1 to half, 3x3 depthwise stride 2, 1x1 to "
        "512, 256, 256, 128; predictors: 3x3 depthwise, then 1x1 with a bias), 3 and 6 "
        "anchors per location, 91 class slots; evaluated at 320x320, as the paper does "
        f"(the API's sample config: 300x300); channels max(int(c*alpha), 16); {_NOT_COUNTED}",
        _v1_body(),
        ["pw_11", "pw_13"],
        lite=True,
        width=_V1_WIDTH,
        resolution=320,
    )


@register(
    "ssdlite320-mobilenet-v2",
    "SSDLite on MobileNet V2 (320x320 RGB, 91 COCO class slots, separable predictors)",
    "Sandler et al. 2018, arXiv:1801.04381, Section 6.2 and Table 6; TF Object Detection "
    "API ssdlite_mobilenet_v2_coco",
    family="detection",
)
def ssdlite320_mobilenet_v2() -> ops.Architecture:
    """SSDLite on MobileNet V2, as the TF Object Detection API builds
    ssdlite_mobilenet_v2_coco, at the MobileNetV2 paper's 320x320."""
    return _detector(
        "ssdlite320-mobilenet-v2",
        "SSDLite on MobileNet V2 (Sandler et al. 2018, arXiv:1801.04381, Section 6.2 and "
        f"Table 6), as the {_TF_OD}'s ssdlite_mobilenet_v2 builds it: maps block_14.expand "
        "(TF's layer_15/expansion_output, 576 channels at 1/16) and the 1280-channel last "
        "conv (1/32), four extra layers (1x1 to half, 3x3 depthwise stride 2, 1x1 to 512, "
        "256, 256, 128), 3x3 depthwise and 1x1 box and class predictors, 3 and 6 anchors "
        "per location, 91 class slots; evaluated at 320x320, as the paper does (the API's "
        "sample config: 300x300); channels make_divisible(c*alpha, 8), at least 16, the "
        f"last conv too; {_NOT_COUNTED}",
        _v2_body(),
        ["block_14.expand", "conv_last"],
        lite=True,
        width=_V2_WIDTH,
        resolution=320,
    )
