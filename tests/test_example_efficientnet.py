"""examples/efficientnet-b0.yaml: EfficientNet-B0 in torchvision's layout, as a spec file.

Independent sides: torchvision's documented figures for efficientnet_b0 (its model
documentation: 5,288,548 params, 0.39 GFLOPS, FLOPS there meaning MACs), and PyTorch's
FlopCounterMode on an EfficientNet-B0 this test builds itself from torchvision's
``efficientnet.py`` (torchvision's wheel does not load here). Only the layout is read
from torchvision's sources; nothing is taken from mncost's output.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import mncost
from mncost.arch.load import load_spec

SPEC = Path(__file__).resolve().parent.parent / "examples" / "efficientnet-b0.yaml"

# torchvision.models.efficientnet._efficientnet_conf("efficientnet_b0"):
# MBConvConfig(expand_ratio, kernel, stride, input_channels, out_channels, num_layers)
_B0 = (
    (1, 3, 1, 32, 16, 1),
    (6, 3, 2, 16, 24, 2),
    (6, 5, 2, 24, 40, 2),
    (6, 3, 2, 40, 80, 3),
    (6, 5, 1, 80, 112, 3),
    (6, 5, 2, 112, 192, 4),
    (6, 3, 1, 192, 320, 1),
)


def _torch_b0(torch):
    """torchvision's efficientnet_b0 at width 1.0 (all its channels are already
    multiples of 8), in eval form: every conv bias-free and followed by BatchNorm2d."""
    nn = torch.nn

    def conv_bn(c_in, c_out, k, s=1, groups=1, act=True):
        layers = [
            nn.Conv2d(c_in, c_out, k, s, (k - 1) // 2, groups=groups, bias=False),
            nn.BatchNorm2d(c_out),
        ]
        return nn.Sequential(*layers, *([nn.SiLU()] if act else []))

    class SE(nn.Module):  # torchvision.ops.SqueezeExcitation(activation=SiLU)
        def __init__(self, channels, squeeze):
            super().__init__()
            self.fc1 = nn.Conv2d(channels, squeeze, 1)
            self.fc2 = nn.Conv2d(squeeze, channels, 1)

        def forward(self, x):
            s = torch.nn.functional.adaptive_avg_pool2d(x, 1)
            s = self.fc2(torch.nn.functional.silu(self.fc1(s)))
            return x * torch.sigmoid(s)

    class MBConv(nn.Module):
        def __init__(self, t, k, s, c_in, c_out):
            super().__init__()
            hidden = c_in * t
            layers = [] if t == 1 else [conv_bn(c_in, hidden, 1)]
            layers += [
                conv_bn(hidden, hidden, k, s, groups=hidden),
                SE(hidden, max(1, c_in // 4)),  # squeeze from the block's input
                conv_bn(hidden, c_out, 1, act=False),
            ]
            self.block = nn.Sequential(*layers)
            self.residual = s == 1 and c_in == c_out

        def forward(self, x):
            y = self.block(x)
            return x + y if self.residual else y

    blocks = [conv_bn(3, 32, 3, 2)]
    for t, k, s, c_in, c_out, n in _B0:
        for i in range(n):
            blocks.append(MBConv(t, k, s if i == 0 else 1, c_in if i == 0 else c_out, c_out))
    blocks.append(conv_bn(320, 1280, 1))
    return nn.Sequential(
        *blocks, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(1280, 1000)
    ).eval()


def test_params_are_torchvisions_documented_count():
    # torchvision's efficientnet_b0 documentation: num_params 5,288,548 (batch norm's
    # weight and bias included, running statistics not).
    result = mncost.cost(load_spec(SPEC), bn="affine")
    assert result.total.params == 5_288_548


def test_macs_round_to_torchvisions_documented_gflops():
    # torchvision documents 0.39 GFLOPS (its FLOPS are MACs), given to two decimals.
    macs = mncost.cost(load_spec(SPEC)).total.mult_adds
    assert 385_000_000 <= macs < 395_000_000


@pytest.mark.parametrize("resolution", [224, 240, 193])
def test_macs_and_params_equal_pytorch(resolution):
    torch = pytest.importorskip("torch")
    from torch.utils.flop_counter import FlopCounterMode

    model = _torch_b0(torch)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(torch.zeros(1, 3, resolution, resolution))
    torch_macs = counter.get_total_flops() // 2
    # Params as mncost counts them by default: conv and linear weights and biases,
    # batch norm not counted.
    torch_params = sum(
        p.numel()
        for m in model.modules()
        if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))
        for p in m.parameters(recurse=False)
    )
    result = mncost.cost(load_spec(SPEC), resolution=resolution)
    assert result.total.mult_adds == torch_macs
    assert result.total.params == torch_params
