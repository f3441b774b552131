"""MobileNet V3 (Howard et al. 2019, "Searching for MobileNetV3", arXiv:1905.02244).

The bodies are the paper's Table 1 (Large) and Table 2 (Small): one row per inverted
residual block ("bneck"), with its depthwise kernel, its absolute expanded width ("exp
size"), its output channels, squeeze-and-excite or not, its activation (RE: ReLU, HS:
h-swish) and its stride. Around each body, as torchvision builds it
(torchvision/models/mobilenetv3.py):

- a 3x3 stem conv with 16 filters at stride 2, batch norm and h-swish;
- a 1x1 conv to 6 x the last block's channels (torchvision's ``6 *
  lastconv_input_channels``: 960 for Large, 576 for Small), batch norm and h-swish;
- global average pooling, a hidden fully connected layer with bias and h-swish (1280
  units for Large, 1024 for Small, scaled by the width multiplier), and the fc to the
  classes.

A block's squeeze-and-excite sits after its depthwise conv: squeeze channels
make_divisible(expanded // 4, 8), 1x1 convs with bias, ReLU inside, a hard-sigmoid gate.
A block has no 1x1 expansion when its expanded width equals its input's, and adds its
input back when its stride is 1 and its width is unchanged.

Width: every channel count, the expanded widths and the hidden fc included, is
make_divisible(c * alpha, 8), as in torchvision; the last conv is 6 x the last block's
scaled width.

TF-slim, whose released checkpoints below width 1 are the published ones, scales
otherwise (the rule and the lines it comes from are quoted above :func:`_layers`): each
expansion follows its block's scaled input (``expanded_scale="input"``), the last conv is
960 (576) filters scaled by alpha, and the hidden layer keeps 1280 (1024) units. The
``-slim`` models are that layout, built from the same tables; at alpha 1 they have the
same layer sizes as the torchvision ones.

The "minimalistic" models (TF-slim's V3_LARGE_MINIMALISTIC and V3_SMALL_MINIMALISTIC in
research/slim/nets/mobilenet/mobilenet_v3.py) are transforms of these specs, not copies:
the same layer sizes, no squeeze-and-excite, ReLU wherever there was h-swish, and 3x3
depthwise kernels in place of 5x5 (:func:`minimalistic`).
"""

from __future__ import annotations

from typing import Literal

from mncost.arch import ops
from mncost.arch.ops import builtin
from mncost.arch.registry import get_model, register

__all__ = [
    "LARGE_SETTING",
    "SMALL_SETTING",
    "Bneck",
    "Layout",
    "minimalistic",
    "mobilenet_v3_large",
    "mobilenet_v3_large_minimalistic",
    "mobilenet_v3_large_slim",
    "mobilenet_v3_small",
    "mobilenet_v3_small_minimalistic",
    "mobilenet_v3_small_slim",
]

_Conv = builtin(ops.Conv)
_PW = builtin(ops.PointwiseConv)
_FC = builtin(ops.FullyConnected)
_Block = builtin(ops.InvertedResidual)

Bneck = tuple[int, int, int, bool, Literal["relu", "hswish"], int]
"""One row of the paper's tables: (kernel, exp size, out channels, SE, activation, stride)."""

_RE: Literal["relu"] = "relu"
_HS: Literal["hswish"] = "hswish"

LARGE_SETTING: list[Bneck] = [
    # k, exp, out, SE,  NL,  s      (Howard et al. 2019, Table 1)
    (3, 16, 16, False, _RE, 1),
    (3, 64, 24, False, _RE, 2),
    (3, 72, 24, False, _RE, 1),
    (5, 72, 40, True, _RE, 2),
    (5, 120, 40, True, _RE, 1),
    (5, 120, 40, True, _RE, 1),
    (3, 240, 80, False, _HS, 2),
    (3, 200, 80, False, _HS, 1),
    (3, 184, 80, False, _HS, 1),
    (3, 184, 80, False, _HS, 1),
    (3, 480, 112, True, _HS, 1),
    (3, 672, 112, True, _HS, 1),
    (5, 672, 160, True, _HS, 2),
    (5, 960, 160, True, _HS, 1),
    (5, 960, 160, True, _HS, 1),
]
"""MobileNetV3-Large's 15 bottleneck blocks."""

SMALL_SETTING: list[Bneck] = [
    # k, exp, out, SE,  NL,  s      (Howard et al. 2019, Table 2)
    (3, 16, 16, True, _RE, 2),
    (3, 72, 24, False, _RE, 2),
    (3, 88, 24, False, _RE, 1),
    (5, 96, 40, True, _HS, 2),
    (5, 240, 40, True, _HS, 1),
    (5, 240, 40, True, _HS, 1),
    (5, 120, 48, True, _HS, 1),
    (5, 144, 48, True, _HS, 1),
    (5, 288, 96, True, _HS, 2),
    (5, 576, 96, True, _HS, 1),
    (5, 576, 96, True, _HS, 1),
]
"""MobileNetV3-Small's 11 bottleneck blocks."""


Layout = Literal["torchvision", "tf-slim"]
"""How the layer sizes follow the width multiplier (the same at alpha 1)."""

# TF-slim's width rule, read from tensorflow/models research/slim/nets/mobilenet/
# (mobilenet_v3.py at commit 03cdc5fe, conv_blocks.py at 10cf1c0a, mobilenet.py at
# 0ba83cf0, the commit of the README whose V3 table mncost packages):
#
#   mobilenet_v3.py   expand_input = ops.expand_input_by_factor
#                     def mbv3_op(ef, n, k, s=1, act=tf.nn.relu, se=None, **kwargs):
#                       return op(ops.expanded_conv, expansion_size=expand_input(ef), ...
#                     mbv3_op(ef=4, n=24, k=3, s=2), ... mbv3_op(ef=184/80., n=80, ...)
#                     op(slim.conv2d, stride=1, kernel_size=[1, 1], num_outputs=960,
#                        activation_fn=hard_swish),
#                     op(reduce_to_1x1, default_size=7, stride=1, padding='VALID'),
#                     op(slim.conv2d, stride=1, kernel_size=[1, 1], num_outputs=1280,
#                        normalizer_fn=None, activation_fn=hard_swish)
#                     if finegrain_classification_mode:
#                       conv_defs['spec'][-1] = conv_defs['spec'][-1]._replace(
#                           multiplier_func=lambda params, multiplier: params)
#   conv_blocks.py    def expand_input_by_factor(n, divisible_by=8):
#                       return lambda num_inputs, **_: _make_divisible(num_inputs * n,
#                                                                      divisible_by)
#                     if inner_size > net.shape[3]:  (else no expansion conv)
#                     squeeze_channels = _make_divisible(
#                         input_channels / squeeze_factor, divisor=divisible_by)
#   mobilenet.py      def depth_multiplier(output_params, multiplier, divisible_by=8,
#                                          min_depth=8, **unused_kwargs):
#                       output_params['num_outputs'] = _make_divisible(
#                           d * multiplier, divisible_by, min_depth)
#
# So under depth_multiplier alpha: every op's num_outputs (stem, block outputs, the 960
# or 576 last conv) is make_divisible(n * alpha, 8) with min_depth 8; each expansion is
# make_divisible(scaled input * ef, 8), where ef is the exp size over the block's input at
# width 1 (4 = 64/16, 184/80, 72/16 ...), not the exp size times alpha; the squeeze width
# is make_divisible(expanded / 4, 8) of that expansion (the same as torchvision's
# expanded // 4: expansions are multiples of 8); and the hidden 1x1 conv, the spec's last
# op, keeps its 1280 (Large) or 1024 (Small) units under finegrain_classification_mode.
# The released 0.75 checkpoints were built that way: timm's tf_mobilenetv3_large_075 and
# tf_mobilenetv3_small_075, ported from them, keep num_features = 1280 and 1024
# (huggingface/pytorch-image-models timm/models/mobilenetv3.py, _gen_mobilenet_v3), as
# does Keras' MobileNetV3 below width 1 ("if alpha > 1.0: last_point_ch =
# _depth(last_point_ch * alpha)", Keras' applications/mobilenet_v3.py), and the README's
# 4.0 M params for Large 0.75 count a 1280-unit hidden layer (3.4 M with 960).


def _layers(setting: list[Bneck], hidden: int, last: int, layout: Layout) -> list[ops.Layer]:
    slim = layout == "tf-slim"
    layers: list[ops.Layer] = [
        _Conv(name="conv_0", kernel=3, stride=2, filters=16, act="hswish")]
    for number, (kernel, expanded, filters, se, act, stride) in enumerate(setting, start=1):
        block = {"expanded_scale": "input"} if slim else {}
        layers.append(_Block(name=f"block_{number}", expanded=expanded, kernel=kernel,
                             stride=stride, filters=filters, se=se, act=act, **block))
    layers += [
        # TF-slim: num_outputs=960 (576) scaled by alpha. torchvision: 6 *
        # lastconv_input_channels, i.e. 6 x the last block's scaled width. The same at
        # alpha 1 and 0.75, not everywhere (Large at 0.53: 512 in TF-slim, 528 here).
        _PW(name="conv_last", filters=last, act="hswish") if slim
        else _PW(name="conv_last", expansion=6, act="hswish"),
        builtin(ops.AvgPool)(name="avgpool"),
        # torchvision scales the hidden layer with the blocks (adjust_channels(1280));
        # TF-slim's released checkpoints keep it (finegrain_classification_mode).
        _FC(name="fc_hidden", units=hidden, scale="fixed" if slim else "alpha", act="hswish"),
        _FC(name="fc"),
        builtin(ops.Softmax)(name="softmax"),
    ]
    return layers


def _architecture(name: str, description: str, layers: list[ops.Layer]) -> ops.Architecture:
    return builtin(ops.Architecture)(
        name=name, description=description, input_channels=3, resolution=224,
        classes=1000, width=builtin(ops.WidthSpec)(rule="make_divisible", divisor=8),
        layers=layers)


def _plain_act(act: ops.Activation) -> ops.Activation:
    return "relu" if act == "hswish" else act


def _minimal_layer(layer: ops.Layer) -> ops.Layer:
    # TF-slim's minimalistic defs: the same sizes; no SE, no h-swish, no 5x5 kernels.
    if isinstance(layer, ops.InvertedResidual):
        kernel = layer.kernel
        return layer.model_copy(update={
            "se": False, "act": _plain_act(layer.act),
            "kernel": [3 if side == 5 else side for side in kernel]
            if isinstance(kernel, list) else 3 if kernel == 5 else kernel})
    if isinstance(layer, (ops.Conv, ops.PointwiseConv, ops.FullyConnected)):
        return layer.model_copy(update={"act": _plain_act(layer.act)})
    return layer


def minimalistic(arch: ops.Architecture, name: str, description: str) -> ops.Architecture:
    """``arch`` with every squeeze-and-excite removed, h-swish replaced by ReLU and 5x5
    depthwise kernels replaced by 3x3 (TF-slim's "minimalistic" MobileNet V3)."""
    return arch.model_copy(update={
        "name": name, "description": description,
        "layers": [_minimal_layer(layer) for layer in arch.layers]})


def _description(size: str, table: str, last: int, hidden: int, factors: str) -> str:
    # Where torchvision, TF-slim and the paper differ (read from their code and text).
    return (
        f"MobileNetV3-{size} (Howard et al. 2019, arXiv:1905.02244, {table}) as torchvision "
        "builds it: widths make_divisible(c*alpha, 8), each exp size scaled the same way, "
        f"the last conv 6 x the last block's width ({last} at alpha 1), a hidden fc of "
        f"{hidden}*alpha units with h-swish. Where the sources differ: the squeeze-and-"
        "excite width is make_divisible(exp // 4, 8) in torchvision and TF-slim, where the "
        "paper gives a quarter of the expansion layer's channels (72 channels: 18 there, "
        "24 here); the hidden layer is an fc in torchvision, a 1x1 conv without batch norm "
        "on the pooled map in the paper and TF-slim (the same cost); TF-slim's classifier "
        "has 1001 classes (one for background). At alpha 1 torchvision's and TF-slim's "
        "layer sizes are the same. Under a width multiplier TF-slim "
        "(research/slim/nets/mobilenet/mobilenet_v3.py) "
        "sizes each expansion from its block's scaled input, make_divisible(input x "
        f"factor, 8) with factors {factors}, its last conv make_divisible({last}*alpha, "
        f"8), and its released checkpoints keep the hidden layer at {hidden}: "
        f"mobilenet-v3-{size.lower()}-slim counts that layout"
    )


def _slim_description(size: str, table: str, last: int, hidden: int, factors: str) -> str:
    return (
        f"MobileNetV3-{size} (Howard et al. 2019, arXiv:1905.02244, {table}) as TF-slim "
        "builds it under a width multiplier (research/slim/nets/mobilenet/mobilenet_v3.py; "
        "the layout of its released 0.75 checkpoint, and of Keras' and timm's 0.75 "
        "models): the stem, each block's output and the last conv "
        f"({last} at alpha 1) make_divisible(c*alpha, 8); each expansion "
        "make_divisible(the block's scaled input x its factor, 8), the factors "
        f"{factors} (exp size / input at alpha 1) where torchvision scales each exp size "
        "by alpha; squeeze-and-excite make_divisible(exp / 4, 8) of that expansion; the "
        f"hidden layer kept at {hidden} units at every alpha (finegrain_classification_"
        f"mode), where torchvision scales it. At alpha 1 the layer sizes of "
        f"mobilenet-v3-{size.lower()}; counted with 1000 classes (TF-slim's classifier "
        "has 1001, one for background)"
    )


_LARGE_FACTORS = "1, 4, 3, 3, 3, 3, 6, 2.5, 184/80, 184/80, 6, 6, 6, 6, 6"
_SMALL_FACTORS = "1, 72/16, 88/24, 4, 6, 6, 3, 3, 6, 6, 6"
_LARGE_DESCRIPTION = _description("Large", "Table 1", 960, 1280, _LARGE_FACTORS)
_SMALL_DESCRIPTION = _description("Small", "Table 2", 576, 1024, _SMALL_FACTORS)


@register(
    "mobilenet-v3-large",
    "MobileNetV3-Large: bottlenecks with SE and h-swish (224x224 RGB, 1000 classes)",
    "Howard et al. 2019, arXiv:1905.02244, Table 1",
    family="mobilenet_v3",
)
def mobilenet_v3_large() -> ops.Architecture:
    """MobileNetV3-Large as torchvision builds it."""
    return _architecture("mobilenet-v3-large", _LARGE_DESCRIPTION,
                         _layers(LARGE_SETTING, hidden=1280, last=960, layout="torchvision"))


@register(
    "mobilenet-v3-small",
    "MobileNetV3-Small: bottlenecks with SE and h-swish (224x224 RGB, 1000 classes)",
    "Howard et al. 2019, arXiv:1905.02244, Table 2",
    family="mobilenet_v3",
)
def mobilenet_v3_small() -> ops.Architecture:
    """MobileNetV3-Small as torchvision builds it."""
    return _architecture("mobilenet-v3-small", _SMALL_DESCRIPTION,
                         _layers(SMALL_SETTING, hidden=1024, last=576, layout="torchvision"))


@register(
    "mobilenet-v3-large-slim",
    "MobileNetV3-Large under TF-slim's width rule: expansions from each block's scaled "
    "input, the hidden layer kept at 1280",
    "Howard et al. 2019, arXiv:1905.02244, Table 1, with TF-slim's width multiplier",
    family="mobilenet_v3",
)
def mobilenet_v3_large_slim() -> ops.Architecture:
    """MobileNetV3-Large as TF-slim builds it below and above width 1."""
    return _architecture(
        "mobilenet-v3-large-slim",
        _slim_description("Large", "Table 1", 960, 1280, _LARGE_FACTORS),
        _layers(LARGE_SETTING, hidden=1280, last=960, layout="tf-slim"))


@register(
    "mobilenet-v3-small-slim",
    "MobileNetV3-Small under TF-slim's width rule: expansions from each block's scaled "
    "input, the hidden layer kept at 1024",
    "Howard et al. 2019, arXiv:1905.02244, Table 2, with TF-slim's width multiplier",
    family="mobilenet_v3",
)
def mobilenet_v3_small_slim() -> ops.Architecture:
    """MobileNetV3-Small as TF-slim builds it below and above width 1."""
    return _architecture(
        "mobilenet-v3-small-slim",
        _slim_description("Small", "Table 2", 576, 1024, _SMALL_FACTORS),
        _layers(SMALL_SETTING, hidden=1024, last=576, layout="tf-slim"))


@register(
    "mobilenet-v3-large-minimalistic",
    "MobileNetV3-Large minimalistic: no SE, ReLU only, 3x3 depthwise kernels",
    "TF-slim mobilenet_v3.py, V3_LARGE_MINIMALISTIC (Howard et al. 2019)",
    family="mobilenet_v3",
)
def mobilenet_v3_large_minimalistic() -> ops.Architecture:
    """mobilenet-v3-large without SE, h-swish or 5x5 kernels."""
    return minimalistic(
        get_model("mobilenet-v3-large"), "mobilenet-v3-large-minimalistic",
        "MobileNetV3-Large minimalistic (TF-slim's V3_LARGE_MINIMALISTIC): the layer sizes "
        "of mobilenet-v3-large with no squeeze-and-excite, ReLU in place of h-swish and 3x3 "
        "depthwise kernels in place of 5x5; not in the paper's tables or in torchvision")


@register(
    "mobilenet-v3-small-minimalistic",
    "MobileNetV3-Small minimalistic: no SE, ReLU only, 3x3 depthwise kernels",
    "TF-slim mobilenet_v3.py, V3_SMALL_MINIMALISTIC (Howard et al. 2019)",
    family="mobilenet_v3",
)
def mobilenet_v3_small_minimalistic() -> ops.Architecture:
    """mobilenet-v3-small without SE, h-swish or 5x5 kernels."""
    return minimalistic(
        get_model("mobilenet-v3-small"), "mobilenet-v3-small-minimalistic",
        "MobileNetV3-Small minimalistic (TF-slim's V3_SMALL_MINIMALISTIC): the layer sizes "
        "of mobilenet-v3-small with no squeeze-and-excite, ReLU in place of h-swish and 3x3 "
        "depthwise kernels in place of 5x5; not in the paper's tables or in torchvision")
