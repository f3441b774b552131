"""Inception V3 (Szegedy et al. 2016), in torchvision's layout, with and without its
auxiliary classifier.

Source: Szegedy et al. 2016, "Rethinking the Inception Architecture for Computer
Vision", arXiv:1512.00567, Table 1 and Figures 5-7. torchvision's ``inception_v3`` is a
port of Google's released TensorFlow model, and mncost follows it module by module, with
its names (``Mixed_6b.branch7x7_2``). Every conv is BasicConv2d: a conv without bias,
batch norm and ReLU. The modules, in torchvision's terms:

- the stem: 3x3 convs and 3x3/2 max pools without padding (``valid``), and a 1x1 conv;
- ``Mixed_5b``..``Mixed_5d`` (35x35, InceptionA): 1x1; 1x1 -> 5x5; 1x1 -> 3x3 -> 3x3;
  3x3 average pool -> 1x1;
- ``Mixed_6a`` (InceptionB, the 35 -> 17 grid reduction): a 3x3/2 conv, 1x1 -> 3x3 ->
  3x3/2, and a 3x3/2 max pool, all without padding;
- ``Mixed_6b``..``Mixed_6e`` (17x17, InceptionC, Figure 6): the 7x7 convs factored into
  1x7 and 7x1 convs, padded [0, 3] and [3, 0] to keep the map;
- ``AuxLogits`` (on Mixed_6e's output): the auxiliary classifier, an ``aux`` head: its
  parameters count, as in torchvision's documented total, and it costs no mult-adds at
  inference, where it does not run;
- ``Mixed_7a`` (InceptionD, the 17 -> 8 grid reduction);
- ``Mixed_7b``, ``Mixed_7c`` (8x8, InceptionE, Figure 7): branches that split into a
  1x3 and a 3x1 conv and concatenate both, a concat inside a concat;
- a global average pool and the classifier (dropout has no cost and is not written).

Where torchvision (and Google's released model) differ from the paper: the paper's
Table 1 gives the stem as convs of 32, 32, 64, then 80 (3x3/1), 192 (3x3/2) and 288
(3x3/1) filters, but the model has a 1x1 conv of 80, a 3x3 conv of 192 and a max pool;
and the 35x35 modules keep a 1x1 -> 5x5 branch beside the two stacked 3x3 convs that
the paper's Figure 5 puts in place of the 5x5.

Auxiliary head: torchvision pools Mixed_6e's 17x17 map with a 5x5 window at stride 3
to 5x5 before the head's 5x5 conv. mncost pools adaptively to 5x5 instead: the same
map at 299, and the head's parameters, which are all it costs, do not depend on the
resolution; the fixed window would make the model fail at every resolution below 299
(Mixed_6e is 12x12 at 224: 3x3 after the pool, too small for the 5x5 conv), although
the head never runs at inference.

Width: torchvision has no width multiplier for Inception V3. mncost scales every conv's
filters by round(c * alpha), half up (MobileNet v1's rule), and never the classes.
"""

from __future__ import annotations

from mncost.arch import ops
from mncost.arch.ops import builtin
from mncost.arch.registry import get_model, register

__all__ = ["inception_v3", "inception_v3_no_aux", "without_aux"]

_Concat = builtin(ops.Concat)
_AvgPool = builtin(ops.AvgPool)
_MaxPool = builtin(ops.MaxPool)

_SOURCE = "Szegedy et al. 2016, arXiv:1512.00567, Table 1"

_Kernel = int | list[int]
_Padding = int | list[int] | str


def _conv(name: str, filters: int, kernel: _Kernel, stride: int = 1,
          padding: _Padding = 0) -> ops.Conv:
    # torchvision's BasicConv2d: conv (no bias), batch norm, ReLU: the Conv defaults.
    return builtin(ops.Conv)(name=name, kernel=kernel, stride=stride, padding=padding,
                             filters=filters)


def _avgpool_3x3(name: str = "pool") -> ops.AvgPool:
    # The pooling branch of InceptionA, C and E: 3x3 average pool keeping the map.
    return _AvgPool(name=name, kernel=3, stride=1, padding=1)


def _maxpool_3x3_s2(name: str = "pool") -> ops.MaxPool:
    return _MaxPool(name=name, kernel=3, stride=2)


def _inception_a(name: str, pool_features: int) -> ops.Concat:
    """35x35 module (Mixed_5b..5d)."""
    return _Concat(name=name, branches=[
        [_conv("branch1x1", 64, 1)],
        [_conv("branch5x5_1", 48, 1), _conv("branch5x5_2", 64, 5, padding=2)],
        [_conv("branch3x3dbl_1", 64, 1), _conv("branch3x3dbl_2", 96, 3, padding=1),
         _conv("branch3x3dbl_3", 96, 3, padding=1)],
        [_avgpool_3x3(), _conv("branch_pool", pool_features, 1)],
    ])


def _inception_b(name: str) -> ops.Concat:
    """35 -> 17 grid reduction (Mixed_6a)."""
    return _Concat(name=name, branches=[
        [_conv("branch3x3", 384, 3, stride=2, padding="valid")],
        [_conv("branch3x3dbl_1", 64, 1), _conv("branch3x3dbl_2", 96, 3, padding=1),
         _conv("branch3x3dbl_3", 96, 3, stride=2, padding="valid")],
        [_maxpool_3x3_s2()],
    ])


def _inception_c(name: str, c7: int) -> ops.Concat:
    """17x17 module with factored 7x7 convs (Mixed_6b..6e); c7: the inner width."""
    return _Concat(name=name, branches=[
        [_conv("branch1x1", 192, 1)],
        [_conv("branch7x7_1", c7, 1),
         _conv("branch7x7_2", c7, [1, 7], padding=[0, 3]),
         _conv("branch7x7_3", 192, [7, 1], padding=[3, 0])],
        [_conv("branch7x7dbl_1", c7, 1),
         _conv("branch7x7dbl_2", c7, [7, 1], padding=[3, 0]),
         _conv("branch7x7dbl_3", c7, [1, 7], padding=[0, 3]),
         _conv("branch7x7dbl_4", c7, [7, 1], padding=[3, 0]),
         _conv("branch7x7dbl_5", 192, [1, 7], padding=[0, 3])],
        [_avgpool_3x3(), _conv("branch_pool", 192, 1)],
    ])


def _inception_d(name: str) -> ops.Concat:
    """17 -> 8 grid reduction (Mixed_7a)."""
    return _Concat(name=name, branches=[
        [_conv("branch3x3_1", 192, 1), _conv("branch3x3_2", 320, 3, stride=2, padding="valid")],
        [_conv("branch7x7x3_1", 192, 1),
         _conv("branch7x7x3_2", 192, [1, 7], padding=[0, 3]),
         _conv("branch7x7x3_3", 192, [7, 1], padding=[3, 0]),
         _conv("branch7x7x3_4", 192, 3, stride=2, padding="valid")],
        [_maxpool_3x3_s2()],
    ])


def _split_1x3_3x1(name: str, prefix: str) -> ops.Concat:
    # InceptionE's expanded filter bank: a 1x3 and a 3x1 conv side by side, concatenated.
    return _Concat(name=name, branches=[
        [_conv(f"{prefix}a", 384, [1, 3], padding=[0, 1])],
        [_conv(f"{prefix}b", 384, [3, 1], padding=[1, 0])],
    ])


def _inception_e(name: str) -> ops.Concat:
    """8x8 module with expanded filter banks (Mixed_7b, 7c)."""
    return _Concat(name=name, branches=[
        [_conv("branch1x1", 320, 1)],
        [_conv("branch3x3_1", 384, 1), _split_1x3_3x1("branch3x3", "branch3x3_2")],
        [_conv("branch3x3dbl_1", 448, 1), _conv("branch3x3dbl_2", 384, 3, padding=1),
         _split_1x3_3x1("branch3x3dbl", "branch3x3dbl_3")],
        [_avgpool_3x3(), _conv("branch_pool", 192, 1)],
    ])


def _aux_logits() -> ops.Aux:
    """The auxiliary classifier on Mixed_6e (torchvision's InceptionAux)."""
    return builtin(ops.Aux)(name="AuxLogits", layers=[
        _AvgPool(name="pool", output=5),        # torchvision: 5x5/3, 17x17 -> 5x5 at 299
        _conv("conv0", 128, 1),
        _conv("conv1", 768, 5, padding="valid"),  # 5x5 -> 1x1
        _AvgPool(name="avgpool"),
        builtin(ops.FullyConnected)(name="fc"),
    ])


def _body() -> list[ops.Layer]:
    return [
        # torchvision's name                                       output at 299
        _conv("Conv2d_1a_3x3", 32, 3, stride=2, padding="valid"),  # 149x149x32
        _conv("Conv2d_2a_3x3", 32, 3, padding="valid"),            # 147x147x32
        _conv("Conv2d_2b_3x3", 64, 3, padding=1),                  # 147x147x64
        _maxpool_3x3_s2("maxpool1"),                               # 73x73x64
        _conv("Conv2d_3b_1x1", 80, 1),                             # 73x73x80
        _conv("Conv2d_4a_3x3", 192, 3, padding="valid"),           # 71x71x192
        _maxpool_3x3_s2("maxpool2"),                               # 35x35x192
        _inception_a("Mixed_5b", pool_features=32),                # 35x35x256
        _inception_a("Mixed_5c", pool_features=64),                # 35x35x288
        _inception_a("Mixed_5d", pool_features=64),                # 35x35x288
        _inception_b("Mixed_6a"),                                  # 17x17x768
        _inception_c("Mixed_6b", c7=128),                          # 17x17x768
        _inception_c("Mixed_6c", c7=160),                          # 17x17x768
        _inception_c("Mixed_6d", c7=160),                          # 17x17x768
        _inception_c("Mixed_6e", c7=192),                          # 17x17x768
        _aux_logits(),                                             # (training only)
        _inception_d("Mixed_7a"),                                  # 8x8x1280
        _inception_e("Mixed_7b"),                                  # 8x8x2048
        _inception_e("Mixed_7c"),                                  # 8x8x2048
        _AvgPool(name="avgpool"),                                  # 1x1x2048
        builtin(ops.FullyConnected)(name="fc"),                    # 1x1x1000
    ]


def without_aux(layers: list[ops.Layer]) -> list[ops.Layer]:
    """``layers`` without their top-level auxiliary heads (there must be one)."""
    kept: list[ops.Layer] = [layer for layer in layers if not isinstance(layer, ops.Aux)]
    if len(kept) == len(layers):
        raise ValueError("the spec has no auxiliary head to remove")
    return kept


_DIFFERS = ("Differs from the paper as Google's released model does: the stem ends in a "
            "1x1 conv of 80, a 3x3 conv of 192 and a max pool where Table 1 has 3x3 convs "
            "of 80, 192 (stride 2) and 288, and the 35x35 modules keep a 5x5 branch beside "
            "Figure 5's two 3x3 convs. Channels round(c*alpha), not the classes")


@register(
    "inception-v3",
    "Inception V3 as torchvision builds it, with its auxiliary classifier (299x299 RGB, "
    "1000 classes)",
    f"{_SOURCE}; torchvision inception_v3",
    family="inception",
)
def inception_v3() -> ops.Architecture:
    """torchvision's inception_v3, AuxLogits included (its documented 27,161,264 params)."""
    return builtin(ops.Architecture)(
        name="inception-v3",
        description="Inception V3 (Szegedy et al. 2016, arXiv:1512.00567) in torchvision's "
                    "layout: conv + batch norm + ReLU, factored 1x7/7x1 and 1x3/3x1 convs, "
                    "with the auxiliary classifier on Mixed_6e (its params count as in "
                    "torchvision's 27,161,264; no mult-adds at inference; pooled "
                    "adaptively to 5x5, torchvision's 5x5/3 window at 299). " + _DIFFERS,
        input_channels=3, resolution=299, classes=1000,
        width=builtin(ops.WidthSpec)(rule="round"),
        layers=_body(),
    )


@register(
    "inception-v3-no-aux",
    "Inception V3 without its auxiliary classifier: the network that runs at inference "
    "(299x299 RGB, 1000 classes)",
    f"{_SOURCE}; torchvision inception_v3 (aux_logits=False)",
    family="inception",
)
def inception_v3_no_aux() -> ops.Architecture:
    """inception-v3 with AuxLogits removed (torchvision's aux_logits=False)."""
    base = get_model("inception-v3")
    return base.model_copy(update={
        "name": "inception-v3-no-aux",
        "description": "Inception V3 (Szegedy et al. 2016, arXiv:1512.00567) in "
                       "torchvision's layout without the auxiliary classifier "
                       "(torchvision's aux_logits=False): inception-v3 with AuxLogits "
                       "removed. " + _DIFFERS,
        "layers": without_aux(list(base.layers)),
    })
