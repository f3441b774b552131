"""A Split's parts are slices in every format (issue 15): the by-type group of a channel
slice is "Slice", never a conv of kernel 0x0."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("onnx")

import numpy as np  # noqa: E402
import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from tests.conftest import run_cli  # noqa: E402


def test_a_split_is_a_slice_in_json(tmp_path):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 4, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    w = numpy_helper.from_array(np.zeros((2, 4, 1, 1), np.float32), "w")
    split = numpy_helper.from_array(np.array([4, 4], np.int64), "split")
    nodes = [
        helper.make_node("Split", ["x", "split"], ["a", "b"], name="split", axis=1),
        helper.make_node("Conv", ["a", "w"], ["ca"], name="conv_a"),
        helper.make_node("Conv", ["b", "w"], ["cb"], name="conv_b"),
        helper.make_node("Concat", ["ca", "cb"], ["y"], name="cat", axis=1),
    ]
    graph = helper.make_graph(nodes, "g", [x], [y], [w, split])
    path = tmp_path / "split.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    result = run_cli("table", str(path), "-f", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["layers"]
    slices = [r for r in rows if r["kind"] == "slice" or "slice" in r["name"].lower()]
    assert slices, [r["name"] for r in rows]
    assert all(r["type"] == "Slice" for r in slices), [r["type"] for r in slices]
    assert not any("0x0" in r["type"] for r in rows)
