"""`mncost compare A B` and `mncost.compare`: two configurations side by side, by layer
type and in total, differences B - A.

The independent side is PyTorch: MobileNet v1 (the paper's Table 1) and MobileNet V2
(Sandler et al., Table 2, torchvision's layout) are written here as torch modules and
measured with ``FlopCounterMode`` (FLOPs = 2 x MACs) and their parameter tensors, per
layer type; the peak activation memory is derived by hand in comments; top-1 comes from
TF-slim's checkpoint tables.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from fractions import Fraction

import pytest

import mncost
from mncost.analysis.compare import MAX_CONFIG_CHARS, parse_config
from mncost.analysis.explore import ExploreError
from tests.conftest import run_cli

torch = pytest.importorskip("torch")
nn = torch.nn


# --- the PyTorch reference ------------------------------------------------------------------


def _conv(c_in: int, c_out: int, k: int, stride: int = 1, groups: int = 1) -> nn.Conv2d:
    # TF "same" padding for odd kernels at these sizes: (k - 1) // 2 on each side gives
    # ceil(in / stride) for the even inputs used here.
    return nn.Conv2d(c_in, c_out, k, stride, (k - 1) // 2, groups=groups, bias=False)


class MobileNetV1(nn.Module):
    """Table 1 of Howard et al. 2017, channels round(c * alpha) half up (exact here)."""

    def __init__(self, alpha: Fraction) -> None:
        super().__init__()

        def w(c: int) -> int:
            return int(c * alpha + Fraction(1, 2))

        layers = [("conv_0", _conv(3, w(32), 3, 2))]
        c = w(32)
        plan = (
            [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)]
            + [(512, 1)] * 5
            + [(1024, 2), (1024, 1)]
        )
        for i, (out, stride) in enumerate(plan, start=1):
            layers += [
                (f"dw_{i}", _conv(c, c, 3, stride, groups=c)),
                (f"pw_{i}", _conv(c, w(out), 1)),
            ]
            c = w(out)
        self.features = nn.Sequential(OrderedDict(layers))
        self.fc = nn.Linear(c, 1000)

    def forward(self, x):
        x = self.features(x)
        return self.fc(x.mean((2, 3)))


class InvertedResidual(nn.Module):
    def __init__(self, c_in: int, c_out: int, t: int, stride: int) -> None:
        super().__init__()
        hidden = c_in * t
        self.expand = _conv(c_in, hidden, 1) if t != 1 else None
        self.dw = _conv(hidden, hidden, 3, stride, groups=hidden)
        self.project = _conv(hidden, c_out, 1)
        self.skip = stride == 1 and c_in == c_out

    def forward(self, x):
        y = self.expand(x) if self.expand is not None else x
        y = self.project(self.dw(y))
        return x + y if self.skip else y


class MobileNetV2(nn.Module):
    """Sandler et al. 2018, Table 2, at alpha 1 (torchvision's layout)."""

    def __init__(self) -> None:
        super().__init__()
        blocks = [("conv_0", _conv(3, 32, 3, 2))]
        c = 32
        for t, out, n, s in [
            (1, 16, 1, 1),
            (6, 24, 2, 2),
            (6, 32, 3, 2),
            (6, 64, 4, 2),
            (6, 96, 3, 1),
            (6, 160, 3, 2),
            (6, 320, 1, 1),
        ]:
            for i in range(n):
                blocks.append(
                    (f"block_{len(blocks)}", InvertedResidual(c, out, t, s if i == 0 else 1))
                )
                c = out
        blocks.append(("conv_last", _conv(c, 1280, 1)))
        self.features = nn.Sequential(OrderedDict(blocks))
        self.fc = nn.Linear(1280, 1000)

    def forward(self, x):
        return self.fc(self.features(x).mean((2, 3)))


def _type(name: str, module) -> str:
    """The Table 2 group a leaf belongs to, as mncost names them."""
    if isinstance(module, nn.Linear):
        return "Fully Connected"
    if module.groups > 1:
        return "Conv DW 3x3"
    if module.kernel_size == (3, 3):
        return "Conv 3x3"
    for role in ("expand", "project"):
        if name.endswith(role):
            return f"Conv 1x1 {role}"
    return "Conv 1x1"


def _measure(model, resolution: int) -> dict[str, dict[str, int]]:
    """MACs and params per layer type, and in total, from PyTorch."""
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(torch.zeros(1, 3, resolution, resolution))
    counts = counter.get_flop_counts()
    root = type(model).__name__
    out: dict[str, dict[str, int]] = {}
    for name, module in model.named_modules():
        if not isinstance(module, (nn.Conv2d, nn.Linear)):
            continue
        row = out.setdefault(_type(name, module), {"mult_adds": 0, "params": 0})
        row["mult_adds"] += sum(counts[f"{root}.{name}"].values()) // 2
        row["params"] += sum(p.numel() for p in module.parameters())
    return out


@pytest.fixture(scope="module")
def reference():
    a = _measure(MobileNetV1(Fraction(3, 4)), 160)
    b = _measure(MobileNetV2(), 128)
    return a, b


# --- the comparison ----------------------------------------------------------------------------


def test_totals_and_types_match_pytorch_with_signs_b_minus_a(reference):
    ref_a, ref_b = reference
    c = mncost.compare("mobilenet-v1@0.75/160", "mobilenet-v2@1.0/128")
    for metric in ("mult_adds", "params"):
        a = sum(row[metric] for row in ref_a.values())
        b = sum(row[metric] for row in ref_b.values())
        total = c.totals[metric]
        assert (total.a, total.b, total.delta) == (a, b, b - a)
        assert total.relative == Fraction(b - a, a)
    # float32 weights: 4 bytes per parameter (convs have no bias, batch norm not stored).
    assert c.totals["weight_bytes"].delta == 4 * c.totals["params"].delta
    rows = {row.type: row for row in c.by_type}
    assert set(rows) == set(ref_a) | set(ref_b)
    for name, row in rows.items():
        for metric in ("mult_adds", "params"):
            a = ref_a.get(name, {}).get(metric, 0)
            b = ref_b.get(name, {}).get(metric, 0)
            assert (row.figures[metric].a, row.figures[metric].b, row.figures[metric].delta) == (
                a,
                b,
                b - a,
            ), (name, metric)
    # v1 has no expansion layers: their relative difference from 0 is not given.
    assert rows["Conv 1x1 expand"].figures["mult_adds"].relative is None


def test_the_peak_and_top1_of_both_sides():
    # By hand, float32, depthwise convs not in place:
    #  A, v1 0.75/160: pw_1 holds its input 80x80x24 and output 80x80x48:
    #     6,400 x 72 x 4 = 1,843,200 bytes; dw_2 (stride 2) 80x80x48 + 40x40x48 = 1,536,000.
    #  B, v2 1.0/128: block 2's depthwise conv (stride 2) holds 64x64x96 + 32x32x96:
    #     491,520 x 4 = 1,966,080 bytes; its expansion 64x64x16 + 64x64x96 = 1,835,008.
    c = mncost.compare("mobilenet-v1@0.75/160", "mobilenet-v2@1.0/128")
    peak = c.totals["peak_activation_bytes"]
    assert (peak.a, peak.b, peak.delta) == (1_843_200, 1_966_080, 122_880)
    assert (c.a.memory.peak_layer, c.b.memory.peak_layer) == ("pw_1", "block_2.dw")
    # TF-slim: MobileNet_v1_0.75_160 65.3%, MobileNet_v2_1.0_128 65.3%: both measured.
    top1 = c.totals["top1"]
    assert (top1.a, top1.b, top1.delta, top1.relative) == (65.3, 65.3, 0.0, None)
    assert (c.a.accuracy.status, c.b.accuracy.status) == ("measured", "measured")


def test_int8_in_place_reaches_mcunets_peak():
    # MCUNetV2: MobileNetV2 1.0/224 int8 peaks at 1,372 kB (x 1024) with in-place
    # depthwise convs. v1 1.0/224 by hand: pw_1 holds 112x112x32 + 112x112x64 =
    # 1,204,224 bytes in int8, more than dw_2 in place (its 112x112x64 input, 802,816).
    c = mncost.compare("mobilenet-v1", "mobilenet-v2", dtype="int8", dw_inplace=True)
    peak = c.totals["peak_activation_bytes"]
    assert (peak.a, peak.b, peak.delta) == (1_204_224, 1_404_928, 200_704)


def test_latency_with_a_device():
    c = mncost.compare("mobilenet-v1@0.75/160", "mobilenet-v2@1.0/128", device="pixel1-cpu")
    latency = c.totals["latency_ms"]
    # TF-slim mobilenet/README.md: MobileNet_v2_1.0_128 runs in 27.6 ms on a Pixel 1. That
    # measurement is B's latency (a measurement beats an estimate); the estimate stays
    # beside it, within the profile's leave-one-out error (at most 12%).
    assert latency.b == 27.6 and c.b.latency.measurement is not None
    estimate = c.totals["latency_estimate_ms"]
    assert estimate.b == pytest.approx(27.6, rel=0.12) and estimate.b != 27.6
    assert latency.a == estimate.a  # A (v1 0.75/160) was never timed: its estimate
    assert latency.delta == pytest.approx(latency.b - latency.a)
    by_type = sum(row.figures["latency_ms"].b for row in c.by_type)
    assert by_type == pytest.approx(estimate.b)  # per-type estimates add up to the estimate
    assert any("crosses families" in text for text in c.a.latency.cautions)


# --- the syntax --------------------------------------------------------------------------------


def test_the_syntax():
    assert parse_config("mobilenet-v1@0.75/160").label == "mobilenet-v1@0.75/160"
    ref = parse_config("mobilenet-v2@1.4")
    assert (ref.alpha, ref.resolution) == (Fraction(7, 5), 224)
    assert parse_config("  mobilenet-v2 ").alpha == 1
    assert parse_config("mobilenet-v2@0.5/120x160").resolution == (120, 160)  # HxW
    for text, message in [
        ("mobilenet-v9", "unknown model"),
        ("mobilenet-v1@", "nothing"),
        ("mobilenet-v1@0", "greater than 0"),
        ("mobilenet-v1@0.5/0", "whole number of pixels from 1"),
        ("mobilenet-v1@0.5/1e2", "whole number of pixels from 1"),
        ("mobilenet-v1@0.5/128/1", "resolution must be"),
        ("x" * (MAX_CONFIG_CHARS + 1), f"at most {MAX_CONFIG_CHARS}"),
    ]:
        with pytest.raises(ExploreError, match=message):
            parse_config(text)


def test_errors_are_one_line_exit_2():
    for args in (
        ("mobilenet-v9", "mobilenet-v1"),
        ("mobilenet-v1@abc", "mobilenet-v2"),
        ("mobilenet-v1@0.01", "mobilenet-v2"),
        ("mobilenet-v1",),
    ):
        result = run_cli("compare", *args)
        assert result.exit_code == 2, args
        assert result.stderr.count("\n") == 1
    bad = run_cli("compare", "mobilenet-v1@0.01", "mobilenet-v2")
    assert "A (mobilenet-v1@0.01/224)" in bad.stderr


def test_every_format_says_the_sign():
    args = ("compare", "mobilenet-v1@0.75/160", "mobilenet-v2@1.0/128", "--device", "pixel1-cpu")
    wide = run_cli(*args, env={"COLUMNS": "120"}).stdout
    assert "(differences: B − A; relative: to A)" in wide
    assert "−67,322,752" in wide  # 99,074,048 - 166,396,800, the PyTorch totals
    assert max(len(line) for line in wide.splitlines()) <= 120
    narrow = run_cli(*args, env={"COLUMNS": "60"}).stdout
    assert max(len(line) for line in narrow.splitlines()) <= 60
    data = json.loads(run_cli(*args, "-f", "json").stdout)
    assert data["sign"] == "delta = B - A; relative = (B - A) / A"
    assert data["total"]["mult_adds"]["delta"] == 99_074_048 - 166_396_800
    rows = run_cli(*args, "-f", "csv").stdout.splitlines()
    assert rows[0] == "figure,type,a,b,delta,relative,metric"
    assert "MACs,Total,166396800,99074048,-67322752," in "\n".join(rows)
    md = run_cli(*args, "-f", "markdown").stdout
    assert "B − A" in md and "## By layer type" in md
    page = run_cli(*args, "-f", "html").stdout
    assert page.startswith("<!DOCTYPE html>") and "B − A" in page
