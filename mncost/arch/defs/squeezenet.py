"""SqueezeNet 1.0 and 1.1 (Iandola et al. 2016), in torchvision's layout.

A fire module squeezes its input with a 1x1 conv, then expands it along two parallel
branches, a 1x1 conv and a 3x3 conv (padding 1), whose outputs are concatenated. Here a
fire module is a ``block`` named as in the paper (``fire2``..``fire9``) holding the
``squeeze`` conv and a ``concat`` named ``expand`` with the branches ``1x1`` and ``3x3``,
so torchvision's ``features.3.expand1x1`` reads ``fire2.expand.1x1``.

- ``squeezenet-1.0``: the paper's Table 1: conv1 96 filters of 7x7/2, max pools after
  conv1, fire4 and fire8, fires 2-9.
- ``squeezenet-1.1``: the SqueezeNet repository's v1.1 (forresti/SqueezeNet, "2.4x less
  computation than v1.0"): conv1 64 filters of 3x3/2 and the pools moved earlier, after
  conv1, fire3 and fire5; the fires are the same.

Both end with conv10, a 1x1 conv to the classes (with ReLU), and a global average pool
(torchvision's AdaptiveAvgPool2d((1, 1))); there is no fully connected layer. Every conv
has a bias and no batch norm; max pools are 3x3/2 with ceil_mode, as in Caffe and
torchvision. Dropout costs nothing and is not written.

torchvision follows the original layouts; the one difference is the input size: the
released Caffe models take 227x227 crops (the paper's Table 1 prints 224x224 but
conv1's 111x111 output needs 227), torchvision 224x224, the default here.

Width: neither version has a width multiplier. mncost's rule is round(c*alpha), half
up, on every conv except the classifier conv10 (the classes).
"""

from __future__ import annotations

from typing import Literal

from mncost.arch import ops
from mncost.arch.ops import builtin
from mncost.arch.registry import register

__all__ = ["SQUEEZENET_1_0", "SQUEEZENET_1_1", "squeezenet_1_0", "squeezenet_1_1"]

_Conv = builtin(ops.Conv)

Fire = tuple[int, int, int]
"""A fire module's filters: (squeeze 1x1, expand 1x1, expand 3x3)."""
Item = Fire | Literal["pool"]
"""A fire module, or a 3x3/2 max pool."""

SQUEEZENET_1_0: tuple[tuple[int, int], list[Item]] = (
    # conv1: (filters, kernel); then fire2..fire9 and pools (Iandola et al. 2016, Table 1)
    (96, 7),
    [(16, 64, 64), (16, 64, 64), (32, 128, 128), "pool",
     (32, 128, 128), (48, 192, 192), (48, 192, 192), (64, 256, 256), "pool",
     (64, 256, 256)],
)
"""SqueezeNet 1.0: conv1 (filters, kernel) and the body after its pool."""

SQUEEZENET_1_1: tuple[tuple[int, int], list[Item]] = (
    # conv1: (filters, kernel); the same fires, pools earlier (forresti/SqueezeNet v1.1)
    (64, 3),
    [(16, 64, 64), (16, 64, 64), "pool",
     (32, 128, 128), (32, 128, 128), "pool",
     (48, 192, 192), (48, 192, 192), (64, 256, 256), (64, 256, 256)],
)
"""SqueezeNet 1.1: conv1 (filters, kernel) and the body after its pool."""


def _conv(name: str, filters: int | Literal["classes"], kernel: int, stride: int = 1,
          padding: int = 0) -> ops.Conv:
    # SqueezeNet has no batch norm: each conv has a bias, then ReLU.
    return _Conv(name=name, kernel=kernel, stride=stride, padding=padding, filters=filters,
                 batch_norm=False)


def _pool(name: str) -> ops.MaxPool:
    return builtin(ops.MaxPool)(name=name, kernel=3, stride=2, ceil_mode=True)


def _fire(name: str, squeeze: int, expand1x1: int, expand3x3: int) -> ops.Block:
    return builtin(ops.Block)(name=name, layers=[
        _conv("squeeze", squeeze, kernel=1),
        builtin(ops.Concat)(name="expand", branches=[
            [_conv("1x1", expand1x1, kernel=1)],
            [_conv("3x3", expand3x3, kernel=3, padding=1)],
        ]),
    ])


def _layers(layout: tuple[tuple[int, int], list[Item]]) -> list[ops.Layer]:
    (filters, kernel), body = layout
    layers: list[ops.Layer] = [_conv("conv1", filters, kernel=kernel, stride=2),
                               _pool("pool1")]
    module = 1  # the paper numbers conv1, fire2..fire9, conv10; a pool takes the number
    for item in body:  # of the module before it (maxpool4 follows fire4)
        if isinstance(item, tuple):
            module += 1
            layers.append(_fire(f"fire{module}", *item))
        else:
            layers.append(_pool(f"pool{module}"))
    layers += [
        _conv("conv10", "classes", kernel=1),
        builtin(ops.AvgPool)(name="avgpool10", size="global"),
    ]
    return layers


def _squeezenet(name: str, description: str,
                layout: tuple[tuple[int, int], list[Item]]) -> ops.Architecture:
    return builtin(ops.Architecture)(
        name=name,
        description=description + ". Fire modules: squeeze 1x1, then 1x1 and 3x3 expands "
                    "concatenated; convs with bias, no batch norm; 3x3/2 max pools with "
                    "ceil_mode; the classifier is conv10 (1x1 to the classes) and a global "
                    "average pool. torchvision takes 224x224 (the default), the released "
                    "Caffe models 227x227. No width multiplier in either: mncost scales "
                    "every conv but conv10 by round(c*alpha)",
        input_channels=3, resolution=224, classes=1000,
        width=builtin(ops.WidthSpec)(rule="round"),
        layers=_layers(layout),
    )


@register(
    "squeezenet-1.0",
    "SqueezeNet 1.0: fire modules, conv1 96 of 7x7/2 (224x224 RGB, 1000 classes)",
    "Iandola et al. 2016, arXiv:1602.07360, Table 1",
    family="squeezenet",
)
def squeezenet_1_0() -> ops.Architecture:
    """torchvision's ``squeezenet1_0``: the paper's Table 1."""
    return _squeezenet(
        "squeezenet-1.0",
        "SqueezeNet 1.0 (Iandola et al. 2016, arXiv:1602.07360, Table 1) as torchvision's "
        "squeezenet1_0, the paper's layout: conv1 96 filters of 7x7/2, max pools after conv1, "
        "fire4 and fire8",
        SQUEEZENET_1_0)


@register(
    "squeezenet-1.1",
    "SqueezeNet 1.1: conv1 64 of 3x3/2, pools earlier, 2.4x less computation than 1.0",
    "Iandola et al. 2016, arXiv:1602.07360; v1.1 from github.com/forresti/SqueezeNet",
    family="squeezenet",
)
def squeezenet_1_1() -> ops.Architecture:
    """torchvision's ``squeezenet1_1``: the repository's v1.1."""
    return _squeezenet(
        "squeezenet-1.1",
        "SqueezeNet 1.1 (the SqueezeNet repository's v1.1, github.com/forresti/SqueezeNet; "
        "not in the paper) as torchvision's squeezenet1_1: conv1 64 filters of 3x3/2, max "
        "pools after conv1, fire3 and fire5, the same fire modules as 1.0",
        SQUEEZENET_1_1)
