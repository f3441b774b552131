"""``choose --model REF`` (issues 15 and 16): any model reference enters the search, and a
model without released checkpoints is ranked by another ``--objective``.

Expected figures are derived by hand for a small spec written here: a 3x3 conv from 3 to
16 channels ("same" padding), a global pool and a 10-unit fc. At width alpha and R x R
pixels it counts 27 * round(16 alpha) * R^2 + 10 * round(16 alpha) MACs.
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

import mncost
from mncost.errors import ExploreError
from tests.conftest import run_cli

SPEC = """\
name: small
resolution: 64
classes: 10
layers:
  - {kind: conv, name: c, kernel: 3, filters: 16}
  - {kind: avgpool, name: pool}
  - {kind: fc, name: fc}
"""


def _macs(alpha: Fraction, side: int) -> int:
    c = int(16 * alpha + Fraction(1, 2))  # round half up, mncost v1's rule (the default)
    return 27 * c * side * side + 10 * c


@pytest.fixture
def spec(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(SPEC)
    return path


def test_the_most_macs_under_a_budget(spec):
    budget = 250_000
    result = mncost.choose(models=[spec], objective="macs", max_macs=budget, top=1000)
    # The grid: alpha 0.25 to 1 in steps of 0.05, 96... no: its own 64 pixels, so 32 to
    # 64 in steps of 16 (32, 48, 64), alpha 0.25 to 1 (16 values).
    (searched,) = result.searched
    assert searched.resolutions == (32, 48, 64) and len(searched.alphas) == 16
    feasible = sorted(
        (
            (_macs(a, r), a, r)
            for a in searched.alphas
            for r in searched.resolutions
            if _macs(a, r) <= budget
        ),
        key=lambda t: -t[0],
    )
    assert result.n_ranked == len(feasible)
    picks = [(p.figures["mult_adds"], p.alpha, p.resolution) for p in result.candidates]
    assert [m for m, _, _ in picks] == [m for m, _, _ in feasible]
    assert all(p.top1 is None and p.status == "" for p in result.candidates)


def test_top1_needs_checkpoints_and_says_what_to_do(spec):
    with pytest.raises(ExploreError, match="--objective"):
        mncost.choose(models=[spec])
    refused = run_cli("choose", "--model", str(spec))
    assert refused.exit_code == 2 and "rank by another --objective" in refused.stderr
    assert refused.stderr.count("\n") == 1


def test_a_model_without_top1_beside_one_with_is_searched_and_not_ranked(spec):
    result = mncost.choose(models=[spec, "mobilenet-v2"], max_macs="100M")
    assert result.unranked == ("small",)
    assert result.candidates and all(p.model == "mobilenet-v2" for p in result.candidates)
    shown = run_cli("choose", "--model", str(spec), "--model", "mobilenet-v2", "--max-macs", "100M")
    assert "Not ranked: small" in " ".join(shown.stdout.split())


def test_classes_change_the_network_and_its_top1(spec):
    with pytest.raises(ExploreError, match="--classes changes the network"):
        mncost.choose(models=["mobilenet-v2"], classes=10)
    result = mncost.choose(models=["mobilenet-v2"], classes=10, objective="params", top=1)
    # MobileNet v2 at its published range's smallest, 0.35, with a 10-class fc: fewer
    # params than any other alpha.
    assert result.candidates[0].alpha == Fraction(7, 20)


def test_the_cli_writes_every_format(spec, tmp_path):
    data = json.loads(
        run_cli(
            "choose", "--model", str(spec), "--objective", "macs", "--max-macs", "1M", "-f", "json"
        ).stdout
    )
    assert data["objective"] == "macs" and data["candidates"][0]["top1"] is None
    page = tmp_path / "c.html"
    made = run_cli(
        "choose", "--model", str(spec), "--objective", "macs", "--max-macs", "1M", "-o", str(page)
    )
    assert made.exit_code == 0, made.stderr
    assert "small: MACs" in page.read_text()


def test_an_onnx_model_is_a_reference_too(tmp_path):
    pytest.importorskip("onnx")
    path = tmp_path / "v1.onnx"
    mncost.export_onnx("mobilenet-v1", path)
    result = mncost.choose(
        models=[path], objective="macs", max_latency_ms=20, device="pixel1-cpu", top=3
    )
    # The file's graph is named mobilenet-v1, as the built-in: its picks say which file.
    assert result.candidates and result.candidates[0].model == "mobilenet-v1 (v1.onnx)"
    assert all(p.figures["latency_ms"] <= 20 for p in result.candidates)
