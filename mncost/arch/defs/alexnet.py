"""AlexNet: torchvision's single-tower net, and the two-tower original of 2012.

Two networks carry the name:

- ``alexnet``: torchvision's, the one users load. One tower of 64-192-384-256-256
  filters (conv1..conv5), the one-GPU layout of Krizhevsky's cuda-convnet2
  (``layers-imagenet-1gpu.cfg``) that "One weird trick" (Krizhevsky 2014,
  arXiv:1404.5997) trained; that paper's footnote prints 64-192-384-384-256, torchvision
  follows the code (pytorch/vision#704). torchvision adds an adaptive average pool to
  6x6 before the classifier (a no-op at 224x224).
- ``alexnet-paper``: the network of Krizhevsky, Sutskever and Hinton 2012 (NIPS,
  Section 3.5 and Figure 2), split over two GPUs. It is written here as one network:
  conv1 96 filters of 11x11x3, conv2 256 of 5x5x48, conv3 384 of 3x3x256, conv4 384 of
  3x3x192, conv5 256 of 3x3x192. A filter that sees only its own tower's maps (conv2,
  conv4, conv5) is a grouped conv with groups=2; conv3 and the fully connected layers
  see both towers. The MobileNets paper's Table 9 ("AlexNet", 60 M parameters) refers to
  this network.

Both: 3x3/2 overlapping max pools after conv1, conv2 and conv5, fc6 and fc7 of 4096
units with ReLU, the classifier, no batch norm (every layer has a bias). Dropout and the
2012 net's local response normalisation cost no mult-adds and have no parameters, and
are not written. The 2012 net has no adaptive pool: at another resolution than 224, its
fc6 takes the map it gets (and its parameter count follows).

Width: neither has a width multiplier. mncost's rule is round(c*alpha), half up, on
every conv and both hidden fcs, never on the classes; for ``alexnet-paper`` an alpha that
leaves a two-tower layer with an odd channel count cannot be split and is refused.
"""

from __future__ import annotations

from mncost.arch import ops
from mncost.arch.ops import builtin
from mncost.arch.registry import register

__all__ = ["alexnet", "alexnet_paper"]

_Conv = builtin(ops.Conv)
_MaxPool = builtin(ops.MaxPool)
_FC = builtin(ops.FullyConnected)


def _conv(name: str, filters: int, kernel: int, stride: int, padding: int,
          groups: int = 1) -> ops.Conv:
    # No batch norm in either AlexNet: each conv has a bias, then ReLU.
    return _Conv(name=name, kernel=kernel, stride=stride, padding=padding, filters=filters,
                 groups=groups, batch_norm=False)


def _pool(name: str) -> ops.MaxPool:
    # Overlapping pooling (Krizhevsky et al. 2012, Section 3.4): 3x3 windows, stride 2.
    return _MaxPool(name=name, kernel=3, stride=2)


def _classifier() -> list[ops.Layer]:
    return [
        _FC(name="fc6", units=4096, act="relu", scale="alpha"),
        _FC(name="fc7", units=4096, act="relu", scale="alpha"),
        _FC(name="fc8"),
    ]


@register(
    "alexnet",
    "AlexNet as torchvision builds it: one tower, 64-192-384-256-256 filters (224x224 RGB)",
    "Krizhevsky 2014, arXiv:1404.5997 (One weird trick); torchvision alexnet",
    family="alexnet",
)
def alexnet() -> ops.Architecture:
    """torchvision's ``alexnet``: the single-tower 64-192-384-256-256 network."""
    return builtin(ops.Architecture)(
        name="alexnet",
        description="AlexNet as torchvision's alexnet: the single-tower 64-192-384-256-256 "
                    "network of cuda-convnet2's one-GPU layout (One weird trick, Krizhevsky "
                    "2014, arXiv:1404.5997), not the two-tower 96-256-384-384-256 network of "
                    "Krizhevsky et al. 2012 (that is alexnet-paper). Convs with bias, no "
                    "batch norm; 3x3/2 max pools; an adaptive average pool to 6x6 "
                    "(torchvision's, a no-op at 224x224); fc 4096, fc 4096, classifier. "
                    "torchvision has no width multiplier: mncost scales every conv and both "
                    "hidden fcs by round(c*alpha), never the classes",
        input_channels=3, resolution=224, classes=1000,
        width=builtin(ops.WidthSpec)(rule="round"),
        layers=[
            _conv("conv1", 64, kernel=11, stride=4, padding=2),
            _pool("pool1"),
            _conv("conv2", 192, kernel=5, stride=1, padding=2),
            _pool("pool2"),
            _conv("conv3", 384, kernel=3, stride=1, padding=1),
            _conv("conv4", 256, kernel=3, stride=1, padding=1),
            _conv("conv5", 256, kernel=3, stride=1, padding=1),
            _pool("pool5"),
            builtin(ops.AvgPool)(name="avgpool", output=[6, 6]),
            *_classifier(),
        ],
    )


@register(
    "alexnet-paper",
    "AlexNet as published in 2012: two towers, 96-256-384-384-256 filters (224x224 RGB)",
    "Krizhevsky, Sutskever and Hinton 2012, NIPS, Section 3.5 and Figure 2",
    family="alexnet",
)
def alexnet_paper() -> ops.Architecture:
    """The 2012 two-tower AlexNet as one network, the towers' split convs as groups=2."""
    return builtin(ops.Architecture)(
        name="alexnet-paper",
        description="AlexNet as Krizhevsky, Sutskever and Hinton 2012 (NIPS) describe it "
                    "(Section 3.5, Figure 2): 96-256-384-384-256 filters over two GPU "
                    "towers, written as one network in which conv2, conv4 and conv5 (which "
                    "see only their own tower) are grouped convs with groups=2; conv3 and the "
                    "fcs see both towers. Input 224x224 and conv1's 55x55 output as printed "
                    "(conv1 padded by 2, as torchvision's; Caffe's copy feeds 227x227 without "
                    "padding, the same counts at the default). Local response normalisation "
                    "costs nothing and is not written. There is no adaptive pool: at another "
                    "resolution fc6 takes the map it gets. No width multiplier in the paper: "
                    "mncost scales every conv and both hidden fcs by round(c*alpha), never "
                    "the classes; an alpha that leaves a split layer an odd channel count is "
                    "refused",
        input_channels=3, resolution=224, classes=1000,
        width=builtin(ops.WidthSpec)(rule="round"),
        layers=[
            _conv("conv1", 96, kernel=11, stride=4, padding=2),
            _pool("pool1"),
            _conv("conv2", 256, kernel=5, stride=1, padding=2, groups=2),
            _pool("pool2"),
            _conv("conv3", 384, kernel=3, stride=1, padding=1),
            _conv("conv4", 384, kernel=3, stride=1, padding=1, groups=2),
            _conv("conv5", 256, kernel=3, stride=1, padding=1, groups=2),
            _pool("pool5"),
            *_classifier(),
        ],
    )
