"""Latency estimates (issue 11 item 2): NNLS, the latency features, the built-in
pixel1-cpu profile, `mncost latency`, `mncost calibrate`, profile files and the API.

Expected figures come from outside mncost's latency code: the targets of issue 11
(pixel1-cpu's leave-one-out error at most 5% mean and 12% max; the four float V3
checkpoints within +-15%), the published Pixel-1 latencies read straight from the
packaged CSVs with the csv module, hand derivations in comments, a brute-force search
for NNLS, and profiles made from coefficients chosen here.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import random
from fractions import Fraction
from importlib import resources
from pathlib import Path

import pytest

np = pytest.importorskip("numpy")

import mncost  # noqa: E402
from mncost.analysis import latency as lat  # noqa: E402
from mncost.arch.load import parse_spec  # noqa: E402
from mncost.arch.registry import get_model  # noqa: E402
from mncost.cost.conventions import Conventions  # noqa: E402
from mncost.cost.result import count  # noqa: E402
from tests.conftest import cli_json, run_cli  # noqa: E402


def _csv_rows(name: str) -> list[dict[str, str]]:
    text = resources.files("mncost").joinpath("sources", "data", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


# --- NNLS ---------------------------------------------------------------------------------


def _brute_force_nnls(a: np.ndarray, b: np.ndarray) -> float:
    """The least residual over x >= 0, by trying every support: the optimum is the
    unconstrained least-squares solution on its own support, which is >= 0 there."""
    n = a.shape[1]
    a = a / np.linalg.norm(a, axis=0)  # the least residual does not change: x scales
    best = float(np.linalg.norm(b))  # x = 0
    for k in range(1, n + 1):
        for support in itertools.combinations(range(n), k):
            cols = list(support)
            x, *_ = np.linalg.lstsq(a[:, cols], b, rcond=None)
            if (x >= -1e-9 * max(1.0, float(np.abs(x).max()))).all():
                best = min(best, float(np.linalg.norm(a[:, cols] @ x - b)))
    return best


def test_nnls_clips_what_least_squares_would_make_negative():
    # min ||x - (1, -1)|| over x >= 0 is x = (1, 0), by hand.
    x = lat.nnls(np.eye(2), np.array([1.0, -1.0]))
    assert x.tolist() == pytest.approx([1.0, 0.0])
    # A consistent system with a non-negative solution is solved exactly.
    a = np.array([[1.0, 2.0], [3.0, 1.0], [1.0, 1.0]])
    assert lat.nnls(a, a @ np.array([2.0, 0.5])).tolist() == pytest.approx([2.0, 0.5])


@pytest.mark.parametrize("seed", range(60))
def test_nnls_equals_a_brute_force_search(seed):
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(2, 9)), int(rng.integers(1, 6))
    a = rng.normal(size=(m, n)) * rng.choice([1e-3, 1.0, 1e6], size=n)  # mixed scales
    b = rng.normal(size=m)
    x = lat.nnls(a, b)
    assert (x >= 0).all()
    assert float(np.linalg.norm(a @ x - b)) == pytest.approx(
        _brute_force_nnls(a, b), rel=1e-7, abs=1e-9
    )


def test_nnls_handles_a_repeated_column():
    # Rank-deficient: both columns are the same feature; any split of the weight fits.
    a = np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    x = lat.nnls(a, np.array([2.0, 4.0, 6.0]))
    assert (x >= 0).all() and x.sum() == pytest.approx(2.0)


# --- the features ------------------------------------------------------------------------

_TINY = {
    "name": "tiny",
    "resolution": 8,
    "classes": 10,
    "layers": [
        {"kind": "conv", "name": "stem", "kernel": 3, "stride": 2, "filters": 4},
        {"kind": "dw", "name": "dw"},
        {
            "kind": "residual",
            "name": "res",
            "body": [{"kind": "pw", "name": "pw", "filters": 4, "act": "none"}],
        },
        {"kind": "avgpool", "name": "pool"},
        {"kind": "fc", "name": "fc"},
    ],
}


def test_latency_features_by_hand():
    result = count(parse_spec(_TINY), conventions=Conventions(dtype="float32"))
    names = [layer.name for layer in result.layers]
    assert names == ["stem", "dw", "res.pw", "res.add", "pool", "fc"]
    # float32: 4 bytes a value; stem 8x8x3 -> 4x4x4 (SAME, stride 2).
    # activation bytes: stem 8*8*3*4 + 4*4*4*4 = 768 + 256; dw and pw 256 + 256; the add,
    # the pool: not conv or FC, 0; fc reads 1*1*4*4 = 16 and writes 10*4 = 40.
    assert result.metric("conv_activation_bytes") == (1024, 512, 512, 0, 0, 56)
    # conv weight bytes: stem 3*3*3*4 = 108 weights, dw 3*3*4 = 36, pw 4*4 = 16, times 4
    # (no bias under batch norm); the fc is left out.
    assert result.metric("conv_weight_bytes") == (432, 144, 64, 0, 0, 0)
    assert result.metric("ops") == (1, 1, 1, 1, 1, 1)
    # int8: one byte a value, and folding batch norm gives each conv a bias: 108 + 4.
    int8 = count(parse_spec(_TINY), conventions=Conventions(dtype="int8"))
    assert int8.metric("conv_weight_bytes")[0] == 112
    assert int8.metric("conv_activation_bytes")[0] == 192 + 64


# --- the built-in profile ----------------------------------------------------------------


@pytest.fixture(scope="module")
def pixel1() -> lat.LatencyProfile:
    return lat.builtin_profile("pixel1-cpu")


def test_pixel1_is_fitted_on_the_22_published_v2_latencies(pixel1):
    published = sorted(
        (Fraction(r["alpha"]), int(r["resolution"]), float(r["pixel1_latency_ms"]))
        for r in _csv_rows("checkpoints.csv")
        if r["family"] == "mobilenet_v2"
    )
    assert len(published) == 22
    fitted = sorted(
        (p.measurement.alpha, p.measurement.resolution, p.measurement.latency_ms)
        for p in pixel1.points
    )
    assert fitted == published
    assert pixel1.models == ("mobilenet-v2",) and pixel1.families == ("mobilenet_v2",)
    # The released float checkpoints run in float32: 4 bytes a value.
    assert pixel1.dtype == "float32"
    assert "Pixel 1" in pixel1.source and "mobilenet/README.md" in pixel1.source


def test_pixel1_meets_the_issues_leave_one_out_targets(pixel1):
    # Issue 11: LOO MAPE <= 5% and max <= 12%, shown beside the MACs-only baseline.
    assert pixel1.loo_mape_percent <= 5.0
    assert pixel1.loo_max_percent <= 12.0
    assert pixel1.baseline_loo_mape_percent > 2 * pixel1.loo_mape_percent
    errors = [abs(p.loo_error_percent) for p in pixel1.points]
    assert pixel1.loo_mape_percent == pytest.approx(sum(errors) / len(errors))
    assert all(c >= 0 for c in pixel1.coefficients)


def test_loo_predictions_are_fits_without_the_point(pixel1):
    # Refit by hand without point 5, with the same weighting (relative error), and
    # check its prediction and that the brute force agrees it is the NNLS optimum.
    points = [p.measurement for p in pixel1.points]
    x = np.array(
        [
            [sum(count(get_model(p.model), p.alpha, p.resolution).metric(f)) for f in lat.FEATURES]
            for p in points
        ],
        dtype=float,
    )
    y = np.array([p.latency_ms for p in points])
    keep = np.arange(len(y)) != 5
    a, b = x[keep] / y[keep, None], np.ones(keep.sum())
    c = lat.nnls(a, b)
    assert float(np.linalg.norm(a @ c - b)) == pytest.approx(_brute_force_nnls(a, b), rel=1e-9)
    assert pixel1.points[5].loo_ms == pytest.approx(float(x[5] @ c), rel=1e-9)


def test_pixel1_predicts_the_v3_checkpoints_it_never_saw(pixel1):
    # Issue 11: the four float V3 checkpoints (Large and Small at 1.0 and 0.75) within
    # +-15% of their published Pixel-1 latencies.
    measured = {
        (r["family"], Fraction(r["alpha"])): float(r["pixel1_latency_ms"])
        for r in _csv_rows("checkpoints_v3.csv")
        if r["precision"] == "float32"
    }
    checks = {(c.model, c.alpha): c for c in lat.cross_family_check(pixel1)}
    for line in ("mobilenet_v3_large", "mobilenet_v3_small"):
        for alpha in (Fraction(1), Fraction(3, 4)):
            # TF-slim built the 0.75 checkpoints in its own layout: the -slim models.
            model = line.replace("_", "-") + ("" if alpha == 1 else "-slim")
            check = checks[(model, alpha)]
            assert check.measured_ms == measured[(line, alpha)]
            assert abs(check.predicted_ms / check.measured_ms - 1) <= 0.15, check
    # Counted in its own layout, Large 0.75 needs no note; Small's mult-adds still differ.
    assert not checks[("mobilenet-v3-large-slim", Fraction(3, 4))].note
    assert not checks[("mobilenet-v3-large", Fraction(1))].note
    assert "cause unknown" in checks[("mobilenet-v3-small", Fraction(1))].note
    assert ("mobilenet-v3-large", Fraction(3, 4)) not in checks
    assert lat.cross_family_check(_shifted(pixel1, 1.0)) == ()  # not a Pixel-1 profile


def _shifted(profile: lat.LatencyProfile, factor: float) -> lat.LatencyProfile:
    from dataclasses import replace

    return replace(
        profile,
        name="other",
        builtin=False,
        coefficients=tuple(c * factor for c in profile.coefficients),
    )


# --- estimates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model, alpha, res",
    [
        ("mobilenet-v2", "1.0", 224),
        ("mobilenet-v1", "0.5", 160),
        ("mobilenet-v3-small", "0.75", 224),
        ("resnet-18", "1.0", 112),
    ],
)
def test_a_total_is_the_sum_of_its_per_op_estimates(pixel1, model, alpha, res):
    e = mncost.latency(model, alpha, res, device="pixel1-cpu")
    assert e.total_ms == pytest.approx(sum(op.ms for op in e.layers), rel=1e-12)
    # ... and the model applied to the network's feature totals (it is linear).
    r = count(get_model(model), Fraction(alpha), res)
    totals = [sum(r.metric(f)) for f in lat.FEATURES]
    assert e.total_ms == pytest.approx(
        sum(c * t for c, t in zip(pixel1.coefficients, totals)), rel=1e-12
    )
    assert len(e.layers) == len(r.layers)
    frame = e.to_frame()
    assert list(frame["name"]) == [layer.name for layer in r.layers]
    assert frame["ms"].sum() == pytest.approx(e.total_ms)


def test_the_sweep_grid_equals_one_estimate_at_a_time(pixel1):
    arch = get_model("mobilenet-v2")
    alphas = [Fraction(35, 100), Fraction(1, 2), Fraction(13, 10)]
    resolutions = [96, 161, 224]
    ms = lat.latency_grid(pixel1, arch, alphas, resolutions)
    assert ms.shape == (3, 3)
    for i, a in enumerate(alphas):
        for j, r in enumerate(resolutions):
            assert ms[i, j] == pytest.approx(mncost.latency(arch, a, r).total_ms, rel=1e-12)
    with pytest.raises(KeyError, match="ops"):
        lat.predict_grid(pixel1, {"mult_adds": ms})


def test_cautions_say_when_an_estimate_leaves_the_fit(tmp_path):
    assert mncost.latency("mobilenet-v2", 0.5, 128).cautions == ()
    (v3,) = mncost.latency("mobilenet-v3-large").cautions
    assert "crosses families" in v3 and "fitted on mobilenet_v2 only" in v3
    (wide,) = mncost.latency("mobilenet-v2", 2, 224).cautions
    assert "alpha 2.0 lies outside" in wide and "extrapolated" in wide
    (small,) = mncost.latency("mobilenet-v2", 1, 64).cautions
    assert "resolution 64 lies outside" in small
    spec = tmp_path / "net.json"
    spec.write_text(json.dumps(_TINY))
    own, kinds = mncost.latency(mncost.load_spec(spec)).cautions
    assert "comes from a file (a spec or an ONNX graph)" in own
    # The tiny net's MACs: stem 4x4 outputs x 4 filters x 27 = 1,728; dw 4x4 x 4 x 9 =
    # 576; pw 4x4 x 4 x 4 = 256; fc 4 x 10 = 40; of 2,600, the dense 3x3 stem's 66%,
    # where MobileNet V2 (the profile's points) has under a third of that in its stem.
    assert kinds.startswith("66% of this configuration's mult-adds are in dense kxk convs")


def test_an_estimate_of_a_measured_point_shows_the_measurement():
    e = mncost.latency("mobilenet-v2", "0.75", 160)
    assert e.measured is not None and e.measured.measurement.latency_ms == 30.4
    assert mncost.latency("mobilenet-v2", "0.75", 161).measured is None


def test_unknown_devices_are_refused():
    with pytest.raises(lat.LatencyError, match="unknown device 'pixel9'.*pixel1-cpu"):
        mncost.latency("mobilenet-v2", device="pixel9")
    result = run_cli("latency", "mobilenet-v2", "--device", "pixel9")
    assert result.exit_code == 2
    assert "unknown device 'pixel9'" in result.stderr and len(result.stderr.splitlines()) == 1
    result = run_cli("latency", "mobilenet-v2", "--device", "missing.json")
    assert result.exit_code == 2
    assert result.stderr.strip() == "cli latency: error: profile file 'missing.json' does not exist"


def test_latency_without_a_device_is_one_line():
    # --device is required: without it there is no profile to estimate from.
    for args in (("latency", "mobilenet-v2"), ("latency", "--fit-report")):
        result = run_cli(*args)
        assert result.exit_code == 2
        assert "Missing option '--device'" in result.stderr
        assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.output


# --- the command line --------------------------------------------------------------------


def test_latency_json_fields():
    data = cli_json("latency", "mobilenet-v2", "-a", "0.75", "-r", "160", "--device", "pixel1-cpu")
    assert data["estimate"] is True
    assert (data["model"], data["alpha"], data["resolution"]) == ("mobilenet-v2", 0.75, 160)
    assert data["total_ms"] == pytest.approx(sum(layer["ms"] for layer in data["layers"]))
    assert {"name", "ms"} <= set(data["layers"][0])
    device = data["device"]
    assert device["name"] == "pixel1-cpu"
    assert device["fitted_on"] == ["mobilenet-v2"]
    assert device["n_points"] == 22
    assert 0 < device["loo_mape_percent"] <= 5
    assert device["baseline_loo_mape_percent"] > device["loo_mape_percent"]
    assert set(device["terms"]) == set(lat.FEATURES)
    assert data["measured_ms"] == 30.4  # TF-slim's MobileNet_v2_0.75_160
    assert data["cautions"] == []


def test_latency_table_says_it_is_an_estimate_and_names_its_source():
    result = run_cli("latency", "mobilenet-v3-small", "--device", "pixel1-cpu")
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "an estimate" in text and "not a measurement" in text
    assert "TF-slim mobilenet/README.md (Pixel 1)" in text
    assert "Leave-one-out error" in text
    assert "crosses families" in text


def test_fit_report_shows_terms_baseline_points_and_the_v3_check():
    result = run_cli("latency", "--device", "pixel1-cpu", "--fit-report", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    points = list(csv.DictReader(result.stdout.splitlines()))
    assert len(points) == 22 and {"measured_ms", "loo_ms", "loo_error_percent"} <= set(points[0])
    data = cli_json("latency", "--device", "pixel1-cpu", "--fit-report")
    assert len(data["points"]) == 22
    labels = {c["label"] for c in data["cross_family_check"]}
    assert {
        "Large dm=1 (float)",
        "Large dm=0.75 (float)",
        "Small dm=1 (float)",
        "Small dm=0.75 (float)",
    } <= labels
    wide = run_cli("latency", "--device", "pixel1-cpu", "--fit-report", "--format", "markdown")
    assert "Baseline: latency proportional to MACs" in wide.stdout
    assert "ms per million MACs" in wide.stdout and "mobilenet-v3-large-slim" in wide.stdout
    assert "cause unknown" in wide.stdout


def test_fit_report_takes_no_model():
    result = run_cli("latency", "mobilenet-v2", "--device", "pixel1-cpu", "--fit-report")
    assert result.exit_code == 2 and "--fit-report" in result.stderr


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown", "html"])
def test_every_format_renders_an_estimate(fmt):
    result = run_cli("latency", "mobilenet-v2", "--device", "pixel1-cpu", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert "block_17.project" in result.stdout


# --- calibrate ---------------------------------------------------------------------------

_KNOWN = (2.0e-7, 5.0e-7, 3.0e-7, 0.01)
"""A device made up here: ms per MAC, per activation byte, per weight byte, per op."""

_CONFIGS = [
    ("mobilenet-v2", "1.0", 224),
    ("mobilenet-v2", "0.5", 160),
    ("mobilenet-v2", "0.75", 96),
    ("mobilenet-v2", "1.4", 192),
    ("mobilenet-v1", "0.25", 128),
    ("mobilenet-v1", "1.0", 224),
    ("mobilenet-v3-small", "1.0", 224),
]


CALIBRATED = lat.features("all")
"""What `mncost calibrate` weighs by default (--traffic all): every op's bytes."""


def _known_latency(model: str, alpha: str, res: int, features=CALIBRATED) -> float:
    r = count(get_model(model), Fraction(alpha), res)
    return sum(c * sum(r.metric(f)) for c, f in zip(_KNOWN, features))


def _write_csv(
    path: Path,
    rows: list[tuple[str, str, int, float]],
    header: str = "model,alpha,resolution,latency_ms",
) -> Path:
    path.write_text(header + "\n" + "".join(f"{m},{a},{r},{ms!r}\n" for m, a, r, ms in rows))
    return path


def test_calibrate_traffic_conv_recovers_a_device_of_conv_bytes(tmp_path, monkeypatch):
    # A device whose times follow conv and FC layers' bytes (the Pixel 1 cut): --traffic
    # conv gives its coefficients back, and the file says which bytes they weigh.
    monkeypatch.chdir(tmp_path)
    rows = [(m, a, r, _known_latency(m, a, r, lat.FEATURES)) for m, a, r in _CONFIGS]
    _write_csv(tmp_path / "measured.csv", rows)
    result = run_cli("calibrate", "measured.csv", "--traffic", "conv", "-o", "c.json")
    assert result.exit_code == 0, result.stderr
    saved = json.loads((tmp_path / "c.json").read_text())
    assert saved["traffic"] == "conv"
    assert [saved["terms"][f] for f in lat.FEATURES] == pytest.approx(_KNOWN, rel=1e-6)
    bad = run_cli("calibrate", "measured.csv", "--traffic", "some", "-o", "d.json")
    assert bad.exit_code == 2 and "'some' is not one of 'all', 'conv'" in bad.stderr


def test_calibrate_recovers_a_known_device(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = [(m, a, r, _known_latency(m, a, r)) for m, a, r in _CONFIGS]
    _write_csv(tmp_path / "measured.csv", rows)
    result = run_cli("calibrate", "measured.csv", "-o", "phone.json", "--name", "phone")
    assert result.exit_code == 0, result.stderr
    assert f"wrote {tmp_path / 'phone.json'} (latency profile" in result.stderr
    assert "Leave-one-out error" in " ".join(result.stdout.split())
    saved = json.loads((tmp_path / "phone.json").read_text())
    assert saved["format"] == "mncost-latency-profile" and saved["version"] == 1
    assert saved["name"] == "phone" and saved["n_points"] == len(_CONFIGS)
    assert [saved["terms"][f] for f in CALIBRATED] == pytest.approx(_KNOWN, rel=1e-6)
    assert saved["traffic"] == "all" and saved["loo_max_percent"] < 1e-6
    # The file is a device: it predicts a configuration it was not fitted on.
    profile = lat.load_profile(tmp_path / "phone.json")
    assert profile.coefficients == pytest.approx(_KNOWN, rel=1e-6)
    e = mncost.latency("mobilenet-v2", "0.35", 128, device=tmp_path / "phone.json")
    assert e.total_ms == pytest.approx(_known_latency("mobilenet-v2", "0.35", 128), rel=1e-6)
    # ... through the command line too, with its provenance.
    data = cli_json("latency", "mobilenet-v2", "-a", "0.35", "-r", "128", "--device", "phone.json")
    assert data["total_ms"] == pytest.approx(e.total_ms)
    assert data["device"]["name"] == "phone" and data["device"]["n_points"] == len(_CONFIGS)
    assert data["device"]["source"] == "the file measured.csv"
    # A family it was not fitted on is named as such.
    data = cli_json("latency", "resnet-18", "--device", "phone.json")
    assert "crosses families" in data["cautions"][0]


def test_calibrate_refuses_too_few_points(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = [(m, a, r, _known_latency(m, a, r)) for m, a, r in _CONFIGS[:4]]
    _write_csv(tmp_path / "few.csv", rows)
    result = run_cli("calibrate", "few.csv", "-o", "few.json")
    assert result.exit_code == 2
    assert "4 measured configurations are too few" in result.stderr
    assert "at least 5" in result.stderr
    assert not (tmp_path / "few.json").exists()


_GOOD = "mobilenet-v2,1.0,224,73.8"


@pytest.mark.parametrize(
    "line, message",
    [
        ("mobilenet-v9,1.0,224,73.8", "line 3, model: unknown model 'mobilenet-v9'"),
        ("mobilenet-v2,abc,224,73.8", "line 3, alpha: alpha must be a number"),
        ("mobilenet-v2,0,224,73.8", "line 3, alpha: alpha must be greater than 0"),
        ("mobilenet-v2,1.0,22.4,73.8", "line 3, resolution: must be a whole number"),
        ("mobilenet-v2,1.0,0,73.8", "line 3, resolution: must be a whole number"),
        ("mobilenet-v2,1.0,224,-1", "line 3, latency_ms: must be from 0.001 ms (1 microsecond)"),
        ("mobilenet-v2,1.0,224,inf", "line 3, latency_ms: cannot read 'inf' as a number"),
        ("mobilenet-v2,1.0,224,fast", "line 3, latency_ms: cannot read 'fast' as a number"),
        ("mobilenet-v2,1.0,224", "line 3: expected 4 cells"),
        ("mobilenet-v2,1.0,224,1,2", "line 3: expected 4 cells"),
        ('mobilenet-v2,1.0,224,"7\x1b[2J"', "line 3, latency_ms: cannot read '7\\x1b[2J'"),
        ("googlenet,1.0,8,5", "line 3: googlenet at alpha 1.0, 8 pixels cannot be counted"),
    ],
)
def test_calibrate_names_the_bad_cell(tmp_path, monkeypatch, line, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.csv").write_text(f"model,alpha,resolution,latency_ms\n{_GOOD}\n{line}\n")
    result = run_cli("calibrate", "m.csv", "-o", "out.json")
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert f"m.csv {message}" in result.stderr
    assert not (tmp_path / "out.json").exists()


@pytest.mark.parametrize(
    "header, message",
    [
        ("model,alpha,resolution", "missing the column latency_ms"),
        ("model,alpha,resolution,latency", "unknown column 'latency'"),
        ("model,alpha,alpha,resolution,latency_ms", "the column alpha appears twice"),
    ],
)
def test_calibrate_checks_the_header(tmp_path, monkeypatch, header, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.csv").write_text(header + "\n")
    result = run_cli("calibrate", "m.csv", "-o", "out.json")
    assert result.exit_code == 2
    assert f"m.csv line 1 (the header): {message}" in result.stderr


def test_calibrate_reads_columns_in_any_order_and_skips_blank_lines(tmp_path):
    rows = [(m, a, r, _known_latency(m, a, r)) for m, a, r in _CONFIGS]
    text = "latency_ms,resolution,model,alpha\n\n" + "".join(
        f"{ms!r},{r},{m},{a}\n\n" for m, a, r, ms in rows
    )
    points = lat.parse_measurements(text, "m.csv")
    assert [(p.model, p.alpha, p.resolution) for p in points] == [
        (m, Fraction(a), r) for m, a, r in _CONFIGS
    ]


def test_calibrate_never_writes_over_its_input_and_bounds_its_size(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = [(m, a, r, _known_latency(m, a, r)) for m, a, r in _CONFIGS]
    path = _write_csv(tmp_path / "m.csv", rows)
    before = path.read_bytes()
    result = run_cli("calibrate", "m.csv", "-o", "m.csv")
    assert result.exit_code == 2 and "given to MEASURED.csv" in result.stderr
    assert path.read_bytes() == before
    (tmp_path / "big.csv").write_bytes(b"x" * (lat.MAX_MEASUREMENT_BYTES + 1))
    result = run_cli("calibrate", "big.csv", "-o", "out.json")
    assert result.exit_code == 2 and "larger than" in result.stderr


def test_calibrate_to_standard_output(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = [(m, a, r, _known_latency(m, a, r)) for m, a, r in _CONFIGS]
    _write_csv(tmp_path / "m.csv", rows)
    result = run_cli("calibrate", "m.csv", "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["name"] == "m"  # named after the CSV
    assert "Leave-one-out error" in " ".join(result.stderr.split())


# --- profile files -----------------------------------------------------------------------


@pytest.fixture
def profile_data(pixel1) -> dict:
    return json.loads(lat.profile_json(pixel1))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.pop("terms"), "terms: Field required"),
        (
            lambda d: d["terms"].update(ops=-1),
            "terms.ops: Input should be greater than or equal to 0",
        ),
        (lambda d: d.update(extra=1), "extra: Extra inputs are not permitted"),
        (lambda d: d.update(version=2), "version: Input should be 1"),
        (lambda d: d.update(dtype="float64"), "dtype: Input should be"),
        (
            lambda d: d["terms"].update(mult_adds="1e-7"),
            "terms.mult_adds: Input should be a valid number",
        ),
        (lambda d: d.update(n_points=3), "n_points is 3 but it lists 22 points"),
        (lambda d: d["points"][0].update(model="nope"), "points.0.model: unknown model 'nope'"),
        (
            lambda d: d["points"][0].update(alpha="-1"),
            "points.0.alpha: alpha must be greater than 0",
        ),
    ],
)
def test_profile_files_are_validated_when_loaded(tmp_path, profile_data, change, message):
    change(profile_data)
    path = tmp_path / "p.json"
    path.write_text(json.dumps(profile_data))
    with pytest.raises(lat.LatencyError, match="profile file") as caught:
        lat.load_profile(path)
    assert message in str(caught.value)
    result = run_cli("latency", "mobilenet-v2", "--device", str(path))
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1


def test_a_profile_file_round_trips(tmp_path, pixel1):
    path = tmp_path / "pixel.json"
    path.write_text(lat.profile_json(pixel1))
    again = lat.load_profile(path)
    assert again.coefficients == pixel1.coefficients
    assert again.loo_mape_percent == pixel1.loo_mape_percent
    assert [p.measurement for p in again.points] == [p.measurement for p in pixel1.points]
    assert math.isclose(
        mncost.latency("mobilenet-v2", device=path).total_ms,
        mncost.latency("mobilenet-v2").total_ms,
    )


def test_alphas_without_a_short_decimal_round_trip(tmp_path, pixel1):
    from dataclasses import replace

    odd = lat.PointFit(lat.Measurement("mobilenet-v2", Fraction(1, 3), 128, 9.0), 9.0, 9.0)
    path = tmp_path / "odd.json"
    path.write_text(lat.profile_json(replace(pixel1, points=(*pixel1.points, odd))))
    assert lat.load_profile(path).points[-1].measurement.alpha == Fraction(1, 3)


def test_deep_or_huge_profile_files_are_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # short names: a long temporary path is quoted shortened
    deep = Path("deep.json")
    deep.write_text("[" * 200_000)
    with pytest.raises(lat.LatencyError, match="deep.json"):
        lat.load_profile(deep)
    long_number = tmp_path / "long.json"
    long_number.write_text('{"format": 1' + "0" * 100 + "}")
    with pytest.raises(lat.LatencyError, match="longer than"):
        lat.load_profile(long_number)
    repeated = tmp_path / "repeated.json"
    repeated.write_text('{"format": "mncost-latency-profile", "format": "other"}')
    with pytest.raises(lat.LatencyError, match="duplicate key 'format'"):
        lat.load_profile(repeated)


def test_measurement_rows_are_bounded():
    text = "model,alpha,resolution,latency_ms\n" + "mobilenet-v2,1.0,224,73.8\n" * (
        lat.MAX_MEASUREMENTS + 1
    )
    with pytest.raises(lat.LatencyError, match="more than 1,000"):
        lat.parse_measurements(text, "m.csv")


def test_random_calibrations_recover_their_devices():
    # Any non-negative device, timed on enough varied configurations, is recovered.
    rng = random.Random(7)
    configs = [
        (m, a, r)
        for m in ("mobilenet-v2", "mobilenet-v1")
        for a in ("0.5", "1.0")
        for r in (128, 224)
    ]
    for _ in range(3):
        known = [rng.choice([0.0, rng.uniform(1e-8, 1e-6)]) for _ in range(3)] + [
            rng.uniform(0, 0.05)
        ]
        points = []
        for m, a, r in configs:
            res = count(get_model(m), Fraction(a), r)
            ms = sum(c * sum(res.metric(f)) for c, f in zip(known, lat.FEATURES))
            points.append(lat.Measurement(m, Fraction(a), r, ms or 1e-3))
        if any(p.latency_ms == 1e-3 for p in points):
            continue
        profile = lat.fit_profile(points, "x", "test", traffic="conv")
        assert profile.coefficients == pytest.approx(known, rel=1e-5, abs=1e-12)
