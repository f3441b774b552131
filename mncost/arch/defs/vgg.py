"""VGG 16 (Simonyan and Zisserman 2014, configuration D), in torchvision's layout.

The body is the paper's Table 1, column D: five stages of 3x3 convs (stride 1, padding
1, so each keeps its map), each stage closed by a 2x2 max pool with stride 2. Then
torchvision's adaptive average pool to 7x7 (at 224x224 the map is already 7x7, so it
changes nothing there; it lets other resolutions reach the same 25,088-feature fc), two
hidden fully connected layers of 4096 units with ReLU, and the classifier. There is no
batch norm (torchvision's vgg16, not vgg16_bn): every conv carries a bias. Dropout costs
nothing and is not written.

Names follow the paper's stages (``conv3_2``: the second conv of stage 3) and the
Caffe model's ``fc6``..``fc8``; torchvision numbers its modules instead
(``features.0``.., ``classifier.6``).

Width: torchvision has no width multiplier for VGG. mncost's rule is round(c*alpha),
half up, on every conv and both hidden fcs, never on the classes.
"""

from __future__ import annotations

from mncost.arch import ops
from mncost.arch.ops import builtin
from mncost.arch.registry import register

__all__ = ["VGG16_STAGES", "vgg16"]

_Conv = builtin(ops.Conv)
_MaxPool = builtin(ops.MaxPool)
_FC = builtin(ops.FullyConnected)

VGG16_STAGES: list[list[int]] = [
    # filters of each 3x3 conv, stage by stage (Simonyan and Zisserman 2014, Table 1, D)
    [64, 64],
    [128, 128],
    [256, 256, 256],
    [512, 512, 512],
    [512, 512, 512],
]
"""Each stage: the 3x3 convs' filters, in order; a 2x2/2 max pool follows every stage."""


def _body() -> list[ops.Layer]:
    layers: list[ops.Layer] = []
    for stage, widths in enumerate(VGG16_STAGES, start=1):
        layers += [_Conv(name=f"conv{stage}_{i}", kernel=3, padding=1, filters=filters,
                         batch_norm=False)
                   for i, filters in enumerate(widths, start=1)]
        layers.append(_MaxPool(name=f"pool{stage}", kernel=2, stride=2))
    layers += [
        builtin(ops.AvgPool)(name="avgpool", output=[7, 7]),
        _FC(name="fc6", units=4096, act="relu", scale="alpha"),
        _FC(name="fc7", units=4096, act="relu", scale="alpha"),
        _FC(name="fc8"),
    ]
    return layers


@register(
    "vgg16",
    "VGG 16 (configuration D), as torchvision builds it (224x224 RGB, 1000 classes)",
    "Simonyan and Zisserman 2014, arXiv:1409.1556, Table 1 (D)",
    family="vgg",
)
def vgg16() -> ops.Architecture:
    """VGG 16 as torchvision's ``vgg16`` builds it (no batch norm)."""
    return builtin(ops.Architecture)(
        name="vgg16",
        description="VGG 16 (Simonyan and Zisserman 2014, arXiv:1409.1556, Table 1, "
                    "configuration D) as torchvision's vgg16: thirteen 3x3 convs with "
                    "bias and no batch norm, 2x2/2 max pools, an adaptive average pool to "
                    "7x7 (torchvision's addition; a no-op at 224x224, where it is the "
                    "paper's network), fc 4096, fc 4096 and the classifier. torchvision "
                    "has no width multiplier: mncost scales every conv and both hidden "
                    "fcs by round(c*alpha), never the classes",
        input_channels=3, resolution=224, classes=1000,
        width=builtin(ops.WidthSpec)(rule="round"),
        layers=_body(),
    )
