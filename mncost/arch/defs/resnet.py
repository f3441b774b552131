"""ResNet-18 and ResNet-50 (He et al. 2015), in torchvision's layout.

The paper's Table 1: a 7x7/2 stem conv with 64 filters, a 3x3/2 max pool, four stages
(torchvision's ``layer1``..``layer4``) of residual blocks at 64, 128, 256 and 512
"planes", the first block of stages 2-4 halving the map, a global average pool and the
classifier. Every conv is followed by batch norm and has no bias; a block's body ends
without ReLU, and ReLU follows the add.

- ResNet-18: two basic blocks per stage (3x3 conv, 3x3 conv).
- ResNet-50: 3, 4, 6 and 3 bottleneck blocks (1x1 conv to the planes, 3x3 conv, 1x1 conv
  to 4x the planes). torchvision's bottleneck is "ResNet v1.5": its stride sits on the
  3x3 conv (conv2), where the paper puts it on the first 1x1 conv (conv1). The
  parameters are the same; v1.5 costs more mult-adds (its 3x3 conv runs at the larger
  map): 4,089,184,256 against 3,857,973,248 at 224x224 (the paper's Table 1 prints
  3.8 x 10^9 FLOPs, meaning mult-adds).

A block whose stride is not 1 or whose output width differs from its input's has a
projection shortcut: a 1x1 conv with that stride and batch norm (torchvision's
``downsample``). Names are torchvision's module paths: stage ``layer2``, block ``0``, so
``layer2.0.conv1`` is torchvision's ``layer2[0].conv1`` and ``layer2.0.downsample`` its
``layer2[0].downsample``; the add is ``layer2.0.add``.

Width: torchvision has no width multiplier for these ResNets (its ``wide_resnet`` widens
the bottleneck only). mncost's rule is round(c*alpha), half up, on every conv, never on
the classes.
"""

from __future__ import annotations

from typing import Literal

from mncost.arch import ops
from mncost.arch.ops import builtin
from mncost.arch.registry import register

__all__ = ["RESNET_18", "RESNET_50", "resnet_18", "resnet_50"]

_Conv = builtin(ops.Conv)

BlockKind = Literal["basic", "bottleneck"]

STAGE_PLANES: tuple[int, ...] = (64, 128, 256, 512)
"""Each stage's planes (the paper's Table 1; a bottleneck's output is 4x this)."""

RESNET_18: tuple[BlockKind, tuple[int, ...]] = ("basic", (2, 2, 2, 2))
"""ResNet-18: basic blocks, and how many per stage."""
RESNET_50: tuple[BlockKind, tuple[int, ...]] = ("bottleneck", (3, 4, 6, 3))
"""ResNet-50: bottleneck blocks, and how many per stage."""

_EXPANSION = {"basic": 1, "bottleneck": 4}
"""A block's output width over its planes."""


def _conv(name: str, filters: int, kernel: int, stride: int = 1,
          act: Literal["relu", "none"] = "relu") -> ops.Conv:
    # PyTorch's padding: kernel // 2 keeps the map at stride 1 (conv3x3: 1, conv1x1: 0).
    return _Conv(name=name, kernel=kernel, stride=stride, padding=kernel // 2,
                 filters=filters, act=act)


def _body(kind: BlockKind, planes: int, stride: int) -> list[ops.Layer]:
    if kind == "basic":
        return [_conv("conv1", planes, 3, stride), _conv("conv2", planes, 3, act="none")]
    # v1.5: the stride on the 3x3 conv (the paper's v1 has it on conv1).
    return [_conv("conv1", planes, 1), _conv("conv2", planes, 3, stride),
            _conv("conv3", 4 * planes, 1, act="none")]


def _stages(kind: BlockKind, blocks: tuple[int, ...]) -> list[ops.Layer]:
    width = 64  # the stem's output
    stages: list[ops.Layer] = []
    for stage, (planes, n) in enumerate(zip(STAGE_PLANES, blocks), start=1):
        residuals: list[ops.Layer] = []
        out = planes * _EXPANSION[kind]
        for i in range(n):
            stride = 2 if i == 0 and stage > 1 else 1
            shortcut: list[ops.Layer] = []
            if stride != 1 or width != out:
                shortcut = [_conv("downsample", out, 1, stride, act="none")]
            residuals.append(builtin(ops.Residual)(
                name=str(i), body=_body(kind, planes, stride), shortcut=shortcut, act="relu"))
            width = out
        stages.append(builtin(ops.Block)(name=f"layer{stage}", layers=residuals))
    return stages


def _resnet(name: str, description: str,
            layout: tuple[BlockKind, tuple[int, ...]]) -> ops.Architecture:
    kind, blocks = layout
    return builtin(ops.Architecture)(
        name=name,
        description=description + ". Convs with batch norm and no bias; projection "
                    "shortcuts (1x1 conv + batch norm) where a block changes the map or "
                    "the width; ReLU after each add; global average pool and fc. "
                    "torchvision has no width multiplier for it: mncost scales every conv "
                    "by round(c*alpha), never the classes",
        input_channels=3, resolution=224, classes=1000,
        width=builtin(ops.WidthSpec)(rule="round"),
        layers=[
            _conv("conv1", 64, 7, 2),
            builtin(ops.MaxPool)(name="maxpool", kernel=3, stride=2, padding=1),
            *_stages(kind, blocks),
            builtin(ops.AvgPool)(name="avgpool", size="global"),
            builtin(ops.FullyConnected)(name="fc"),
        ],
    )


@register(
    "resnet-18",
    "ResNet-18: basic residual blocks, 2-2-2-2 (224x224 RGB, 1000 classes)",
    "He et al. 2015, arXiv:1512.03385, Table 1",
    family="resnet",
)
def resnet_18() -> ops.Architecture:
    """torchvision's ``resnet18``: the paper's 18-layer network."""
    return _resnet("resnet-18",
                   "ResNet-18 (He et al. 2015, arXiv:1512.03385, Table 1) as torchvision's "
                   "resnet18, the paper's layout: basic blocks of two 3x3 convs, 2-2-2-2 "
                   "per stage", RESNET_18)


@register(
    "resnet-50",
    "ResNet-50 v1.5: bottleneck blocks, 3-4-6-3 (224x224 RGB, 1000 classes)",
    "He et al. 2015, arXiv:1512.03385, Table 1; torchvision resnet50 (v1.5)",
    family="resnet",
)
def resnet_50() -> ops.Architecture:
    """torchvision's ``resnet50``: the paper's 50-layer network, stride on the 3x3 (v1.5)."""
    return _resnet("resnet-50",
                   "ResNet-50 (He et al. 2015, arXiv:1512.03385, Table 1) as torchvision's "
                   "resnet50: bottleneck blocks (1x1, 3x3, 1x1 to 4x the planes), 3-4-6-3 "
                   "per stage. torchvision's is ResNet v1.5: a downsampling block's stride "
                   "is on its 3x3 conv (conv2), not on its first 1x1 conv as in the paper; "
                   "the parameters are the same, the mult-adds higher (4.09 G; the paper's "
                   "layout has 3.86 G, printed 3.8 x 10^9 FLOPs in its Table 1)", RESNET_50)
