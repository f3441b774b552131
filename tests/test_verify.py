"""`mncost verify`: mncost's per-layer counts against PyTorch's, driven as a user would.

PyTorch is the independent engine here: its FlopCounterMode and its modules' tensors give
the expected figures. Where a test also names a number, it comes from the paper's Tables 6
and 7 (shared/paper/001_*.txt, "Million Mult-Adds" and "Million Parameters" columns) or
from a hand derivation written in a comment. Tests that run PyTorch skip only when it is
not installed (tests/setup.sh installs it, so CI runs them).
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from mncost.arch.load import load_spec
from mncost.arch.registry import get_model, list_models
from mncost.cost.conventions import Conventions
from tests.conftest import run_cli

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture
def torch():
    """PyTorch, or skip the test (the only reason a verify test may skip)."""
    return pytest.importorskip("torch")


def _verify_json(*args: str, expect: int = 0) -> dict:
    result = run_cli("verify", *args, "--format", "json")
    assert result.exit_code == expect, result.stderr
    return json.loads(result.stdout)


def _assert_all_agree(data: dict, layers: int) -> None:
    assert data["verdict"]["ok"] is True, data["verdict"]["text"]
    assert data["verdict"]["text"].startswith(f"verified: all {layers} layers agree")
    assert len(data["layers"]) == layers
    for layer in data["layers"]:
        assert layer["agree"] and layer["shape_ok"], layer
        assert layer["torch"]["flops"] == 2 * layer["mncost"]["mult_adds"], layer
        assert layer["torch"]["params"] == layer["mncost"]["params"], layer
    assert data["total"]["torch_flops"] == 2 * data["total"]["mult_adds"]


# The paper's Table 6 (width, at 224) and Table 7 (resolution, at alpha 1), in millions,
# as printed: (million mult-adds, million parameters).
_PAPER_TABLES_6_7 = {
    ("1", 224): (569, 4.2),
    ("0.75", 224): (325, 2.6),
    ("0.5", 224): (149, 1.3),
    ("0.25", 224): (41, 0.5),
    ("1", 192): (418, 4.2),
    ("1", 160): (290, 4.2),
    ("1", 128): (186, 4.2),
}


@pytest.mark.parametrize("alpha", ["1", "0.75", "0.5", "0.25"])
@pytest.mark.parametrize("res", [224, 192, 160, 128])
def test_the_papers_sixteen_configurations_agree(torch, alpha, res):
    data = _verify_json("--alpha", alpha, "--res", str(res))
    _assert_all_agree(data, 30)
    assert (data["config"]["alpha"], data["config"]["resolution"]) == (float(alpha), res)
    published = _PAPER_TABLES_6_7.get((alpha, res))
    if published is not None:
        # The paper prints whole millions (1.0-160 is printed 290 for 290.6 M), params to 0.1 M.
        macs, params = published
        assert abs(data["total"]["torch_flops"] / 2e6 - macs) < 1
        torch_params = sum(layer["torch"]["params"] for layer in data["layers"])
        assert abs(torch_params / 1e6 - params) < 0.05 + 1e-9
    if (alpha, res) == ("1", 224):
        # The hand count of Table 1 (shared context): 568,740,352 MACs, 4,210,088 params.
        assert data["total"] == {
            "mult_adds": 568_740_352,
            "params": 4_210_088,
            "torch_flops": 2 * 568_740_352,
        }


@pytest.mark.parametrize(
    "alpha, res, conv0_macs",
    [
        # conv_0 by hand: 3x3 kernel, 3 image channels, round(32 * alpha) filters, output side
        # ceil(R / 2). alpha 0.35: round(11.2) = 11, ceil(97/2) = 49 -> 27 * 11 * 49^2 = 713,097.
        ("0.35", 97, 713_097),
        # alpha 1.3: round(41.6) = 42, ceil(225/2) = 113 -> 27 * 42 * 113^2 = 14,480,046.
        ("1.3", 225, 14_480_046),
    ],
)
def test_odd_alphas_and_resolutions_agree(torch, alpha, res, conv0_macs):
    data = _verify_json("--alpha", alpha, "--res", str(res))
    _assert_all_agree(data, 30)
    conv0 = data["layers"][0]
    assert conv0["name"] == "conv_0" and conv0["torch"]["mult_adds"] == conv0_macs


def test_rho_sets_the_resolution(torch):
    data = _verify_json("--rho", "0.714")
    _assert_all_agree(data, 30)
    assert data["config"]["resolution"] == 160


@pytest.mark.parametrize("name", [entry.name for entry in list_models()])
def test_every_registered_model_agrees(torch, name):
    data = _verify_json(name)
    # One row per op: a composite (V2's inverted residual) is several.
    from mncost.cost.result import count

    _assert_all_agree(data, len(count(get_model(name)).layers))


def test_tiny_cifar_yaml_with_a_5x5_depthwise_kernel(torch):
    data = _verify_json("--spec", str(EXAMPLES / "tiny-cifar.yaml"))
    _assert_all_agree(data, 12)
    dw_4 = next(layer for layer in data["layers"] if layer["name"] == "dw_4")
    # 5x5 depthwise, stride 2, on 4x4x256 after three halvings of 32 is 8x8 -> 4x4 output:
    # 5 * 5 * 256 * 4 * 4 = 102,400 MACs; params 5 * 5 * 256 = 6,400.
    assert dw_4["torch"] == {
        "flops": 204_800,
        "mult_adds": 102_400,
        "params": 6_400,
        "output": [4, 4, 256],
    }


def test_tiny_cifar_json_with_a_biased_conv(torch):
    data = _verify_json("--spec", str(EXAMPLES / "tiny-cifar.json"), "--bn", "all")
    _assert_all_agree(data, 5)
    stem = data["layers"][0]
    # stem: 3x3x3x16 conv with a bias and no batch norm: 432 weights + 16 biases = 448,
    # even under --bn all (no batch norm to count).
    assert stem["torch"]["params"] == 448


@pytest.mark.parametrize(
    "args, params",
    [
        # Batch-norm channels of MobileNet v1 (every conv/dw/pw output), by hand from Table 1:
        # 32 + (32+64) + (64+128) + (128+128) + (128+256) + (256+256) + (256+512) + 5*(512+512)
        # + (512+1024) + (1024+1024) = 10,944. Params at alpha 1 are 4,210,088 without BN.
        (["--bn", "affine"], 4_210_088 + 2 * 10_944),
        (["--bn", "all"], 4_210_088 + 4 * 10_944),
        (["--no-fc-bias"], 4_210_088 - 1_000),
        # The body alone (shared context): 3,185,088 params, 567,716,352 MACs.
        (["--classes", "0"], 3_185_088),
    ],
)
def test_counting_conventions_agree(torch, args, params):
    data = _verify_json(*args)
    layers = 28 if "--classes" in args else 30
    _assert_all_agree(data, layers)
    assert data["total"]["params"] == params
    if "--classes" in args:
        assert data["total"]["mult_adds"] == 567_716_352
        assert [layer["name"] for layer in data["layers"]][-1] == "avgpool"


@pytest.mark.parametrize("rounding", ["floor", "div8"])
@pytest.mark.parametrize("alpha", ["0.35", "0.1"])
def test_channel_roundings_agree(torch, rounding, alpha):
    _assert_all_agree(_verify_json("--alpha", alpha, "--rounding", rounding), 30)


_EVEN_KERNELS = """\
name: even-kernels
resolution: 33
classes: 5
layers:
  - {kind: conv, name: c4, kernel: 4, stride: 2, filters: 12}
  - {kind: dw, name: d2, kernel: 2, stride: 3, batch_norm: false}
  - {kind: pw, name: p, stride: 2, filters: 20}
  - {kind: avgpool, name: window, size: 2}
  - {kind: fc, name: hidden, units: 7}
  - {kind: conv, name: after_fc, kernel: 6, filters: 9}
  - {kind: avgpool, name: pool}
  - {kind: fc, name: classifier}
  - {kind: softmax, name: softmax}
"""


def test_even_kernels_windows_and_layers_after_fc_agree(torch, tmp_path):
    spec = tmp_path / "even.yaml"
    spec.write_text(_EVEN_KERNELS)
    data = _verify_json("--spec", str(spec), "--alpha", "1.3", "--bn", "affine")
    _assert_all_agree(data, 9)
    c4 = data["layers"][0]
    # 4x4 conv, stride 2, SAME on 33x33: ceil(33/2) = 17; filters round(12 * 1.3) = 16.
    # MACs 4 * 4 * 3 * 16 * 17^2 = 221,952.
    assert c4["torch"]["output"] == [17, 17, 16] and c4["torch"]["mult_adds"] == 221_952
    # 2x2 dw, stride 3 on 17 -> ceil(17/3) = 6; a window-2 pool on 3x3 -> ceil(3/2) = 2.
    assert data["layers"][1]["torch"]["output"] == [6, 6, 16]
    assert data["layers"][3]["torch"]["output"] == [2, 2, 26]


def test_meta_device_gives_what_a_real_cpu_run_gives(torch, tmp_path):
    # The meta device computes shapes without data; a real forward pass must agree.
    from mncost.analysis.verify import verify

    spec = tmp_path / "even.yaml"
    spec.write_text(_EVEN_KERNELS)
    for arch in (load_spec(EXAMPLES / "tiny-cifar.yaml"), load_spec(spec)):
        meta = verify(arch, Fraction(13, 10), conventions=Conventions(bn="all"))
        cpu = verify(arch, Fraction(13, 10), conventions=Conventions(bn="all"), device="cpu")
        assert meta.ok and cpu.ok and cpu.device == "cpu"
        assert [layer.to_dict() for layer in meta.layers] == [
            layer.to_dict() for layer in cpu.layers
        ]


# --- the comparison can fail ------------------------------------------------------------


def _patched_count(monkeypatch, change):
    """Make mncost's side of verify wrong: ``change(result)`` returns the altered result."""
    from mncost.analysis.verify import compare

    real_count = compare.count
    monkeypatch.setattr(compare, "count", lambda *a, **k: change(real_count(*a, **k)))


def _replace_at(values, index, value):
    return values[:index] + (value,) + values[index + 1 :]


def test_a_wrong_mncost_count_is_a_mismatch_with_exit_code_1(torch, monkeypatch):
    def off_by_one(result):
        i = result.geometry.static.name.index("dw_1")
        macs = _replace_at(result.mult_adds, i, result.mult_adds[i] + 1)
        return dataclasses.replace(result, mult_adds=macs)

    _patched_count(monkeypatch, off_by_one)
    result = run_cli("verify", env={"COLUMNS": "120"})
    assert result.exit_code == 1
    # dw_1: 3x3 dw on 112x112x32 is 9 * 32 * 112^2 = 3,612,672 MACs; mncost now says 1 more.
    assert (
        "MISMATCH in 1 of 30 layers (mncost vs PyTorch): dw_1 (MACs 3,612,673 vs "
        "3,612,672)" in result.stdout
    )
    dw_1 = next(line for line in result.stdout.splitlines() if line.startswith("dw_1"))
    assert dw_1.rstrip().endswith("✗")
    data = _verify_json(expect=1)
    assert data["verdict"]["ok"] is False and data["verdict"]["mismatches"] == 1
    assert [layer["name"] for layer in data["layers"] if not layer["agree"]] == ["dw_1"]


def test_wrong_params_and_shapes_are_mismatches(torch, monkeypatch):
    def wrong_fc(result):
        g = result.geometry
        i = g.static.name.index("fc")
        width = dataclasses.replace(g.width, c_out=_replace_at(g.width.c_out, i, 999))
        params = _replace_at(result.params, i, result.params[i] - 1)
        return dataclasses.replace(
            result, geometry=dataclasses.replace(g, width=width), params=params
        )

    _patched_count(monkeypatch, wrong_fc)
    data = _verify_json(expect=1)
    fc = next(layer for layer in data["layers"] if layer["name"] == "fc")
    assert (fc["params_ok"], fc["shape_ok"], fc["mult_adds_ok"]) == (False, False, True)
    assert data["verdict"]["mismatches"] == 1
    assert (
        "fc (params 1,024,999 vs 1,025,000, output 1x1x999 vs 1x1x1000)" in data["verdict"]["text"]
    )


class _WithoutLast:
    """A cost result whose last layer is missing, everything else as it was."""

    def __init__(self, result):
        self._result = result
        self.layers = result.layers[:-1]

    def __getattr__(self, name):
        return getattr(self._result, name)


def test_a_layer_only_one_side_has_is_a_mismatch(torch, monkeypatch):
    _patched_count(monkeypatch, _WithoutLast)
    result = run_cli("verify")
    assert result.exit_code == 1
    assert "softmax (only in PyTorch)" in result.stdout


def test_a_layer_pytorch_cannot_run_is_a_mismatch(torch, monkeypatch):
    from mncost.analysis.verify import torch_build

    real_run = torch_build.Built.run

    def run(self, name, kind, module, inputs, raw):
        if name == "pw_1":  # wrong input channels: PyTorch refuses it
            module = torch.nn.Conv2d(7, 7, 1)
        return real_run(self, name, kind, module, inputs, raw)

    monkeypatch.setattr(torch_build.Built, "run", run)
    result = run_cli("verify")
    assert result.exit_code == 1
    assert "verify: MISMATCH: PyTorch cannot run layer 'pw_1' (pw)" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_a_kind_without_a_builder_is_named(torch, monkeypatch):
    from mncost.analysis.verify import torch_build, torch_model

    real_layer = torch_build.Built.layer

    def layer(self, spec_layer, x, prefix):
        if spec_layer.kind == "softmax":  # as if the builder had no entry for it
            raise torch_model.UnsupportedLayer(
                f"mncost verify cannot build layer kind 'softmax' (layer "
                f"'{prefix}{spec_layer.name}') in PyTorch yet"
            )
        return real_layer(self, spec_layer, x, prefix)

    monkeypatch.setattr(torch_build.Built, "layer", layer)
    result = run_cli("verify")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "verify: error: mncost verify cannot build layer kind "
        "'softmax' (layer 'softmax') in PyTorch yet\n"
    )


# --- without PyTorch, bad input, output ------------------------------------------------


def test_without_pytorch_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now fails
    result = run_cli("verify")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.endswith(
        "verify: error: PyTorch is not installed; install it with: pip install "
        "'mncost[torch]' (on this machine: pip install torch==2.13.0)\n"
    )
    assert len(result.stderr.splitlines()) == 1


def test_table_and_verify_help_never_import_torch():
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom mncost.cli import cli\n"
        "for args in (['table'], ['verify', '--help']):\n"
        "    assert CliRunner().invoke(cli, args).exit_code == 0\n"
        "import mncost.analysis.verify\n"
        "print('torch' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    "args, message",
    [
        (["nope"], "verify: error: unknown model 'nope'"),
        (["--alpha", "0"], "alpha must be greater than 0"),
        (["--alpha", "0.01"], "leaves a 32-filter layer with 0 channels"),
        (["--res", "160", "--rho", "0.5"], "give --res or --rho, not both"),
        (["--spec", "missing.yaml"], "verify: error: spec file 'missing.yaml' does not exist"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(args, message):
    result = run_cli("verify", *args)
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_terminal_table_at_80_columns(torch):
    result = run_cli("verify", env={"COLUMNS": "80"})
    assert result.exit_code == 0
    grid = result.stdout.split("verified:")[0]
    assert max(len(line) for line in grid.splitlines()) <= 80
    assert "568,740,352" in grid and "1,048,576" in grid and "✗" not in grid
    assert (
        "verified: all 30 layers agree with PyTorch (568,740,352 MACs, 4,210,088 params)"
        in result.stdout
    )


def test_csv_markdown_and_html_output(torch, tmp_path):
    csv_out = run_cli("verify", "-f", "csv").stdout.splitlines()
    assert csv_out[0] == (
        "name,torch_output,mncost_mult_adds,torch_mult_adds,mncost_params,"
        "torch_params,shape_ok,agree"
    )
    assert (
        len(csv_out) == 31 and csv_out[1] == "conv_0,112x112x32,10838016,10838016,864,864,True,True"
    )
    target = tmp_path / "verify.md"
    result = run_cli("verify", "-o", str(target))
    assert result.exit_code == 0 and "wrote" in result.stderr
    assert "> verified: all 30 layers agree" in target.read_text()
    page = run_cli("verify", "--spec", str(EXAMPLES / "tiny-cifar.yaml"), "-f", "html").stdout
    assert page.startswith("<!DOCTYPE html>") and "verified: all 12 layers agree" in page


def test_help_explains_exit_codes_and_install():
    result = run_cli("verify", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "1 on a mismatch" in text and "pip install 'mncost[torch]'" in text
    assert "mncost verify --alpha 0.35 --res 97" in text
    listing = run_cli("--help").stdout
    assert "Check mncost's per-layer counts against PyTorch's." in listing


def test_the_title_names_the_release_and_the_json_the_whole_version(torch, monkeypatch):
    # A CUDA build of the same release: the page reads the same on every machine (its
    # docs example is checked against a fresh run), the JSON keeps the build.
    monkeypatch.setattr(torch, "__version__", "2.13.0+cu130")
    spec = str(EXAMPLES / "tiny-cifar.yaml")
    first = run_cli("verify", "--spec", spec).stdout.splitlines()[0]
    assert first.endswith(": mncost vs PyTorch 2.13.0")
    assert _verify_json("--spec", spec)["config"]["torch_version"] == "2.13.0+cu130"
