"""Latency estimators as one interface (issue 17, section 2): linear, roofline and
per-kind, fitted by `calibrate --estimator`, saved and loaded, and used by every command.

The expected figures are set by the tests: a device is made up whose times follow a
known roofline (or per-kind rates) exactly, its "measurements" are computed from those
known parameters, and the fit must give them back; single-op times are derived by hand
in comments. Where a test checks that the grid gives what one estimate gives, that is
wiring (the estimate itself is checked by the hand derivations).
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from mncost.analysis import latency as lat
from mncost.analysis.latency.model import OpTable, estimator, op_table
from mncost.analysis.latency.roofline import Roofline, bound, intensity
from mncost.arch.registry import get_model
from mncost.cost.conventions import Conventions
from mncost.cost.result import count
from tests.conftest import run_cli

GRID = [
    (model, Fraction(a), r)
    for model, alphas in (
        ("mobilenet-v1", ("0.25", "0.5", "0.75", "1")),
        ("mobilenet-v2", ("0.5", "1")),
    )
    for a in alphas
    for r in (128, 160, 224)
]


def _table(model: str, alpha: Fraction, r: int) -> OpTable:
    # In the bytes `calibrate` weighs by default (--traffic all): every op's.
    return op_table(count(get_model(model), alpha, r, None, Conventions()), "all")


def _points(ms_of) -> list[lat.Measurement]:
    return [
        lat.Measurement(m, a, r, float(ms_of(_table(m, a, r))), f"made-up {i}")
        for i, (m, a, r) in enumerate(GRID)
    ]


def test_a_roofline_op_takes_the_longer_of_compute_and_memory():
    # 1,000 MACs at 1e-3 ms each: 1.0 ms; 200 + 100 bytes at 1e-2 ms each: 3.0 ms, so
    # memory-bound at 3.0 + the 0.5 ms fixed cost = 3.5 ms. The second op: 10,000 MACs
    # (10 ms) over 300 bytes (3 ms): compute-bound, 10.5 ms. The third moves nothing.
    table = OpTable(
        np.array([1000.0, 10000.0, 0.0]),
        np.array([200.0, 200.0, 0.0]),
        np.array([100.0, 100.0, 0.0]),
        ("dense_1x1", "dense_kxk", "other"),
    )
    params = (1e-3, 1e-2, 0.5)
    assert estimator("roofline").op_ms(params, table).tolist() == pytest.approx([3.5, 10.5, 0.5])
    assert bound(params, table) == ["memory", "compute", ""]
    assert intensity(table)[:2].tolist() == pytest.approx([1000 / 300, 10000 / 300])


def test_the_roofline_fit_gives_back_a_known_device():
    # A device at P = 50 G MACs/s (2e-8 ms per MAC), B = 10 GB/s (1e-7 ms per byte) and
    # 0.004 ms per op: its ridge is P / B = 5 MACs per byte.
    truth = (2e-8, 1e-7, 0.004)
    roof = estimator("roofline")
    points = _points(lambda t: roof.op_ms(truth, t).sum())
    profile = lat.fit_profile(points, "made-up", "the test", estimator="roofline", traffic="all")
    assert profile.estimator == "roofline" and profile.traffic == "all"
    assert profile.coefficients == pytest.approx(truth, rel=1e-3)
    assert profile.loo_max_percent < 0.1
    assert profile.baseline_loo_mape_percent > 1  # MACs alone cannot fit it


def test_the_per_kind_fit_gives_back_known_rates():
    # Dense 1x1 at 1e-8 ms per MAC, dense kxk at 3e-8, depthwise at 2e-7, fc at 5e-8,
    # and 0.002 ms per op.
    truth = (1e-8, 3e-8, 2e-7, 5e-8, 0.002)
    kind = estimator("per-kind")
    points = _points(lambda t: kind.op_ms(truth, t).sum())
    profile = lat.fit_profile(points, "made-up", "the test", estimator="per-kind")
    assert profile.coefficients == pytest.approx(truth, rel=1e-6)
    # MobileNet v1 1.0/224's depthwise convs, by Table 1 of Howard et al. 2017: 3x3 x
    # (112^2 x 32 + 56^2 x 64 + 56^2 x 128 + 28^2 x 128 + 28^2 x 256 + 14^2 x 256
    # + 5 x 14^2 x 512 + 7^2 x 512 + 7^2 x 1024) = 9 x 1,931,776 = 17,385,984 MACs
    # (3.06% of the total, as Table 2 gives).
    table = _table("mobilenet-v1", Fraction(1), 224)
    dw = sum(m for m, k in zip(table.mult_adds, table.kinds) if k == "depthwise")
    assert dw == 17_385_984


@pytest.mark.parametrize("name", ["roofline", "per-kind", "linear"])
def test_the_grid_gives_what_each_estimate_gives(name):
    truth = {"roofline": (2e-8, 1e-7, 0.004), "per-kind": (1e-8, 3e-8, 2e-7, 5e-8, 0.002)}
    est = estimator(name)
    params = truth.get(name, (1e-8, 2e-8, 3e-8, 0.001))
    profile = lat.fit_profile(
        _points(lambda t: est.op_ms(params, t).sum()), "made-up", "the test", estimator=name
    )
    arch = get_model("mobilenet-v2")
    alphas, sizes = [Fraction(1, 2), Fraction(3, 4)], [96, 160]
    grid = lat.latency_grid(profile, arch, alphas, sizes)
    for i, a in enumerate(alphas):
        for j, r in enumerate(sizes):
            one = lat.estimate_latency(arch, a, r, None, profile)
            assert grid[i, j] == pytest.approx(one.total_ms, rel=1e-9)


def test_a_profile_file_keeps_its_estimator_and_checks_its_terms(tmp_path: Path):
    roof = estimator("roofline")
    profile = lat.fit_profile(
        _points(lambda t: roof.op_ms((2e-8, 1e-7, 0.004), t).sum()),
        "made-up",
        "the test",
        estimator="roofline",
    )
    path = tmp_path / "p.json"
    path.write_text(lat.profile_json(profile), encoding="utf-8")
    data = json.loads(path.read_text())
    assert data["estimator"] == "roofline" and set(data["terms"]) == {"mult_adds", "bytes", "ops"}
    again = lat.load_profile(path)
    assert (again.estimator, again.coefficients) == (profile.estimator, profile.coefficients)
    data["terms"]["conv_weight_bytes"] = 0.0
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(lat.LatencyError, match="unknown 'conv_weight_bytes'"):
        lat.load_profile(path)
    del data["terms"]["conv_weight_bytes"], data["terms"]["bytes"]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(lat.LatencyError, match="missing bytes"):
        lat.load_profile(path)
    data["terms"]["bytes"] = float("inf")
    path.write_text(json.dumps(data).replace("Infinity", "1e999"), encoding="utf-8")
    with pytest.raises(lat.LatencyError):
        lat.load_profile(path)


def test_a_profile_file_without_an_estimator_is_linear(tmp_path: Path):
    path = tmp_path / "p.json"
    data = json.loads(lat.profile_json(lat.builtin_profile("pixel1-cpu")))
    del data["estimator"]
    path.write_text(json.dumps(data), encoding="utf-8")
    assert lat.load_profile(path).estimator == "linear"


def _csv(folder: Path, ms_of) -> Path:
    lines = ["model,alpha,resolution,latency_ms"]
    for m, a, r in GRID:
        lines.append(f"{m},{float(a)},{r},{ms_of(_table(m, a, r)):.6f}")
    path = folder / "measured.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_calibrate_fits_a_roofline_and_every_command_takes_it(tmp_path: Path):
    roof = estimator("roofline")
    path = _csv(tmp_path, lambda t: roof.op_ms((2e-8, 1e-7, 0.004), t).sum())
    out = tmp_path / "roof.json"
    result = run_cli("calibrate", str(path), "--estimator", "roofline", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "roofline" in result.stdout and "50 G MACs/s" in result.stdout  # 1 / 2e-8 ms
    latency = run_cli("latency", "mobilenet-v2", "--device", str(out), "-f", "csv")
    assert latency.exit_code == 0, latency.stderr
    assert "bound" in latency.stdout.splitlines()[0] and ",memory," in latency.stdout
    sweep = run_cli(
        "sweep", "mobilenet-v2", "--alpha", "0.5,1", "--res", "160", "--device", str(out)
    )
    assert sweep.exit_code == 0 and "roofline" in sweep.stdout


def test_a_datasheet_roofline_fits_only_the_constant(tmp_path: Path):
    # P = 50 G MACs/s and B = 10 GB/s given: ms per MAC 1e-6 / 50 = 2e-8, per byte
    # 1e-6 / 10 = 1e-7, as the made-up device has; the constant comes back as 0.004.
    roof = estimator("roofline")
    path = _csv(tmp_path, lambda t: roof.op_ms((2e-8, 1e-7, 0.004), t).sum())
    out = tmp_path / "sheet.json"
    args = ["calibrate", str(path), "--estimator", "roofline", "-o", str(out)]
    result = run_cli(*args, "--peak-gmacs", "50", "--bandwidth-gbs", "10")
    assert result.exit_code == 0, result.stderr
    terms = json.loads(out.read_text())["terms"]
    assert terms == pytest.approx({"mult_adds": 2e-8, "bytes": 1e-7, "ops": 0.004}, rel=1e-4)
    alone = run_cli(*args, "--peak-gmacs", "50")
    assert alone.exit_code == 2 and len(alone.stderr.strip().splitlines()) == 1
    linear = run_cli(
        "calibrate", str(path), "--peak-gmacs", "50", "--bandwidth-gbs", "10", "-o", str(out)
    )
    assert linear.exit_code == 2 and "--estimator roofline" in linear.stderr


def test_datasheet_roofline_params_are_its_given_rates():
    sheet = Roofline(2e-8, 1e-7)
    assert sheet.fixed == (2e-8, 1e-7)
    assert "given" in sheet.method


# --- the roofline view (issue 17 §3) ----------------------------------------------------


def _roofline_profile(tmp_path: Path) -> Path:
    """A made-up device at P = 50 G MACs/s, B = 10 GB/s, 0.004 ms per op (ridge: 5 MACs
    per byte), fitted by calibrate and written as a profile file."""
    roof = estimator("roofline")
    path = _csv(tmp_path, lambda t: roof.op_ms((2e-8, 1e-7, 0.004), t).sum())
    out = tmp_path / "roof.json"
    result = run_cli("calibrate", str(path), "--estimator", "roofline", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    return out


def test_the_roofline_figure_puts_depthwise_convs_under_the_memory_roof(tmp_path: Path):
    from mncost.present.roofline import roofline_figure, roofs

    profile = lat.load_profile(_roofline_profile(tmp_path))
    estimate = lat.estimate_latency(get_model("mobilenet-v1"), Fraction(1), 224, None, profile)
    assert roofs(estimate) == pytest.approx((50.0, 10.0), rel=1e-3)
    traces = {t["name"]: t for t in roofline_figure(estimate).to_dict()["data"]}
    # MobileNet v1 (Howard et al. 2017, Table 1): 13 depthwise convs, 13 pointwise, the
    # dense 3x3 stem and the fc layer.
    assert set(traces) == {
        "roofs: min(P, B x intensity)",
        "depthwise conv (13)",
        "conv 1x1 (pointwise) (13)",
        "conv kxk (dense) (1)",
        "fully connected (1)",
    }
    # A 3x3 depthwise conv on a c-channel n x n map (stride 1, float32) does 9 c n^2 MACs
    # and moves 4 (c n^2 in + c n^2 out + 9 c weights) bytes: under 9 / 8 MACs per byte,
    # far left of the ridge at 5: memory-bound, and under the memory roof's rate.
    dw = traces["depthwise conv (13)"]
    assert max(dw["x"]) < 9 / 8
    assert all(y <= 10.0 * x + 1e-9 for x, y in zip(dw["x"], dw["y"]))
    # Every point lies on or under both roofs (the fixed cost per op only lowers it).
    for name, trace in traces.items():
        if name.startswith("roofs"):
            continue
        assert all(y <= min(50.0, 10.0 * x) * (1 + 1e-9) for x, y in zip(trace["x"], trace["y"]))
    roof = traces["roofs: min(P, B x intensity)"]
    assert max(roof["y"]) == pytest.approx(50.0, rel=1e-3)


def test_latency_writes_the_roofline_page_and_image(tmp_path: Path):
    device = _roofline_profile(tmp_path)
    page = tmp_path / "roofline.html"
    result = run_cli("latency", "mobilenet-v2", "--device", str(device), "-o", str(page))
    assert result.exit_code == 0, result.stderr
    text = page.read_text(encoding="utf-8")
    assert "Plotly.newPlot" in text and "compute roof P = 50.0 G MACs" in text
    assert "Estimated time per op" in text  # the report's table under the figure
    assert "http" not in text.split("<script")[0]  # no fetched stylesheet or script
    # A linear profile has no roofs: the points are drawn, and the page says why.
    linear = tmp_path / "linear.html"
    result = run_cli("latency", "mobilenet-v2", "--device", "pixel1-cpu", "-o", str(linear))
    assert result.exit_code == 0, result.stderr
    shown = linear.read_text(encoding="utf-8")
    assert "no roofs are drawn" in shown and "roofs: min" not in shown
    # An image needs a file; --fit-report is not a figure.
    for args in (["-f", "png"], ["--fit-report", "-o", str(tmp_path / "f.png")]):
        bad = run_cli(
            "latency", *(["mobilenet-v2"] if "-f" in args else []), "--device", str(device), *args
        )
        assert bad.exit_code == 2 and len(bad.stderr.strip().splitlines()) == 1, bad.stderr


def test_a_model_mostly_of_a_kind_the_fit_never_saw_says_so(tmp_path: Path):
    kind = estimator("per-kind")
    truth = (1e-8, 3e-8, 2e-7, 5e-8, 0.002)
    profile = lat.fit_profile(
        _points(lambda t: kind.op_ms(truth, t).sum()), "made-up", "the test", estimator="per-kind"
    )
    # ResNet-18 at 224: 1,814,073,344 MACs (torchvision: 1.81 GFLOPS), of which the three
    # 1x1 downsampling convs do 64*128*28^2 + 128*256*14^2 + 256*512*7^2 = 19,267,584 and
    # the fc 512,000: 98.9% lie in dense kxk convs, which hold only the stem's share of a
    # MobileNet's (under 10%).
    r18 = lat.estimate_latency(get_model("resnet-18"), Fraction(1), 224, None, profile)
    assert any(
        c.startswith("99% of this configuration's mult-adds are in dense kxk convs")
        for c in r18.cautions
    ), r18.cautions
    v2 = lat.estimate_latency(get_model("mobilenet-v2"), Fraction(1), 224, None, profile)
    assert not any("of this configuration's mult-adds" in c for c in v2.cautions)
    # The shares travel with the profile file; a file without them gives no such caution.
    path = tmp_path / "p.json"
    path.write_text(lat.profile_json(profile), encoding="utf-8")
    again = lat.load_profile(path)
    assert dict(again.kind_shares) == pytest.approx(dict(profile.kind_shares))
    data = json.loads(path.read_text())
    del data["kind_shares"]
    path.write_text(json.dumps(data), encoding="utf-8")
    old = lat.load_profile(path)
    assert old.kind_shares == ()
    r18_old = lat.estimate_latency(get_model("resnet-18"), Fraction(1), 224, None, old)
    assert not any("of this configuration's mult-adds" in c for c in r18_old.cautions)
    data["kind_shares"] = {"dense_1x1": 1.5}
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(lat.LatencyError):
        lat.load_profile(path)


def _tiny():
    from mncost.arch.load import parse_spec

    return parse_spec(
        {
            "name": "tiny",
            "resolution": 8,
            "classes": 10,
            "layers": [
                {"kind": "conv", "name": "c", "kernel": 3, "filters": 4},
                {"kind": "avgpool", "name": "pool"},
                {"kind": "fc", "name": "fc"},
            ],
        }
    )


def test_the_two_traffic_cuts_by_hand():
    # float32, 4 bytes a value; batch norm folded (no weights of its own, the conv no bias).
    # conv 3x3, 3 -> 4 channels on 8x8: reads 8*8*3 = 192 values, writes 8*8*4 = 256:
    #   (192 + 256) * 4 = 1,792 bytes; weights 3*3*3*4 = 108 values = 432 bytes.
    # global pool: reads 256, writes 4: (256 + 4) * 4 = 1,040 bytes; no weights.
    # fc 4 -> 10: reads 4, writes 10: 14 * 4 = 56 bytes; weights 4*10 + 10 biases = 200 bytes.
    r = count(_tiny(), Fraction(1), 8, None, Conventions())
    assert r.metric("activation_bytes") == (1792, 1040, 56)
    assert r.metric("read_weight_bytes") == (432, 0, 200)
    # conv: conv and FC layers' activations (the pool's left out), conv weights only.
    assert r.metric("conv_activation_bytes") == (1792, 0, 56)
    assert r.metric("conv_weight_bytes") == (432, 0, 0)
    every, conv = op_table(r, "all"), op_table(r, "conv")
    assert list(every.activation_bytes) == [1792, 1040, 56] and every.weight_bytes.sum() == 632
    assert conv.activation_bytes.sum() == 1848 and conv.weight_bytes.sum() == 432
    # The sweep's grid gives the same totals (the metrics are sweepable).
    from mncost.cost.sweep import grid

    totals = grid(_tiny(), [Fraction(1)], [8], None, Conventions(), lat.features("all"))
    assert int(totals["activation_bytes"][0, 0]) == 2888
    assert int(totals["read_weight_bytes"][0, 0]) == 632


def test_a_profile_file_keeps_its_traffic_and_an_old_one_reads_as_conv(tmp_path):
    truth = (2e-8, 1e-7, 0.004)
    points = _points(lambda t: estimator("roofline").op_ms(truth, t).sum())
    profile = lat.fit_profile(points, "made-up", "the test", estimator="roofline")
    assert profile.traffic == "all"
    path = tmp_path / "p.json"
    path.write_text(lat.profile_json(profile))
    assert lat.load_profile(path).traffic == "all"
    data = json.loads(path.read_text())
    assert data["traffic"] == "all"
    del data["traffic"]  # a file written before there were two cuts
    path.write_text(json.dumps(data))
    assert lat.load_profile(path).traffic == "conv"
    # A linear profile's terms are named for its cut: a conv file's cannot pass as all.
    linear = lat.fit_profile(
        [lat.Measurement(p.model, p.alpha, p.resolution, p.latency_ms) for p in points],
        "l",
        "the test",
    )
    data = json.loads(lat.profile_json(linear))
    assert set(data["terms"]) == {"mult_adds", "activation_bytes", "read_weight_bytes", "ops"}
    data["traffic"] = "conv"
    path.write_text(json.dumps(data))
    with pytest.raises(lat.LatencyError, match="conv_activation_bytes"):
        lat.load_profile(path)
