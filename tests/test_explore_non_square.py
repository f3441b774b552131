"""Non-square inputs (HxW) in the explorer: `mncost sweep`, `mncost choose` and their
Python forms take `--res 240x320`, as every other command does (issue 15, section 1).

Expected counts are derived by hand in comments (a conv's MACs are H_out * W_out *
K * K * C_in * C_out), or come from `mncost.cost` of the same configuration where a test
checks that the grid's wiring gives what a single count gives (the count itself is
checked against PyTorch's FlopCounterMode at non-square inputs in tests/test_verify.py
and tests/test_onnx_import.py).
"""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction
from pathlib import Path

import pytest

import mncost
from mncost.analysis.explore import ExploreError, axis_text, explore_grid, parse_resolutions
from mncost.analysis.scenario import device_profile
from tests.conftest import run_cli

# One 3x3 conv, stride 1, "same" padding, 3 -> 8 channels, then global pooling and a
# 10-class classifier. At H x W its conv has H*W*3*3*3*8 = 216*H*W MACs and the
# classifier 8*10 = 80 (alpha 1; the input's 3 channels never scale).
SPEC = """\
name: one-conv
resolution: 32
classes: 10
layers:
  - {kind: conv, name: c, kernel: 3, stride: 1, filters: 8}
  - {kind: avgpool, name: gap}
  - {kind: fc, name: fc}
"""


def _one_conv_macs(h: int, w: int) -> int:
    return 216 * h * w + 80


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "one.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def test_the_axis_reads_hxw_sizes_and_sorts_by_pixel_count():
    # 24x32 = 768 px, 16 = 256 px, 32x24 = 768 px (height first breaks the tie).
    assert parse_resolutions("24x32, 16, 32x24, 8:16:8") == (8, 16, (24, 32), (32, 24))
    assert parse_resolutions("20X20") == (20,)  # a square HxW is its side
    assert axis_text(parse_resolutions("8,16,24x32,32x24,48x64")) == (
        "5 values from 8 to 48x64 (8, 16, 24x32, ..., 48x64)"
    )


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("0x24", "from 1 to 16,384"),
        ("24x99999", "from 1 to 16,384"),
        ("24x", "whole number"),
        ("96x128:192x256:16", "whole number"),  # a range steps square sides only
    ],
)
def test_a_bad_size_is_one_line(text: str, words: str):
    with pytest.raises(ExploreError, match=words):
        parse_resolutions(text)
    result = run_cli("sweep", "--res", text)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_sweep_counts_a_non_square_input_exactly(spec: Path):
    result = run_cli("sweep", str(spec), "--alpha", "1", "--res", "16,24x32", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    rows = {r["resolution"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert set(rows) == {"16", "24x32"}  # as --res reads them
    assert int(rows["24x32"]["mult_adds"]) == _one_conv_macs(24, 32)  # 165,968
    assert int(rows["16"]["mult_adds"]) == _one_conv_macs(16, 16)
    # The peak (float32): the conv's input 24*32*3 and output 24*32*8 values live
    # together, 11 * 768 * 4 bytes.
    assert int(rows["24x32"]["peak_activation_bytes"]) == 11 * 24 * 32 * 4


def test_sweep_json_gives_a_non_square_size_as_height_and_width(spec: Path):
    result = run_cli("sweep", str(spec), "--alpha", "1", "--res", "16,24x32", "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["resolutions"] == [16, [24, 32]]
    assert [r["resolution"] for r in data["rows"]] == [16, [24, 32]]
    assert data["rows"][1]["mult_adds"] == _one_conv_macs(24, 32)


def test_the_api_sweep_equals_the_single_count_at_each_size():
    frame = mncost.sweep("mobilenet-v1", [0.5, 1], [(240, 320), "480x640", 224])
    for _, row in frame.iterrows():
        size = row["resolution"]
        h, w = (int(size), int(size)) if "x" not in size else map(int, size.split("x"))
        single = mncost.cost("mobilenet-v1", alpha=row["alpha"], resolution=(h, w))
        assert row["mult_adds"] == single.total.mult_adds
    assert set(frame["resolution"]) == {"224", "240x320", "480x640"}
    assert "top1" not in frame.columns  # fitted to square checkpoints: none at HxW


def test_a_built_in_model_says_why_there_is_no_top1_at_hxw():
    result = run_cli("sweep", "mobilenet-v2", "--alpha", "1", "--res", "240x320")
    assert result.exit_code == 0, result.stderr
    assert "non-square input" in result.stdout
    asked = run_cli("sweep", "mobilenet-v2", "--res", "240x320", "--metric", "top1")
    assert asked.exit_code == 2
    assert "non-square" in asked.stderr


def test_the_latency_range_check_reads_both_sides():
    # pixel1-cpu is fitted on TF-slim's mobilenet-v2 checkpoints at 96 to 224 pixels
    # (Sandler et al. 2018, arXiv:1801.04381; the slim README's latency table): 160x320
    # has a side past 224, so it is an extrapolation; 160x192 lies inside.
    g = explore_grid(
        mncost.api.resolve_model("mobilenet-v2"),
        [Fraction(1)],
        [(160, 192), (160, 320)],
        profile=device_profile("pixel1-cpu"),
        model="mobilenet-v2",
    )
    assert g.latency_outside is not None
    assert g.latency_outside.tolist() == [[False, True]]
    assert any("96 to 224 pixels" in c for c in g.latency_cautions)


def test_choose_ranks_hxw_configurations_and_says_top1_needs_square():
    refused = run_cli("choose", "--res", "240x320", "--max-macs", "300M")
    assert refused.exit_code == 2
    assert "non-square" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    result = run_cli(
        "choose",
        "--family",
        "mobilenet-v1",
        "--res",
        "240x320,480x640",
        "--alpha",
        "0.25,0.5",
        "--objective",
        "macs",
        "--max-macs",
        "300M",
        "-f",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    # The pick is the configuration with the most MACs under 300M, each counted alone.
    counts = {
        (alpha, (h, w)): mncost.cost("mobilenet-v1", alpha=alpha, resolution=(h, w)).total.mult_adds
        for alpha in (0.25, 0.5)
        for h, w in ((240, 320), (480, 640))
    }
    (alpha, size), macs = max(
        ((k, v) for k, v in counts.items() if v <= 300_000_000), key=lambda kv: kv[1]
    )
    best = data["candidates"][0]
    assert (best["alpha"], best["resolution"], best["mult_adds"]) == (alpha, list(size), macs)
    assert data["searched"][0]["resolutions"] == [[240, 320], [480, 640]]


def test_choose_searches_a_non_square_model_at_its_own_aspect(tmp_path: Path):
    path = tmp_path / "wide.yaml"
    path.write_text(SPEC.replace("resolution: 32", "resolution: [120, 160]"), encoding="utf-8")
    result = run_cli(
        "choose", "--model", str(path), "--objective", "macs", "--max-macs", "10M", "-f", "json"
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    sizes = data["searched"][0]["resolutions"]
    # The short side from 96 (60 is half of 120: 96 <= 120) to 120 in steps of 16:
    # 96, 112, 120; the long side keeps 4:3, rounded half up: 128, 149.33 -> 149, 160.
    assert sizes == [[96, 128], [112, 149], [120, 160]]
    best = data["candidates"][0]
    assert best["resolution"] == [120, 160]
    assert best["mult_adds"] == _one_conv_macs(120, 160)  # 4,147,280 MACs: under 10M


def test_the_heatmaps_label_each_size(tmp_path: Path, spec: Path):
    out = tmp_path / "sweep.html"
    result = run_cli(
        "sweep", str(spec), "--alpha", "0.5,1", "--res", "16,24x32,48x64", "-o", str(out)
    )
    assert result.exit_code == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert '"ticktext":["16","24x32","48x64"]' in page
    assert "input (height x width, pixels)" in page
    chosen = tmp_path / "choose.html"
    result = run_cli(
        "choose",
        "--model",
        str(spec),
        "--alpha",
        "0.5,1",
        "--res",
        "16,24x32",
        "--objective",
        "macs",
        "--max-macs",
        "100K",
        "-o",
        str(chosen),
    )
    assert result.exit_code == 0, result.stderr
    assert '"ticktext":["16","24x32"]' in chosen.read_text(encoding="utf-8")
