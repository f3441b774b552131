"""Heads on inner feature maps and joins of named tensors (issue 18, section 1): networks
with several outputs, as detectors and segmenters are.

The independent side is PyTorch's FlopCounterMode on the same network written here as
torch modules by hand (not through mncost's builder), and hand derivations of the live
bytes in comments.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import mncost
from mncost.arch.load import load_spec
from tests.conftest import run_cli

SPEC = """\
name: two-heads
resolution: 64
classes: 5
layers:
  - {kind: conv, name: stem, kernel: 3, stride: 2, filters: 16}
  - {kind: inverted_residual, name: b1, expansion: 4, filters: 24, stride: 2}
  - {kind: inverted_residual, name: b2, expansion: 4, filters: 32, stride: 2}
  - kind: head
    name: det
    input: b1.expand
    layers:
      - {kind: conv, name: box, kernel: 3, filters: 24, batch_norm: false, act: none}
      - {kind: conv, name: cls, kernel: 3, filters: classes, batch_norm: false, act: none}
  - kind: head
    name: seg
    input: b2
    layers:
      - {kind: pw, name: cbr, filters: 16}
      - kind: head
        name: gate
        input: b2
        layers:
          - {kind: avgpool, name: pool}
          - {kind: pw, name: conv, filters: 16, batch_norm: false, act: sigmoid}
      - {kind: join, name: gated, mode: mul, others: [seg.gate]}
      - {kind: resize, name: up, scale: 2}
      - {kind: join, name: fuse, mode: concat, others: [b1]}
  - {kind: avgpool, name: gap}
  - {kind: fc, name: fc}
"""


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "heads.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def _torch_net(torch, classes: int = 5):
    """The same network by hand: SAME padding (TensorFlow's rule, mncost's default) is
    symmetric here because every strided input side is even."""
    nn = torch.nn
    F = torch.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Conv2d(3, 16, 3, 2, 0, bias=False)
            self.b1e = nn.Conv2d(16, 64, 1, bias=False)
            self.b1d = nn.Conv2d(64, 64, 3, 2, 0, groups=64, bias=False)
            self.b1p = nn.Conv2d(64, 24, 1, bias=False)
            self.b2e = nn.Conv2d(24, 96, 1, bias=False)
            self.b2d = nn.Conv2d(96, 96, 3, 2, 0, groups=96, bias=False)
            self.b2p = nn.Conv2d(96, 32, 1, bias=False)
            self.box = nn.Conv2d(64, 24, 3, 1, 1, bias=True)
            self.cls = nn.Conv2d(24, classes, 3, 1, 1, bias=True)
            self.cbr = nn.Conv2d(32, 16, 1, bias=False)
            self.gate = nn.Conv2d(32, 16, 1, bias=True)
            self.fc = nn.Linear(32, classes)

        @staticmethod
        def same(x):  # SAME for a 3x3 stride-2 conv on an even side: 0 before, 1 after
            return F.pad(x, (0, 1, 0, 1))

        def forward(self, x):
            x = self.stem(self.same(x))
            e = self.b1e(x)
            b1 = self.b1p(self.b1d(self.same(e)))
            b2 = self.b2p(self.b2d(self.same(self.b2e(b1))))
            det = self.cls(self.box(e))
            c = self.cbr(b2)
            g = torch.sigmoid(self.gate(F.adaptive_avg_pool2d(b2, 1)))
            seg = torch.cat([F.interpolate(c * g, scale_factor=2, mode="nearest"), b1], 1)
            out = self.fc(F.adaptive_avg_pool2d(b2, 1).flatten(1))
            return out, det, seg

    return Net().eval()


@pytest.mark.parametrize("resolution", [64, 96])
def test_macs_and_params_equal_pytorchs_count_of_the_same_network(spec, resolution):
    torch = pytest.importorskip("torch")
    from torch.utils.flop_counter import FlopCounterMode

    net = _torch_net(torch)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        net(torch.zeros(1, 3, resolution, resolution))
    result = mncost.cost(load_spec(spec), resolution=resolution)
    assert result.total.mult_adds * 2 == counter.get_total_flops()
    assert result.total.params == sum(p.numel() for p in net.parameters())
    blocks = {layer.name: layer.block for layer in result.layers}
    assert blocks["det.box"] == "det" and blocks["seg.fuse"] == "seg"


def test_a_heads_output_is_held_until_the_network_ends(spec):
    memory = mncost.memory(load_spec(spec))
    live = {op.name: op.live_bytes for op in memory.layers}
    # At fc (the last op): its input 1x1x32 (128 B) and output 5 (20 B) in float32, and
    # both heads' outputs: det.cls 32x32x5 (20,480 B) and seg.fuse 16x16x40 (40,960 B).
    assert live["fc"] == 128 + 20 + 20_480 + 40_960


def test_a_reference_to_no_earlier_layer_is_one_line(tmp_path, spec):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SPEC.replace("input: b1.expand", "input: expand"), encoding="utf-8")
    result = run_cli("table", str(bad))
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "'expand' names no earlier layer" in result.stderr and "'b1.expand'" in result.stderr
    later = tmp_path / "later.yaml"
    later.write_text(SPEC.replace("input: b1.expand", "input: fc"), encoding="utf-8")
    assert run_cli("table", str(later)).exit_code == 2


def test_a_mul_gate_must_be_a_1x1_map(tmp_path):
    text = SPEC.replace("          - {kind: avgpool, name: pool}\n", "")
    path = tmp_path / "gate.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_cli("table", str(path))
    assert result.exit_code == 2 and "a gate must be a 1x1 map" in result.stderr


def test_no_classes_drops_the_class_predictor_and_keeps_the_rest(spec):
    result = mncost.cost(load_spec(spec), classes=0)
    names = [layer.name for layer in result.layers]
    assert "det.cls" not in names and "fc" not in names
    assert "det.box" in names and "seg.fuse" in names and "gap" in names


def test_export_gives_every_head_an_output_and_imports_back(spec, tmp_path):
    pytest.importorskip("onnx")
    out = tmp_path / "heads.onnx"
    assert run_cli("export", str(spec), "-o", str(out)).exit_code == 0
    import onnx

    model = onnx.load(str(out))
    assert [o.name for o in model.graph.output] == ["output", "det.cls", "seg.fuse"]
    back = mncost.cost(str(out))
    original = mncost.cost(load_spec(spec))
    assert (back.total.mult_adds, back.total.params) == (
        original.total.mult_adds,
        original.total.params,
    )


def test_verify_builds_heads_and_joins(spec):
    pytest.importorskip("torch")
    result = run_cli("verify", str(spec), "--res", "80")
    assert result.exit_code == 0, result.stderr
    assert "verified: all" in result.stdout
