"""ONNX files from strangers (issue 15, item 5): one line and exit 2, never a traceback,
a hang, unbounded memory, or a read outside what the user named."""

from __future__ import annotations

import os

import pytest

onnx = pytest.importorskip("onnx")
np = pytest.importorskip("numpy")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from mncost.cost.onnx_import import OnnxImportError, load_onnx  # noqa: E402
from mncost.cost.onnx_import import reading as importer  # noqa: E402
from tests.conftest import run_cli  # noqa: E402


def one_line_exit_2(*args: str) -> str:
    result = run_cli(*args)
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def conv_model(weight_dims=(8, 3, 3, 3), input_dims=("N", 3, 16, 16), nodes=None, inits=None):
    weight = numpy_helper.from_array(np.zeros(weight_dims, np.float32), "w")
    nodes = nodes or [helper.make_node("Conv", ["x", "w"], ["y"], name="conv")]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(input_dims))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [weight, *(inits or [])],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def save(tmp_path, model, name="m.onnx"):
    path = tmp_path / name
    onnx.save(model, str(path))
    return path


def test_a_good_file_reads(tmp_path):
    assert load_onnx(save(tmp_path, conv_model())).program.ops[0].kind == "conv"


@pytest.mark.parametrize(
    "content,says",
    [
        (b"", "is empty"),
        (b"not an onnx file at all\n", "is not an ONNX model"),
        (b"\x08\x07", "holds no graph"),  # an ir_version and no graph
    ],
)
def test_empty_and_foreign_files(tmp_path, content, says):
    path = tmp_path / "x.onnx"
    path.write_bytes(content)
    assert says in one_line_exit_2("table", str(path))


def test_a_truncated_file(tmp_path):
    data = save(tmp_path, conv_model()).read_bytes()
    path = tmp_path / "cut.onnx"
    path.write_bytes(data[: len(data) // 2])
    line = one_line_exit_2("table", str(path))
    assert (
        "is not an ONNX model" in line or "holds no graph" in line or "before it is defined" in line
    )


@pytest.mark.parametrize(
    "model,says",
    [
        (conv_model(weight_dims=(2**21, 3, 1, 1)), "beyond mncost's limits"),
        (conv_model(input_dims=(1, 3, 20000, 20000)), "each side is 1 to 16,384 pixels"),
        (conv_model(input_dims=(1, 2**21, 16, 16), weight_dims=(8, 2**21, 1, 1)), "channels"),
        (conv_model(weight_dims=(8, 5, 3, 3)), "does not fit its 3-channel input"),
    ],
)
def test_dims_beyond_the_limits(tmp_path, model, says):
    assert says in one_line_exit_2("table", str(save(tmp_path, model)))


def test_a_value_used_before_it_is_defined_and_a_cycle(tmp_path):
    before = conv_model(
        nodes=[
            helper.make_node("Relu", ["c"], ["y"], name="relu"),
            helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
        ]
    )
    assert "before it is defined" in one_line_exit_2("table", str(save(tmp_path, before, "b.onnx")))
    cycle = conv_model(
        nodes=[
            helper.make_node("Add", ["x", "z"], ["a"], name="a"),
            helper.make_node("Relu", ["a"], ["z"], name="b"),
            helper.make_node("Conv", ["z", "w"], ["y"], name="conv"),
        ]
    )
    assert "before it is defined" in one_line_exit_2("table", str(save(tmp_path, cycle, "c.onnx")))


def test_external_data_outside_the_folder_is_refused_and_never_read(tmp_path, monkeypatch):
    model = conv_model()
    weight = model.graph.initializer[0]
    weight.ClearField("raw_data")
    weight.ClearField("float_data")
    weight.data_location = TensorProto.EXTERNAL
    entry = weight.external_data.add()
    entry.key, entry.value = "location", "../../etc/passwd"
    path = save(tmp_path, model, "ext.onnx")
    opened: list[str] = []
    real_open = os.open

    def spy(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    line = one_line_exit_2("table", str(path))
    assert "outside the model's folder" in line and "passwd" in line
    assert not any("passwd" in name for name in opened)


def test_external_data_inside_the_folder_is_not_read_either(tmp_path, monkeypatch):
    model = conv_model()
    weight = model.graph.initializer[0]
    weight.ClearField("raw_data")
    weight.ClearField("float_data")
    weight.data_location = TensorProto.EXTERNAL
    entry = weight.external_data.add()
    entry.key, entry.value = "location", "weights.bin"
    path = save(tmp_path, model, "ok.onnx")
    # No weights.bin exists: mncost needs only the dims, which the header holds.
    assert load_onnx(path).program.raw_channels[1] == 8


def test_a_file_above_the_size_limit(tmp_path, monkeypatch):
    path = save(tmp_path, conv_model())
    monkeypatch.setattr(importer, "MAX_ONNX_BYTES", 100)
    with pytest.raises(OnnxImportError, match="larger than 100 bytes"):
        load_onnx(path)
    assert "2 GiB" in importer.__doc__ or importer.MAX_ONNX_BYTES == 100


def _nested_if(depth: int):
    inner = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["o0"])],
        "b0",
        [],
        [helper.make_tensor_value_info("o0", TensorProto.FLOAT, None)],
    )
    leaf = inner
    for level in range(1, depth):  # nested in the then-branch only: the file stays small
        node = helper.make_node(
            "If", ["cond"], [f"o{level}"], then_branch=inner, else_branch=leaf, name=f"if{level}"
        )
        inner = helper.make_graph(
            [node],
            f"b{level}",
            [],
            [helper.make_tensor_value_info(f"o{level}", TensorProto.FLOAT, None)],
        )
    top = helper.make_node("If", ["cond"], ["y"], then_branch=inner, else_branch=leaf, name="top")
    graph = helper.make_graph(
        [top],
        "nested",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8]),
            helper.make_tensor_value_info("cond", TensorProto.BOOL, []),
        ],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_nested_subgraphs_are_one_line(tmp_path):
    path = tmp_path / "if.onnx"
    path.write_bytes(_nested_if(3).SerializeToString())
    assert "control flow" in one_line_exit_2("table", str(path))


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field (wire type 2)."""
    length, out = len(payload), bytearray()
    while True:
        byte, length = length & 0x7F, length >> 7
        out.append(byte | (0x80 if length else 0))
        if not length:
            break
    return bytes([number << 3 | 2]) + bytes(out) + payload


def test_subgraphs_nested_past_any_parser_limit_are_one_line(tmp_path):
    # Graph -> node -> attribute -> graph, 5,000 times: built as bytes (onnx.helper
    # itself cannot hold it), 60 KB on disk. The parser's depth limit refuses it.
    graph = b""
    for _ in range(5000):
        attribute = _field(1, b"then_branch") + _field(6, graph)  # AttributeProto.name, .g
        node = _field(4, b"If") + _field(5, attribute)  # NodeProto.op_type, .attribute
        graph = _field(1, node)  # GraphProto.node
    path = tmp_path / "deep.onnx"
    path.write_bytes(b"\x08\x08" + _field(7, graph))  # ir_version 8, ModelProto.graph
    line = one_line_exit_2("table", str(path))
    assert "is not an ONNX model" in line or "control flow" in line


def test_a_directory_and_a_fifo_named_onnx(tmp_path):
    folder = tmp_path / "dir.onnx"
    folder.mkdir()
    assert "is a directory" in one_line_exit_2("table", str(folder))
    fifo = tmp_path / "pipe.onnx"
    os.mkfifo(fifo)
    assert "FIFO" in one_line_exit_2("table", str(fifo))


def test_without_the_onnx_package_one_line_says_what_to_install(tmp_path, monkeypatch):
    import sys

    path = save(tmp_path, conv_model())
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx -> ImportError
    line = one_line_exit_2("table", str(path))
    assert "pip install 'mncost[onnx]'" in line


def test_hostile_node_names_are_shown_escaped(tmp_path):
    model = conv_model(
        nodes=[helper.make_node("Conv", ["x", "w"], ["y"], name="c\x1b]0;pwned\x07\u202e")]
    )
    result = run_cli("table", str(save(tmp_path, model)))
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout


# --- mncost import: graphs from strangers, written as spec files ---------------------


def _residuals(depth: int):
    """A 1x1 conv inside ``depth`` residuals nested in one another."""
    nodes, inits = [], []

    def block(x: str, d: int) -> str:
        if d == depth:
            inits.append(numpy_helper.from_array(np.zeros((4, 4, 1, 1), np.float32), "w"))
            nodes.append(helper.make_node("Conv", [x, "w"], ["c"], name="conv"))
            return "c"
        inner = block(x, d + 1)
        nodes.append(helper.make_node("Add", [inner, x], [f"a{d}"], name=f"add{d}"))
        return f"a{d}"

    out = block("x", 0)
    graph = helper.make_graph(
        nodes,
        "deep",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 8, 8])],
        [helper.make_tensor_value_info(out, TensorProto.FLOAT, None)],
        inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_import_of_a_graph_nested_too_deep_for_a_spec_is_one_line(tmp_path):
    ok = run_cli("import", str(save(tmp_path, _residuals(5), "ok.onnx")))
    assert ok.exit_code == 0 and ok.stdout.count("kind: residual") == 5
    for depth in (40, 400):  # 400: past Python's recursion limit if it recursed per level
        path = save(tmp_path, _residuals(depth), f"d{depth}.onnx")
        line = one_line_exit_2("import", str(path), "-o", str(tmp_path / "d.yaml"))
        assert "does not nest into a spec" in line and "30 composites deep" in line
    assert not (tmp_path / "d.yaml").exists()


def test_import_writes_hostile_node_names_so_they_read_back(tmp_path):
    names = ["x: y", "#c", "- d", "true", "null", "1e3", "[a]", 'q"q', "名前"]
    nodes, inits, x = [], [], "x"
    for i, name in enumerate(names):
        inits.append(numpy_helper.from_array(np.zeros((4, 4, 1, 1), np.float32), f"w{i}"))
        nodes.append(helper.make_node("Conv", [x, f"w{i}"], [f"t{i}"], name=name))
        x = f"t{i}"
    graph = helper.make_graph(
        nodes,
        "names",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 8, 8])],
        [helper.make_tensor_value_info(x, TensorProto.FLOAT, None)],
        inits,
    )
    path = save(tmp_path, helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]))
    spec = tmp_path / "names.yaml"
    assert run_cli("import", str(path), "-o", str(spec)).exit_code == 0
    from mncost.arch.load import load_spec

    assert [layer.name for layer in load_spec(spec).layers] == names
