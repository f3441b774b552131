"""Searching patch schedules (issue 19): --split auto, --patches auto, --max-overhead.

The expectations are properties a correct search must have whatever its numbers (the
pick is the lowest peak within the cap; the frontier is exactly the undominated
schedules), plus MCUNetV2's own choice for MobileNetV2 (Lin et al. 2021,
arXiv:2110.15352): split after the 28x28 stage, 4x4 patches, whose 175,616-byte peak
tests/test_patch.py derives by hand.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

import mncost
from tests.conftest import run_cli

MCU = {"dtype": "int8", "dw_inplace": True, "add_inplace": True}


@pytest.fixture(scope="module")
def streamed():
    return mncost.patch_search("mobilenet-v2", **MCU, stream_input=True)


def test_the_search_finds_mcunetv2s_schedule(streamed):
    best = streamed.best
    # By hand (tests/test_patch.py): after the split at block_4 the rest's peak is
    # 28*28*32 + 28*28*192 = 175,616 bytes, and no schedule can go below the rest's.
    assert best.peak.bytes == 175_616
    assert (best.block, best.grid) == ("block_4", (4, 4))
    assert streamed.layer_peak == 1_404_928  # MCUNetV2's 1,372 kB layer by layer
    assert streamed.execution.split == "block_4" and streamed.execution.patches == (4, 4)
    # The API's memory() with "auto" takes the same pick.
    r = mncost.memory(
        "mobilenet-v2", **MCU, schedule="patch", split="auto", patches="auto", stream_input=True
    )
    assert r.peak_activation_bytes == 175_616 and r.stage is not None
    assert r.stage.split == "block_4.project"


def test_the_pick_is_the_lowest_peak_then_the_fewest_extra_macs(streamed):
    best = streamed.best
    for t in streamed.trials:
        assert (t.peak.bytes, t.extra_macs) >= (best.peak.bytes, best.extra_macs)


def test_the_frontier_is_exactly_the_undominated_schedules(streamed):
    front = streamed.frontier
    for t in streamed.trials:
        dominated = any(
            (o.peak.bytes <= t.peak.bytes and o.extra_macs < t.extra_macs)
            or (o.peak.bytes < t.peak.bytes and o.extra_macs <= t.extra_macs)
            for o in streamed.trials
        )
        on = any(t is f for f in front)
        if on:
            assert not dominated
        elif not dominated:  # a duplicate of a frontier point (same peak and MACs)
            assert any((f.peak.bytes, f.extra_macs) == (t.peak.bytes, t.extra_macs) for f in front)
    peaks = [f.peak.bytes for f in front]
    extras = [f.extra_macs for f in front]
    assert peaks == sorted(peaks) and extras == sorted(extras, reverse=True)


@pytest.mark.parametrize("cap", [2, 5, 12.5])
def test_a_cap_on_extra_macs_is_kept(cap):
    s = mncost.patch_search("mobilenet-v2", **MCU, stream_input=True, max_overhead=cap)
    limit = Fraction(str(cap)) / 100
    assert s.best.overhead <= limit
    within = [t for t in s.trials if t.overhead <= limit]
    assert min(t.peak.bytes for t in within) == s.best.peak.bytes


def test_the_input_held_whole_costs_the_image_in_the_stage():
    # The same schedule with the image held: the stage holds 224*224*3 = 150,528 bytes
    # more than its streamed share of the image at every op.
    held = mncost.patch_search("mobilenet-v2", **MCU, split="block_4", patches="4x4")
    assert len(held.trials) == 1
    streamed = mncost.memory(
        "mobilenet-v2", **MCU, schedule="patch", split="block_4", patches="4x4", stream_input=True
    )
    assert held.best.stage_peak.bytes > streamed.parts[0].bytes
    assert held.best.stage_peak.bytes <= streamed.parts[0].bytes + 150_528


def test_an_impossible_cap_is_one_line_naming_the_least_overhead():
    with pytest.raises(mncost.ScalingError, match=r"no schedule tried stays within it"):
        mncost.patch_search("mobilenet-v2", **MCU, split="block_4", max_overhead=0)


@pytest.mark.parametrize(
    "args, words",
    [
        (["--split", "auto"], "needs the patch schedule"),
        (
            [
                "--schedule",
                "patch",
                "--split",
                "block_4",
                "--patches",
                "4x4",
                "--max-overhead",
                "5",
            ],
            "caps a search",
        ),
        (
            [
                "--schedule",
                "patch",
                "--split",
                "auto",
                "--patches",
                "auto",
                "--max-overhead",
                "lots",
            ],
            "percentage",
        ),
        (
            [
                "--schedule",
                "patch",
                "--split",
                "auto",
                "--patches",
                "auto",
                "--max-overhead",
                "10001",
            ],
            "0 to 10,000",
        ),
        (["--schedule", "patch", "--split", "nope", "--patches", "auto"], "no op or block"),
        # An exponent would make an exact number of 10**99999999: refused as text.
        (
            [
                "--schedule",
                "patch",
                "--max-overhead",
                "1e99999999",
            ],
            "--max-overhead must be a percentage",
        ),
    ],
)
def test_bad_search_options_are_one_line(args, words):
    out = run_cli("memory", "mobilenet-v2", "--dtype", "int8", *args)
    assert out.exit_code == 2
    assert words in out.output and "Traceback" not in out.output
    assert len(out.output.strip().splitlines()) == 1


def test_plot_patches_writes_an_offline_page(tmp_path):
    page = tmp_path / "p.html"
    out = run_cli(
        "plot",
        "patches",
        "mobilenet-v2",
        "--dtype",
        "int8",
        "--dw-inplace",
        "--add-inplace",
        "--stream-input",
        "-o",
        str(page),
    )
    assert out.exit_code == 0, out.output
    html = page.read_text()
    assert "<script src=" not in html and "block_4 4x4" in html
    assert "CHOSEN" in out.output
