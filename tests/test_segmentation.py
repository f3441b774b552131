"""Segmentation on MobileNetV3-Large (issue 18, section 2), against torchvision: LR-ASPP
and DeepLabV3 with its auxiliary head.

Independent sides: torchvision's documented figures (its model documentation, FLOPS there
meaning MACs, at its evaluation size 520): lraspp_mobilenet_v3_large 3,221,538 params and
2.09 GFLOPS, deeplabv3_mobilenet_v3_large 11,029,328 params and 10.45 GFLOPS; and
PyTorch's FlopCounterMode on the networks this test builds by hand from torchvision's
``lraspp.py``, ``deeplabv3.py``, ``fcn.py`` and ``mobilenetv3.py`` (torchvision's wheel
does not load here). Nothing expected is taken from mncost's output.
"""

from __future__ import annotations

import pytest

import mncost
from tests.conftest import run_cli

MODEL = "lraspp-mobilenet-v3-large"

# torchvision mobilenetv3._mobilenet_v3_conf("mobilenet_v3_large", dilated=True):
# (input, kernel, expanded, out, SE, activation, stride, dilation)
LARGE = (
    (16, 3, 16, 16, False, "RE", 1, 1),
    (16, 3, 64, 24, False, "RE", 2, 1),
    (24, 3, 72, 24, False, "RE", 1, 1),
    (24, 5, 72, 40, True, "RE", 2, 1),
    (40, 5, 120, 40, True, "RE", 1, 1),
    (40, 5, 120, 40, True, "RE", 1, 1),
    (40, 3, 240, 80, False, "HS", 2, 1),
    (80, 3, 200, 80, False, "HS", 1, 1),
    (80, 3, 184, 80, False, "HS", 1, 1),
    (80, 3, 184, 80, False, "HS", 1, 1),
    (80, 3, 480, 112, True, "HS", 1, 1),
    (112, 3, 672, 112, True, "HS", 1, 1),
    (112, 5, 672, 160, True, "HS", 2, 2),
    (160, 5, 960, 160, True, "HS", 1, 2),
    (160, 5, 960, 160, True, "HS", 1, 2),
)


def divisible(v: float, d: int = 8) -> int:  # torchvision's _make_divisible
    new = max(d, int(v + d / 2) // d * d)
    return new + d if new < 0.9 * v else new


def _torch_net(torch, classes: int = 21, deeplab: bool = False):
    nn, F = torch.nn, torch.nn.functional

    def cba(c_in, c_out, k, s=1, d=1, groups=1, act=None):
        layers = [
            nn.Conv2d(c_in, c_out, k, s, (k - 1) // 2 * d, dilation=d, groups=groups, bias=False),
            nn.BatchNorm2d(c_out),
        ]
        return nn.Sequential(*layers, *([act()] if act else []))

    class SE(nn.Module):
        def __init__(self, c):
            super().__init__()
            sq = divisible(c // 4)
            self.fc1, self.fc2 = nn.Conv2d(c, sq, 1), nn.Conv2d(sq, c, 1)

        def forward(self, x):
            s = self.fc2(F.relu(self.fc1(F.adaptive_avg_pool2d(x, 1))))
            return x * F.hardsigmoid(s)

    class Block(nn.Module):
        def __init__(self, c_in, k, exp, c_out, se, act, stride, dilation):
            super().__init__()
            a = nn.ReLU if act == "RE" else nn.Hardswish
            s = 1 if dilation > 1 else stride
            parts = [] if exp == c_in else [cba(c_in, exp, 1, act=a)]
            parts.append(cba(exp, exp, k, s, dilation, groups=exp, act=a))
            parts += [SE(exp)] if se else []
            parts.append(cba(exp, c_out, 1))
            self.body = nn.Sequential(*parts)
            self.residual = stride == 1 and c_in == c_out

        def forward(self, x):
            y = self.body(x)
            return x + y if self.residual else y

    class DeepLab(nn.Module):
        # deeplabv3._deeplabv3_mobilenetv3: DeepLabHead(960, classes) on the last conv,
        # FCNHead(40, classes) on block 4 (aux), both upsampled to the input.
        def __init__(self):
            super().__init__()
            blocks = [cba(3, 16, 3, 2, act=nn.Hardswish)]
            blocks += [Block(*row) for row in LARGE]
            blocks.append(cba(160, 960, 1, act=nn.Hardswish))
            self.features = nn.ModuleList(blocks)
            self.aspp = nn.ModuleList(
                [cba(960, 256, 1, act=nn.ReLU)]
                + [cba(960, 256, 3, d=rate, act=nn.ReLU) for rate in (12, 24, 36)]
            )
            self.pool_conv = cba(960, 256, 1, act=nn.ReLU)
            self.project = cba(5 * 256, 256, 1, act=nn.ReLU)
            self.conv = cba(256, 256, 3, act=nn.ReLU)
            self.logits = nn.Conv2d(256, classes, 1)
            self.aux_conv = cba(40, 10, 3, act=nn.ReLU)
            self.aux_logits = nn.Conv2d(10, classes, 1)

        def forward(self, image):
            x, low = image, None
            for i, block in enumerate(self.features):
                x = block(x)
                if i == 4:
                    low = x
            pooled = self.pool_conv(F.adaptive_avg_pool2d(x, 1))
            pooled = F.interpolate(pooled, size=x.shape[-2:], mode="bilinear", align_corners=False)
            y = torch.cat([branch(x) for branch in self.aspp] + [pooled], 1)
            y = self.logits(self.conv(self.project(y)))
            aux = self.aux_logits(self.aux_conv(low))
            size = image.shape[-2:]
            return (
                F.interpolate(y, size=size, mode="bilinear", align_corners=False),
                F.interpolate(aux, size=size, mode="bilinear", align_corners=False),
            )

    class LRASPP(nn.Module):
        def __init__(self):
            super().__init__()
            blocks = [cba(3, 16, 3, 2, act=nn.Hardswish)]
            blocks += [Block(*row) for row in LARGE]
            blocks.append(cba(160, 960, 1, act=nn.Hardswish))
            self.features = nn.ModuleList(blocks)
            self.cbr = cba(960, 128, 1, act=nn.ReLU)
            self.scale = nn.Conv2d(960, 128, 1, bias=False)
            self.low_classifier = nn.Conv2d(40, classes, 1)
            self.high_classifier = nn.Conv2d(128, classes, 1)

        def forward(self, image):
            x, low = image, None
            for i, block in enumerate(self.features):
                x = block(x)
                if i == 4:  # stage_indices[-4]: the output of features[4] (block 4)
                    low = x
            high = x
            y = self.cbr(high) * torch.sigmoid(self.scale(F.adaptive_avg_pool2d(high, 1)))
            y = F.interpolate(y, size=low.shape[-2:], mode="bilinear", align_corners=False)
            out = self.low_classifier(low) + self.high_classifier(y)
            return F.interpolate(out, size=image.shape[-2:], mode="bilinear", align_corners=False)

    return (LRASPP() if not deeplab else DeepLab()).eval()


def test_params_are_torchvisions_documented_count():
    # torchvision's lraspp_mobilenet_v3_large documentation: num_params 3,221,538 (batch
    # norm's weight and bias counted, running statistics not).
    assert mncost.cost(MODEL, bn="affine").total.params == 3_221_538


def test_macs_round_to_torchvisions_documented_gflops():
    # 2.09 GFLOPS (MACs) at 520x520, given to two decimals.
    assert 2_085_000_000 <= mncost.cost(MODEL).total.mult_adds < 2_095_000_000


DEEPLAB = "deeplabv3-mobilenet-v3-large"


def test_deeplab_params_are_torchvisions_documented_count():
    # deeplabv3_mobilenet_v3_large: num_params 11,029,328, its auxiliary head included
    # (torchvision builds it with aux_loss for the released weights, and runs it in eval).
    assert mncost.cost(DEEPLAB, bn="affine").total.params == 11_029_328
    # 10.45 GFLOPS (MACs) at 520x520.
    assert 10_445_000_000 <= mncost.cost(DEEPLAB).total.mult_adds < 10_455_000_000


@pytest.mark.parametrize(
    "model, resolution",
    [(MODEL, 520), (MODEL, 513), (MODEL, 224), (DEEPLAB, 520), (DEEPLAB, 257)],
)
def test_macs_and_params_equal_pytorch(model, resolution):
    torch = pytest.importorskip("torch")
    from torch.utils.flop_counter import FlopCounterMode

    net = _torch_net(torch, deeplab=model == DEEPLAB)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        out = net(torch.zeros(1, 3, resolution, resolution))
    first = out[0] if isinstance(out, tuple) else out
    assert tuple(first.shape) == (1, 21, resolution, resolution)
    result = mncost.cost(model, resolution=resolution, bn="affine")
    assert 2 * result.total.mult_adds == counter.get_total_flops()
    # Batch norm's running statistics are buffers, not parameters: as torchvision counts.
    assert result.total.params == sum(p.numel() for p in net.parameters())


def test_classes_set_both_classifiers():
    # --classes 91: each classifier's weights and bias scale with the classes:
    # (40 + 128) x 91 + 2 x 91 more than 0 classes.
    zero = mncost.cost(MODEL, classes=0).total.params
    coco = mncost.cost(MODEL, classes=91).total.params
    assert coco - zero == (40 + 128) * 91 + 2 * 91


def test_the_heads_are_blocks_and_memory_and_latency_run():
    result = mncost.cost(MODEL)
    assert {layer.block for layer in result.layers if layer.name.startswith("head.")} >= {
        "head",
        "head.low",
        "head.scale",
    }
    memory = run_cli("memory", MODEL)
    assert memory.exit_code == 0 and "Peak activation memory" in memory.stdout
    latency = run_cli("latency", MODEL, "--device", "pixel1-cpu")
    assert latency.exit_code == 0 and "Caution" in latency.stdout


@pytest.mark.parametrize("model", [MODEL, DEEPLAB])
def test_verify_agrees_with_pytorch(model):
    pytest.importorskip("torch")
    result = run_cli("verify", model, "--res", "129")
    assert result.exit_code == 0, result.stderr
    assert "verified: all" in result.stdout
