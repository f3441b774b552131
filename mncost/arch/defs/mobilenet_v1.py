"""MobileNet v1: the paper's Table 1 body, written as data, one layer per line.

Source: Howard et al. 2017, arXiv:1704.04861, Table 1 ("MobileNet Body Architecture").
Each depthwise separable block is two rows, exactly as Table 1
prints it: ``dw`` (3x3 depthwise, carries the stride) then ``pw`` (1x1 pointwise, sets
the width). Channel counts are at alpha = 1; input sizes are derived, not written.

Misprint: Table 1 prints the 13th depthwise conv (``dw_13`` here) as "Conv dw / s2",
but its input is 7x7x1024 and the next row's input is 7x7x1024 too, so it runs at
stride 1. The paper's own TF code (``conv_ds_14``, no downsample) and TF-slim both use
stride 1; so does mncost. With stride 2 the final feature map would be 4x4, not Table 1's 7x7.
"""

from __future__ import annotations

from mncost.arch import ops as layers
from mncost.arch.ops import builtin
from mncost.arch.registry import register

# Built-in specs are constructed without running pydantic's validator (building it costs
# tens of ms of start-up); tests/test_registry.py puts every registered model through
# the full validator, so a mistake here still fails loudly.
Conv = builtin(layers.Conv)
DW = builtin(layers.DepthwiseConv)
PW = builtin(layers.PointwiseConv)
AvgPool = builtin(layers.AvgPool)
FullyConnected = builtin(layers.FullyConnected)
Softmax = builtin(layers.Softmax)

__all__ = ["mobilenet_v1"]

# Table 1 row                                  Filter shape at alpha = 1, Table 1's input size
_BODY = [
    Conv(name="conv_0", kernel=3, stride=2, filters=32),  # 3x3x3x32       224x224x3
    DW(name="dw_1", stride=1),                            # 3x3x32 dw      112x112x32
    PW(name="pw_1", filters=64),                          # 1x1x32x64      112x112x32
    DW(name="dw_2", stride=2),                            # 3x3x64 dw      112x112x64
    PW(name="pw_2", filters=128),                         # 1x1x64x128     56x56x64
    DW(name="dw_3", stride=1),                            # 3x3x128 dw     56x56x128
    PW(name="pw_3", filters=128),                         # 1x1x128x128    56x56x128
    DW(name="dw_4", stride=2),                            # 3x3x128 dw     56x56x128
    PW(name="pw_4", filters=256),                         # 1x1x128x256    28x28x128
    DW(name="dw_5", stride=1),                            # 3x3x256 dw     28x28x256
    PW(name="pw_5", filters=256),                         # 1x1x256x256    28x28x256
    DW(name="dw_6", stride=2),                            # 3x3x256 dw     28x28x256
    PW(name="pw_6", filters=512),                         # 1x1x256x512    14x14x256
    DW(name="dw_7", stride=1),                            # 5x: 3x3x512 dw 14x14x512
    PW(name="pw_7", filters=512),                         # 5x: 1x1x512x512
    DW(name="dw_8", stride=1),
    PW(name="pw_8", filters=512),
    DW(name="dw_9", stride=1),
    PW(name="pw_9", filters=512),
    DW(name="dw_10", stride=1),
    PW(name="pw_10", filters=512),
    DW(name="dw_11", stride=1),
    PW(name="pw_11", filters=512),
    DW(name="dw_12", stride=2),                           # 3x3x512 dw     14x14x512
    PW(name="pw_12", filters=1024),                       # 1x1x512x1024   7x7x512
    DW(name="dw_13", stride=1),                           # 3x3x1024 dw    7x7x1024 (misprint "s2")
    PW(name="pw_13", filters=1024),                       # 1x1x1024x1024  7x7x1024
    AvgPool(name="avgpool"),                              # Pool 7x7       7x7x1024
    FullyConnected(name="fc"),                            # 1024x1000      1x1x1024
    Softmax(name="softmax"),                              # Classifier     1x1x1000
]


@register(
    "mobilenet-v1",
    "MobileNet v1, the paper's Table 1 body (224x224 RGB, 1000 ImageNet classes)",
    "Howard et al. 2017, arXiv:1704.04861, Table 1",
    family="mobilenet_v1",
)
def mobilenet_v1() -> layers.Architecture:
    """The paper's MobileNet (Table 1), with dw_13 at stride 1."""
    return builtin(layers.Architecture)(
        name="mobilenet-v1",
        description="MobileNet v1 (Howard et al. 2017, arXiv:1704.04861, Table 1; dw_13 at "
                    "stride 1, see docs); channels round(c*alpha), the paper's own rule",
        input_channels=3,
        resolution=224,
        classes=1000,
        layers=_BODY,
    )
