"""ONNX import (issue 15): a network built in PyTorch here, exported to ONNX and read back,
counts exactly as PyTorch's FlopCounterMode counts the model that was exported.

The oracle is FlopCounterMode (it counts 2 FLOPs per multiply-accumulate of every conv
and linear layer, per module); params are the exported graph's own initializer sizes
(weight and bias of each Conv and Gemm). Every model is exported with both of torch's
exporters: the TorchScript one (``dynamo=False``) and the newer torch.export one (it
folds batch norm into convs and names nodes differently).
"""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import pytest

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")
nn = torch.nn

from mncost.cost.onnx_import import OnnxImportError, load_onnx  # noqa: E402
from mncost.cost.result import count  # noqa: E402

EXPORTERS = ["legacy"]
try:
    import onnxscript  # noqa: F401  (the newer exporter needs it)

    EXPORTERS.append("dynamo")
except ImportError:  # pragma: no cover - the test extra installs it
    pass


# --- the reference models, written here as PyTorch defines them ------------------------


def conv_bn(c_in: int, c_out: int, k: int = 3, s: int = 1, groups: int = 1, act=nn.ReLU):
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, k, s, k // 2, groups=groups, bias=False),
        nn.BatchNorm2d(c_out),
        act(),
    )


class MobileNetV1(nn.Module):
    """The paper's Table 1, widths round(c * alpha) (mncost's own rule for v1)."""

    BODY = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5
    BODY += [(1024, 2), (1024, 1)]

    def __init__(self, alpha: float = 1.0, classes: int = 1000) -> None:
        super().__init__()

        def w(c: int) -> int:
            return math.floor(c * alpha + 0.5)

        layers = [conv_bn(3, w(32), 3, 2)]
        c = w(32)
        for filters, stride in self.BODY:
            layers += [conv_bn(c, c, 3, stride, groups=c), conv_bn(c, w(filters), 1)]
            c = w(filters)
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c, classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.features(x)), 1))


class InvertedResidual(nn.Module):
    def __init__(self, c_in: int, c_out: int, stride: int, t: int, se: bool = False, act=nn.ReLU6):
        super().__init__()
        hidden = c_in * t
        layers = [conv_bn(c_in, hidden, 1, act=act)] if t != 1 else []
        layers += [conv_bn(hidden, hidden, 3, stride, groups=hidden, act=act)]
        if se:
            layers.append(SqueezeExcite(hidden))
        layers += [nn.Conv2d(hidden, c_out, 1, bias=False), nn.BatchNorm2d(c_out)]
        self.conv = nn.Sequential(*layers)
        self.residual = stride == 1 and c_in == c_out

    def forward(self, x):
        return x + self.conv(x) if self.residual else self.conv(x)


class SqueezeExcite(nn.Module):
    """MobileNet V3's: global pool, 1x1 reduce (relu), 1x1 expand, hard sigmoid, rescale."""

    def __init__(self, c: int) -> None:
        super().__init__()
        self.reduce = nn.Conv2d(c, max(8, c // 4), 1)
        self.expand = nn.Conv2d(max(8, c // 4), c, 1)

    def forward(self, x):
        s = torch.nn.functional.adaptive_avg_pool2d(x, 1)
        return x * torch.nn.functional.hardsigmoid(self.expand(torch.relu(self.reduce(s))))


class MobileNetV2Like(nn.Module):
    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.features = nn.Sequential(
            conv_bn(3, 16, 3, 2, act=nn.ReLU6),
            InvertedResidual(16, 16, 1, 1),
            InvertedResidual(16, 24, 2, 6),
            InvertedResidual(24, 24, 1, 6),
            conv_bn(24, 64, 1, act=nn.ReLU6),
        )
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(64, classes))

    def forward(self, x):
        x = self.features(x)
        return self.classifier(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


class MobileNetV3Like(nn.Module):
    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.features = nn.Sequential(
            conv_bn(3, 16, 3, 2, act=nn.Hardswish),
            InvertedResidual(16, 16, 1, 1, se=True, act=nn.ReLU),
            InvertedResidual(16, 24, 2, 4, act=nn.Hardswish),
            InvertedResidual(24, 24, 1, 3, se=True, act=nn.Hardswish),
        )
        self.head = nn.Sequential(nn.Linear(24, 64), nn.Hardswish(), nn.Linear(64, classes))

    def forward(self, x):
        x = self.features(x)
        return self.head(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


class BasicBlock(nn.Module):
    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.down = (
            nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out))
            if stride != 1 or c_in != c_out
            else None
        )

    def forward(self, x):
        y = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return torch.relu(y + (x if self.down is None else self.down(x)))


class ResNetLike(nn.Module):
    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, 16, 7, 2, 3, bias=False), nn.BatchNorm2d(16), nn.ReLU()
        )
        self.pool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = nn.Sequential(BasicBlock(16, 16, 1), BasicBlock(16, 32, 2))
        self.fc = nn.Linear(32, classes)

    def forward(self, x):
        x = self.layer1(self.pool(self.stem(x)))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


class Fire(nn.Module):
    def __init__(self, c_in: int, squeeze: int, e1: int, e3: int) -> None:
        super().__init__()
        self.squeeze = nn.Conv2d(c_in, squeeze, 1)
        self.expand1x1 = nn.Conv2d(squeeze, e1, 1)
        self.expand3x3 = nn.Conv2d(squeeze, e3, 3, padding=1)

    def forward(self, x):
        s = torch.relu(self.squeeze(x))
        return torch.cat([torch.relu(self.expand1x1(s)), torch.relu(self.expand3x3(s))], 1)


class SqueezeNetLike(nn.Module):
    """Concat branches, ceil-mode pools and a conv classifier, as SqueezeNet 1.1."""

    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 32, 3, 2),
            nn.ReLU(),
            nn.MaxPool2d(3, 2, ceil_mode=True),
            Fire(32, 8, 16, 16),
            Fire(32, 8, 16, 16),
        )
        self.classifier = nn.Sequential(
            nn.Conv2d(32, classes, 1), nn.ReLU(), nn.AdaptiveAvgPool2d(1)
        )

    def forward(self, x):
        return torch.flatten(self.classifier(self.features(x)), 1)


class DilatedGrouped(nn.Module):
    """A dilated conv (DeepLab's output stride), a grouped one (ResNeXt, RegNet),
    asymmetric explicit padding, average pooling with padding, and a depthwise conv
    with a channel multiplier."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, 1, 1)
        self.dilated = nn.Conv2d(16, 16, 3, 1, padding=2, dilation=2, bias=False)
        self.grouped = nn.Conv2d(16, 32, 3, 2, 1, groups=4, bias=False)
        self.dw2 = nn.Conv2d(32, 64, 3, 1, 1, groups=32)
        self.pool = nn.AvgPool2d(3, 2, 1)
        self.head = nn.Linear(64, 5)

    def forward(self, x):
        x = torch.relu(self.dilated(self.stem(x)))
        x = nn.functional.pad(x, (0, 1, 0, 1))  # right and bottom only, as TF's SAME
        x = self.pool(self.dw2(self.grouped(x)))
        return self.head(x.mean((2, 3)))


# --- exporting and counting ------------------------------------------------------------


def export(model, size, path, exporter: str, dynamic_batch: bool = False):
    model.eval()
    x = torch.randn(1, 3, *size)
    kwargs = {}
    if dynamic_batch:
        kwargs = (
            {"dynamic_axes": {"x": {0: "N"}}}
            if exporter == "legacy"
            else {"dynamic_shapes": ({0: torch.export.Dim("N", min=1, max=64)},)}
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model, (x,), str(path), dynamo=exporter == "dynamo", input_names=["x"], **kwargs
        )
    return path


def torch_macs(model, size) -> tuple[int, dict[str, int]]:
    """FlopCounterMode's total and per-module MACs (half its FLOPs) of conv and linear."""
    from torch.utils.flop_counter import FlopCounterMode

    model.eval()
    with FlopCounterMode(display=False) as counter:
        model(torch.randn(1, 3, *size))
    per: dict[str, int] = {}
    for module, ops in counter.get_flop_counts().items():
        flops = sum(v for k, v in ops.items() if any(s in str(k) for s in ("convolution", "mm")))
        if flops and "." in module:
            per[module.split(".", 1)[1]] = flops // 2
    leaves = {n: v for n, v in per.items() if not any(m.startswith(n + ".") for m in per)}
    return counter.get_total_flops() // 2, leaves


def initializer_params(path) -> list[int]:
    model = onnx.load(str(path), load_external_data=False)
    dims = {t.name: list(t.dims) for t in model.graph.initializer}
    for node in model.graph.node:  # the TorchScript exporter shares equal biases
        if node.op_type == "Identity" and node.input[0] in dims:
            dims[node.output[0]] = dims[node.input[0]]
    return [
        sum(math.prod(dims[i]) for i in node.input[1:] if i)
        for node in model.graph.node
        if node.op_type in ("Conv", "Gemm")
    ]


MODELS = {
    "mobilenet-v1": (lambda: MobileNetV1(), (224, 224)),
    "mobilenet-v2": (MobileNetV2Like, (64, 64)),
    "mobilenet-v3": (MobileNetV3Like, (64, 64)),
    "resnet": (ResNetLike, (64, 64)),
    "squeezenet": (SqueezeNetLike, (65, 65)),
    "dilated-grouped": (DilatedGrouped, (33, 33)),
    "non-square": (MobileNetV2Like, (48, 80)),
}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Every model exported once with each exporter: (torch model, size, path)."""
    folder = tmp_path_factory.mktemp("onnx")
    torch.manual_seed(0)
    out = {}
    for name, (make, size) in MODELS.items():
        model = make().eval()
        for exporter in EXPORTERS:
            if name == "mobilenet-v1" and exporter == "dynamo":
                continue  # the slowest export; the TorchScript one covers v1
            out[name, exporter] = (
                model,
                size,
                export(model, size, folder / f"{name}.{exporter}.onnx", exporter),
            )
    return out


CASES = [(m, e) for m in MODELS for e in EXPORTERS if not (m == "mobilenet-v1" and e == "dynamo")]


@pytest.mark.parametrize("name,exporter", CASES)
def test_every_conv_and_fc_counts_as_flopcountermode(exported, name, exporter):
    model, size, path = exported[name, exporter]
    total, per_module = torch_macs(model, size)
    graph = load_onnx(path)
    result = count(graph)
    assert result.total.mult_adds == total
    ours = {layer.name: layer.mult_adds for layer in result.layers if layer.mult_adds}
    assert ours == per_module  # every conv and linear, by its module's name


@pytest.mark.parametrize("name,exporter", CASES)
def test_params_of_every_conv_and_gemm_are_the_graphs_own(exported, name, exporter):
    _, _, path = exported[name, exporter]
    result = count(load_onnx(path))
    ours = [layer.params for layer in result.layers if layer.kind in ("conv", "dw", "fc")]
    assert ours == initializer_params(path)


def test_a_non_square_input_is_read_and_counted_as_height_by_width(exported):
    _, _, path = exported["non-square", "legacy"]
    graph = load_onnx(path)
    assert graph.resolution == (48, 80)
    assert count(graph).layers[0].input == (48, 80, 3)


def test_res_gives_every_shape_anew(exported, tmp_path):
    # The same network exported at another size counts as the first one at --res.
    model, _, path = exported["squeezenet", "legacy"]
    again = export(model, (97, 129), tmp_path / "again.onnx", "legacy")
    assert count(load_onnx(path), resolution=(97, 129)).total == count(load_onnx(again)).total


def test_mobilenet_v1_scaled_on_import_equals_the_network_built_at_that_width(exported):
    # Exported at alpha 1 and 224; imported with alpha 0.75 at 160 it must count as the
    # network PyTorch builds at 0.75 (round(c * 0.75)) and runs at 160.
    _, _, path = exported["mobilenet-v1", "legacy"]
    total, _ = torch_macs(MobileNetV1(alpha=0.75), (160, 160))
    result = count(load_onnx(path), Fraction(3, 4), 160)
    assert result.total.mult_adds == total == 166_396_800


@pytest.mark.parametrize("exporter", EXPORTERS)
def test_alpha_keeps_the_graphs_ties(exported, exporter):
    # Residual adds and squeeze-and-excite rescales keep equal channels under alpha.
    for name in ("mobilenet-v2", "mobilenet-v3", "resnet"):
        _, _, path = exported[name, exporter]
        result = count(load_onnx(path), Fraction(1, 2))
        for layer in result.layers:
            if layer.kind == "dw":
                assert layer.input[2] == layer.output[2]


def test_a_symbolic_batch_is_fine(tmp_path):
    model = ResNetLike().eval()
    for exporter in EXPORTERS:
        path = export(
            model, (64, 64), tmp_path / f"dyn.{exporter}.onnx", exporter, dynamic_batch=True
        )
        total, _ = torch_macs(model, (64, 64))
        graph = load_onnx(path)
        assert count(graph).total.mult_adds == total


def lrn_graph(path):
    """A conv, an LRN (an op mncost does not know; torch exports its own LRN as other ops)
    and a relu, written with onnx.helper."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    weight = numpy_helper.from_array(np.zeros((8, 3, 3, 3), np.float32), "w")
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1], name="conv"),
        helper.make_node("LRN", ["c"], ["l"], size=3, name="lrn"),
        helper.make_node("Relu", ["l"], ["y"], name="relu"),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 32, 32])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [weight],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


def test_an_unknown_op_is_listed_and_strict_refuses_it(tmp_path):
    path = lrn_graph(tmp_path / "lrn.onnx")
    graph = load_onnx(path)
    assert [(n.op_type, n.count) for n in graph.not_counted] == [("LRN", 1)]
    # The conv alone: 3x3 kernel, 3 in, 8 out, 32x32 output (pads 1): 9 * 3 * 8 * 1024.
    assert count(graph).total.mult_adds == 9 * 3 * 8 * 32 * 32
    with pytest.raises(OnnxImportError, match="does not know this op"):
        load_onnx(path, strict=True)
