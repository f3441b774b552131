"""SSD300 on VGG 16 (ssd300-vgg16), against torchvision.

Independent sides: torchvision's documented figures for ssd300_vgg16 (its model
documentation, ``SSD300_VGG16_Weights.COCO_V1``: 35,641,826 params, 34.86 GFLOPS, FLOPS
there meaning MACs), and PyTorch's FlopCounterMode on an SSD300 this test builds by hand
from torchvision's ``detection/ssd.py`` (``_vgg_extractor``, ``SSDFeatureExtractorVGG``,
``SSDHead``, ``DefaultBoxGenerator``) and ``models/vgg.py`` (``cfgs["D"]``,
``make_layers``), since torchvision's wheel does not load here. The modules keep
torchvision's names (``backbone.features.21``, ``head.classification_head.module_list.0``),
so the test pairs each of its convs with mncost's layer by an explicit table, conv by conv.
"""

from __future__ import annotations

import pytest

import mncost
from mncost.cost.geometry import GeometryError
from tests.conftest import run_cli

MODEL = "ssd300-vgg16"
CFG_D = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]
"""torchvision models/vgg.py, cfgs["D"] (vgg16)."""
ASPECT_RATIOS = [[2], [2, 3], [2, 3], [2, 3], [2], [2]]
"""ssd300_vgg16's DefaultBoxGenerator; anchors per location: 2 + 2 * len(ratios)."""
IN_CHANNELS = [512, 1024, 512, 256, 256, 256]
"""The six feature maps' channels (conv4_3, conv7, conv8_2 to conv11_2)."""

_VGG_NAMES = [
    f"conv{s}_{i}" for s, n in enumerate((2, 2, 3, 3, 3), start=1) for i in range(1, n + 1)
]


def _paper_names() -> dict[str, str]:
    """torchvision's module path of each conv -> mncost's layer name (the paper's)."""
    # vgg16().features: conv, ReLU, ... with a max pool after each stage.
    conv_at = [i for i, v in enumerate(_torch_feature_indices()) if v == "C"]
    names = {}
    for index, name in zip(conv_at, _VGG_NAMES, strict=True):
        # SSDFeatureExtractorVGG: features = backbone[:23] (to conv4_3's ReLU), and
        # extra[0] = backbone[23:30] (pool4 to conv5_3's ReLU, pool5 skipped) + fc.
        where = f"features.{index}" if index < 23 else f"extra.0.{index - 23}"
        names[f"backbone.{where}"] = name
    names["backbone.extra.0.7.1"] = "conv6"
    names["backbone.extra.0.7.3"] = "conv7"
    for k in range(1, 5):
        names[f"backbone.extra.{k}.0"] = f"conv{k + 7}_1"
        names[f"backbone.extra.{k}.2"] = f"conv{k + 7}_2"
    for i in range(6):
        names[f"head.classification_head.module_list.{i}"] = f"cls_{i + 1}.conv"
        names[f"head.regression_head.module_list.{i}"] = f"box_{i + 1}.conv"
    return names


def _torch_feature_indices() -> list[str]:
    # make_layers: each number is a Conv2d and a ReLU, each "M" a MaxPool2d.
    return [x for v in CFG_D for x in (["M"] if v == "M" else ["C", "R"])]


def _torch_ssd300(torch, classes: int = 91):
    nn, F = torch.nn, torch.nn.functional

    def vgg16_features():  # models/vgg.py make_layers(cfgs["D"]), no batch norm
        layers, c_in = [], 3
        for v in CFG_D:
            if v == "M":
                layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            else:
                layers += [nn.Conv2d(c_in, v, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
                c_in = v
        return nn.Sequential(*layers)

    class SSDFeatureExtractorVGG(nn.Module):
        def __init__(self, backbone):
            super().__init__()
            _, _, maxpool3_pos, maxpool4_pos, _ = (
                i for i, layer in enumerate(backbone) if isinstance(layer, nn.MaxPool2d)
            )
            backbone[maxpool3_pos].ceil_mode = True
            self.scale_weight = nn.Parameter(torch.ones(512) * 20)
            self.features = nn.Sequential(*backbone[:maxpool4_pos])
            extra = nn.ModuleList(
                [
                    nn.Sequential(
                        nn.Conv2d(1024, 256, kernel_size=1),
                        nn.ReLU(inplace=True),
                        nn.Conv2d(256, 512, kernel_size=3, padding=1, stride=2),
                        nn.ReLU(inplace=True),
                    ),
                    nn.Sequential(
                        nn.Conv2d(512, 128, kernel_size=1),
                        nn.ReLU(inplace=True),
                        nn.Conv2d(128, 256, kernel_size=3, padding=1, stride=2),
                        nn.ReLU(inplace=True),
                    ),
                    nn.Sequential(
                        nn.Conv2d(256, 128, kernel_size=1),
                        nn.ReLU(inplace=True),
                        nn.Conv2d(128, 256, kernel_size=3),
                        nn.ReLU(inplace=True),
                    ),
                    nn.Sequential(
                        nn.Conv2d(256, 128, kernel_size=1),
                        nn.ReLU(inplace=True),
                        nn.Conv2d(128, 256, kernel_size=3),
                        nn.ReLU(inplace=True),
                    ),
                ]
            )
            fc = nn.Sequential(
                nn.MaxPool2d(kernel_size=3, stride=1, padding=1, ceil_mode=False),
                nn.Conv2d(512, 1024, kernel_size=3, padding=6, dilation=6),
                nn.ReLU(inplace=True),
                nn.Conv2d(1024, 1024, kernel_size=1),
                nn.ReLU(inplace=True),
            )
            extra.insert(0, nn.Sequential(*backbone[maxpool4_pos:-1], fc))
            self.extra = extra

        def forward(self, x):
            x = self.features(x)
            output = [self.scale_weight.view(1, -1, 1, 1) * F.normalize(x)]
            for block in self.extra:
                x = block(x)
                output.append(x)
            return output

    class Scoring(nn.Module):  # SSDClassificationHead / SSDRegressionHead
        def __init__(self, per_anchor):
            super().__init__()
            self.module_list = nn.ModuleList(
                nn.Conv2d(c, per_anchor * (2 + 2 * len(r)), kernel_size=3, padding=1)
                for c, r in zip(IN_CHANNELS, ASPECT_RATIOS, strict=True)
            )

        def forward(self, maps):
            return [conv(m) for conv, m in zip(self.module_list, maps, strict=True)]

    class Head(nn.Module):
        def __init__(self):
            super().__init__()
            self.classification_head = Scoring(classes)
            self.regression_head = Scoring(4)

        def forward(self, maps):
            return self.regression_head(maps), self.classification_head(maps)

    class SSD(nn.Module):
        def __init__(self):
            super().__init__()
            self.backbone = SSDFeatureExtractorVGG(vgg16_features())
            self.head = Head()

        def forward(self, image):
            maps = self.backbone(image)
            return maps, self.head(maps)

    # On the meta device: shapes and FLOPs without allocating or computing anything.
    return SSD().to("meta").eval()


def _measure(torch, resolution: int):
    from torch.utils.flop_counter import FlopCounterMode

    net = _torch_ssd300(torch)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        maps, _ = net(torch.empty(1, 3, resolution, resolution, device="meta"))
    flops = counter.get_flop_counts()
    by_layer = {}
    for path, module in net.named_modules():
        if isinstance(module, torch.nn.Conv2d):
            macs = int(sum(flops.get(f"SSD.{path}", {}).values())) // 2
            params = sum(p.numel() for p in module.parameters())
            by_layer[_paper_names()[path]] = (macs, params)
    # The L2 normalisation's learned scale: 512 parameters, its multiply 0 FLOPs (the
    # whole network's FLOPs are compared too, so a multiply counted anywhere would show).
    by_layer["conv4_3_norm.scale"] = (0, net.backbone.scale_weight.numel())
    return net, maps, counter.get_total_flops(), by_layer


def test_params_are_torchvisions_documented_count():
    # ssd300_vgg16 (SSD300_VGG16_Weights.COCO_V1): num_params 35,641,826. No batch norm
    # anywhere, so every --bn convention gives the same count.
    for bn in ("none", "affine", "all"):
        assert mncost.cost(MODEL, bn=bn).total.params == 35_641_826


def test_macs_are_torchvisions_documented_gflops():
    # 34.86 GFLOPS (MACs) at 300x300; FlopCounterMode on the network below counts
    # 69,716,306,944 FLOPs: 34,858,153,472 MACs.
    macs = mncost.cost(MODEL).total.mult_adds
    assert macs == 34_858_153_472
    assert round(macs / 1e9, 2) == 34.86


def test_classes_size_every_class_predictor():
    # Each class predictor is a 3x3 conv with bias to anchors x classes: from 21 to 91
    # classes adds 70 x anchors x (9 c + 1) per map, summed over the six maps
    # 4 x 4,609 + 6 x 9,217 + 6 x 4,609 + 6 x 2,305 + 4 x 2,305 + 4 x 2,305 = 133,662.
    voc = mncost.cost(MODEL, classes=21).total.params
    coco = mncost.cost(MODEL, classes=91).total.params
    assert coco - voc == 70 * 133_662


@pytest.mark.parametrize("resolution", [300, 512, 333])
def test_macs_and_params_equal_pytorch_layer_by_layer(resolution):
    torch = pytest.importorskip("torch")
    net, maps, total_flops, by_layer = _measure(torch, resolution)
    result = mncost.cost(MODEL, resolution=resolution)
    ours = {layer.name: (layer.mult_adds, layer.params) for layer in result.layers if layer.params}
    assert ours == by_layer
    # Nothing else counts: the L2 normalisation, pools and ReLUs are 0 FLOPs in PyTorch too.
    assert 2 * result.total.mult_adds == total_flops
    assert result.total.params == sum(p.numel() for p in net.parameters())
    # The six maps the predictors read: (height, width, channels) as PyTorch shapes them.
    outputs = {layer.name: layer.output for layer in result.layers}
    sources = ["conv4_3_norm.scale", "conv7", "conv8_2", "conv9_2", "conv10_2", "conv11_2"]
    assert [outputs[s] for s in sources] == [(m.shape[2], m.shape[3], m.shape[1]) for m in maps]
    if resolution == 300:  # the paper's Figure 2
        assert [m.shape[2] for m in maps] == [38, 19, 10, 5, 3, 1]


# The body under --classes 0, by hand from torchvision's modules (3x3 or 1x1 convs with
# bias: k*k*c_in*c_out + c_out), without the six class predictors:
_VGG_BODY = (
    (9 * 3 * 64 + 64)  # conv1_1: 1,792
    + (9 * 64 * 64 + 64)  # conv1_2: 36,928
    + (9 * 64 * 128 + 128)  # conv2_1: 73,856
    + (9 * 128 * 128 + 128)  # conv2_2: 147,584
    + (9 * 128 * 256 + 256)  # conv3_1: 295,168
    + 2 * (9 * 256 * 256 + 256)  # conv3_2, conv3_3: 590,080 each
    + (9 * 256 * 512 + 512)  # conv4_1: 1,180,160
    + 5 * (9 * 512 * 512 + 512)  # conv4_2, conv4_3, conv5_1 to conv5_3: 2,359,808 each
)  # 14,714,688: vgg16().features' params, torchvision's VGG 16 less its classifier
_EXTRAS = (
    (9 * 512 * 1024 + 1024)  # conv6 (fc6, dilated): 4,719,616
    + (1024 * 1024 + 1024)  # conv7 (fc7): 1,049,600
    + (1024 * 256 + 256)
    + (9 * 256 * 512 + 512)  # conv8: 262,400 + 1,180,160
    + (512 * 128 + 128)
    + (9 * 128 * 256 + 256)  # conv9: 65,664 + 295,168
    + 2 * ((256 * 128 + 128) + (9 * 128 * 256 + 256))  # conv10, conv11: 32,896 + 295,168
)  # 8,228,736
_BOXES = sum(  # SSDRegressionHead: a 3x3 conv with bias to anchors x 4 on each map
    (9 * c + 1) * 4 * (2 + 2 * len(r)) for c, r in zip(IN_CHANNELS, ASPECT_RATIOS, strict=True)
)  # 73,744 + 221,208 + 110,616 + 55,320 + 36,880 + 36,880 = 534,648
L2_SCALE = 512
"""torchvision's ``scale_weight``: one weight per channel of conv4_3."""


def test_classes_0_keeps_the_l2_scale_weights():
    # --classes 0 drops the class predictors only: the backbone, the extras, the box
    # predictors and the L2 normalisation's 512 weights stay (before the scale was a
    # layer kind of its own, they went with the classifier).
    assert _VGG_BODY == 14_714_688 and _BOXES == 534_648
    body = mncost.cost(MODEL, classes=0)
    assert body.total.params == _VGG_BODY + _EXTRAS + _BOXES + L2_SCALE == 23_478_584
    scale = next(layer for layer in body.layers if layer.name == "conv4_3_norm.scale")
    assert (scale.mult_adds, scale.params, scale.kind) == (0, L2_SCALE, "channel_scale")
    # The full model less the six class predictors (3x3 convs with bias to anchors x 91).
    classes = sum(
        (9 * c + 1) * 91 * (2 + 2 * len(r)) for c, r in zip(IN_CHANNELS, ASPECT_RATIOS, strict=True)
    )
    assert 35_641_826 - classes == body.total.params


def test_classes_0_equals_pytorch_without_its_class_predictors():
    torch = pytest.importorskip("torch")
    net = _torch_ssd300(torch)
    kept = sum(
        p.numel()
        for path, p in net.named_parameters()
        if not path.startswith("head.classification_head.")
    )
    assert mncost.cost(MODEL, classes=0).total.params == kept


def test_the_smallest_input_is_268_as_in_pytorch():
    # conv10_2 and conv11_2 are unpadded 3x3 convs: conv11_2 needs a 3x3 input, which
    # 268x268 is the smallest image to give (268, 134, 67, 34, 17, 9, 5, 3).
    torch = pytest.importorskip("torch")
    _measure(torch, 268)
    assert mncost.cost(MODEL, resolution=268).layers[-1].output == (1, 1, 16)
    with pytest.raises(RuntimeError, match="Kernel size can't be greater"):
        _measure(torch, 267)
    with pytest.raises(GeometryError, match="conv11_2"):
        mncost.cost(MODEL, resolution=267)


def test_a_too_small_input_is_refused_in_one_line():
    result = run_cli("table", MODEL, "--res", "64")
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "conv10_2" in result.stderr and "Traceback" not in result.stderr


def test_verify_memory_and_latency_run():
    pytest.importorskip("torch")
    verify = run_cli("verify", MODEL)
    assert verify.exit_code == 0, verify.stderr
    assert "verified: all" in verify.stdout
    # The body alone, at another width: the scale follows conv4_3's channels there too.
    verify = run_cli("verify", MODEL, "--classes", "0", "--alpha", "0.5")
    assert verify.exit_code == 0, verify.stderr
    assert "verified: all" in verify.stdout
    memory = run_cli("memory", MODEL, "--dtype", "int8")
    assert memory.exit_code == 0 and "Peak activation memory" in memory.stdout
    latency = run_cli("latency", MODEL, "--device", "pixel1-cpu")
    assert latency.exit_code == 0 and "Caution" in latency.stdout
