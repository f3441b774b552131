"""choose with patch schedules, and flash and SRAM reserves (issue 19, part 3).

Expectations come from other paths than choose's own: mncost.memory() run on the
schedule a pick names, mncost.patch_search()'s exhaustive trials, the published top-1
of TF-slim's released MobileNetV2 checkpoints (60.3 at 0.35/224, 50.8 at 0.35/128), and
budgets worked out by hand.
"""

from __future__ import annotations

import pytest

import mncost
from tests.conftest import run_cli

MCU = {"dtype": "int8", "dw_inplace": True, "add_inplace": True}
BUDGET = 256 * 1024  # 256KiB of SRAM


@pytest.fixture(scope="module")
def mcu():
    return mncost.choose(
        "mobilenet-v2",
        **MCU,
        max_peak_bytes="256KiB",
        max_weight_bytes="2MB",
        reserve_bytes="256KiB",
        schedule="patch",
        stream_input=True,
        top=5,
    )


def test_patch_schedules_open_configurations_layer_by_layer_rules_out(mcu):
    best, layer_best = mcu.candidates[0], mcu.layer_candidates[0]
    # TF-slim's released checkpoints (published top-1): 0.35/224 is 60.3, 0.35/128 50.8.
    assert (float(best.alpha), best.resolution, best.top1) == (0.35, 224, 60.3)
    assert (float(layer_best.alpha), layer_best.resolution, layer_best.top1) == (0.35, 128, 50.8)
    assert best.schedule is not None and layer_best.schedule is None
    assert mcu.n_feasible == mcu.n_layer_feasible + mcu.n_patched and mcu.n_patched > 0


def test_each_patched_pick_meets_the_budget_run_as_its_schedule_says(mcu):
    for c in mcu.candidates:
        layer = mncost.memory("mobilenet-v2", c.alpha, c.resolution, **MCU)
        if c.schedule is None:
            assert layer.peak_activation_bytes <= BUDGET
            continue
        assert layer.peak_activation_bytes > BUDGET  # it needed the patches
        run = mncost.memory(
            "mobilenet-v2",
            c.alpha,
            c.resolution,
            **MCU,
            schedule="patch",
            split=c.schedule.block,
            patches=c.schedule.grid,
            stream_input=True,
        )
        assert run.peak_activation_bytes == c.figures["peak_activation_bytes"] <= BUDGET
        assert run.stage is not None and run.stage.extra_macs == c.schedule.extra_macs


def test_a_pick_takes_the_fewest_extra_macs_that_fit():
    c = mncost.choose(
        "mobilenet-v2",
        **MCU,
        max_peak_bytes="256KiB",
        schedule="patch",
        stream_input=True,
        alphas=[0.5],
        resolutions=[224],
    ).candidates[0]
    every = mncost.patch_search("mobilenet-v2", 0.5, 224, **MCU, stream_input=True)
    fitting = [t for t in every.trials if t.peak.bytes <= BUDGET]
    assert c.schedule is not None
    assert c.schedule.extra_macs == min(t.extra_macs for t in fitting)


def test_the_reserves_come_off_the_budgets(mcu):
    weights = next(ch for ch in mcu.checks if ch.budget.metric == "weight_bytes")
    assert weights.budget.limit == 2_000_000 - 262_144  # 2MB less 256KiB
    r = mncost.choose(
        "mobilenet-v2",
        **MCU,
        max_peak_bytes="256KiB",
        reserve_sram_bytes="56KiB",
        alphas=[0.35],
        resolutions=[96, 128],
    )
    # Layer by layer, 0.35/128 peaks at 229,376 bytes (224 KiB) and 0.35/96 at 129,024
    # (126 KiB): with 56 KiB of the 256 kept for the runtime (200 KiB left), only 96 fits.
    assert [c.resolution for c in r.candidates] == [96]


def test_latency_includes_the_recomputation():
    kw = dict(**MCU, max_peak_bytes="256KiB", alphas=[0.5], resolutions=[224], device="pixel1-cpu")
    patched = mncost.choose("mobilenet-v2", schedule="patch", stream_input=True, **kw)
    c = patched.candidates[0]
    plain = mncost.latency("mobilenet-v2", 0.5, 224, dtype="int8").best_ms
    assert c.schedule is not None and c.extra_latency_ms and c.extra_latency_ms > 0
    assert c.figures["latency_ms"] == pytest.approx(plain + c.extra_latency_ms)


@pytest.mark.parametrize(
    "args, words",
    [
        (["--schedule", "patch", "--max-macs", "300M"], "peak budget"),
        (["--reserve-bytes", "1MB", "--max-macs", "300M"], "give --max-weight-bytes too"),
        (["--max-weight-bytes", "1MB", "--reserve-bytes", "2MB"], "leaves nothing"),
        (["--max-peak-bytes", "1MB", "--reserve-sram-bytes", "lots"], "reserve-sram-bytes"),
    ],
)
def test_bad_schedule_and_reserve_options_are_one_line(args, words):
    out = run_cli("choose", "--family", "mobilenet-v2", "--dtype", "int8", *args)
    assert out.exit_code == 2, out.output
    assert words in out.output and len(out.output.strip().splitlines()) == 1


def test_the_report_shows_schedules_side_by_side():
    out = run_cli(
        "choose",
        "--family",
        "mobilenet-v2",
        "--dtype",
        "int8",
        "--dw-inplace",
        "--add-inplace",
        "--max-peak-bytes",
        "256KiB",
        "--max-weight-bytes",
        "2MB",
        "--schedule",
        "patch",
        "--stream-input",
        "--top",
        "3",
        "-f",
        "markdown",
    )
    assert out.exit_code == 0, out.output
    assert "Side by side: the best picks layer by layer" in out.output
    assert "| patch block_" in out.output and "arXiv:2110.15352" in out.output


def test_without_a_reserve_the_readmes_side_by_side_holds():
    r = mncost.choose(
        "mobilenet-v2",
        **MCU,
        max_peak_bytes="256KiB",
        max_weight_bytes="2MB",
        schedule="patch",
        stream_input=True,
        top=3,
    )
    best, layer = r.candidates[0], r.layer_candidates[0]
    # Published top-1 of the released checkpoints: 0.5/224 65.4, 0.5/128 57.7.
    assert (float(best.alpha), best.resolution, best.top1) == (0.5, 224, 65.4)
    assert (float(layer.alpha), layer.resolution, layer.top1) == (0.5, 128, 57.7)
    assert best.schedule is not None and best.schedule.block == "block_4"
