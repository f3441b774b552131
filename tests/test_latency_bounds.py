"""Latency profiles and calibration under hostile numbers (issue 14, items 4 to 6 and 9).

A profile's coefficients are bounded so that every estimate of every allowed
configuration is finite; measured latencies are ASCII decimals within stated bounds;
a fit too poor to use is refused unless kept on purpose, and then labelled.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import pytest

import mncost
from mncost.analysis.latency import (
    MAX_COEFFICIENT,
    LatencyError,
    builtin_profile,
    load_profile,
    profile_json,
)
from tests.conftest import run_cli


def _strict(text: str):
    def refuse(constant: str):
        raise AssertionError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def _profile_with(tmp_path: Path, **terms: float) -> Path:
    data = json.loads(profile_json(builtin_profile("pixel1-cpu")))
    data["name"] = "hostile"
    data["terms"].update(terms)
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    "terms",
    [{"mult_adds": 1.7e308}, {"mult_adds": 1e300}, {"ops": 1e10}, {"conv_weight_bytes": 2e9}],
)
def test_a_coefficient_beyond_the_bound_is_refused_in_one_line(tmp_path, terms):
    path = _profile_with(tmp_path, **terms)
    with pytest.raises(LatencyError, match="less than or equal to 1000000000"):
        load_profile(path)
    result = run_cli("latency", "mobilenet-v2", "--device", str(path))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_the_largest_coefficients_give_finite_estimates_at_the_largest_configuration(tmp_path):
    # Every term at the bound, at alpha 16 and 16,384 pixels: the features are near
    # their largest for this network, and the estimate must stay a finite float.
    bound = {name: MAX_COEFFICIENT for name in ("mult_adds", "conv_activation_bytes")}
    bound.update(conv_weight_bytes=MAX_COEFFICIENT, ops=MAX_COEFFICIENT)
    path = _profile_with(tmp_path, **bound)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy overflow warning would fail here
        estimate = mncost.latency("mobilenet-v2", 16, 16384, device=path)
        assert math.isfinite(estimate.total_ms) and estimate.total_ms > 0
        frame = mncost.sweep("mobilenet-v2", [1, 16], [224, 16384], device=path)
    assert all(math.isfinite(v) for v in frame["latency_ms"])
    for args in (
        ["latency", "mobilenet-v2", "-a", "16", "-r", "16384"],
        ["sweep", "mobilenet-v2", "--alpha", "1,16", "--res", "224,16384"],
        ["compare", "mobilenet-v2@16/16384", "mobilenet-v2"],
    ):
        result = run_cli(*args, "--device", str(path), "-f", "json")
        assert result.exit_code == 0, result.stderr
        _strict(result.stdout)
        assert "Warning" not in result.stderr


def _measured(tmp_path: Path, latency: str) -> Path:
    lines = ["model,alpha,resolution,latency_ms"]
    lines += [
        f"mobilenet-v2,{a},{r},{latency}" for a in (0.35, 0.5, 0.75, 1.0) for r in (96, 160, 224)
    ]
    path = tmp_path / "m.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(
    "cell,says",
    [
        ("1e-400", "must be from 0.001 ms"),  # reads as 0.0 in float
        ("5e-324", "must be from 0.001 ms"),  # the smallest subnormal: a 1e326% error
        ("\u0663", "ASCII digits"),  # Arabic-Indic three
        ("\uff11\uff12", "ASCII digits"),  # full-width 12
        ("1_000", "ASCII digits"),
        ("1e99999999", "must be from 0.001 ms"),
    ],
)
def test_a_latency_cell_is_an_ascii_decimal_within_bounds(tmp_path, cell, says):
    result = run_cli("calibrate", str(_measured(tmp_path, cell)), "-o", str(tmp_path / "o.json"))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert says in result.stderr
    assert not (tmp_path / "o.json").exists()


def _noise(tmp_path: Path) -> Path:
    # Frames per second written as milliseconds: "latencies" that fall as the network
    # grows (here 1e8 / (alpha * R)**2). No non-negative combination of costs that grow
    # with alpha and R can follow them: the fit's LOO error is far above 50%.
    lines = ["model,alpha,resolution,latency_ms"]
    for a in (0.35, 0.5, 0.75, 1.0, 1.4):
        for r in (96, 128, 160, 224):
            lines.append(f"mobilenet-v2,{a},{r},{round(1e8 / (a * a * r * r), 3)}")
    path = tmp_path / "noise.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_fit_too_poor_to_use_is_refused_with_its_reason(tmp_path):
    out = tmp_path / "dev.json"
    result = run_cli("calibrate", str(_noise(tmp_path)), "-o", str(out))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "too poor to use" in result.stderr and "--keep-poor-fit" in result.stderr
    assert not out.exists()


def test_a_poor_fit_kept_on_purpose_says_so_in_every_output(tmp_path):
    out = tmp_path / "dev.json"
    kept = run_cli("calibrate", str(_noise(tmp_path)), "-o", str(out), "--keep-poor-fit")
    assert kept.exit_code == 0, kept.stderr
    assert "poor fit" in kept.stdout
    assert json.loads(out.read_text())["poor_fit"] is True
    for args in (
        ["latency", "mobilenet-v2"],
        ["sweep", "mobilenet-v2", "--alpha", "0.5,1", "--res", "160,224"],
        ["compare", "mobilenet-v2@0.5/160", "mobilenet-v2"],
        ["choose", "--max-latency-ms", "1000"],
    ):
        shown = run_cli(*args, "--device", str(out))
        assert shown.exit_code == 0, (args, shown.stderr)
        assert "poor fit" in shown.stdout, args
        data = run_cli(*args, "--device", str(out), "-f", "json")
        assert "poor fit" in data.stdout, args
