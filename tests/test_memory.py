"""Activation memory: per-op bytes, the peak under layer-by-layer execution, in-place
depthwise convs, the sweep's peak and `mncost memory`.

Expected figures come from MCUNetV2 (Lin et al. 2021, arXiv:2110.15352: MobileNetV2's
peak activation memory is 1,372 kB in int8 at alpha 1.0, 224), from hand derivations
written next to each case, from torchvision's documented parameter counts, and from the
PyTorch network that `mncost verify` builds (its tensors' element counts times the bytes
per value, and a liveness reckoning written here from its wiring); never from mncost's
own output.
"""

from __future__ import annotations

import json
import random
from fractions import Fraction

import pytest

import mncost
from mncost.arch.ops import Architecture
from mncost.arch.registry import get_model, list_models
from mncost.arch.width import WidthRule
from mncost.cost.conventions import Conventions
from mncost.cost.execution import Execution
from mncost.cost.geometry import GeometryError
from mncost.cost.memory import MemoryResult
from mncost.cost.memory import count_memory as _count_memory
from mncost.cost.scaling import ScalingError
from mncost.cost.sweep import grid as _grid
from tests.conftest import XSS_SPEC, run_cli

INT8 = Conventions(dtype="int8")


def count_memory(*args, dw_inplace=False, conventions=Conventions(), **kw) -> MemoryResult:
    # The tests' shorthand: layer by layer in the conventions' dtype, dw in place or not.
    run = Execution(dtype=conventions.dtype, dw_inplace=dw_inplace)
    return _count_memory(*args, conventions=conventions, execution=run, **kw)


def grid(*args, dw_inplace=False, conventions=Conventions(), **kw):
    run = Execution(dtype=conventions.dtype, dw_inplace=dw_inplace)
    return _grid(*args, conventions=conventions, execution=run, **kw)


def arch(*layers: dict, **top) -> Architecture:
    return Architecture.model_validate(
        {"name": "t", "resolution": 8, "classes": 10, "layers": list(layers), **top}
    )


# --- the anchor: MCUNetV2's MobileNetV2 figure -------------------------------------------


def test_mcunet_v2_anchor_is_reproduced_with_depthwise_convs_in_place():
    # MCUNetV2 (arXiv:2110.15352) reports MobileNetV2's peak activation memory as
    # 1,372 kB (kB = 1024 bytes) in int8 at alpha 1.0, 224: 1,372 x 1024 = 1,404,928
    # bytes. By hand: block 2's expansion (t = 6, the first block with 24 outputs) reads
    # block 1's 112x112x16 output and writes 112x112x(16*6 = 96):
    #   112*112*16 = 200,704  +  112*112*96 = 1,204,224  =  1,404,928 bytes.
    # Nothing else is live there (block 1, 32 -> 16, and block 2, stride 2, have no skip).
    r = count_memory(get_model("mobilenet-v2"), conventions=INT8, dw_inplace=True)
    assert r.peak_activation_bytes == 1_372 * 1024 == 1_404_928
    assert r.peak_layer == "block_2.expand"
    assert [(t.name, t.shape, t.bytes) for t in r.peak_tensors()] == [
        ("block_1.project", (112, 112, 16), 200_704),
        ("block_2.expand", (112, 112, 96), 1_204_224),
    ]


def test_without_in_place_the_peak_is_block_2s_depthwise_conv():
    # Without in-place depthwise convs, block 2's depthwise conv (stride 2) holds its
    # 112x112x96 input and its 56x56x96 output at once:
    #   112*112*96 = 1,204,224  +  56*56*96 = 301,056  =  1,505,280 bytes (1,470 KiB),
    # more than block 2's expansion (1,404,928). In place it holds only the larger,
    # 1,204,224, and the peak moves back to the expansion.
    r = count_memory(get_model("mobilenet-v2"), conventions=INT8)
    assert (r.peak_activation_bytes, r.peak_layer) == (1_505_280, "block_2.dw")
    assert [(t.name, t.shape) for t in r.peak_tensors()] == [
        ("block_2.expand", (112, 112, 96)),
        ("block_2.dw", (56, 56, 96)),
    ]
    assert (r.other.bytes, r.other.layer, r.other.dw_inplace) == (1_404_928, "block_2.expand", True)
    inplace = count_memory(get_model("mobilenet-v2"), conventions=INT8, dw_inplace=True)
    assert inplace.layer("block_2.dw").live_bytes == 1_204_224
    # The other early ops, by hand: the stem holds 224*224*3 + 112*112*32 = 551,936;
    # block 1's depthwise conv 2 * 112*112*32 = 802,816 (401,408 in place).
    assert r.layer("conv_0").live_bytes == 551_936
    assert r.layer("block_1.dw").live_bytes == 802_816
    assert inplace.layer("block_1.dw").live_bytes == 401_408


def test_the_network_input_counts_and_float32_is_four_bytes_a_value():
    # MobileNet v1's stem at 224: input 224*224*3 and output 112*112*32 values, x4 bytes.
    r = count_memory(get_model("mobilenet-v1"))
    assert r.layers[0].live_bytes == (224 * 224 * 3 + 112 * 112 * 32) * 4
    assert r.layers[0].input_bytes == 224 * 224 * 3 * 4
    # Its peak: pw_1 reads 112x112x32 and writes 112x112x64 (dw_1 holds 2 x 32 channels).
    assert (r.peak_activation_bytes, r.peak_layer) == (112 * 112 * (32 + 64) * 4, "pw_1")


def test_weight_bytes_fold_batch_norm_in_int8():
    # torchvision documents MobileNetV2 at 3,504,872 parameters, batch norm's gamma and
    # beta included; without batch norm it has 3,470,760 (README). So its batch norms
    # have (3,504,872 - 3,470,760) / 2 = 17,056 channels. In int8 batch norm is folded:
    # each of those channels keeps one bias value; float types store the weights as they
    # are (batch norm not counted by default).
    no_bn, channels = 3_470_760, (3_504_872 - 3_470_760) // 2
    v2 = get_model("mobilenet-v2")
    assert count_memory(v2, conventions=INT8).weight_bytes == no_bn + channels
    assert count_memory(v2).weight_bytes == 4 * no_bn
    assert count_memory(v2, conventions=Conventions(dtype="float16")).weight_bytes == 2 * no_bn


# --- in place: only where nothing later reads the input ----------------------------------


def test_a_depthwise_conv_whose_input_a_skip_reads_keeps_both():
    # At 8x8 in int8: stem 8x8x8 = 512 bytes; the dw in the residual body reads it, and
    # the add reads it again, so the dw cannot overwrite it: 512 + 512 both ways.
    spec = arch(
        {"kind": "conv", "name": "stem", "kernel": 3, "filters": 8},
        {
            "kind": "residual",
            "name": "r",
            "body": [{"kind": "dw", "name": "dw"}, {"kind": "pw", "name": "pw", "filters": 8}],
        },
    )
    for dw_inplace in (False, True):
        r = count_memory(spec, dw_inplace=dw_inplace, conventions=INT8, classes=0)
        op = r.layer("r.dw")
        assert (op.live_bytes, op.in_place_capable, op.in_place) == (1024, False, False)
    # Without the residual the same dw runs in place: max(512, 512).
    plain = arch(
        {"kind": "conv", "name": "stem", "kernel": 3, "filters": 8},
        {"kind": "dw", "name": "dw"},
        {"kind": "pw", "name": "pw", "filters": 8},
    )
    r = count_memory(plain, dw_inplace=True, conventions=INT8, classes=0)
    assert (r.layer("dw").live_bytes, r.layer("dw").in_place) == (512, True)


def test_mobilenet_v3s_first_block_keeps_its_skip():
    # V3 Large's first bneck (16 -> 16, stride 1, no expansion) starts with its depthwise
    # conv and adds its input back: that conv cannot run in place; block 2's can.
    r = count_memory(get_model("mobilenet-v3-large"), dw_inplace=True)
    assert not r.layer("block_1.dw").in_place and r.layer("block_2.dw").in_place


def test_nothing_runs_then_the_input_is_the_peak():
    # A spec whose only layer is the classifier, with --classes 0: no op runs, and the
    # 8x8x3 float32 input (768 bytes) is all that is held.
    r = count_memory(arch({"kind": "fc", "name": "fc"}), classes=0)
    assert r.layers == () and (r.peak_activation_bytes, r.peak_layer) == (768, None)
    assert r.to_dict()["peak_layer"] is None


_MODELS = [entry.name for entry in list_models()]


def _configs(name: str, rng: random.Random, n: int) -> list[tuple[Fraction, int]]:
    base = get_model(name).resolution
    return [
        (
            Fraction(rng.randrange(20, 150), 100),
            rng.choice((base, base - 32, base + 32, base // 2 + 17)),
        )
        for _ in range(n)
    ]


@pytest.mark.parametrize("name", _MODELS)
def test_dw_inplace_never_raises_the_peak_nor_any_op(name):
    rng = random.Random(name)
    for alpha, res in _configs(name, rng, 3):
        try:
            apart = count_memory(get_model(name), alpha, res, conventions=INT8)
        except GeometryError:
            continue
        together = count_memory(get_model(name), alpha, res, conventions=INT8, dw_inplace=True)
        assert together.peak_activation_bytes <= apart.peak_activation_bytes
        for a, b in zip(apart.layers, together.layers):
            assert b.live_bytes <= a.live_bytes
            assert (b.live_bytes < a.live_bytes) == (
                b.in_place and a.input_bytes > 0 and a.output_bytes > 0
            )
        assert together.peak == apart.other and apart.peak == together.other


# --- agreement with the PyTorch network `mncost verify` builds ----------------------------


def _torch_reference(
    model: str, alpha: Fraction, resolution: int, size: int, dw_inplace: bool
) -> tuple[list[str], list[tuple[int, int, int]]]:
    """Per op (input, output, live) bytes from the PyTorch network: element counts of the
    tensors it produced, and the live set reckoned here from its wiring."""
    pytest.importorskip("torch")  # the only reason these tests may skip
    from torch import nn

    from mncost.analysis.verify.torch_model import BuildOptions, build

    spec = get_model(model)
    rule = WidthRule(spec.width.rule, spec.width.divisor, spec.width.min_value)
    built = build(
        spec, resolution, BuildOptions(alpha=alpha, classes=spec.classes, rule=rule, fc_bias=True)
    )
    nbytes = [t.numel() * size for t in built.tensors]
    last_read: dict[int, int] = {}
    for j, (inputs, aux) in enumerate(zip(built.wiring, built.aux)):
        if not aux:  # an auxiliary head does not run at inference: it keeps nothing
            for t in inputs:
                last_read[t] = j
    rows = []
    for i, (inputs, aux) in enumerate(zip(built.wiring, built.aux)):
        out = i + 1  # op i produced tensor i + 1 (tensor 0 is the input image)
        if aux:
            rows.append((0, 0, 0))
            continue
        held = set(inputs) | {out} | {t for t in range(out) if last_read.get(t, -1) > i}
        live = sum(nbytes[t] for t in held)
        convs = [m for m in built.modules[i].modules() if isinstance(m, nn.Conv2d)]
        depthwise = bool(convs) and (
            built.kinds[i] == "dw" or convs[0].groups == convs[0].in_channels > 1
        )
        if dw_inplace and depthwise and last_read.get(inputs[0], -1) <= i:
            live -= min(nbytes[inputs[0]], nbytes[out])
        rows.append((sum(nbytes[t] for t in inputs), nbytes[out], live))
    return built.names, rows


@pytest.mark.parametrize(
    "model,alpha,resolution,dtype",
    [
        ("mobilenet-v1", Fraction(3, 4), 160, "float32"),
        ("mobilenet-v2", Fraction(1), 224, "int8"),
        ("mobilenet-v2", Fraction(35, 100), 96, "float16"),
        ("mobilenet-v3-large", Fraction(1), 224, "int8"),
        ("mobilenet-v3-small", Fraction(3, 4), 192, "float32"),
        ("googlenet", Fraction(1), 224, "float32"),  # four-way branches, concat
        ("squeezenet-1.1", Fraction(1), 224, "int8"),  # fire modules: two-way concat
        ("resnet-18", Fraction(1, 2), 160, "float16"),  # residuals with projections
        ("inception-v3", Fraction(1), 299, "int8"),  # branches and an auxiliary head
    ],
)
@pytest.mark.parametrize("dw_inplace", [False, True])
def test_per_op_bytes_agree_with_the_pytorch_network(model, alpha, resolution, dtype, dw_inplace):
    size = {"float32": 4, "float16": 2, "int8": 1}[dtype]
    names, rows = _torch_reference(model, alpha, resolution, size, dw_inplace)
    r = count_memory(
        get_model(model),
        alpha,
        resolution,
        conventions=Conventions(dtype=dtype),
        dw_inplace=dw_inplace,
    )
    assert [op.name for op in r.layers] == names
    assert [(op.input_bytes, op.output_bytes, op.live_bytes) for op in r.layers] == rows
    assert r.peak_activation_bytes == max(live for _, _, live in rows)


# --- the sweep ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    [
        "mobilenet-v1",
        "mobilenet-v2",
        "mobilenet-v3-large",
        "mobilenet-v3-small",
        "resnet-18",
        "googlenet",
        "squeezenet-1.0",
        "inception-v3",
    ],
)
def test_the_sweeps_peak_equals_the_single_count(model):
    rng = random.Random(model)
    spec = get_model(model)
    base = spec.resolution
    alphas = sorted({Fraction(rng.randrange(25, 140), 100) for _ in range(4)} | {Fraction(1)})
    resolutions = sorted({base, base - 32, base + 31, base * 3 // 4 + 1})
    for dtype in ("int8", "float32"):
        conventions = Conventions(dtype=dtype)
        for dw_inplace in (False, True):
            totals = grid(
                spec,
                alphas,
                resolutions,
                conventions=conventions,
                metrics=("peak_activation_bytes", "weight_bytes", "mult_adds"),
                dw_inplace=dw_inplace,
            )
            assert list(totals) == ["peak_activation_bytes", "weight_bytes", "mult_adds"]
            for i, alpha in enumerate(alphas):
                for j, res in enumerate(resolutions):
                    r = count_memory(
                        spec, alpha, res, conventions=conventions, dw_inplace=dw_inplace
                    )
                    assert totals["peak_activation_bytes"][i, j] == r.peak_activation_bytes, (
                        model,
                        alpha,
                        res,
                        dtype,
                        dw_inplace,
                    )
                    assert totals["weight_bytes"][i, j] == r.weight_bytes


def test_the_sweep_keeps_its_other_metrics_and_the_api_takes_dtype():
    # The anchor from the API's sweep: alpha 1.0 at 224 in int8, in place.
    frame = mncost.sweep(
        "mobilenet-v2",
        [0.5, 1.0],
        [160, 224],
        dtype="int8",
        dw_inplace=True,
        metrics=["mult_adds", "params", "peak_activation_bytes"],
    )
    row = frame[(frame.alpha == 1.0) & (frame.resolution == 224)].iloc[0]
    assert int(row.peak_activation_bytes) == 1_404_928
    # README: MobileNet V2 at alpha 1, 224 has 300,774,272 MACs and 3,470,760 params.
    assert (int(row.mult_adds), int(row.params)) == (300_774_272, 3_470_760)
    assert list(mncost.sweep("mobilenet-v1", [1], [224], accuracy=False).columns) == [
        "alpha",
        "resolution",
        "mult_adds",
        "params",
        "weight_bytes",
        "peak_activation_bytes",
    ]
    with pytest.raises(ScalingError, match="dtype"):
        mncost.sweep("mobilenet-v1", [1], [224], dtype="int4")


def test_the_single_op_spec_and_an_empty_run_in_the_sweep():
    # No op runs: the grid's peak is the input, 3 channels x R x R x 4 bytes.
    spec = arch({"kind": "fc", "name": "fc"})
    totals = grid(
        spec, [Fraction(1), Fraction(2)], [8, 16], classes=0, metrics=["peak_activation_bytes"]
    )
    assert totals["peak_activation_bytes"].tolist() == [[768, 3072], [768, 3072]]


# --- the Python API -------------------------------------------------------------------------


def test_the_python_api():
    r = mncost.memory("mobilenet-v2", 1.0, 224, dtype="int8", dw_inplace=True)
    assert (r.peak_activation_bytes, r.peak_layer, r.dtype) == (1_404_928, "block_2.expand", "int8")
    # rho 0.5 of 224 is 112: block 2's expansion at 56x56 holds 56*56*(16 + 96) bytes.
    assert (
        mncost.memory("mobilenet-v2", rho=0.5, dtype="int8", dw_inplace=True).peak_activation_bytes
        == 56 * 56 * 112
    )
    frame = r.to_frame()
    assert len(frame) == len(r.layers)
    assert {"name", "input_bytes", "output_bytes", "live_bytes"} <= set(frame.columns)
    assert frame.set_index("name").loc["block_2.expand", "live_bytes"] == 1_404_928
    with pytest.raises(ScalingError, match="dtype"):
        mncost.memory("mobilenet-v2", dtype="int4")
    with pytest.raises(ScalingError):
        mncost.memory("mobilenet-v2", resolution=224, rho=1)


# --- `mncost memory` ------------------------------------------------------------------------


def _json(*args: str) -> dict:
    result = run_cli("memory", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_cli_json_has_the_documented_fields():
    data = _json("mobilenet-v2", "--dtype", "int8", "--dw-inplace")
    assert data["peak_activation_bytes"] == 1_404_928
    assert data["peak_layer"] == "block_2.expand"
    assert (data["dtype"], data["dw_inplace"], data["model"]) == ("int8", True, "mobilenet-v2")
    assert (data["alpha"], data["resolution"]) == (1.0, 224)
    assert data["weight_bytes"] == 3_470_760 + 17_056  # see test_weight_bytes_fold_...
    assert data["other"] == {
        "dw_inplace": False,
        "peak_activation_bytes": 1_505_280,
        "peak_layer": "block_2.dw",
    }
    for layer in data["layers"]:
        assert {"name", "input_bytes", "output_bytes", "live_bytes"} <= set(layer)
        for key in ("input_bytes", "output_bytes", "live_bytes"):
            assert type(layer[key]) is int
    assert max(layer["live_bytes"] for layer in data["layers"]) == 1_404_928


def test_cli_defaults_and_options():
    data = _json("-a", "0.5", "-r", "128")
    assert (data["model"], data["dtype"], data["dw_inplace"]) == ("mobilenet-v1", "float32", False)
    # v1 at alpha 0.5, 128: pw_1 reads 64x64x16 and writes 64x64x32, 4 bytes a value.
    assert (data["peak_activation_bytes"], data["peak_layer"]) == (64 * 64 * 48 * 4, "pw_1")


def test_cli_table_names_the_peak_and_explains_the_other_figure():
    result = run_cli("memory", "mobilenet-v2", "--dtype", "int8")
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "1,505,280 bytes (1,470.0 KiB" in out and "at block_2.dw" in out
    assert "With --dw-inplace" in out and "1,404,928 bytes (1,372.0 KiB" in out
    assert "KiB = 1,024 bytes" in out and "batch norm is folded" in out
    peak_rows = [line for line in result.stdout.splitlines() if "PEAK" in line]
    assert len(peak_rows) == 1 and peak_rows[0].startswith("block_2.dw")


def test_cli_csv_keeps_exact_bytes(tmp_path):
    out = tmp_path / "m.csv"
    result = run_cli("memory", "mobilenet-v2", "--dtype", "int8", "--dw-inplace", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    lines = out.read_text().splitlines()
    header = lines[0].split(",")
    line = next(item for item in lines if item.startswith("block_2.expand,"))
    row = dict(zip(header, line.split(",")))
    assert (row["input_bytes"], row["output_bytes"], row["live_bytes"], row["is_peak"]) == (
        "200704",
        "1204224",
        "1404928",
        "True",
    )


def test_cli_html_escapes_names(tmp_path):
    spec = tmp_path / "x.yaml"
    spec.write_text(XSS_SPEC)
    result = run_cli("memory", "--spec", str(spec), "-f", "html")
    assert result.exit_code == 0, result.stderr
    assert "<script>" not in result.stdout and "&lt;script&gt;" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--dtype", "int4"],
        ["--alpha", "-1"],
        ["-r", "224", "--rho", "0.5"],
        ["no-such-model"],
        ["--spec", "/nonexistent/spec.yaml"],
        ["-o", "memory.pdf"],
        ["inception-v3", "-r", "20"],  # a window larger than its input
    ],
)
def test_cli_errors_are_one_line_and_exit_2(args):
    result = run_cli("memory", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert " memory: error: " in result.stderr  # CliRunner calls the program "cli"


def test_the_sweeps_progress_covers_the_peaks_pass():
    # MobileNet v1 is 30 ops (the paper's Table 1: the stem conv, 13 dw + pw pairs, the
    # average pool, the fc and the softmax). The metrics are one step each (all ops at
    # once); the peak is a pass over the ops, one step per op: progress runs to 1 + 30.
    spec = get_model("mobilenet-v1")
    n_ops = 1 + 13 * 2 + 3
    calls: list[tuple[int, int]] = []
    grid(
        spec,
        [Fraction(1)],
        [224],
        metrics=["mult_adds", "peak_activation_bytes"],
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls[-1] == (1 + n_ops, 1 + n_ops)
    assert [done for done, _ in calls] == list(range(1, 1 + n_ops + 1))
