"""The classic zoo: VGG 16, AlexNet (torchvision's and the 2012 paper's), SqueezeNet 1.0
and 1.1, ResNet-18 and ResNet-50 (issue 10, items 1-3).

Independent sources of the expected figures:

- torchvision's documented counts (the model pages' tables, and the ``num_params`` and
  ``_ops`` of each weights' ``meta`` in torchvision/models/*.py, 0.28.0): parameters
  include batch norm's gamma and beta, so mncost is asked with ``bn="affine"``; "GFLOPS"
  are MACs, printed to 2 decimals in the docs and 3 in ``_ops``.
- Reference networks written here, directly in PyTorch, after torchvision's layouts
  (and the 2012 paper's for AlexNet), measured with ``FlopCounterMode`` (FLOPs = 2 x
  MACs) and their own parameter tensors. They share nothing with mncost: no spec, no
  width rule. They have no width multiplier; at alpha 0.5 every channel count of these
  networks is even, so the references are built with each channel count halved by hand.
- Hand derivations in comments.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from fractions import Fraction
from functools import cache
from typing import Any

import pytest

import mncost
from mncost.arch.registry import get_entry, get_model, list_models
from mncost.cost.conventions import Conventions
from mncost.cost.result import count
from tests.conftest import run_cli

FAMILIES = ("vgg", "alexnet", "squeezenet", "resnet")
"""The families this zoo adds; every model registered under them is tested here."""
NAMES = [entry.name for entry in list_models() if entry.family in FAMILIES]

CLASSIFIER = {
    "vgg16": "fc8",
    "alexnet": "fc8",
    "alexnet-paper": "fc8",
    "squeezenet-1.0": "conv10",
    "squeezenet-1.1": "conv10",
    "resnet-18": "fc",
    "resnet-50": "fc",
}
"""Each model's classifier layer: the only one sized by the classes."""

AFFINE = Conventions(bn="affine")


def test_the_zoo_is_registered_under_its_families():
    assert sorted(NAMES) == sorted(CLASSIFIER)
    families = {name: get_entry(name).family for name in NAMES}
    assert families == {
        "vgg16": "vgg",
        "alexnet": "alexnet",
        "alexnet-paper": "alexnet",
        "squeezenet-1.0": "squeezenet",
        "squeezenet-1.1": "squeezenet",
        "resnet-18": "resnet",
        "resnet-50": "resnet",
    }


def test_descriptions_say_where_torchvision_differs_from_the_paper():
    alexnet = get_model("alexnet").description
    assert "64-192-384-256-256" in alexnet and "96-256-384-384-256" in alexnet
    assert "alexnet-paper" in alexnet
    assert "v1.5" in get_model("resnet-50").description
    for name in NAMES:
        assert "round(c*alpha)" in get_model(name).description


# --- torchvision's documented counts --------------------------------------------------


@pytest.mark.parametrize(
    "name, params, gflops_docs, ops_meta",
    [
        # torchvision 0.28 docs, "Table of all available classification weights", and each
        # weights' meta in torchvision/models/<family>.py ("num_params", "_ops"):
        ("vgg16", 138_357_544, "15.47", "15.47"),  # VGG16_Weights.IMAGENET1K_V1
        ("alexnet", 61_100_840, "0.71", "0.714"),  # AlexNet_Weights.IMAGENET1K_V1
        ("squeezenet-1.0", 1_248_424, "0.82", "0.819"),  # SqueezeNet1_0_Weights.IMAGENET1K_V1
        ("squeezenet-1.1", 1_235_496, "0.35", "0.349"),  # SqueezeNet1_1_Weights.IMAGENET1K_V1
        ("resnet-18", 11_689_512, "1.81", "1.814"),  # ResNet18_Weights.IMAGENET1K_V1
        ("resnet-50", 25_557_032, "4.09", "4.089"),  # ResNet50_Weights.IMAGENET1K_V1/V2
    ],
)
def test_torchvision_documented_counts(name, params, gflops_docs, ops_meta):
    result = mncost.cost(name, bn="affine")
    assert result.total.params == params
    macs = result.total.mult_adds
    # Rounded to the printed decimals, half up (exact: no float decides it).
    for printed in (gflops_docs, ops_meta):
        decimals = len(printed.split(".")[1])
        scale = 10 ** (9 - decimals)
        assert (2 * macs + scale) // (2 * scale) == int(printed.replace(".", "")), printed


def test_squeezenet_1_0_matches_the_papers_table_1():
    # Iandola et al. 2016, Table 1, bottom row: 1,248,424 parameters before pruning
    # (every conv has a bias; no batch norm, so the conventions do not matter).
    assert mncost.cost("squeezenet-1.0").total.params == 1_248_424


def test_alexnet_paper_by_hand():
    # Krizhevsky et al. 2012, Section 3.5 and Figure 2, every layer with a bias:
    #   conv1  96 x 11x11x3  on 55x55:  34,944 params,  55*55*96*363     = 105,415,200 MACs
    #   conv2 256 x 5x5x48   on 27x27: 307,456,         27*27*256*1200   = 223,948,800
    #   conv3 384 x 3x3x256  on 13x13: 885,120,         13*13*384*2304   = 149,520,384
    #   conv4 384 x 3x3x192  on 13x13: 663,936,         13*13*384*1728   = 112,140,288
    #   conv5 256 x 3x3x192  on 13x13: 442,624,         13*13*256*1728   =  74,760,192
    #   fc6 9216x4096: 37,752,832; fc7 4096x4096: 16,781,312; fc8 4096x1000: 4,097,000
    #     (MACs: 37,748,736 + 16,777,216 + 4,096,000 = 58,621,952)
    # Total 60,965,224 params ("60 million parameters", the paper's Section 3 and the
    # MobileNets paper's Table 9) and 724,406,816 MACs.
    result = mncost.cost("alexnet-paper")
    assert result.total.params == 60_965_224
    assert result.total.mult_adds == 724_406_816
    assert [layer.output for layer in result.layers if layer.name.startswith("conv")] == [
        (55, 55, 96),
        (27, 27, 256),
        (13, 13, 384),
        (13, 13, 384),
        (13, 13, 256),
    ]


# --- reference networks in PyTorch ----------------------------------------------------


@pytest.fixture(scope="module")
def torch():
    """PyTorch, or skip (tests/setup.sh installs it, so CI runs these)."""
    return pytest.importorskip("torch")


@cache
def _references() -> dict[str, Callable[..., Any]]:
    """Builders of the reference networks: ``build(classes, div)``; ``div`` 2 halves
    every channel count but the image's and the classes (alpha 0.5 by hand)."""
    from torch import nn

    def relu_conv(
        c_in: int, c_out: int, kernel: int, stride: int = 1, padding: int = 0, groups: int = 1
    ) -> list[nn.Module]:
        return [nn.Conv2d(c_in, c_out, kernel, stride, padding, groups=groups), nn.ReLU()]

    class VGG16(nn.Module):
        # Simonyan and Zisserman 2014, Table 1, column D; torchvision's vgg16.
        def __init__(self, classes: int, div: int) -> None:
            super().__init__()
            layers: list[nn.Module] = []
            c = 3
            for v in [
                64,
                64,
                "M",
                128,
                128,
                "M",
                256,
                256,
                256,
                "M",
                512,
                512,
                512,
                "M",
                512,
                512,
                512,
                "M",
            ]:
                if v == "M":
                    layers.append(nn.MaxPool2d(2, 2))
                else:
                    layers += relu_conv(c, v // div, 3, padding=1)
                    c = v // div
            self.features = nn.Sequential(*layers)
            self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
            hidden = 4096 // div
            self.classifier = nn.Sequential(
                nn.Linear(c * 7 * 7, hidden),
                nn.ReLU(),
                nn.Dropout(),
                nn.Linear(hidden, hidden),
                nn.ReLU(),
                nn.Dropout(),
                nn.Linear(hidden, classes),
            )

        def forward(self, x: Any) -> Any:
            return self.classifier(self.avgpool(self.features(x)).flatten(1))

    class AlexNet(nn.Module):
        # torchvision's alexnet (one tower, 64-192-384-256-256), or with two_tower the
        # 2012 paper's (96-256-384-384-256, conv2/4/5 split over two GPUs: groups=2).
        def __init__(self, classes: int, div: int, two_tower: bool = False) -> None:
            super().__init__()
            c1, c2, c3, c4, c5 = (96, 256, 384, 384, 256) if two_tower else (64, 192, 384, 256, 256)
            c1, c2, c3, c4, c5 = (c // div for c in (c1, c2, c3, c4, c5))
            g = 2 if two_tower else 1
            self.features = nn.Sequential(
                *relu_conv(3, c1, 11, 4, 2),
                nn.MaxPool2d(3, 2),
                *relu_conv(c1, c2, 5, 1, 2, groups=g),
                nn.MaxPool2d(3, 2),
                *relu_conv(c2, c3, 3, 1, 1),
                *relu_conv(c3, c4, 3, 1, 1, groups=g),
                *relu_conv(c4, c5, 3, 1, 1, groups=g),
                nn.MaxPool2d(3, 2),
            )
            # The 2012 net has no adaptive pool: fc6 takes whatever map conv5 leaves.
            self.avgpool = nn.Identity() if two_tower else nn.AdaptiveAvgPool2d((6, 6))
            hidden = 4096 // div
            self.classifier = nn.Sequential(
                nn.Dropout(),
                nn.LazyLinear(hidden),
                nn.ReLU(),
                nn.Dropout(),
                nn.Linear(hidden, hidden),
                nn.ReLU(),
                nn.Linear(hidden, classes),
            )

        def forward(self, x: Any) -> Any:
            return self.classifier(self.avgpool(self.features(x)).flatten(1))

    class Fire(nn.Module):
        def __init__(self, c_in: int, squeeze: int, e1: int, e3: int) -> None:
            super().__init__()
            self.squeeze = nn.Sequential(*relu_conv(c_in, squeeze, 1))
            self.expand1x1 = nn.Sequential(*relu_conv(squeeze, e1, 1))
            self.expand3x3 = nn.Sequential(*relu_conv(squeeze, e3, 3, padding=1))

        def forward(self, x: Any) -> Any:
            import torch

            s = self.squeeze(x)
            return torch.cat([self.expand1x1(s), self.expand3x3(s)], 1)

    class SqueezeNet(nn.Module):
        # torchvision's squeezenet1_0 (the paper's Table 1) and squeezenet1_1.
        def __init__(self, classes: int, div: int, version: str) -> None:
            super().__init__()
            pool = lambda: nn.MaxPool2d(3, 2, ceil_mode=True)  # noqa: E731
            d = div
            if version == "1.0":
                stem = relu_conv(3, 96 // d, 7, 2)
                body = [
                    "P",
                    (16, 64, 64),
                    (16, 64, 64),
                    (32, 128, 128),
                    "P",
                    (32, 128, 128),
                    (48, 192, 192),
                    (48, 192, 192),
                    (64, 256, 256),
                    "P",
                    (64, 256, 256),
                ]
                c = 96 // d
            else:
                stem = relu_conv(3, 64 // d, 3, 2)
                body = [
                    "P",
                    (16, 64, 64),
                    (16, 64, 64),
                    "P",
                    (32, 128, 128),
                    (32, 128, 128),
                    "P",
                    (48, 192, 192),
                    (48, 192, 192),
                    (64, 256, 256),
                    (64, 256, 256),
                ]
                c = 64 // d
            layers: list[nn.Module] = list(stem)
            for item in body:
                if item == "P":
                    layers.append(pool())
                else:
                    s, e1, e3 = (v // d for v in item)
                    layers.append(Fire(c, s, e1, e3))
                    c = e1 + e3
            self.features = nn.Sequential(*layers)
            self.classifier = nn.Sequential(
                nn.Dropout(), *relu_conv(c, classes, 1), nn.AdaptiveAvgPool2d((1, 1))
            )

        def forward(self, x: Any) -> Any:
            return self.classifier(self.features(x)).flatten(1)

    def conv_bn(c_in: int, c_out: int, kernel: int, stride: int = 1) -> list[nn.Module]:
        return [
            nn.Conv2d(c_in, c_out, kernel, stride, kernel // 2, bias=False),
            nn.BatchNorm2d(c_out),
        ]

    class Block(nn.Module):
        # He et al. 2015: a basic block (3x3, 3x3) or a bottleneck (1x1, 3x3, 1x1 to 4x);
        # torchvision's bottleneck strides on its 3x3 (v1.5), the paper's on its 1x1 (v1).
        def __init__(
            self, c_in: int, planes: int, stride: int, bottleneck: bool, v1: bool = False
        ) -> None:
            super().__init__()
            self.relu = nn.ReLU()
            if bottleneck:
                out = 4 * planes
                s1, s2 = (stride, 1) if v1 else (1, stride)
                self.conv1, self.bn1 = conv_bn(c_in, planes, 1, s1)
                self.conv2, self.bn2 = conv_bn(planes, planes, 3, s2)
                self.conv3, self.bn3 = conv_bn(planes, out, 1)
                self.path = [
                    self.conv1,
                    self.bn1,
                    self.relu,
                    self.conv2,
                    self.bn2,
                    self.relu,
                    self.conv3,
                    self.bn3,
                ]
            else:
                out = planes
                self.conv1, self.bn1 = conv_bn(c_in, planes, 3, stride)
                self.conv2, self.bn2 = conv_bn(planes, planes, 3)
                self.path = [self.conv1, self.bn1, self.relu, self.conv2, self.bn2]
            self.downsample = (
                nn.Sequential(*conv_bn(c_in, out, 1, stride))
                if stride != 1 or c_in != out
                else None
            )
            self.out = out

        def forward(self, x: Any) -> Any:
            h = x
            for module in self.path:
                h = module(h)
            return self.relu(h + (x if self.downsample is None else self.downsample(x)))

    class ResNet(nn.Module):
        # torchvision's resnet18 / resnet50: module names as torchvision's.
        def __init__(self, classes: int, div: int, depth: int, v1: bool = False) -> None:
            super().__init__()
            bottleneck = depth == 50
            blocks = (3, 4, 6, 3) if bottleneck else (2, 2, 2, 2)
            c = 64 // div
            self.conv1, self.bn1 = conv_bn(3, c, 7, 2)
            self.relu = nn.ReLU()
            self.maxpool = nn.MaxPool2d(3, 2, 1)
            for stage, (planes, n) in enumerate(zip((64, 128, 256, 512), blocks), start=1):
                layer = []
                for i in range(n):
                    block = Block(
                        c, planes // div, 2 if i == 0 and stage > 1 else 1, bottleneck, v1
                    )
                    layer.append(block)
                    c = block.out
                setattr(self, f"layer{stage}", nn.Sequential(*layer))
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(c, classes)

        def forward(self, x: Any) -> Any:
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            for stage in (self.layer1, self.layer2, self.layer3, self.layer4):
                x = stage(x)
            return self.fc(self.avgpool(x).flatten(1))

    return {
        "vgg16": VGG16,
        "alexnet": AlexNet,
        "alexnet-paper": lambda classes, div: AlexNet(classes, div, two_tower=True),
        "squeezenet-1.0": lambda classes, div: SqueezeNet(classes, div, "1.0"),
        "squeezenet-1.1": lambda classes, div: SqueezeNet(classes, div, "1.1"),
        "resnet-18": lambda classes, div: ResNet(classes, div, 18),
        "resnet-50": lambda classes, div: ResNet(classes, div, 50),
        "resnet-50-v1": lambda classes, div: ResNet(classes, div, 50, v1=True),
    }


def _measure(
    name: str, resolution: int, classes: int = 1000, div: int = 1
) -> tuple[int, int, Any, dict[str, int]]:
    """(MACs, params, the network, FLOPs by module path) of a reference network, run
    once on the meta device (shapes only, no weights allocated)."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    with torch.device("meta"):
        net = _references()[name](classes, div).eval()
        x = torch.empty(1, 3, resolution, resolution)
        with torch.no_grad():
            net(x)  # sizes the one LazyLinear (the 2012 AlexNet's fc6)
        counter = FlopCounterMode(display=False)
        with torch.no_grad(), counter:
            net(x)
    flops = counter.get_total_flops()
    assert flops % 2 == 0
    by_module = {
        path: int(sum(counts.values())) for path, counts in counter.get_flop_counts().items()
    }
    params = sum(p.numel() for p in net.parameters())
    return flops // 2, params, net, by_module


@pytest.mark.parametrize("resolution, classes", [(224, 1000), (160, 1000), (256, 10), (257, 1000)])
@pytest.mark.parametrize("name", NAMES)
def test_matches_a_reference_pytorch_network(torch, name, resolution, classes):
    macs, params, _, _ = _measure(name, resolution, classes)
    result = count(get_model(name), Fraction(1), resolution, classes, AFFINE)
    assert (result.total.mult_adds, result.total.params) == (macs, params)


@pytest.mark.parametrize("name", NAMES)
def test_alpha_half_matches_the_reference_with_every_width_halved(torch, name):
    # Every channel count of these networks (and their 4096-unit hidden fcs) is even, so
    # at alpha 0.5 round(c/2) = c/2 exactly: the reference halves them by hand; the
    # image's 3 channels and the classes stay.
    for resolution in (224, 192):
        macs, params, _, _ = _measure(name, resolution, div=2)
        result = count(get_model(name), Fraction(1, 2), resolution, None, AFFINE)
        assert (result.total.mult_adds, result.total.params) == (macs, params)


@pytest.mark.parametrize("name", ["resnet-18", "resnet-50"])
def test_resnet_ops_are_torchvisions_modules_layer_by_layer(torch, name):
    # Names are torchvision's module paths (layer2.0.conv1; the shortcut's conv is
    # torchvision's layer2.0.downsample.0), and each conv and the fc cost what PyTorch
    # counts in that module.
    _, _, net, by_module = _measure(name, 224)
    modules = dict(net.named_modules())
    root = type(net).__name__
    result = count(get_model(name))  # bn="none": a conv's own weights, as its module's
    weighted = [layer for layer in result.layers if layer.mult_adds]
    assert len(weighted) == sum(
        isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)) for m in modules.values()
    )
    for layer in weighted:
        path = layer.name.replace("downsample", "downsample.0")
        assert by_module[f"{root}.{path}"] == 2 * layer.mult_adds, layer.name
        assert sum(p.numel() for p in modules[path].parameters()) == layer.params, path


def test_resnet_50_is_v1_5_and_the_paper_layout_costs_what_its_description_says(torch):
    # The paper's bottleneck strides on its first 1x1 conv (v1), torchvision's on its
    # 3x3 (v1.5): the same weights, fewer MACs for v1. The description quotes v1's count.
    v1_macs, v1_params, _, _ = _measure("resnet-50-v1", 224)
    v15_macs, v15_params, _, _ = _measure("resnet-50", 224)
    assert v1_params == v15_params
    assert v1_macs < v15_macs == mncost.cost("resnet-50").total.mult_adds
    description = get_model("resnet-50").description
    assert f"{round(v1_macs / 1e9, 2)} G" in description
    # He et al. 2015, Table 1 prints 3.8 x 10^9 for the 50-layer net: v1, truncated.
    assert "3.8 x 10^9" in description and int(v1_macs / 1e8) == 38


# --- classes and alpha ----------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_classes_change_only_the_classifier(name):
    base = count(get_model(name))
    ten = count(get_model(name), classes=10)
    assert [layer.name for layer in base.layers] == [layer.name for layer in ten.layers]
    changed = [
        (a, b)
        for a, b in zip(base.layers, ten.layers)
        if (a.mult_adds, a.params) != (b.mult_adds, b.params)
    ]
    assert [a.name for a, _ in changed] == [CLASSIFIER[name]]
    before, after = changed[0]
    h, w, c = after.input
    # An fc over an h x w x c map, or SqueezeNet's 1x1 conv at stride 1 on it: h*w*c*10
    # MACs either way; weights: h*w*c*10 (fc) or c*10 (1x1 conv), plus 10 biases.
    assert after.mult_adds == h * w * c * 10
    weights = (c if after.kind == "conv" else h * w * c) * 10
    assert after.params == weights + 10
    assert before.mult_adds == h * w * c * 1000 and before.params == weights * 100 + 1000


@pytest.mark.parametrize("name", NAMES)
def test_classes_zero_leaves_the_body(name):
    result = count(get_model(name), classes=0)
    names = [layer.name for layer in result.layers]
    assert CLASSIFIER[name] not in names
    assert names == [layer.name for layer in count(get_model(name)).layers][: len(names)]


@pytest.mark.parametrize("name", NAMES)
def test_alpha_scales_every_conv_and_hidden_fc_but_not_the_classes(name):
    one = count(get_model(name))
    half = count(get_model(name), Fraction(1, 2))
    for a, b in zip(one.layers, half.layers):
        if a.name == CLASSIFIER[name]:
            assert b.output[2] == a.output[2]  # the classes
        elif a.kind in ("conv", "fc"):
            # every width is even: round(c * 0.5) = c / 2
            assert 2 * b.output[2] == a.output[2], a.name


@pytest.mark.parametrize("name", NAMES)
def test_the_sweep_counts_the_zoo_as_count_does(name):
    # The numpy grid reads the same geometry columns: adaptive and ceil-mode pools,
    # groups, residual and concat joins must come out exactly as one count each.
    pytest.importorskip("numpy")
    from mncost.cost.sweep import grid

    spec = get_model(name)
    alphas = [Fraction(1, 2), Fraction(3, 4), Fraction(1), Fraction(5, 4)]
    resolutions = [97, 160, 224, 257]
    conventions = Conventions(bn="all", fc_bias=False)
    totals = grid(spec, alphas, resolutions, None, conventions, ("mult_adds", "params"))
    for i, alpha in enumerate(alphas):
        for j, resolution in enumerate(resolutions):
            r = count(spec, alpha, resolution, None, conventions)
            assert int(totals["mult_adds"][i, j]) == r.total.mult_adds
            assert int(totals["params"][i, j]) == r.total.params


def test_rho_sets_the_resolution(torch):
    # R = round(224 * 0.714) = round(159.9) = 160.
    data = json.loads(
        run_cli("table", "resnet-50", "--rho", "0.714", "--bn", "affine", "--format", "json").stdout
    )
    assert data["resolution"] == 160
    macs, params, _, _ = _measure("resnet-50", 160)
    assert data["total"] == {"mult_adds": macs, "params": params}


# --- mncost verify ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("--res", "160"),
        ("--res", "257", "--bn", "affine"),
        ("--alpha", "0.75", "--res", "192", "--classes", "10"),
    ],
)
@pytest.mark.parametrize("name", NAMES)
def test_verify_agrees_beyond_the_default(torch, name, args):
    result = run_cli("verify", name, *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["verdict"]["ok"] is True, data["verdict"]["text"]
    assert data["total"]["torch_flops"] == 2 * data["total"]["mult_adds"]
    assert all(layer["agree"] for layer in data["layers"])
