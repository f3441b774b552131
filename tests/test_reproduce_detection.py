"""SSD and SSDLite on MobileNet v1 and V2 (issue 18, parts 2 and 3), and their audit.

Independent sides, sharing no code with mncost:

- PyTorch's FlopCounterMode and parameter count on detectors this test builds by hand
  from the TF Object Detection API (tensorflow/models research/object_detection:
  ``ssd_mobilenet_v1_feature_extractor.py``, ``ssd_mobilenet_v2_feature_extractor.py``,
  ``feature_map_generators.multi_resolution_feature_maps``, ``predictors/heads``, the
  sample configs ``ssd_mobilenet_v1_coco``, ``ssdlite_mobilenet_v1_coco`` and
  ``ssdlite_mobilenet_v2_coco``) and TF-slim's MobileNets, with TF's own width rules
  (``max(int(d * alpha), min_depth)``, ``_make_divisible``);
- a hand derivation of the Table 13 row (below);
- the API's well-known 1,917 anchors of a 300x300 SSD MobileNet.

Hand derivation of "SSD 300 / MobileNet" (Howard et al. 2017, Table 13: 6.8 M params),
batch norm not counted:
  backbone, Table 1 to Conv2d_13_pointwise: conv_0 3*3*3*32 = 864; depthwise 9 x (32 + 64
  + 128 + 128 + 256 + 256 + 6 x 512 + 1024) = 44,640; pointwise 32*64 + 64*128 + 128*128
  + 128*256 + 256*256 + 256*512 + 5*512*512 + 512*1024 + 1024*1024 = 3,139,584;
  together 3,185,088;
  extra layers (1x1 to half, 3x3 s2): 1024*256 + 9*256*512 + 512*128 + 9*128*256 +
  256*128 + 9*128*256 + 256*64 + 9*64*128 = 2,220,032;
  predictors, 1x1 convs with a bias to anchors x (91 + 4) on maps of 512, 1024, 512, 256,
  256, 128 channels with 3, 6, 6, 6, 6, 6 anchors: 513*285 + 1025*570 + 513*570 +
  2*257*570 + 129*570 = 1,389,375;
  total 6,794,495, which rounds to the printed 6.8 M.
"""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import pytest

import mncost
from mncost.analysis.reproduce import reproduce
from tests.conftest import cli_json, run_cli

SSD_V1 = "ssd300-mobilenet-v1"
LITE_V1 = "ssdlite320-mobilenet-v1"
LITE_V2 = "ssdlite320-mobilenet-v2"
V2_CITATION = "Sandler et al. 2018, arXiv:1801.04381, Table 6"

# TF-slim mobilenet_v1._CONV_DEFS after the first conv: (stride, depth) per separable block.
_V1_BLOCKS = (
    [(1, 64), (2, 128), (1, 128), (2, 256), (1, 256), (2, 512)]
    + [(1, 512)] * 5
    + [
        (2, 1024),
        (1, 1024),
    ]
)
# TF-slim mobilenet_v2.V2_DEF: (t, c, n, s).
_V2_ROWS = [
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
]
_ANCHORS = [3, 6, 6, 6, 6, 6]  # reduce_boxes_in_lowest_layer, five aspect ratios + 1
_EXTRA = [512, 256, 256, 128]  # layer_depth of the four new maps


def _tf_depth(d: float, alpha: float, min_depth: int = 16) -> int:
    """feature_map_generators.get_depth_fn and mobilenet_v1's depth()."""
    return max(int(d * alpha), min_depth)


def _tf_divisible(v: float, divisor: int = 8, min_value: int = 16) -> int:
    """TF-slim mobilenet._make_divisible, with the SSD extractor's min_depth 16."""
    new = max(min_value, int(v + divisor / 2) // divisor * divisor)
    return new + divisor if new < 0.9 * v else new


def _torch_ssd(torch, net: str, lite: bool, alpha: float = 1.0, classes: int = 91):
    nn = torch.nn

    def cbr(c_in, c_out, k, s=1, groups=1):
        # slim.conv2d / separable_conv2d under the configs' arg_scope: no bias, batch norm
        # (scale and center), ReLU6; 'SAME' padding gives ceil(n / s), as (k - 1) // 2 does.
        return nn.Sequential(
            nn.Conv2d(c_in, c_out, k, s, (k - 1) // 2, groups=groups, bias=False),
            nn.BatchNorm2d(c_out),
            nn.ReLU6(),
        )

    class V1(nn.Module):
        def __init__(self):
            super().__init__()
            c = _tf_depth(32, alpha)
            layers = [cbr(3, c, 3, 2)]
            for s, d in _V1_BLOCKS:
                out = _tf_depth(d, alpha)
                layers += [cbr(c, c, 3, s, groups=c), cbr(c, out, 1)]
                c = out
            self.layers = nn.ModuleList(layers)
            self.channels = [_tf_depth(512, alpha), c]

        def forward(self, x):
            maps = []
            for i, layer in enumerate(self.layers):
                x = layer(x)
                if i in (22, 26):  # Conv2d_11_pointwise, Conv2d_13_pointwise
                    maps.append(x)
            return maps

    class Expanded(nn.Module):  # TF-slim ops.expanded_conv
        def __init__(self, c_in, t, c_out, s):
            super().__init__()
            inner = _tf_divisible(c_in * t, 8, 8)  # expand_input_by_factor(t)
            self.expand = cbr(c_in, inner, 1) if inner > c_in else None
            self.dw = cbr(inner, inner, 3, s, groups=inner)
            self.project = nn.Sequential(
                nn.Conv2d(inner, c_out, 1, bias=False), nn.BatchNorm2d(c_out)
            )
            self.residual = s == 1 and c_in == c_out
            self.inner = inner

        def forward(self, x):
            e = x if self.expand is None else self.expand(x)
            y = self.project(self.dw(e))
            return (x + y if self.residual else y), e

    class V2(nn.Module):
        def __init__(self):
            super().__init__()
            c = _tf_divisible(32 * alpha)
            self.stem = cbr(3, c, 3, 2)
            blocks = []
            for t, ch, n, s in _V2_ROWS:
                for i in range(n):
                    out = _tf_divisible(ch * alpha)
                    blocks.append(Expanded(c, t, out, s if i == 0 else 1))
                    c = out
            self.blocks = nn.ModuleList(blocks)
            last = _tf_divisible(1280 * alpha)  # layer_19: no finegrain_classification_mode
            self.last = cbr(c, last, 1)
            self.channels = [blocks[13].inner, last]

        def forward(self, x):
            x = self.stem(x)
            maps = []
            for n, block in enumerate(self.blocks, start=1):
                x, expanded = block(x)
                if n == 14:  # layer_15/expansion_output (layer_1 is the stem conv)
                    maps.append(expanded)
            return maps + [self.last(x)]

    def predictor(c, out):
        if lite:  # the heads' use_depthwise: 3x3 depthwise (bn, relu6), then 1x1 + bias
            return nn.Sequential(cbr(c, c, 3, groups=c), nn.Conv2d(c, out, 1))
        return nn.Conv2d(c, out, 1)  # kernel_size: 1, bias, no batch norm

    class SSD(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = V1() if net == "v1" else V2()
            channels = list(self.body.channels)
            extras = []
            for depth in _EXTRA:
                mid, out = _tf_depth(depth / 2, alpha), _tf_depth(depth, alpha)
                if lite:
                    rest = [cbr(mid, mid, 3, 2, groups=mid), cbr(mid, out, 1)]
                else:
                    rest = [cbr(mid, out, 3, 2)]
                extras.append(nn.Sequential(cbr(channels[-1], mid, 1), *rest))
                channels.append(out)
            self.extras = nn.ModuleList(extras)
            self.box = nn.ModuleList(predictor(c, 4 * a) for c, a in zip(channels, _ANCHORS))
            self.cls = nn.ModuleList(predictor(c, classes * a) for c, a in zip(channels, _ANCHORS))

        def forward(self, image):
            maps = self.body(image)
            for extra in self.extras:
                maps.append(extra(maps[-1]))
            return [h(m) for h, m in zip(self.box, maps)] + [h(m) for h, m in zip(self.cls, maps)]

    return SSD().eval()


def _torch_counts(net, resolution: int) -> tuple[int, int]:
    """(MACs, params) of a torch module: FlopCounterMode's FLOPs / 2, every parameter."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        net(torch.zeros(1, 3, resolution, resolution))
    flops = counter.get_total_flops()
    assert flops % 2 == 0
    return flops // 2, sum(p.numel() for p in net.parameters())


def _weights(net) -> int:
    """Conv weights and biases only: the parameters without batch norm's (mncost's default)."""
    import torch

    return sum(
        p.numel()
        for m in net.modules()
        if not isinstance(m, torch.nn.BatchNorm2d)
        for p in m.parameters(recurse=False)
    )


_BUILDS = {SSD_V1: ("v1", False), LITE_V1: ("v1", True), LITE_V2: ("v2", True)}


@pytest.mark.parametrize(
    "model,resolution,alpha",
    [
        (SSD_V1, 300, "1"),
        (SSD_V1, 257, "0.5"),
        (SSD_V1, 224, "0.25"),
        (LITE_V1, 320, "1"),
        (LITE_V1, 300, "0.75"),
        (LITE_V2, 320, "1"),
        (LITE_V2, 300, "1"),
        (LITE_V2, 300, "0.75"),
        (LITE_V2, 193, "0.5"),
    ],
)
def test_macs_and_params_equal_the_tf_layout_in_pytorch(model, resolution, alpha):
    # At these alphas every extra layer's c * alpha is a multiple of 8, where V2's extra
    # layers' int(c * alpha) (TF) and make_divisible (mncost) agree; elsewhere they may not.
    torch = pytest.importorskip("torch")
    net, lite = _BUILDS[model]
    macs, params = _torch_counts(_torch_ssd(torch, net, lite, float(Fraction(alpha))), resolution)
    result = mncost.cost(model, alpha=alpha, resolution=resolution, bn="affine")
    assert result.total.mult_adds == macs
    assert result.total.params == params


def test_table13_ssd_mobilenet_params_by_hand():
    # The module docstring's derivation: 3,185,088 + 2,220,032 + 1,389,375.
    assert mncost.cost(SSD_V1).total.params == 3_185_088 + 2_220_032 + 1_389_375 == 6_794_495
    # The backbone part is mobilenet-v1's 4,210,088 without its 1024 x 1000 + 1000 classifier.
    assert 4_210_088 - 1_025_000 == 3_185_088


def test_anchors_per_location_give_the_apis_1917_boxes_at_300():
    # 19x19x3 + 10x10x6 + 5x5x6 + 3x3x6 + 2x2x6 + 1x1x6 = 1,917, ssd_mobilenet_v1_coco's count.
    for model in (SSD_V1, LITE_V1, LITE_V2):
        layers = {layer.name: layer for layer in mncost.cost(model, resolution=300).layers}
        boxes = 0
        for n in range(1, 7):
            h, w, c = layers[f"box_{n}.conv"].output
            assert c % 4 == 0 and layers[f"cls_{n}.conv"].output == (h, w, c // 4 * 91)
            boxes += h * w * c // 4
        assert boxes == 1917, model


def test_alpha_scales_the_backbone_and_extra_layers_not_the_predictor_outputs():
    layers = {layer.name: layer for layer in mncost.cost(SSD_V1, alpha="0.5").layers}
    assert layers["pw_13"].output[2] == 512 and layers["extra_1.conv"].output[2] == 256
    assert layers["extra_4.reduce"].output[2] == 32  # int(64 * 0.5)
    assert layers["cls_1.conv"].output[2] == 3 * 91 and layers["box_2.conv"].output[2] == 24
    # TF's min_depth 16: at 0.25 the stem (32 * 0.25 = 8) and the 64-channel 1x1 (16) are 16.
    tiny = {layer.name: layer for layer in mncost.cost(SSD_V1, alpha="0.25").layers}
    assert tiny["extra_4.reduce"].output[2] == 16 and tiny["conv_0"].output[2] == 16


# --- the audit -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def cells():
    return {(c.table, c.row, c.column): c for c in reproduce(["13", "v2-6"])}


def test_table13_ssd_mobilenet_is_computed_and_matches(cells):
    torch = pytest.importorskip("torch")
    macs, _ = _torch_counts(_torch_ssd(torch, "v1", False), 300)
    mult_adds = cells[("Table 13", "SSD 300 / MobileNet", "Billion Mult-Adds")]
    params = cells[("Table 13", "SSD 300 / MobileNet", "Million Parameters")]
    assert mult_adds.computed_exact == macs and mult_adds.computed == Fraction(macs, 10**9)
    assert params.computed_exact == 6_794_495
    for cell in (mult_adds, params):
        assert cell.status == "match" and cell.note
        assert "ssd300-mobilenet-v1" in cell.note and "91 class slots" in cell.note
    assert round(macs / 10**9, 1) == 1.2  # the printed 1.2 B


@pytest.mark.parametrize("framework", ["Faster-RCNN 300", "Faster-RCNN 600"])
def test_faster_rcnn_mobilenet_says_what_is_missing(cells, framework):
    for column in ("Billion Mult-Adds", "Million Parameters"):
        cell = cells[("Table 13", f"{framework} / MobileNet", column)]
        assert cell.status == "not computable" and cell.computed is None
        assert "300 RPN proposal boxes" in cell.note and "crop size" in cell.note
        assert "once per proposal" in cell.note


@pytest.mark.parametrize(
    "row,reason",
    [
        ("SSD 300 / deeplab-VGG", "ssd300_vgg16"),
        ("SSD 300 / Inception V2", "Inception V2 (BN-Inception"),
        ("Faster-RCNN 300 / VGG", "detection head"),
        ("Faster-RCNN 600 / Inception V2", "detection head"),
    ],
)
def test_other_table13_rows_stay_not_computable_with_the_reason(cells, row, reason):
    for column in ("Billion Mult-Adds", "Million Parameters"):
        cell = cells[("Table 13", row, column)]
        assert cell.status == "not computable" and reason in cell.note


def test_v2_table6_rows_are_audited_with_their_citation(cells):
    torch = pytest.importorskip("torch")
    v2 = {k: c for k, c in cells.items() if k[0] == "V2 Table 6"}
    assert {k[1] for k in v2} == {
        "MobileNet V1 + SSDLite",
        "MobileNet V2 + SSDLite",
        "SSD300 (VGG)",
    }
    for cell in v2.values():
        assert cell.to_dict()["citation"] == V2_CITATION and cell.status and cell.note
    # MAdds at the paper's 320x320 (its Section 6.2), by the independent PyTorch build:
    # 1.32 B and 0.80 B, printed 1.3B and 0.8B. At 300x300 they would be 1.21 and 0.75.
    for row, net in (("MobileNet V1 + SSDLite", "v1"), ("MobileNet V2 + SSDLite", "v2")):
        macs, _ = _torch_counts(_torch_ssd(torch, net, True), 320)
        cell = cells[("V2 Table 6", row, "MAdd")]
        assert cell.computed_exact == macs and cell.status == "match"
        # Params with 91 class slots (5.21 M, 4.45 M) are above the printed 5.1M and 4.3M;
        # the note names the reading that fits both rows: 81 slots (80 categories and
        # background), whose counts the PyTorch build confirms round to the printed ones.
        cell = cells[("V2 Table 6", row, "Params")]
        assert cell.status == "differs" and "81 class slots" in cell.note
        coco80 = _weights(_torch_ssd(torch, net, True, classes=81))
        assert round(Fraction(coco80, 10**6), 1) == Fraction(cell.published)
        assert f"{Decimal(coco80) / 10**6:.3f} M params, which rounds to" in cell.note
    for column in ("Params", "MAdd"):
        cell = cells[("V2 Table 6", "SSD300 (VGG)", column)]
        assert cell.status == "not computable" and "Liu et al. 2016" in cell.note


@pytest.mark.parametrize("width", ["80", "160"])
def test_reproduce_shows_the_detection_rows_with_status_and_cause(width):
    result = run_cli("reproduce", "13", "v2-6", env={"COLUMNS": width})
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for text in ("SSD 300 / MobileNet", "MobileNet V2 + SSDLite", "SSD300 (VGG)", "V2 Table 6"):
        assert text in " ".join(out.split()), text
    # Causes are cited by publication, never by one of mncost's file names.
    flat = " ".join(out.split())
    assert "issue-18" not in flat and ".txt" not in flat and ".csv" not in flat
    assert "Huang et al. 2017, arXiv:1611.10012" in flat
    # The V2 rows' notes, and a match's footnote, name the publication they are printed in.
    assert flat.count("[printed in Sandler et al. 2018, arXiv:1801.04381, Table 6]") == 5


def test_reproduce_json_and_table_filters_for_the_v2_table():
    data = cli_json("reproduce", "v2-6")
    assert len(data) == 6 and {c["citation"] for c in data} == {V2_CITATION}
    assert {c["status"] for c in data} == {"match", "differs", "not computable"}
    everything = json.loads(run_cli("reproduce", "-f", "json").stdout)
    assert sum(c["table"] == "V2 Table 6" for c in everything) == 6
    bad = run_cli("reproduce", "v2-7")
    assert bad.exit_code == 2 and "v2-6" in bad.stderr
