"""`mncost measure`: interleaved timing that divides out the machine's drift, failures
that stay one line each, and a CSV that `mncost calibrate` reads (issue 17, section 1).

The timing logic is tested on a deterministic stand-in runtime whose "true" times and
per-round drift the test sets, so every expected figure is derived by hand below. The
command itself runs onnxruntime on a tiny network (no figure of it is asserted: a
measurement is not a test).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from mncost.analysis.measure import Config, measure
from mncost.arch.registry import get_model
from tests.conftest import run_cli

WARMUP, REPEATS = 2, 3


class FakeRuntime:
    """Each model has a true time; the machine's speed in round k multiplies every run
    in it by drift[k]. Runs are counted globally, so the round of a call is known."""

    name, version = "fake", "0"

    def __init__(self, true_s: dict[str, float], drift: list[float], bad: dict[str, object]):
        self.true_s, self.drift, self.bad = true_s, drift, bad
        self.calls = 0
        self.n = len(true_s) - sum(1 for v in bad.values() if v == "open")

    def open(self, config: Config, threads: int, timeout_s: float):
        if self.bad.get(config.model) == "open":
            raise RuntimeError("ONNXRuntimeError: [ShapeInferenceError] bad\nsecond line")
        runtime = self

        class S:
            def run_once(self) -> float:
                runtime.calls += 1
                timed = runtime.calls - runtime.n * WARMUP
                k = max(0, (timed - 1) // (runtime.n * REPEATS))
                bad = runtime.bad.get(config.model)
                if bad is not None and timed > 0:
                    return bad  # type: ignore[return-value]
                return runtime.true_s[config.model] * runtime.drift[min(k, len(runtime.drift) - 1)]

        return S()


def _configs(names: list[str]) -> list[Config]:
    arch = get_model("mobilenet-v1")
    return [Config(n, arch, Fraction(1, 4), 32) for n in names]


def test_a_common_drift_falls_out_and_the_halves_agree():
    # Round k runs every model at drift[k] times its true speed. Each model's median over
    # the rounds is true * median(drift) = true * 1.0 (drift sorted: 0.8, 0.9, 1.0, 1.1,
    # 1.3: its median is 1.0, and the rounds come in the order below). Round k's factor
    # is then drift[k] / 1.0, so every normalised time is exactly the true time.
    true_s = {"a": 0.002, "b": 0.005, "c": 0.010, "d": 0.020}
    drift = [1.0, 1.3, 0.8, 1.1, 0.9]
    result = measure(
        _configs(list(true_s)),
        FakeRuntime(true_s, drift, {}),
        rounds=len(drift),
        repeats=REPEATS,
        warmup=WARMUP,
    )
    got = {t.config.model: t.latency_ms for t in result.timings}
    assert got == pytest.approx({k: v * 1000 for k, v in true_s.items()}, rel=1e-12)
    assert all(t.spread_percent == pytest.approx(0, abs=1e-9) for t in result.timings)
    assert all(t.runs == len(drift) * REPEATS for t in result.timings)
    assert result.drift == pytest.approx((0.8, 1.3))
    assert result.agreement_percent == pytest.approx((0.0, 0.0), abs=1e-9)
    assert result.normalised


def test_without_normalising_the_drift_shows_as_spread():
    # Two models: no common factor can be told from their own differences, so the times
    # stand as timed. Medians of [1.0, 1.3, 0.8] x true are 1.0 x true; the interquartile
    # range of (0.8, 1.0, 1.3) is 1.15 - 0.9 = 0.25, i.e. 25% of the median.
    true_s = {"a": 0.002, "b": 0.004}
    result = measure(
        _configs(list(true_s)),
        FakeRuntime(true_s, [1.0, 1.3, 0.8], {}),
        rounds=3,
        repeats=REPEATS,
        warmup=WARMUP,
    )
    assert not result.normalised and result.drift is None
    assert [round(t.latency_ms, 9) for t in result.timings] == [2.0, 4.0]
    assert [round(t.spread_percent, 6) for t in result.timings] == [25.0, 25.0]


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("open", "ShapeInferenceError"),
        (math.nan, "which is no time"),
        (0.0, "which is no time"),
        (-1.0, "which is no time"),
        (99.0, "over the timeout of 30 s"),
    ],
)
def test_a_failing_configuration_is_one_line_and_the_run_goes_on(bad, words):
    true_s = {"a": 0.002, "b": 0.005, "c": 0.010, "bad": 0.001}
    result = measure(
        _configs(list(true_s)),
        FakeRuntime(true_s, [1.0] * 4, {"bad": bad}),
        rounds=4,
        repeats=REPEATS,
        warmup=WARMUP,
    )
    assert [t.config.model for t in result.timings] == ["a", "b", "c"]
    (failure,) = result.failures
    assert failure.config.model == "bad" and words in failure.reason
    assert "\n" not in failure.reason


# --- the command, on onnxruntime ------------------------------------------------------

SPEC = """\
name: tiny
resolution: 16
classes: 10
layers:
  - {kind: conv, name: c, kernel: 3, stride: 2, filters: 8}
  - {kind: dw, name: d, stride: 1}
  - {kind: pw, name: p, filters: 16}
  - {kind: avgpool, name: gap}
  - {kind: fc, name: fc}
"""

FAST = ("--rounds", "2", "--repeats", "1", "--warmup", "1")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    pytest.importorskip("onnxruntime")
    (tmp_path / "nets").mkdir()
    (tmp_path / "nets" / "tiny.yaml").write_text(SPEC, encoding="utf-8")
    return tmp_path


def test_measure_writes_what_calibrate_reads_and_resumes(folder: Path):
    out = folder / "measured.csv"
    spec = str(folder / "nets" / "tiny.yaml")
    args = ("measure", spec, "--alpha", "0.5,0.75,1", "--res", "16,24", *FAST, "-o", str(out))
    result = run_cli(*args)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["model", "alpha", "resolution", "latency_ms", "spread_percent", "runs"]
    assert {(r["model"], r["alpha"], r["resolution"]) for r in rows} == {
        ("nets/tiny.yaml", a, r) for a in ("0.5", "0.75", "1.0") for r in ("16", "24")
    }
    assert all(float(r["latency_ms"]) > 0 and r["runs"] == "2" for r in rows)
    side = json.loads((folder / "measured.csv.json").read_text(encoding="utf-8"))
    (run,) = side["runs"]
    assert run["runtime"] == "onnxruntime" and run["intra_op_threads"] == 1
    assert run["cores"] == os.cpu_count() and run["configurations"] == 6
    assert "Run-to-run agreement" in result.stdout

    again = run_cli(*args)  # everything is there: nothing is timed
    assert again.exit_code == 0 and "nothing to time" in again.stderr
    more = run_cli("measure", spec, "--alpha", "0.25", "--res", "16", *FAST, "-o", str(out))
    assert more.exit_code == 0, more.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 7 and "Scaled by" in more.stdout
    assert len(json.loads((folder / "measured.csv.json").read_text())["runs"]) == 2

    fitted = run_cli("calibrate", str(out), "-o", str(folder / "dev.json"))
    assert fitted.exit_code == 0, fitted.stderr
    assert "Leave-one-out error" in fitted.stdout


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (("--res", "16x24"), "not square"),
        (("-o", "-"), "-o - is not taken"),
        (("--alpha", "0"), "alpha"),
    ],
)
def test_bad_options_are_one_line(folder: Path, extra, words):
    spec = str(folder / "nets" / "tiny.yaml")
    args = ["measure", spec, *FAST, "-o", str(folder / "m.csv"), *extra]
    result = run_cli(*args)
    assert result.exit_code == 2
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_model_file_outside_the_csv_folder_is_refused(folder: Path):
    (folder / "out").mkdir()
    result = run_cli(
        "measure", str(folder / "nets" / "tiny.yaml"), *FAST, "-o", str(folder / "out" / "m.csv")
    )
    assert result.exit_code == 2
    assert "outside the CSV's folder" in result.stderr
    assert not (folder / "out" / "m.csv").exists()


def test_a_bad_csv_to_resume_stops_before_timing(folder: Path):
    out = folder / "m.csv"
    out.write_text("model,alpha,resolution,latency_ms\nmobilenet-v1,1,224,-3\n", encoding="utf-8")
    result = run_cli("measure", str(folder / "nets" / "tiny.yaml"), *FAST, "-o", str(out))
    assert result.exit_code == 2 and "line 2" in result.stderr
    assert out.read_text(encoding="utf-8").endswith("-3\n")  # untouched


def test_without_onnxruntime_one_line_says_what_to_install(folder: Path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    result = run_cli("measure", str(folder / "nets" / "tiny.yaml"), "-o", str(folder / "m.csv"))
    assert result.exit_code == 2
    assert "pip install 'mncost[measure]'" in result.stderr
