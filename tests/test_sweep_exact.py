"""The sweep is exact or it refuses: never a wrapped int64 (issue 14, item 2).

The oracle is :func:`mncost.cost.result.count`, which counts in Python ints, and for the
hand-made networks below a formula written out in the test. Sizes are chosen so that
counts straddle 2**63: a grid value that wrapped would differ from both.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mncost
from mncost.arch.load import parse_spec
from mncost.cost.geometry import GeometryError
from mncost.cost.result import count
from mncost.cost.sweep import grid
from mncost.limits import MAX_CHANNELS, MAX_SWEEP_OP_VALUES
from tests.conftest import run_cli

INT64_MAX = 2**63 - 1


def _two_convs(filters: int) -> mncost.Architecture:
    return parse_spec(
        {
            "name": "ovf",
            "resolution": 224,
            "classes": 10,
            "layers": [
                {"kind": "conv", "name": "c1", "kernel": 3, "stride": 1, "filters": filters},
                {"kind": "conv", "name": "c2", "kernel": 3, "stride": 1, "filters": filters},
            ],
        }
    )


def _two_convs_macs(filters: int, alpha: int, res: int) -> int:
    # 3x3 convs, same padding, stride 1: every output is res x res. c1 reads the image's
    # 3 channels, c2 reads c1's; round(filters * alpha) is exact for whole alphas.
    c = filters * alpha
    return 9 * 3 * c * res * res + 9 * c * c * res * res


def test_the_issues_spec_sweeps_to_the_exact_count_past_int64():
    arch = _two_convs(MAX_CHANNELS)
    totals = grid(arch, [Fraction(1), Fraction(16)], [2047, 2048, 16384], metrics=["mult_adds"])
    for i, alpha in enumerate((1, 16)):
        for j, res in enumerate((2047, 2048, 16384)):
            expected = _two_convs_macs(MAX_CHANNELS, alpha, res)
            assert expected > INT64_MAX  # every one of these would wrap in int64
            assert int(totals["mult_adds"][i, j]) == expected
    # alpha 16 costs 256x the dominant term: never fewer MACs than alpha 1 (it was, wrapped)
    assert totals["mult_adds"][1, 2] > totals["mult_adds"][0, 2]


def test_the_cli_sweep_and_table_agree_past_int64(tmp_path):
    spec = tmp_path / "ovf.yaml"
    spec.write_text(
        "name: ovf\nresolution: 224\nclasses: 10\nlayers:\n"
        "  - {kind: conv, name: c1, kernel: 3, stride: 1, filters: 1048576}\n"
        "  - {kind: conv, name: c2, kernel: 3, stride: 1, filters: 1048576}\n"
    )
    swept = run_cli(
        "sweep", "--spec", str(spec), "--alpha", "1", "--res", "2047,2048",
        "--metric", "mult_adds", "-f", "csv", "-o", "-",
    )  # fmt: skip
    assert swept.exit_code == 0, swept.stderr
    rows = [line.split(",") for line in swept.stdout.splitlines()[1:]]
    assert [int(r[2]) for r in rows] == [
        _two_convs_macs(MAX_CHANNELS, 1, 2047),
        _two_convs_macs(MAX_CHANNELS, 1, 2048),
    ]


def test_the_python_sweep_returns_the_exact_ints():
    frame = mncost.sweep(_two_convs(MAX_CHANNELS), [1, 16], [16384], metrics=["mult_adds"])
    assert [int(v) for v in frame["mult_adds"]] == [
        _two_convs_macs(MAX_CHANNELS, 1, 16384),
        _two_convs_macs(MAX_CHANNELS, 16, 16384),
    ]


def test_a_grid_that_fits_int64_stays_int64():
    import numpy as np

    totals = grid(mncost.get_model("mobilenet-v2"), [Fraction(1)], [224], metrics=["mult_adds"])
    assert totals["mult_adds"].dtype == np.int64
    assert int(totals["mult_adds"][0, 0]) == 300_774_272  # the V2 paper's 300M, exactly


_METRICS = ["mult_adds", "params", "weight_bytes", "input_bytes", "peak_activation_bytes"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    filters=st.lists(st.integers(2**16, MAX_CHANNELS), min_size=1, max_size=3),
    kernel=st.sampled_from([1, 3, 7]),
    alphas=st.lists(st.sampled_from([1, 2, 3, 7, 16]), min_size=1, max_size=3, unique=True),
    resolutions=st.lists(st.integers(512, 16384), min_size=1, max_size=3, unique=True),
    dw=st.booleans(),
)
def test_every_cell_near_the_int64_edge_equals_cost(filters, kernel, alphas, resolutions, dw):
    layers: list[dict[str, object]] = []
    for i, f in enumerate(filters):
        layers.append({"kind": "conv", "name": f"c{i}", "kernel": kernel, "filters": f})
        if dw:
            layers.append({"kind": "dw", "name": f"d{i}"})
    layers.append({"kind": "avgpool", "name": "pool"})
    arch = parse_spec({"name": "edge", "resolution": 224, "classes": 10, "layers": layers})
    a = [Fraction(x) for x in alphas]
    totals = grid(arch, a, resolutions, metrics=_METRICS)
    for i, alpha in enumerate(a):
        for j, res in enumerate(resolutions):
            r = count(arch, alpha, res)
            assert int(totals["mult_adds"][i, j]) == r.total.mult_adds
            assert int(totals["params"][i, j]) == r.total.params
            assert int(totals["weight_bytes"][i, j]) == sum(r.metric("weight_bytes"))
            assert int(totals["input_bytes"][i, j]) == sum(r.metric("input_bytes"))
            peak = mncost.memory(arch, alpha, res).peak_activation_bytes
            assert int(totals["peak_activation_bytes"][i, j]) == peak


def _doubling_concats(n: int) -> dict[str, object]:
    # Each concat joins its input with a 1x1 conv of as many channels: it doubles them.
    layers: list[dict[str, object]] = [{"kind": "conv", "name": "c0", "kernel": 3, "filters": 16}]
    for i in range(n):
        layers.append(
            {
                "kind": "concat",
                "name": f"cat{i}",
                "branches": [[], [{"kind": "pw", "name": "p", "expansion": 1}]],
            }
        )
    return {"name": "doubling", "resolution": 8, "classes": 10, "layers": layers}


def test_channels_that_concats_add_up_are_held_to_the_channel_limit():
    # 16 * 2**16 = 2**20 is the limit itself: it counts. One more doubling passes it.
    ok = parse_spec(_doubling_concats(16))
    assert count(ok, Fraction(1), 8).layers[-1].output[2] == MAX_CHANNELS
    over = parse_spec(_doubling_concats(60))  # 16 * 2**60 channels at the end
    with pytest.raises(GeometryError, match=r"layer 'cat16.concat': .*2,097,152 channels"):
        count(over, Fraction(1), 8)
    with pytest.raises(GeometryError, match="channels"):
        grid(over, [Fraction(1)], [8])


def test_the_cli_refuses_doubling_concats_in_one_line(tmp_path):
    import json

    spec = tmp_path / "cats.json"
    spec.write_text(json.dumps(_doubling_concats(60)))
    for args in (["table"], ["sweep", "--alpha", "1", "--res", "8"], ["memory"]):
        result = run_cli(*args, "--spec", str(spec))
        assert result.exit_code == 2, (args, result.stdout)
        assert len(result.stderr.strip().splitlines()) == 1
        assert "1,048,576" in result.stderr


def test_a_deep_spec_sweeps_few_values_and_says_the_limit():
    n = 2000  # ops; 2,000 x (1,000 alphas + 1,001 resolutions) passes the bound
    layers = [{"kind": "conv", "name": "c0", "kernel": 3, "filters": 8}] + [
        {"kind": "dw", "name": f"d{i}"} for i in range(n - 1)
    ]
    arch = parse_spec({"name": "deep", "resolution": 32, "classes": 10, "layers": layers})
    alphas = [Fraction(k, 1000) for k in range(1, 1001)]
    resolutions = list(range(32, 1033))
    assert n * (len(alphas) + len(resolutions)) > MAX_SWEEP_OP_VALUES
    with pytest.raises(GeometryError, match=f"the most is {MAX_SWEEP_OP_VALUES:,}"):
        grid(arch, alphas, resolutions)
