"""The ``scale`` layer kind (issue 18): a learned per-channel multiply, one weight per
channel of its input (Caffe's Scale layer without bias; the weight of torchvision's
``L2Norm`` in SSD300, ``self.weight.view(1, -1, 1, 1) * x``).

Conventions under test: its params are C, its input's channels (so under alpha they
follow the scaled channels), and its MACs are 0, as PyTorch's FlopCounterMode counts an
element-wise multiply. Expected numbers are derived by hand in the comments; the
independent sides are FlopCounterMode and the parameters of a PyTorch model built here,
ONNX graphs written here with ``onnx.helper`` or by torch's own exporters, and
onnxruntime running what mncost exports.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

import mncost
from mncost.arch.load import SpecError, parse_spec
from mncost.cost.result import count
from tests.conftest import run_cli

C = 30
"""The stem's filters, and so the scale's channels, at alpha 1."""
SIDE = 8
CLASSES = 10


def _spec():
    return parse_spec(
        {
            "name": "scaled",
            "resolution": SIDE,
            "classes": CLASSES,
            "layers": [
                {"kind": "conv", "name": "stem", "kernel": 3, "filters": C, "batch_norm": False},
                {"kind": "scale", "name": "s"},
                {"kind": "avgpool", "name": "pool"},
                {"kind": "fc", "name": "fc"},
            ],
        }
    )


def _rows(result):
    return {layer.name: layer for layer in result.layers}


def test_params_are_the_input_channels_and_macs_are_zero():
    result = count(_spec())
    s = _rows(result)["s"]
    assert (s.mult_adds, s.params) == (0, 30)
    assert s.input == s.output == (SIDE, SIDE, 30)
    assert s.kind == "channel_scale" and s.type == "Channel Scale"
    # stem: 3x3 from 3 to 30 with bias, "same" at 8x8: 9*3*30*64 = 51,840 MACs and
    # 9*3*30 + 30 = 840 params; fc: 30 -> 10 with bias, 300 MACs and 310 params.
    assert result.total.mult_adds == 51_840 + 300
    assert result.total.params == 840 + 30 + 310
    # The by-type breakdown names it (it has params: the row is not left out).
    shares = {row.type: (row.mult_adds, row.params) for row in result.by_type}
    assert shares["Channel Scale"] == (0, 30)


def test_params_follow_the_scaled_channels_under_alpha():
    # alpha 3/4: the stem has round(30 * 0.75) = round(22.5) = 23 filters (round half up,
    # the spec's default rule), so the scale holds 23 weights.
    result = count(_spec(), alpha=Fraction(3, 4))
    s = _rows(result)["s"]
    assert (s.mult_adds, s.params) == (0, 23)
    assert result.total.params == (9 * 3 * 23 + 23) + 23 + (23 * 10 + 10)
    # And alpha 1/2: 15 channels, 15 weights.
    assert _rows(count(_spec(), alpha=Fraction(1, 2)))["s"].params == 15


def test_the_vectorised_sweep_counts_as_a_single_count():
    from mncost.cost.sweep import grid

    alphas = [Fraction(1, 2), Fraction(3, 4), Fraction(1)]
    metrics = ("mult_adds", "params", "weight_bytes")
    cells = grid(_spec(), alphas, [8, 16], metrics=metrics)
    # params at 15, 23 and 30 channels: stem 9*3*c + c, scale c, fc 10*c + 10.
    assert [int(p) for p in cells["params"][:, 0]] == [
        (9 * 3 * c + c) + c + (10 * c + 10) for c in (15, 23, 30)
    ]
    for i, alpha in enumerate(alphas):
        for j, side in enumerate((8, 16)):
            one = count(_spec(), alpha=alpha, resolution=side)
            assert int(cells["params"][i, j]) == one.total.params
            assert int(cells["mult_adds"][i, j]) == one.total.mult_adds
            assert int(cells["weight_bytes"][i, j]) == 4 * one.total.params  # float32


def test_it_has_no_channel_count_of_its_own_to_write():
    # It follows its input: a count of its own is an unknown field, in one line.
    with pytest.raises(SpecError, match="unknown field") as caught:
        parse_spec({"name": "t", "layers": [{"kind": "scale", "name": "s", "filters": 4}]})
    assert len(str(caught.value).splitlines()) == 1


def _torch_model(torch, channels: int):
    nn = torch.nn

    class L2NormWeight(nn.Module):  # torchvision's L2Norm, without the normalisation
        def __init__(self, c: int) -> None:
            super().__init__()
            self.weight = nn.Parameter(torch.ones(c) * 20)

        def forward(self, x):
            return self.weight.view(1, -1, 1, 1) * x

    return nn.Sequential(
        nn.Conv2d(3, channels, 3, padding=1),
        nn.ReLU(),
        L2NormWeight(channels),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(channels, CLASSES),
    ).eval()


@pytest.mark.parametrize(("alpha", "channels"), [(Fraction(1), 30), (Fraction(3, 4), 23)])
def test_flopcountermode_agrees(alpha, channels):
    torch = pytest.importorskip("torch")
    from torch.utils.flop_counter import FlopCounterMode

    model = _torch_model(torch, channels)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(torch.randn(1, 3, SIDE, SIDE))
    result = count(_spec(), alpha=alpha)
    assert 2 * result.total.mult_adds == counter.get_total_flops()
    assert result.total.params == sum(p.numel() for p in model.parameters())
    # The multiply by the weights is no FLOP in PyTorch either: the module counts 0.
    assert sum(counter.get_flop_counts().get("Sequential.2", {}).values()) == 0
    assert _rows(result)["s"].params == model[2].weight.numel() == channels


def test_verify_builds_it_in_pytorch():
    pytest.importorskip("torch")
    spec = _spec()
    from mncost.analysis.verify import verify

    for alpha in (Fraction(1), Fraction(3, 4)):
        checked = verify(spec, alpha=alpha)
        assert checked.ok, checked.verdict()
        assert [c.kind for c in checked.layers][1] == "channel_scale"


# --- ONNX -------------------------------------------------------------------------------


def _onnx():
    return pytest.importorskip("onnx")


def test_onnx_export_then_import_gives_a_scale_with_the_same_params(tmp_path):
    onnx = _onnx()
    ort = pytest.importorskip("onnxruntime")
    np = pytest.importorskip("numpy")
    from mncost.analysis.onnx_export import export_onnx

    spec = _spec()
    for alpha, channels in ((Fraction(1), 30), (Fraction(3, 4), 23)):
        path = tmp_path / f"scaled-{alpha.numerator}.onnx"
        written = export_onnx(spec, path, alpha=alpha)
        original = count(spec, alpha=alpha)
        assert written.params == original.total.params
        proto = onnx.load(str(path))
        onnx.checker.check_model(proto)
        muls = [n for n in proto.graph.node if n.op_type == "Mul"]
        weights = {t.name: list(t.dims) for t in proto.graph.initializer}
        assert [weights[n.input[1]] for n in muls] == [[1, channels, 1, 1]]
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        x = np.random.default_rng(0).random((2, 3, SIDE, SIDE), dtype=np.float32)
        assert session.run(None, {"input": x})[0].shape == (2, CLASSES)
        again = count(mncost.load_onnx(path))
        assert (again.total.mult_adds, again.total.params) == (
            original.total.mult_adds,
            original.total.params,
        )
        s = _rows(again)["s"]
        assert (s.kind, s.mult_adds, s.params) == ("channel_scale", 0, channels)
    # mncost import writes it back as a scale layer.
    result = run_cli("import", str(tmp_path / "scaled-1.onnx"), "-o", str(tmp_path / "b.yaml"))
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "b.yaml").read_text()
    assert "- {kind: scale, name: s}" in text


def _graph(path, constant, dims=(1, 8, 1, 1), first: bool = False):
    """A 3x3 conv from 3 to 8 channels without bias at 32x32 (9*3*8 = 216 params, 9*3*8
    * 1024 = 221,184 MACs), then a Mul by ``constant`` (an initializer of ``dims``, or a
    Constant node if ``constant`` is "node"), written with onnx.helper."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    onnx = _onnx()
    weight = numpy_helper.from_array(np.zeros((8, 3, 3, 3), np.float32), "w")
    k = np.full(dims, 2.0, np.float32)
    inits = [weight]
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1], name="conv")]
    if constant == "node":
        nodes.append(
            helper.make_node("Constant", [], ["k"], value=numpy_helper.from_array(k), name="k")
        )
    else:
        inits.append(numpy_helper.from_array(k, "k"))
    nodes.append(helper.make_node("Mul", ["k", "c"] if first else ["c", "k"], ["y"], name="mul"))
    graph = helper.make_graph(
        nodes,
        "mul",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 32, 32])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        inits,
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


CONV = (9 * 3 * 8 * 32 * 32, 9 * 3 * 8)
"""The conv's (MACs, params)."""


@pytest.mark.parametrize(
    ("dims", "constant", "first"),
    [
        ((1, 8, 1, 1), "initializer", False),
        ((8, 1, 1), "initializer", False),
        ((1, 8, 1, 1), "initializer", True),  # Mul(weight, x), as torch exports it
        ((1, 8, 1, 1), "node", False),
    ],
)
def test_a_mul_by_one_value_per_channel_imports_as_a_scale(tmp_path, dims, constant, first):
    graph = mncost.load_onnx(_graph(tmp_path / "scale.onnx", constant, dims, first))
    result = count(graph)
    conv, mul = result.layers
    assert (conv.mult_adds, conv.params) == CONV
    assert (mul.kind, mul.mult_adds, mul.params) == ("channel_scale", 0, 8)
    assert result.total.params == 216 + 8
    # It follows the conv's width under alpha: 8 * 1/2 = 4 channels, 4 weights.
    assert _rows(count(graph, alpha=Fraction(1, 2)))["mul"].params == 4


@pytest.mark.parametrize("dims", [(), (1,), (1, 1, 1, 1), (1, 8, 32, 32), (32,)])
def test_a_mul_by_a_scalar_or_a_full_tensor_stays_a_zero_param_op(tmp_path, dims):
    # A scalar (however it is shaped), a whole map's worth of values, or a constant that
    # broadcasts along the width: an element-wise op with a constant, 0 params, as before.
    result = count(mncost.load_onnx(_graph(tmp_path / "mul.onnx", "initializer", dims)))
    assert (result.total.mult_adds, result.total.params) == CONV
    assert all(layer.kind != "channel_scale" for layer in result.layers)


@pytest.mark.parametrize("dims", [(1, 5, 1, 1), (16, 1, 1)])
def test_a_per_channel_constant_of_another_length_is_one_line(tmp_path, dims):
    from mncost.cost.onnx_import import OnnxImportError

    path = _graph(tmp_path / "bad.onnx", "initializer", dims)
    with pytest.raises(OnnxImportError, match=r"holds \d+ values for a 8-channel map"):
        mncost.load_onnx(path)
    result = run_cli("table", str(path))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert "'mul'" in lines[0] and f"holds {math.prod(dims)} values" in lines[0]


@pytest.mark.parametrize("exporter", ["legacy", "dynamo"])
def test_torchs_own_export_of_an_l2norm_weight_imports_as_a_scale(tmp_path, exporter):
    torch = pytest.importorskip("torch")
    _onnx()
    from tests import test_onnx_import as helpers

    if exporter not in helpers.EXPORTERS:
        pytest.skip("the newer exporter needs onnxscript")
    model = _torch_model(torch, C)
    path = helpers.export(model, (SIDE, SIDE), tmp_path / "torch.onnx", exporter)
    result = count(mncost.load_onnx(path))
    assert result.total.params == sum(p.numel() for p in model.parameters())
    assert result.total.mult_adds == helpers.torch_macs(model, (SIDE, SIDE))[0]
    scales = [layer for layer in result.layers if layer.kind == "channel_scale"]
    assert [(s.mult_adds, s.params) for s in scales] == [(0, C)]
