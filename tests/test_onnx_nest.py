"""``mncost import model.onnx -o model.yaml`` (issue 15): an ONNX graph written as an
editable spec file, nested into chains, residuals, concats and squeeze-and-excite blocks.

The oracle is the network PyTorch built: the spec file that ``mncost import`` writes,
read back as any spec file is, must count as FlopCounterMode counts the exported model
(total MACs, and the MACs of every conv and linear layer), and its params must be the
graph's own initializers (weight and bias of every Conv and Gemm). Nothing here compares
mncost with itself: the spec is counted by the same engine, but from a spec file that
only the nesting wrote.

Where a graph does not nest, the error must name the node that breaks the nesting.
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")
nn = torch.nn
F = nn.functional

from mncost.arch.load import load_spec  # noqa: E402
from mncost.cost.model import GraphModel  # noqa: E402
from mncost.cost.onnx_import import load_onnx  # noqa: E402
from mncost.cost.result import count  # noqa: E402
from tests.conftest import run_cli  # noqa: E402
from tests.test_onnx_import import (  # noqa: E402
    EXPORTERS,
    MODELS,
    conv_bn,
    export,
    initializer_params,
    torch_macs,
)

# --- networks that nest only with care ---------------------------------------------


class DenseLayer(nn.Module):
    """torchvision's _DenseLayer: BN-ReLU-1x1 conv-BN-ReLU-3x3 conv on the concatenation
    of every earlier feature map."""

    def __init__(self, c_in: int, growth: int) -> None:
        super().__init__()
        self.norm1 = nn.BatchNorm2d(c_in)
        self.conv1 = nn.Conv2d(c_in, 4 * growth, 1, bias=False)
        self.norm2 = nn.BatchNorm2d(4 * growth)
        self.conv2 = nn.Conv2d(4 * growth, growth, 3, padding=1, bias=False)

    def forward(self, features):
        x = torch.cat(features, 1)
        return self.conv2(torch.relu(self.norm2(self.conv1(torch.relu(self.norm1(x))))))


class DenseNetLike(nn.Module):
    """DenseNet's running concatenation: every layer concatenates all earlier maps again."""

    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, 2, 1, bias=False)
        self.layers = nn.ModuleList([DenseLayer(16 + 8 * i, 8) for i in range(3)])
        self.norm = nn.BatchNorm2d(16 + 8 * 3)
        self.fc = nn.Linear(16 + 8 * 3, classes)

    def forward(self, x):
        features = [self.stem(x)]
        for layer in self.layers:
            features.append(layer(features))
        x = torch.relu(self.norm(torch.cat(features, 1)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class InceptionELike(nn.Module):
    """Inception V3's Mixed_7b: a branch that splits in two, concatenated with the rest
    (the TorchScript exporter flattens the inner concat into the outer one)."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, 2, 1)
        self.branch1x1 = nn.Conv2d(16, 8, 1)
        self.branch3x3_1 = nn.Conv2d(16, 8, 1)
        self.branch3x3_2a = nn.Conv2d(8, 8, (1, 3), padding=(0, 1))
        self.branch3x3_2b = nn.Conv2d(8, 8, (3, 1), padding=(1, 0))
        self.branch_pool = nn.Conv2d(16, 8, 1)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = torch.relu(self.stem(x))
        b = self.branch3x3_1(x)
        y = torch.cat(
            [
                self.branch1x1(x),
                torch.cat([self.branch3x3_2a(b), self.branch3x3_2b(b)], 1),
                self.branch_pool(F.avg_pool2d(x, 3, 1, 1)),
            ],
            1,
        )
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(y, 1), 1))


class EfficientBlock(nn.Module):
    """EfficientNet's MBConv: swish everywhere, and an SE sized from the block's input."""

    def __init__(self, c_in: int, c_out: int, t: int, stride: int) -> None:
        super().__init__()
        hidden = c_in * t
        self.expand = conv_bn(c_in, hidden, 1, act=nn.SiLU)
        self.dw = conv_bn(hidden, hidden, 3, stride, groups=hidden, act=nn.SiLU)
        self.se_reduce = nn.Conv2d(hidden, max(1, c_in // 4), 1)
        self.se_expand = nn.Conv2d(max(1, c_in // 4), hidden, 1)
        self.project = nn.Sequential(nn.Conv2d(hidden, c_out, 1, bias=False), nn.BatchNorm2d(c_out))
        self.residual = stride == 1 and c_in == c_out

    def forward(self, x):
        h = self.dw(self.expand(x))
        s = F.silu(self.se_reduce(F.adaptive_avg_pool2d(h, 1)))
        h = self.project(h * torch.sigmoid(self.se_expand(s)))
        return x + h if self.residual else h


class EfficientNetLike(nn.Module):
    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.stem = conv_bn(3, 16, 3, 2, act=nn.SiLU)
        self.blocks = nn.Sequential(EfficientBlock(16, 24, 6, 2), EfficientBlock(24, 24, 6, 1))
        self.fc = nn.Linear(24, classes)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


NESTING = {
    **MODELS,
    "densenet": (DenseNetLike, (32, 32)),
    "inception-e": (InceptionELike, (32, 32)),
    "efficientnet": (EfficientNetLike, (64, 64)),
}
CASES = [(m, e) for m in NESTING for e in EXPORTERS if not (m == "mobilenet-v1" and e == "dynamo")]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nest")
    torch.manual_seed(0)
    out = {}
    for name, exporter in CASES:
        make, size = NESTING[name]
        model = make().eval()
        out[name, exporter] = (
            model,
            size,
            export(model, size, folder / f"{name}.{exporter}.onnx", exporter),
        )
    return out


def _imported(path, tmp_path, *args):
    spec = tmp_path / (path.stem + ".yaml")
    result = run_cli("import", str(path), "-o", str(spec), *args)
    assert result.exit_code == 0, result.stderr
    return spec, result


@pytest.mark.parametrize("name,exporter", CASES)
def test_the_written_spec_counts_as_flopcountermode(exported, tmp_path, name, exporter):
    model, size, path = exported[name, exporter]
    spec, _ = _imported(path, tmp_path)
    result = count(load_spec(spec))
    total, per_module = torch_macs(model, size)
    assert result.total.mult_adds == total
    # Every conv and linear, by its MACs (an SE's convs take the spec's part names).
    ours = sorted(layer.mult_adds for layer in result.layers if layer.mult_adds)
    assert ours == sorted(per_module.values())
    # Params: each Conv's and Gemm's weight and bias, as the graph holds them.
    # (Batch norm counts no params by default: every layer with params is a conv or fc.)
    mine = sorted(layer.params for layer in result.layers if layer.params)
    assert mine == sorted(p for p in initializer_params(path) if p)


@pytest.mark.parametrize("name,exporter", CASES)
def test_the_spec_keeps_the_module_names_where_the_spec_language_allows(
    exported, tmp_path, name, exporter
):
    # A layer outside an SE block keeps its module's name (features.3.conv.0.0).
    model, size, path = exported[name, exporter]
    spec, _ = _imported(path, tmp_path)
    _, per_module = torch_macs(model, size)
    shown = {layer.name: layer.mult_adds for layer in count(load_spec(spec)).layers}
    for module, macs in per_module.items():
        if module.rsplit(".", 1)[-1] in ("reduce", "expand", "se_reduce", "se_expand"):
            continue  # an SE block's parts are pool, reduce, expand and scale in a spec
        # A composite's parts are shown as composite.part: where the graph's modules
        # share no prefix (a concat of top-level modules), the part keeps its own name.
        named = [v for k, v in shown.items() if k == module or k.endswith("." + module)]
        assert named == [macs], module


def test_widths_follow_alpha_as_the_graph_does(exported, tmp_path):
    # MobileNet v1 exported at alpha 1: its spec at 0.75 and 160 is the network PyTorch
    # builds at round(c * 0.75) and runs at 160 (test_onnx_import checks the graph so).
    from tests.test_onnx_import import MobileNetV1

    _, _, path = exported["mobilenet-v1", "legacy"]
    spec, _ = _imported(path, tmp_path)
    total, _ = torch_macs(MobileNetV1(alpha=0.75), (160, 160))
    assert count(load_spec(spec), Fraction(3, 4), 160).total.mult_adds == total == 166_396_800


def test_the_summary_says_what_was_checked(exported, tmp_path):
    model, size, path = exported["resnet", "legacy"]
    total, _ = torch_macs(model, size)
    _, result = _imported(path, tmp_path)
    assert f"{total:,} MACs" in result.stderr
    assert "2 residuals" in result.stderr and "checked at alpha 1 and 0.5" in result.stderr


def test_densenets_running_concat_nests_and_says_so(exported, tmp_path):
    _, _, path = exported["densenet", "legacy"]
    spec, result = _imported(path, tmp_path)
    assert "read the Concat before them" in result.stderr
    text = spec.read_text()
    assert "kind: concat" in text and "kind: bn" in text  # BN-ReLU before each conv


def test_json_and_standard_output(exported, tmp_path):
    _, _, path = exported["squeezenet", "legacy"]
    out = tmp_path / "s.json"
    assert run_cli("import", str(path), "-o", str(out)).exit_code == 0
    data = json.loads(out.read_text())
    assert data["layers"] and count(load_spec(out)).total == count(load_onnx(path)).total
    piped = run_cli("import", str(path))
    assert piped.exit_code == 0 and piped.stdout.startswith("# ")
    assert "wrote standard output" in piped.stderr


def test_a_symbolic_size_needs_res(tmp_path):
    from tests.test_onnx_import import ResNetLike

    path = tmp_path / "dyn.onnx"
    model = ResNetLike().eval()
    torch.onnx.export(
        model,
        (torch.randn(1, 3, 64, 64),),
        str(path),
        dynamo=False,
        input_names=["x"],
        dynamic_axes={"x": {2: "H", 3: "W"}},
    )
    refused = run_cli("import", str(path), "-o", str(tmp_path / "a.yaml"))
    assert refused.exit_code == 2 and "--res" in refused.stderr
    spec, _ = _imported(path, tmp_path, "--res", "96x64")
    total, _ = torch_macs(model, (96, 64))
    assert load_spec(spec).resolution == (96, 64)
    assert count(load_spec(spec)).total.mult_adds == total


# --- graphs that do not nest: the node that breaks it is named ----------------------


class CrossJoin(nn.Module):
    """b is added to a, and the sum's conv is added to b again: a connection that skips
    across a join."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
        self.conv3 = nn.Conv2d(8, 8, 3, padding=1)

    def forward(self, x):
        a = self.conv1(x)
        b = self.conv2(a)
        return self.conv3(a + b) + b


class TwoHeads(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.left = nn.Conv2d(8, 4, 1)
        self.right = nn.Conv2d(8, 2, 1)

    def forward(self, x):
        x = self.conv(x)
        return self.left(x), self.right(x)


class Halves(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.right = nn.Conv2d(4, 4, 1)

    def forward(self, x):
        x = self.conv(x)
        return torch.cat([x[:, :4], self.right(x[:, 4:])], 1)


@pytest.mark.parametrize(
    "make,named",
    [
        (CrossJoin, "feeds two inputs of"),
        (TwoHeads, "never join"),
        (Halves, "slice of its input's channels"),
    ],
)
def test_a_graph_that_does_not_nest_names_the_node(tmp_path, make, named):
    path = export(make().eval(), (16, 16), tmp_path / "g.onnx", "legacy")
    out = tmp_path / "g.yaml"
    result = run_cli("import", str(path), "-o", str(out))
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line and "does not nest into a spec" in line and named in line
    assert "node '" in line or "'conv" in line
    assert not out.exists()
    # The graph itself still counts.
    assert run_cli("table", str(path)).exit_code == 0


def test_bad_arguments_are_one_line(exported, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # short names: a long temporary path is quoted shortened
    _, _, path = exported["resnet", "legacy"]
    for args, says in [
        (["import", "mobilenet-v2"], "reads an ONNX file"),
        (["import", str(path), "-o", str(tmp_path / "x.txt")], ".yaml, .yml or .json"),
        (["import", str(path), "-o", str(path)], ".yaml, .yml or .json"),
        (["import", "missing.onnx"], "missing.onnx"),
    ]:
        result = run_cli(*args)
        assert result.exit_code == 2, args
        assert says in result.stderr and result.stderr.count("\n") == 1, result.stderr


# --- the Python API and verify ------------------------------------------------------


def test_load_onnx_gives_the_spec_where_the_graph_nests(exported):
    import mncost
    from mncost.arch.ops import Architecture

    _, _, path = exported["mobilenet-v2", "legacy"]
    spec = mncost.load_onnx(path)
    assert isinstance(spec, Architecture)
    graph = mncost.load_onnx(path, nest=False)
    assert isinstance(graph, GraphModel)
    assert mncost.cost(spec, alpha=0.5).total == mncost.cost(graph, alpha=0.5).total
    # DenseNet's spec frees maps sooner than its graph: the graph is what counts alike.
    _, _, dense = exported["densenet", "legacy"]
    assert isinstance(mncost.load_onnx(dense), GraphModel)


def test_verify_builds_an_imported_graph_through_its_spec(exported):
    _, _, path = exported["mobilenet-v3", "legacy"]
    result = run_cli("verify", str(path), "-a", "0.5")
    assert result.exit_code == 0, result.stderr
    assert "agree with PyTorch" in result.stdout and "nested spec" in result.stderr
