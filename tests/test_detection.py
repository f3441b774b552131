"""SSDLite on MobileNetV3-Large (issue 18, section 2), against torchvision.

Independent sides: torchvision's documented figures for ssdlite320_mobilenet_v3_large
(its model documentation: 3,440,060 params, 0.58 GFLOPS, FLOPS there meaning MACs), and
PyTorch's FlopCounterMode on an SSDLite this test builds by hand from torchvision's
``ssdlite.py`` and ``mobilenetv3.py`` (torchvision's wheel does not load here), as it is
built for the released COCO weights (``reduce_tail``: the last stage at half width).
"""

from __future__ import annotations

import pytest

import mncost
from tests.conftest import run_cli
from tests.test_segmentation import LARGE, divisible

MODEL = "ssdlite320-mobilenet-v3-large"
# The reduced tail: blocks 13 to 15 output 160 // 2 = 80, expanding 672, 960 // 2, 960 // 2.
_REDUCED = LARGE[:12] + (
    (112, 5, 672, 80, True, "HS", 2, 1),
    (80, 5, 480, 80, True, "HS", 1, 1),
    (80, 5, 480, 80, True, "HS", 1, 1),
)


def _torch_ssdlite(torch, classes: int = 91, anchors: int = 6):
    nn, F = torch.nn, torch.nn.functional

    def cba(c_in, c_out, k, s=1, groups=1, act=None):
        layers = [
            nn.Conv2d(c_in, c_out, k, s, (k - 1) // 2, groups=groups, bias=False),
            nn.BatchNorm2d(c_out),
        ]
        return nn.Sequential(*layers, *([act()] if act else []))

    class SE(nn.Module):
        def __init__(self, c):
            super().__init__()
            sq = divisible(c // 4)
            self.fc1, self.fc2 = nn.Conv2d(c, sq, 1), nn.Conv2d(sq, c, 1)

        def forward(self, x):
            return x * F.hardsigmoid(self.fc2(F.relu(self.fc1(F.adaptive_avg_pool2d(x, 1)))))

    class Block(nn.Module):
        def __init__(self, c_in, k, exp, c_out, se, act, stride, dilation):
            super().__init__()
            a = nn.ReLU if act == "RE" else nn.Hardswish
            self.expand = None if exp == c_in else cba(c_in, exp, 1, act=a)
            rest = [cba(exp, exp, k, stride, groups=exp, act=a)]
            rest += [SE(exp)] if se else []
            self.rest = nn.Sequential(*rest, cba(exp, c_out, 1))
            self.residual = stride == 1 and c_in == c_out

        def forward(self, x):
            e = x if self.expand is None else self.expand(x)
            y = self.rest(e)
            return (x + y if self.residual else y), e

    def extra(c_in, c_out):  # ssdlite._extra_block
        mid = c_out // 2
        return nn.Sequential(
            cba(c_in, mid, 1, act=nn.ReLU6),
            cba(mid, mid, 3, 2, groups=mid, act=nn.ReLU6),
            cba(mid, c_out, 1, act=nn.ReLU6),
        )

    def predictor(c, out):  # ssdlite._prediction_block
        return nn.Sequential(cba(c, c, 3, groups=c, act=nn.ReLU6), nn.Conv2d(c, out, 1))

    class SSDLite(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = cba(3, 16, 3, 2, act=nn.Hardswish)
            self.blocks = nn.ModuleList(Block(*row) for row in _REDUCED)
            self.last = cba(80, 480, 1, act=nn.Hardswish)
            self.extras = nn.ModuleList(
                [extra(480, 512), extra(512, 256), extra(256, 256), extra(256, 128)]
            )
            channels = [672, 480, 512, 256, 256, 128]
            self.cls = nn.ModuleList(predictor(c, classes * anchors) for c in channels)
            self.box = nn.ModuleList(predictor(c, 4 * anchors) for c in channels)

        def forward(self, image):
            x = self.stem(image)
            maps = []
            for n, block in enumerate(self.blocks, start=1):
                x, expanded = block(x)
                if n == 13:  # torchvision splits block 13 after its expansion conv
                    maps.append(expanded)
            x = self.last(x)
            maps.append(x)
            for e in self.extras:
                x = e(x)
                maps.append(x)
            return [h(m) for h, m in zip(self.cls, maps)] + [h(m) for h, m in zip(self.box, maps)]

    return SSDLite().eval()


def test_params_are_torchvisions_documented_count():
    # ssdlite320_mobilenet_v3_large: num_params 3,440,060; 0.58 GFLOPS (MACs) at 320.
    assert mncost.cost(MODEL, bn="affine").total.params == 3_440_060
    assert 575_000_000 <= mncost.cost(MODEL).total.mult_adds < 585_000_000


def test_classes_size_every_class_predictor():
    # Each of the six class predictors ends in a 1x1 conv to 6 anchors x classes, with a
    # bias: going from 21 to 91 classes adds 70 x 6 x (c + 1) per map, and the maps'
    # channels sum to 672 + 480 + 512 + 256 + 256 + 128 = 2,304: 70 x 6 x 2,310.
    voc = mncost.cost(MODEL, classes=21).total.params
    coco = mncost.cost(MODEL, classes=91).total.params
    assert coco - voc == 70 * 6 * 2_310


@pytest.mark.parametrize("resolution", [320, 300, 257])
def test_macs_and_params_equal_pytorch(resolution):
    torch = pytest.importorskip("torch")
    from torch.utils.flop_counter import FlopCounterMode

    net = _torch_ssdlite(torch)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        net(torch.zeros(1, 3, resolution, resolution))
    result = mncost.cost(MODEL, resolution=resolution, bn="affine")
    assert 2 * result.total.mult_adds == counter.get_total_flops()
    assert result.total.params == sum(p.numel() for p in net.parameters())


def test_the_predictors_are_outputs_and_memory_and_verify_run():
    result = run_cli("verify", MODEL, "--res", "224")
    assert result.exit_code == 0, result.stderr
    memory = run_cli("memory", MODEL, "--dtype", "int8")
    assert memory.exit_code == 0 and "Peak activation memory" in memory.stdout


def test_per_class_goes_with_filters_classes(tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text(
        "name: bad\nresolution: 8\nlayers:\n  - {kind: pw, name: p, filters: 8, per_class: 6}\n",
        encoding="utf-8",
    )
    result = run_cli("table", str(spec))
    assert result.exit_code == 2 and "per_class: only with filters: classes" in result.stderr
