"""GoogLeNet (Inception v1): torchvision's layout and the original of Szegedy et al. 2014.

Source: Szegedy et al. 2014, "Going deeper with convolutions", arXiv:1409.4842, Table 1.
Each Inception module is a ``concat`` of four branches on the same input, sized by
Table 1's columns:

- ``1x1``: a 1x1 conv (#1x1);
- ``3x3_reduce`` -> ``3x3``: a 1x1 reduction (#3x3 reduce), then a 3x3 conv (#3x3);
- ``5x5_reduce`` -> ``5x5``: a 1x1 reduction (#5x5 reduce), then a 5x5 conv (#5x5);
- ``pool`` -> ``pool_proj``: a 3x3 max pool at stride 1, then a 1x1 conv (pool proj).

(The layer names are those of the BVLC Caffe model, which are Table 1's column names.)

Two models are built from one builder, so they differ only where stated:

- ``googlenet``: torchvision's ``googlenet``. Every conv is BasicConv2d (conv without
  bias, batch norm, ReLU). Its third branch has a **3x3** conv where the paper has a
  5x5 (a known deviation, pytorch/vision issue 906; the layer keeps the paper's name
  ``5x5``, its filter shape shows the 3x3). The pool after inception4e is 2x2 at stride
  2 (the paper's is 3x3 at stride 2: the same 7x7 map at 224, and at every even side).
  No auxiliary classifiers: torchvision's documented 6,624,904 parameters are counted
  without aux1 and aux2, which it drops when it loads the pretrained weights.
- ``googlenet-paper``: the original. Convs have a bias and no batch norm (the BVLC
  Caffe model), 5x5 in the third branch, 3x3 max pools at stride 2 throughout. The two
  local response normalisation layers (after the first pool and after the 3x3 conv)
  have no weights and count no mult-adds, so they are not written. No auxiliary
  classifiers: Table 1's totals (6.8 M parameters, 1.5 G operations) and the MobileNets
  paper's Table 8 (1550 M mult-adds, 6.8 M parameters) leave them out too.

In both, every max pool rounds its output up (PyTorch's ``ceil_mode=True``, Caffe's
rule), and the final 7x7 average pool is global (the whole 7x7 map at 224; global at
any other resolution). Dropout has no cost and is not written.

Width: torchvision has no width multiplier for GoogLeNet. mncost scales every conv's
filters by round(c * alpha), half up (MobileNet v1's rule), and never the classifier.
"""

from __future__ import annotations

from dataclasses import dataclass

from mncost.arch import ops
from mncost.arch.ops import builtin
from mncost.arch.registry import register

__all__ = ["INCEPTION_SETTING", "googlenet", "googlenet_paper"]

_Conv = builtin(ops.Conv)
_MaxPool = builtin(ops.MaxPool)
_Concat = builtin(ops.Concat)

_SOURCE = "Szegedy et al. 2014, arXiv:1409.4842, Table 1"

INCEPTION_SETTING: dict[str, tuple[int, int, int, int, int, int]] = {
    # name          #1x1  #3x3 reduce  #3x3  #5x5 reduce  #5x5  pool proj   (Table 1)
    "inception3a": (64, 96, 128, 16, 32, 32),
    "inception3b": (128, 128, 192, 32, 96, 64),
    "inception4a": (192, 96, 208, 16, 48, 64),
    "inception4b": (160, 112, 224, 24, 64, 64),
    "inception4c": (128, 128, 256, 24, 64, 64),
    "inception4d": (112, 144, 288, 32, 64, 64),
    "inception4e": (256, 160, 320, 32, 128, 128),
    "inception5a": (256, 160, 320, 32, 128, 128),
    "inception5b": (384, 192, 384, 48, 128, 128),
}
"""Each Inception module's filters, in Table 1's column order (the same in torchvision)."""


@dataclass(frozen=True)
class _Layout:
    """Where torchvision's GoogLeNet and the paper's differ."""

    batch_norm: bool
    """BasicConv2d (conv, batch norm, ReLU; no bias) or the paper's conv with a bias."""
    third_kernel: int
    """The kernel of the third branch's second conv: 5 (the paper) or 3 (torchvision)."""
    maxpool4: int
    """The window of the pool after inception4e (stride 2): 3 (the paper) or 2."""
    softmax: bool
    """End with a softmax row (the paper's Table 1 has one; torchvision returns logits)."""


_TORCHVISION = _Layout(batch_norm=True, third_kernel=3, maxpool4=2, softmax=False)
_PAPER = _Layout(batch_norm=False, third_kernel=5, maxpool4=3, softmax=True)


def _inception(name: str, layout: _Layout) -> ops.Concat:
    n1x1, n3x3red, n3x3, n5x5red, n5x5, pool_proj = INCEPTION_SETTING[name]
    k = layout.third_kernel

    def conv(part: str, filters: int, kernel: int = 1) -> ops.Conv:
        # Odd kernels at stride 1 padded by kernel // 2 keep the map (torchvision, Caffe).
        return _Conv(name=part, kernel=kernel, filters=filters, padding=kernel // 2,
                     batch_norm=layout.batch_norm)

    return _Concat(name=name, branches=[
        [conv("1x1", n1x1)],
        [conv("3x3_reduce", n3x3red), conv("3x3", n3x3, 3)],
        [conv("5x5_reduce", n5x5red), conv("5x5", n5x5, k)],
        [_MaxPool(name="pool", kernel=3, stride=1, padding=1, ceil_mode=True),
         conv("pool_proj", pool_proj)],
    ])


def _maxpool(name: str, kernel: int = 3) -> ops.MaxPool:
    return _MaxPool(name=name, kernel=kernel, stride=2, ceil_mode=True)


def _body(layout: _Layout) -> list[ops.Layer]:
    bn = layout.batch_norm
    layers: list[ops.Layer] = [
        # Table 1 row                                                  output at 224
        _Conv(name="conv1", kernel=7, stride=2, padding=3, filters=64,
              batch_norm=bn),                                        # 112x112x64
        _maxpool("maxpool1"),                                        # 56x56x64
        _Conv(name="conv2", kernel=1, filters=64, batch_norm=bn),    # 56x56x64 (3x3 reduce)
        _Conv(name="conv3", kernel=3, padding=1, filters=192,
              batch_norm=bn),                                        # 56x56x192
        _maxpool("maxpool2"),                                        # 28x28x192
        _inception("inception3a", layout),                           # 28x28x256
        _inception("inception3b", layout),                           # 28x28x480
        _maxpool("maxpool3"),                                        # 14x14x480
        _inception("inception4a", layout),                           # 14x14x512
        _inception("inception4b", layout),                           # 14x14x512
        _inception("inception4c", layout),                           # 14x14x512
        _inception("inception4d", layout),                           # 14x14x528
        _inception("inception4e", layout),                           # 14x14x832
        _maxpool("maxpool4", layout.maxpool4),                       # 7x7x832
        _inception("inception5a", layout),                           # 7x7x832
        _inception("inception5b", layout),                           # 7x7x1024
        builtin(ops.AvgPool)(name="avgpool"),                        # 1x1x1024
        builtin(ops.FullyConnected)(name="fc"),                      # 1x1x1000
    ]
    if layout.softmax:
        layers.append(builtin(ops.Softmax)(name="softmax"))
    return layers


def _architecture(name: str, description: str, layout: _Layout) -> ops.Architecture:
    return builtin(ops.Architecture)(
        name=name, description=description, input_channels=3, resolution=224,
        classes=1000, width=builtin(ops.WidthSpec)(rule="round"), layers=_body(layout))


@register(
    "googlenet",
    "GoogLeNet (Inception v1) as torchvision builds it, without auxiliary classifiers "
    "(224x224 RGB, 1000 classes)",
    f"{_SOURCE}; torchvision googlenet",
    family="googlenet",
)
def googlenet() -> ops.Architecture:
    """torchvision's GoogLeNet: BasicConv2d everywhere, 3x3 in the third branch."""
    return _architecture(
        "googlenet",
        "GoogLeNet (Szegedy et al. 2014, arXiv:1409.4842, Table 1) in torchvision's "
        "layout: conv + batch norm + ReLU (no conv bias), max pools with ceil_mode, no "
        "auxiliary classifiers (as torchvision's 6,624,904 params). Differs from the "
        "paper: a 3x3 conv where the Inception module's third branch has a 5x5 (the "
        "layer keeps the name 5x5), batch norm, and a 2x2 pool after inception4e "
        "(the paper's is 3x3/2); see googlenet-paper. Channels round(c*alpha), not "
        "the classes",
        _TORCHVISION)


@register(
    "googlenet-paper",
    "GoogLeNet as published: 5x5 branch convs with bias, no batch norm, no auxiliary "
    "classifiers (224x224 RGB, 1000 classes)",
    _SOURCE,
    family="googlenet",
)
def googlenet_paper() -> ops.Architecture:
    """The original GoogLeNet of Table 1 (the model the MobileNets paper's Table 8 cites)."""
    return _architecture(
        "googlenet-paper",
        "GoogLeNet as published (Szegedy et al. 2014, arXiv:1409.4842, Table 1; the "
        "BVLC Caffe model): convs with bias and no batch norm, a 5x5 conv in the third "
        "branch, 3x3/2 max pools rounding up, no auxiliary classifiers (as Table 1's "
        "totals); the LRN layers cost nothing and are left out. torchvision's googlenet "
        "differs: 3x3 in the third branch, batch norm, 2x2 pool after inception4e. "
        "Channels round(c*alpha), not the classes",
        _PAPER)
