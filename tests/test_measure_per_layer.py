"""`mncost measure --per-layer`: onnxruntime's node times mapped back to mncost's ops
(issue 17, section 1).

The mapping is tested on node names written here as onnxruntime names them (observed on
its 1.32 CPU provider: a fused node keeps the name of the activation it absorbed, the
NCHWc layout adds "_nchwc" and ReorderInput / ReorderOutput nodes); the times are made
up, so every expected sum is derived by hand. The command then profiles a tiny network
in the real runtime, where only the structure is asserted: a measurement is not a test.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from mncost.analysis.per_layer import map_nodes, read_profile
from mncost.errors import MeasureError
from tests.conftest import run_cli
from tests.test_measure import FAST, SPEC

LAYERS = [
    ("conv_0", "Conv 3x3"),
    ("block_1.dw", "Conv DW 3x3"),
    ("block_1.project", "Conv 1x1 project"),
    ("block_1.add", "Add"),
    ("fc", "Fully Connected"),
]


def test_fused_and_layout_nodes_map_to_the_op_they_start_with():
    nodes = {
        "conv_0.relu6_nchwc": [100.0, 120.0, 110.0],  # median 110 us: conv_0
        "ReorderInput": [5.0, 7.0, 6.0],  # the runtime's: 6 us
        "block_1.dw.relu6_nchwc": [40.0, 50.0, 60.0],  # 50 us: block_1.dw
        "block_1.project_nchwc": [30.0, 30.0, 30.0],  # the add fused into it
        "ReorderOutput_token_7": [2.0, 2.0, 2.0],  # 2 us, the runtime's
        "fc.flatten": [1.0, 1.0, 1.0],  # a node the exporter adds for fc: 1 us
        "fc": [20.0, 22.0, 24.0],  # 22 us; fc's total 23 us
    }
    times = map_nodes(LAYERS, [250.0, 260.0, 240.0], nodes)
    got = {t.name: t.ms for t in times.layers}
    timed = {name: ms for name, ms in got.items() if ms is not None}
    assert timed == pytest.approx(
        {"conv_0": 0.110, "block_1.dw": 0.050, "block_1.project": 0.030, "fc": 0.023},
        rel=1e-12,
    )
    assert got["block_1.add"] is None  # fused away: no node of its own
    assert [t.nodes for t in times.layers][0] == ("conv_0.relu6_nchwc",)
    assert times.runtime_ms == pytest.approx(0.008)
    assert set(times.runtime_nodes) == {"ReorderInput", "ReorderOutput_token_7"}
    # Nodes: 110 + 6 + 50 + 30 + 2 + 1 + 22 = 221 us of a 250 us median run: 88.4%.
    assert times.node_ms == pytest.approx(0.221)
    assert times.coverage == pytest.approx(0.884)
    assert times.runs == 3 and times.run_ms == pytest.approx(0.250)


def test_a_node_name_that_only_looks_like_an_op_is_the_runtimes():
    # "conv_00" is not "conv_0" continued by a ".": it belongs to no op.
    times = map_nodes(LAYERS, [10.0], {"conv_00": [3.0], "conv_0.x.y_nchwc": [4.0]})
    assert {t.name: t.ms for t in times.layers}["conv_0"] == pytest.approx(0.004)
    assert times.runtime_nodes == ("conv_00",)


def test_reading_a_profile(tmp_path: Path):
    events = [
        {"cat": "Session", "name": "model_run", "dur": 300},
        {"cat": "Node", "name": "conv_0.relu_nchwc_kernel_time", "dur": 120, "args": {}},
        {"cat": "Node", "name": "conv_0.relu_nchwc_fence_before", "dur": 1},  # not a kernel
        {"cat": "Node", "name": "fc_kernel_time", "dur": -5},  # no time: skipped
        "not an event",
        {"cat": "Session", "name": "model_run", "dur": 310},
        {"cat": "Node", "name": "conv_0.relu_nchwc_kernel_time", "dur": 130},
    ]
    path = tmp_path / "p.json"
    path.write_text(json.dumps(events), encoding="utf-8")
    runs, nodes = read_profile(path)
    assert runs == [300.0, 310.0] and nodes == {"conv_0.relu_nchwc": [120.0, 130.0]}
    for bad in ("{", '{"a": 1}'):
        path.write_text(bad, encoding="utf-8")
        with pytest.raises(MeasureError):
            read_profile(path)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    pytest.importorskip("onnxruntime")
    (tmp_path / "nets").mkdir()
    (tmp_path / "nets" / "tiny.yaml").write_text(SPEC, encoding="utf-8")
    return tmp_path


def test_per_layer_writes_every_op_and_the_runtime_row(folder: Path):
    out = folder / "m.csv"
    spec = str(folder / "nets" / "tiny.yaml")
    args = ("measure", spec, "--res", "16,24", *FAST, "--per-layer", "-o", str(out))
    result = run_cli(*args)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO((folder / "m-layers.csv").read_text("utf-8"))))
    assert list(rows[0]) == [
        "model",
        "alpha",
        "resolution",
        "layer",
        "type",
        "mult_adds",
        "ms",
        "run_ms",
        "nodes",
    ]
    by_config: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_config.setdefault(r["resolution"], []).append(r)
    assert set(by_config) == {"16", "24"}
    for config_rows in by_config.values():
        assert config_rows[-1]["layer"] == "(runtime)"
        convs = [r for r in config_rows if r["type"].startswith("Conv")]
        assert convs and all(float(r["ms"]) > 0 and r["nodes"] for r in convs)
        node_sum = sum(float(r["ms"]) for r in config_rows if r["ms"])
        assert 0 < node_sum <= float(config_rows[0]["run_ms"]) * 1.05
    assert "Per layer (onnxruntime's profiler)" in result.stdout
    assert "m-layers.csv" in result.stderr
    # A later run keeps the other configurations' rows and replaces its own.
    more = run_cli("measure", spec, "--res", "20", *FAST, "--per-layer", "-o", str(out))
    assert more.exit_code == 0, more.stderr
    rows = list(csv.DictReader(io.StringIO((folder / "m-layers.csv").read_text("utf-8"))))
    assert {r["resolution"] for r in rows} == {"16", "20", "24"}
