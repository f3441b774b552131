"""A measurement beats an estimate (issue 16, item 2): where a configuration was timed on
the device, ``latency``, ``sweep``, ``choose`` and ``compare`` use the measurement (for
the budget test too) and label it measured, with the estimate beside it.

The measurements are the published ones, read here from the packaged copy of TF-slim's
mobilenet/README.md tables (tensorflow/models, research/slim/nets/mobilenet): Pixel-1
latencies of the 22 MobileNet V2 checkpoints and of the V3 checkpoints.
"""

from __future__ import annotations

import csv
import json
from fractions import Fraction
from pathlib import Path

import pytest

import mncost
from tests.conftest import run_cli

DATA = Path(mncost.__file__).parent / "sources" / "data"


TF_SLIM_SCALED = {"mobilenet_v3_large", "mobilenet_v3_small"}
"""The V3 lines released below width 1, counted there by the -slim models (TF-slim's
width rule; at width 1 the two layouts are the same network)."""


def _published() -> dict[tuple[str, Fraction, int, str], float]:
    """(model, alpha, resolution, precision) -> Pixel-1 ms, from the packaged CSVs."""
    out = {}
    names = {
        "mobilenet_v2": "mobilenet-v2",
        "mobilenet_v3_large": "mobilenet-v3-large",
        "mobilenet_v3_small": "mobilenet-v3-small",
        "mobilenet_v3_large_minimalistic": "mobilenet-v3-large-minimalistic",
        "mobilenet_v3_small_minimalistic": "mobilenet-v3-small-minimalistic",
    }
    for name in ("checkpoints.csv", "checkpoints_v3.csv"):
        with open(DATA / name, newline="") as f:
            for row in csv.DictReader(f):
                ms = row.get("pixel1_latency_ms")
                if ms and row["family"] in names:
                    model = names[row["family"]]
                    if row["family"] in TF_SLIM_SCALED and Fraction(row["alpha"]) != 1:
                        model += "-slim"  # TF-slim's own layout below width 1
                    key = (
                        model,
                        Fraction(row["alpha"]),
                        int(row["resolution"]),
                        row["precision"],
                    )
                    out[key] = float(ms)
    return out


PUBLISHED = _published()


def test_the_published_figures_this_test_reads():
    # The README's rows this file relies on (MobileNet_v2_0.75_160: 30.4 ms; V3-Small
    # dm=1: 15.8 ms float, 15.5 ms 8-bit).
    assert PUBLISHED["mobilenet-v2", Fraction(3, 4), 160, "float32"] == 30.4
    assert PUBLISHED["mobilenet-v3-small", Fraction(1), 224, "float32"] == 15.8
    assert PUBLISHED["mobilenet-v3-small", Fraction(1), 224, "int8"] == 15.5


def test_choose_never_picks_what_was_measured_over_the_budget():
    result = mncost.choose(max_latency_ms=30, device="pixel1-cpu", top=1000)
    assert result.candidates
    for pick in result.candidates:
        measured = PUBLISHED.get((pick.model, pick.alpha, pick.resolution, "float32"))
        if measured is not None:
            assert pick.latency_measured and pick.figures["latency_ms"] == measured
            assert measured <= 30
        else:
            assert not pick.latency_measured
        assert pick.figures["latency_ms"] <= 30
    # MobileNet v2 0.75/160 is estimated at 29.85 ms but measured at 30.4: not a pick.
    assert not any(
        (p.model, p.alpha, p.resolution) == ("mobilenet-v2", Fraction(3, 4), 160)
        for p in result.candidates
    )


def test_choose_shows_the_measurement_and_keeps_the_estimate():
    result = run_cli(
        "choose", "--max-latency-ms", "30", "--device", "pixel1-cpu", "--top", "20", "-f", "json"
    )
    data = json.loads(result.stdout)
    measured = [c for c in data["candidates"] if c["latency_status"] == "measured"]
    assert measured
    for c in measured:
        key = (c["model"], Fraction(str(c["alpha"])), c["resolution"], "float32")
        assert c["latency_ms"] == PUBLISHED[key]
        assert c["latency_estimate_ms"] != c["latency_ms"]
    table = run_cli("choose", "--max-latency-ms", "30", "--device", "pixel1-cpu", "--top", "20")
    assert "* measured on the device" in " ".join(table.stdout.split())


def test_sweep_labels_each_latency():
    frame = mncost.sweep("mobilenet-v2", [0.75, 0.8], [160], device="pixel1-cpu")
    measured, estimated = frame.iloc[0], frame.iloc[1]
    assert (measured.latency_ms, measured.latency_status) == (30.4, "measured")
    assert measured.latency_estimate_ms == pytest.approx(30.4, rel=0.12)
    assert estimated.latency_status == "estimated"
    assert estimated.latency_ms == estimated.latency_estimate_ms


def test_latency_shows_a_published_v3_measurement_in_its_dtype():
    float32 = mncost.latency("mobilenet-v3-small", device="pixel1-cpu")
    int8 = mncost.latency("mobilenet-v3-small", device="pixel1-cpu", dtype="int8")
    assert (float32.best_ms, int8.best_ms) == (15.8, 15.5)
    assert float32.measurement.source.startswith("published")
    # pixel1-cpu was fitted on float32: in int8 its estimate is the same, and says so.
    assert int8.total_ms == float32.total_ms
    assert any("fitted on float32 measurements" in c for c in int8.cautions)
    assert not any("fitted on float32 measurements" in c for c in float32.cautions)
    shown = run_cli("latency", "mobilenet-v3-small", "--device", "pixel1-cpu", "--dtype", "int8")
    assert "(measured 15.50 ms, estimated" in shown.stdout
    # TF-slim's 0.75 V3 is another network than torchvision's mobilenet-v3-small at 0.75:
    # its 12.8 ms is a measurement of mobilenet-v3-small-slim, TF-slim's layout, only.
    assert mncost.latency("mobilenet-v3-small", 0.75, device="pixel1-cpu").measurement is None
    slim = mncost.latency("mobilenet-v3-small-slim", 0.75, device="pixel1-cpu")
    assert slim.best_ms == PUBLISHED["mobilenet-v3-small-slim", Fraction(3, 4), 224, "float32"]
    assert slim.best_ms == 12.8


def test_compare_uses_the_measurement_of_each_side():
    c = mncost.compare("mobilenet-v2@0.75/160", "mobilenet-v3-small", device="pixel1-cpu")
    assert (c.totals["latency_ms"].a, c.totals["latency_ms"].b) == (30.4, 15.8)
    data = c.to_dict()
    assert data["a"]["latency_status"] == data["b"]["latency_status"] == "measured"


def test_a_calibrated_profiles_own_points_are_measurements(tmp_path):
    csv_path = tmp_path / "m.csv"
    rows = ["model,alpha,resolution,latency_ms"]
    for alpha in ("0.5", "0.75", "1.0"):
        for res in (128, 160, 192, 224):
            ms = float(Fraction(alpha)) ** 2 * (res / 224) ** 2 * 40 + 1 + (res % 7) / 10
            rows.append(f"mobilenet-v1,{alpha},{res},{ms:.3f}")
    csv_path.write_text("\n".join(rows) + "\n")
    profile = tmp_path / "dev.json"
    made = run_cli("calibrate", str(csv_path), "-o", str(profile))
    assert made.exit_code == 0, made.stderr
    frame = mncost.sweep("mobilenet-v1", [0.75], [160, 176], device=profile)
    timed = float(Fraction(3, 4)) ** 2 * (160 / 224) ** 2 * 40 + 1 + (160 % 7) / 10
    assert frame.latency_ms[0] == pytest.approx(round(timed, 3))
    assert list(frame.latency_status) == ["measured", "estimated"]
