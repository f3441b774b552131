"""GoogLeNet and Inception V3 in the zoo (issue 10, items 1-3).

Independent sides, none of them mncost's own output:

- torchvision's documented figures (the "num_params" and "GFLOPS" columns of
  https://docs.pytorch.org/vision/stable/models.html, from GoogLeNet_Weights.IMAGENET1K_V1
  and Inception_V3_Weights.IMAGENET1K_V1): googlenet 6,624,904 params, 1.50 GFLOPS;
  inception_v3 27,161,264 params, 5.71 GFLOPS. Its params include batch norm's gamma and
  beta (mncost's bn="affine"), and its GFLOPS are MACs.
- reference networks written below directly in PyTorch (our own re-implementation of
  torchvision's googlenet.py and inception.py, and of the BVLC Caffe GoogLeNet of the
  paper), measured in eval mode with torch.utils.flop_counter.FlopCounterMode (FLOPs =
  2 x MACs) and their parameter tensors;
- Szegedy et al. 2014, Table 1 ("ops" column, in millions of multiply-adds);
- hand derivations in comments.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import mncost
from mncost.arch.registry import get_entry
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def torch():
    """PyTorch, or skip (tests/setup.sh installs it, so CI runs these)."""
    return pytest.importorskip("torch")


# --- reference networks, written for this test from torchvision's layout ------------------


def _basic_conv(nn: Any, c_in: int, c_out: int, bn: bool = True, **kw: Any) -> Any:
    # torchvision's BasicConv2d (conv without bias, BN, ReLU); bn=False is Caffe's conv
    # with a bias and ReLU.
    layers = [nn.Conv2d(c_in, c_out, bias=not bn, **kw)]
    if bn:
        layers.append(nn.BatchNorm2d(c_out, eps=0.001))
    layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def _reference_googlenet(torch: Any, classes: int, paper: bool) -> Any:
    """torchvision's GoogLeNet without aux heads; paper=True: the BVLC Caffe original
    (bias, no BN, 5x5 third branch, 3x3/2 pool after inception4e, softmax)."""
    nn = torch.nn
    bn = not paper

    class Inception(nn.Module):
        def __init__(
            self, c_in: int, n1: int, r3: int, n3: int, r5: int, n5: int, proj: int
        ) -> None:
            super().__init__()
            k = 5 if paper else 3
            self.b1 = _basic_conv(nn, c_in, n1, bn, kernel_size=1)
            self.b2 = nn.Sequential(
                _basic_conv(nn, c_in, r3, bn, kernel_size=1),
                _basic_conv(nn, r3, n3, bn, kernel_size=3, padding=1),
            )
            self.b3 = nn.Sequential(
                _basic_conv(nn, c_in, r5, bn, kernel_size=1),
                _basic_conv(nn, r5, n5, bn, kernel_size=k, padding=k // 2),
            )
            self.b4 = nn.Sequential(
                nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True),
                _basic_conv(nn, c_in, proj, bn, kernel_size=1),
            )

        def forward(self, x: Any) -> Any:
            return torch.cat([self.b1(x), self.b2(x), self.b3(x), self.b4(x)], 1)

    pool4 = 3 if paper else 2
    return nn.Sequential(
        _basic_conv(nn, 3, 64, bn, kernel_size=7, stride=2, padding=3),
        nn.MaxPool2d(3, stride=2, ceil_mode=True),
        _basic_conv(nn, 64, 64, bn, kernel_size=1),
        _basic_conv(nn, 64, 192, bn, kernel_size=3, padding=1),
        nn.MaxPool2d(3, stride=2, ceil_mode=True),
        Inception(192, 64, 96, 128, 16, 32, 32),
        Inception(256, 128, 128, 192, 32, 96, 64),
        nn.MaxPool2d(3, stride=2, ceil_mode=True),
        Inception(480, 192, 96, 208, 16, 48, 64),
        Inception(512, 160, 112, 224, 24, 64, 64),
        Inception(512, 128, 128, 256, 24, 64, 64),
        Inception(512, 112, 144, 288, 32, 64, 64),
        Inception(528, 256, 160, 320, 32, 128, 128),
        nn.MaxPool2d(pool4, stride=2, ceil_mode=True),
        Inception(832, 256, 160, 320, 32, 128, 128),
        Inception(832, 384, 192, 384, 48, 128, 128),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Dropout(0.2),
        nn.Linear(1024, classes),
        *([nn.Softmax(dim=1)] if paper else []),
    )


def _reference_inception_v3(torch: Any, classes: int, aux: bool) -> Any:
    """torchvision's Inception3 (aux head as torchvision builds it: 5x5/3 pool)."""
    nn = torch.nn
    F = torch.nn.functional

    def conv(c_in: int, c_out: int, **kw: Any) -> Any:
        return _basic_conv(nn, c_in, c_out, **kw)

    class Cat(nn.Module):
        def __init__(self, *branches: Any) -> None:
            super().__init__()
            self.branches = nn.ModuleList(branches)

        def forward(self, x: Any) -> Any:
            return torch.cat([b(x) for b in self.branches], 1)

    class Split(nn.Module):  # InceptionE's 1x3 and 3x1 side by side
        def __init__(self, c_in: int) -> None:
            super().__init__()
            self.a = conv(c_in, 384, kernel_size=(1, 3), padding=(0, 1))
            self.b = conv(c_in, 384, kernel_size=(3, 1), padding=(1, 0))

        def forward(self, x: Any) -> Any:
            return torch.cat([self.a(x), self.b(x)], 1)

    def avg3() -> Any:
        return nn.AvgPool2d(3, stride=1, padding=1)

    def a(c_in: int, pool: int) -> Any:
        return Cat(
            conv(c_in, 64, kernel_size=1),
            nn.Sequential(conv(c_in, 48, kernel_size=1), conv(48, 64, kernel_size=5, padding=2)),
            nn.Sequential(
                conv(c_in, 64, kernel_size=1),
                conv(64, 96, kernel_size=3, padding=1),
                conv(96, 96, kernel_size=3, padding=1),
            ),
            nn.Sequential(avg3(), conv(c_in, pool, kernel_size=1)),
        )

    def b(c_in: int) -> Any:
        return Cat(
            conv(c_in, 384, kernel_size=3, stride=2),
            nn.Sequential(
                conv(c_in, 64, kernel_size=1),
                conv(64, 96, kernel_size=3, padding=1),
                conv(96, 96, kernel_size=3, stride=2),
            ),
            nn.MaxPool2d(3, stride=2),
        )

    def c(c_in: int, c7: int) -> Any:
        return Cat(
            conv(c_in, 192, kernel_size=1),
            nn.Sequential(
                conv(c_in, c7, kernel_size=1),
                conv(c7, c7, kernel_size=(1, 7), padding=(0, 3)),
                conv(c7, 192, kernel_size=(7, 1), padding=(3, 0)),
            ),
            nn.Sequential(
                conv(c_in, c7, kernel_size=1),
                conv(c7, c7, kernel_size=(7, 1), padding=(3, 0)),
                conv(c7, c7, kernel_size=(1, 7), padding=(0, 3)),
                conv(c7, c7, kernel_size=(7, 1), padding=(3, 0)),
                conv(c7, 192, kernel_size=(1, 7), padding=(0, 3)),
            ),
            nn.Sequential(avg3(), conv(c_in, 192, kernel_size=1)),
        )

    def d(c_in: int) -> Any:
        return Cat(
            nn.Sequential(conv(c_in, 192, kernel_size=1), conv(192, 320, kernel_size=3, stride=2)),
            nn.Sequential(
                conv(c_in, 192, kernel_size=1),
                conv(192, 192, kernel_size=(1, 7), padding=(0, 3)),
                conv(192, 192, kernel_size=(7, 1), padding=(3, 0)),
                conv(192, 192, kernel_size=3, stride=2),
            ),
            nn.MaxPool2d(3, stride=2),
        )

    def e(c_in: int) -> Any:
        return Cat(
            conv(c_in, 320, kernel_size=1),
            nn.Sequential(conv(c_in, 384, kernel_size=1), Split(384)),
            nn.Sequential(
                conv(c_in, 448, kernel_size=1), conv(448, 384, kernel_size=3, padding=1), Split(384)
            ),
            nn.Sequential(avg3(), conv(c_in, 192, kernel_size=1)),
        )

    class AuxHead(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv0 = conv(768, 128, kernel_size=1)
            self.conv1 = conv(128, 768, kernel_size=5)
            self.fc = nn.Linear(768, classes)

        def forward(self, x: Any) -> Any:
            x = self.conv1(self.conv0(F.avg_pool2d(x, kernel_size=5, stride=3)))
            return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.front = nn.Sequential(
                conv(3, 32, kernel_size=3, stride=2),
                conv(32, 32, kernel_size=3),
                conv(32, 64, kernel_size=3, padding=1),
                nn.MaxPool2d(3, stride=2),
                conv(64, 80, kernel_size=1),
                conv(80, 192, kernel_size=3),
                nn.MaxPool2d(3, stride=2),
                a(192, 32),
                a(256, 64),
                a(288, 64),
                b(288),
                c(768, 128),
                c(768, 160),
                c(768, 160),
                c(768, 192),
            )
            self.aux = AuxHead() if aux else None
            self.back = nn.Sequential(
                d(768),
                e(1280),
                e(2048),
                nn.AdaptiveAvgPool2d(1),
                nn.Dropout(0.5),
                nn.Flatten(),
                nn.Linear(2048, classes),
            )

        def forward(self, x: Any) -> Any:
            x = self.front(x)
            if self.aux is not None and self.training:  # as torchvision: training only
                self.aux(x)
            return self.back(x)

    return Net()


def _measure(torch: Any, net: Any, resolution: int) -> tuple[int, int]:
    """(MACs, params) of ``net`` in eval mode, by PyTorch alone."""
    from torch.utils.flop_counter import FlopCounterMode

    net = net.to("meta").eval()
    x = torch.empty(1, 3, resolution, resolution, device="meta")
    with FlopCounterMode(display=False) as counter:
        net(x)
    flops = counter.get_total_flops()
    assert flops % 2 == 0
    return flops // 2, sum(p.numel() for p in net.parameters())


_REFERENCES = {
    "googlenet": lambda torch, classes: _reference_googlenet(torch, classes, paper=False),
    "googlenet-paper": lambda torch, classes: _reference_googlenet(torch, classes, paper=True),
    "inception-v3": lambda torch, classes: _reference_inception_v3(torch, classes, aux=True),
    "inception-v3-no-aux": lambda torch, classes: _reference_inception_v3(
        torch, classes, aux=False
    ),
}


# --- torchvision's documented figures -----------------------------------------------------


@pytest.mark.parametrize(
    "name, params, gflops",
    [
        # docs.pytorch.org/vision/stable/models.html, "Table of all available classification
        # weights": GoogLeNet_Weights.IMAGENET1K_V1 6,624,904 params, 1.50 GFLOPS;
        # Inception_V3_Weights.IMAGENET1K_V1 27,161,264 params, 5.71 GFLOPS (at 299).
        ("googlenet", 6_624_904, "1.50"),
        ("inception-v3", 27_161_264, "5.71"),
    ],
)
def test_torchvision_documented_counts(name, params, gflops):
    result = mncost.cost(name, bn="affine")
    assert result.total.params == params
    # torchvision's GFLOPS are MACs, printed to two decimals.
    assert f"{result.total.mult_adds / 1e9:.2f}" == gflops


# --- reference networks measured by PyTorch -----------------------------------------------


@pytest.mark.parametrize(
    "name, resolution, classes",
    [
        ("googlenet", 224, 1000),
        ("googlenet", 160, 1000),
        # At 180 the pool after inception4e meets an odd (11x11) map, where its window
        # matters: 3x3/2 rounding up gives ceil(8/2) + 1 = 5, 2x2/2 gives ceil(9/2) + 1 = 6.
        ("googlenet", 180, 1000),
        ("googlenet-paper", 224, 1000),
        ("googlenet-paper", 180, 1000),
        ("inception-v3", 299, 1000),
        ("inception-v3", 224, 1000),
        ("inception-v3", 299, 120),  # Stanford Dogs (the MobileNets paper's Table 10)
        ("inception-v3-no-aux", 299, 1000),
        ("inception-v3-no-aux", 224, 1000),
    ],
)
def test_equals_a_reference_pytorch_network(torch, name, resolution, classes):
    macs, params = _measure(torch, _REFERENCES[name](torch, classes), resolution)
    result = mncost.cost(name, resolution=resolution, classes=classes, bn="affine")
    assert (result.total.mult_adds, result.total.params) == (macs, params)


def test_aux_head_has_torchvisions_shapes_at_299(torch):
    # torchvision pools Mixed_6e's 17x17x768 with a 5x5 window at stride 3 (-> 5x5), then
    # conv0 (1x1, 128) and conv1 (5x5, 768, no padding) -> 1x1. mncost pools adaptively to
    # 5x5: at 299 every aux row must have the shape torchvision's head gives.
    nn = torch.nn
    x = torch.empty(1, 768, 17, 17, device="meta")
    pooled = torch.nn.functional.avg_pool2d(x, kernel_size=5, stride=3)
    conv0 = nn.Conv2d(768, 128, 1, device="meta")(pooled)
    conv1 = nn.Conv2d(128, 768, 5, device="meta")(conv0)
    expected = {"AuxLogits.pool": pooled, "AuxLogits.conv0": conv0, "AuxLogits.conv1": conv1}
    rows = {layer.name: layer for layer in mncost.cost("inception-v3").layers}
    assert rows["AuxLogits.pool"].input == (17, 17, 768)
    for name, tensor in expected.items():
        n, c, h, w = tensor.shape
        assert rows[name].output == (h, w, c), name
    # ... and it costs no mult-adds at inference, where it does not run.
    assert all(row.mult_adds == 0 for row in rows.values() if row.block == "AuxLogits")


# --- mncost verify ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, args",
    [
        ("googlenet", []),
        ("googlenet", ["--res", "160", "--alpha", "0.5"]),
        ("googlenet-paper", []),
        ("googlenet-paper", ["--res", "180"]),
        ("inception-v3", ["--bn", "affine"]),
        ("inception-v3", ["--res", "224", "--alpha", "0.35"]),
        ("inception-v3-no-aux", []),
        ("inception-v3-no-aux", ["--res", "331", "--classes", "120"]),
    ],
)
def test_verify_agrees_layer_by_layer(torch, name, args):
    result = run_cli("verify", name, *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["verdict"]["ok"] is True, data["verdict"]["text"]
    for layer in data["layers"]:
        assert layer["agree"] and layer["shape_ok"], layer
        assert layer["torch"]["flops"] == 2 * layer["mncost"]["mult_adds"], layer
    assert data["total"]["torch_flops"] == 2 * data["total"]["mult_adds"]


# --- the auxiliary head -------------------------------------------------------------------


@pytest.mark.parametrize(
    "bn, classes, aux_params",
    [
        # torchvision's InceptionAux, by hand (conv0: 1x1 768 -> 128; conv1: 5x5 128 -> 768;
        # fc: 768 -> classes, with bias; both convs without bias, each followed by BN):
        #   conv0 768 * 128 = 98,304; conv1 5 * 5 * 128 * 768 = 2,457,600;
        #   fc 768 * 1000 + 1000 = 769,000                       -> 3,324,904 (BN not counted)
        #   + BN gamma, beta: 2 * (128 + 768) = 1,792            -> 3,326,696 (bn affine)
        ("none", 1000, 3_324_904),
        ("affine", 1000, 3_326_696),
        # 120 classes: fc 768 * 120 + 120 = 92,280; 98,304 + 2,457,600 + 92,280 = 2,648,184.
        ("none", 120, 2_648_184),
    ],
)
def test_no_aux_variant_is_the_full_model_minus_the_aux_head(bn, classes, aux_params):
    full = mncost.cost("inception-v3", bn=bn, classes=classes)
    bare = mncost.cost("inception-v3-no-aux", bn=bn, classes=classes)
    assert full.total.params - bare.total.params == aux_params
    # The head never runs at inference: the same mult-adds.
    assert full.total.mult_adds == bare.total.mult_adds
    if (bn, classes) == ("affine", 1000):
        assert bare.total.params == 27_161_264 - 3_326_696  # 23,834,568


def test_no_aux_variant_is_derived_from_the_full_spec():
    full = mncost.get_model("inception-v3")
    bare = mncost.get_model("inception-v3-no-aux")
    assert [layer for layer in full.layers if layer.kind != "aux"] == list(bare.layers)
    assert len(bare.layers) == len(full.layers) - 1
    assert (bare.resolution, bare.classes, bare.width) == (
        full.resolution,
        full.classes,
        full.width,
    )


def test_classes_zero_drops_both_classifiers():
    # --classes 0 is the body alone: the main fc and the aux head both go, so the two
    # models become the same network. Main fc at 1000 classes: 2048 * 1000 + 1000.
    full = mncost.cost("inception-v3")
    body = mncost.cost("inception-v3", classes=0)
    assert body.total == mncost.cost("inception-v3-no-aux", classes=0).total
    assert full.total.params - body.total.params == 2_049_000 + 3_324_904
    assert full.total.mult_adds - body.total.mult_adds == 2048 * 1000


# --- the paper's GoogLeNet ----------------------------------------------------------------

# Szegedy et al. 2014, Table 1, "ops" column (millions of multiply-adds at 224), for the
# Inception modules. inception5a is left out: its row prints 54 M ops and 1072 K params,
# but its own filter counts (256, 160, 320, 32, 128, 128 on 7x7x832) give, by hand,
# 832*256 + 832*160 + 9*160*320 + 832*32 + 25*32*128 + 832*128 = 1,042,432 weights and
# 49 * 1,042,432 = 51.08 M mult-adds; the row is not consistent with its own columns.
_TABLE_1_OPS = {
    "inception3a": 128,
    "inception3b": 304,
    "inception4a": 73,
    "inception4b": 88,
    "inception4c": 100,
    "inception4d": 119,
    "inception4e": 170,
    "inception5b": 71,
}


def _module_macs(name: str) -> dict[str, int]:
    macs: dict[str, int] = {}
    for layer in mncost.cost(name).layers:
        if layer.block:
            macs[layer.block] = macs.get(layer.block, 0) + layer.mult_adds
    return macs


def test_googlenet_paper_modules_match_table_1():
    # The paper prints whole millions, some rounded, some truncated: within 1 M.
    macs = _module_macs("googlenet-paper")
    for module, printed in _TABLE_1_OPS.items():
        assert abs(macs[module] / 1e6 - printed) < 1, module


def test_torchvisions_3x3_branch_is_why_googlenet_differs_from_table_1():
    # With a 3x3 in place of the 5x5, inception3a loses 28*28*(25-9)*16*32 = 6,422,528
    # mult-adds (the 5x5 branch's conv: 16 -> 32 channels on 28x28), so it no longer
    # matches Table 1's 128 M.
    paper, tv = _module_macs("googlenet-paper"), _module_macs("googlenet")
    assert paper["inception3a"] - tv["inception3a"] == 6_422_528
    assert abs(tv["inception3a"] / 1e6 - 128) > 1
    rows = {layer.name: layer for layer in mncost.cost("googlenet").layers}
    assert rows["inception3a.5x5"].filter_shape == "3x3x16x32"


def test_googlenet_paper_convs_have_bias_and_no_batch_norm():
    # conv1 as Caffe builds it: 7*7*3*64 weights + 64 biases = 9,472, at every bn setting.
    for bn in ("none", "affine"):
        rows = {layer.name: layer for layer in mncost.cost("googlenet-paper", bn=bn).layers}
        assert rows["conv1"].params == 9_472
    # torchvision's: 9,408 weights, no bias; with BN gamma, beta: + 2 * 64 = 9,536.
    rows = {layer.name: layer for layer in mncost.cost("googlenet", bn="affine").layers}
    assert rows["conv1"].params == 9_536


# --- width rule, registry -----------------------------------------------------------------


def test_width_rule_scales_every_conv_and_never_the_classes():
    # GoogLeNet at alpha 0.5, by hand: conv1 has round(64 * 0.5) = 32 filters; inception5b's
    # output is 192 + 192 + 64 + 64 = 512 channels, so the fc has 512 * 1000 + 1000 params.
    rows = {layer.name: layer for layer in mncost.cost("googlenet", alpha="0.5").layers}
    assert rows["conv1"].output[2] == 32
    assert rows["fc"].params == 512 * 1000 + 1000
    # Inception V3 at alpha 0.35: round(32 * 0.35) = round(11.2) = 11 filters in the first
    # conv, round(48 * 0.35) = round(16.8) = 17 in Mixed_5b.branch5x5_1; the aux fc keeps
    # the classes: round(768 * 0.35) = round(268.8) = 269 inputs -> 269 * 1000 + 1000.
    rows = {layer.name: layer for layer in mncost.cost("inception-v3", alpha="0.35").layers}
    assert rows["Conv2d_1a_3x3"].output[2] == 11
    assert rows["Mixed_5b.branch5x5_1"].output[2] == 17
    assert rows["AuxLogits.fc"].params == 269 * 1000 + 1000


@pytest.mark.parametrize(
    "name, family, resolution",
    [
        ("googlenet", "googlenet", 224),
        ("googlenet-paper", "googlenet", 224),
        ("inception-v3", "inception", 299),
        ("inception-v3-no-aux", "inception", 299),
    ],
)
def test_registered_with_family_and_default_resolution(name, family, resolution):
    entry = get_entry(name)
    assert entry.family == family
    model = mncost.get_model(name)
    assert model.resolution == resolution and model.classes == 1000
    # Each description says where torchvision differs from the paper, and the width rule.
    assert "torchvision" in model.description and "iffer" in model.description
    assert "round(c*alpha)" in model.description
