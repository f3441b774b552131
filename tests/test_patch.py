"""Patch-based inference (issue 19): the MCUNetV2 anchor, derived by hand."""

from __future__ import annotations

import mncost


def test_mcunetv2_anchor_under_its_stated_assumptions():
    # MCUNetV2 (Lin et al. 2021, arXiv:2110.15352, Figure 1): MobileNetV2 1.0/224 int8,
    # 4x4 patches over the first stage, peak 1,372 kB -> 172 kB (8x). By hand: after the
    # split (block_4's 28x28x32 output) the rest runs layer by layer; its largest op is
    # block_5's expansion, which reads 28x28x32 (also the residual's skip, into which the
    # add accumulates) and writes 28x28x192:
    #   28*28*32 = 25,088  +  28*28*192 = 150,528  =  175,616 bytes (171.5 KiB).
    r = mncost.memory(
        "mobilenet-v2",
        dtype="int8",
        dw_inplace=True,
        add_inplace=True,
        schedule="patch",
        split="block_4",
        patches="4x4",
        stream_input=True,
    )
    assert r.peak_activation_bytes == 175_616
    assert r.peak.layer == "block_5.expand" and r.peak.part == "rest"
    assert r.layer_peak is not None and r.layer_peak.bytes == 1_404_928
    assert r.layer_peak.bytes == 8 * r.peak_activation_bytes
    stage, rest = r.parts
    assert stage.bytes < rest.bytes
    # The paper: roughly 10% more MACs for the network.
    assert r.stage is not None and 0.05 < r.stage.extra_macs / r.stage.network_macs < 0.15
    moved = dict(r.variants)
    # The whole image held (224*224*3 = 150,528 bytes) through the stage raises its peak
    # by the image's size at the same op (streamed, only the first op reads the input).
    assert moved["without --stream-input"].bytes == stage.bytes + 150_528
    # The skip held apart: block_5.project holds 28x28x192 + the skip + its output:
    # 150,528 + 25,088 + 25,088 = 200,704.
    assert moved["without --add-inplace"].bytes == 200_704


def test_the_report_shows_the_schedule_its_parts_and_each_assumption():
    from tests.conftest import run_cli

    args = "memory mobilenet-v2 --dtype int8 --dw-inplace --add-inplace --schedule patch"
    args += " --split block_4 --patches 4x4 -f markdown"
    out = run_cli(*args.split())
    assert out.exit_code == 0, out.output
    text = out.output
    # Input held whole: the stage's worst op is block_2.expand in an inner patch. By hand,
    # back from a 7x7 patch of block_4's 28x28 output: block_4.dw (3x3, stride 2) needs
    # 2*6+3 = 15 rows of 56, block_3.dw (3x3) 17, block_2.dw (3x3, stride 2) 2*16+3 = 35
    # rows of 112. At block_2.expand: its input 35x35x16 = 19,600 + its output 35x35x96 =
    # 117,600 + the image 224x224x3 = 150,528 + the split's buffer 28x28x32 = 25,088:
    # 312,816 bytes.
    assert "| Peak, patch-based | 312,816 |" in text
    assert "block_2.expand (stage, patch 1,1)" in text
    assert "block_1.project 35x35x16 (19.1 KiB) + block_2.expand 35x35x96 (114.8 KiB)" in text
    # 1,404,928 layer by layer (MCUNetV2's 1,372 kB) / 312,816 = 4.49x.
    assert "| Peak, layer by layer | 1,404,928 |" in text and "4.49x lower" in text
    # Streamed, the stage drops to the anchor's: the rest's 175,616 is the peak.
    assert "| Peak with --stream-input | 175,616 |" in text
    assert "Recomputation (MACs = multiply-accumulates)" in text
    assert "arXiv:2110.15352" in text


def test_the_review_page_charts_the_memory_profile_and_the_schedule(tmp_path):
    from tests.conftest import run_cli

    page = tmp_path / "mcu.html"
    args = "report mobilenet-v2 --dtype int8 --dw-inplace --add-inplace --schedule patch"
    out = run_cli(
        *args.split(), "--split", "block_4", "--patches", "4x4", "--stream-input", "-o", str(page)
    )
    assert out.exit_code == 0, out.output
    html = page.read_text()
    # The anchor (derived in the first test) and its layer-by-layer peak.
    assert "175,616 B" in html and "1,404,928 B" in html
    assert "Recomputed MACs of the patch stage" in html and "arXiv:2110.15352" in html
    # The patch-based latency adds the recomputation's estimate to the layer-by-layer one.
    import re

    plain = float(re.search(r"Latency on pixel1-cpu \(an estimate\)</td><td>([\d.,]+) ms", html)[1])
    patched = re.search(r"patch-based \(an estimate\)</td><td>([\d.,]+) ms \(\+([\d.,]+) ms", html)
    assert patched is not None
    assert (
        float(patched[1]) == round(plain + float(patched[2]), 1)
        or abs(float(patched[1]) - plain - float(patched[2])) <= 0.11
    )
    # Three charts: the Pareto plot, the memory profile, the by-type bars.
    assert html.count('class="plotly-graph-div"') == 3


def test_every_on_off_execution_choice_is_one_switch_offered_everywhere():
    # Adding one means a field of Execution and its entry in SWITCHES: the option, its
    # help and its parsing follow. Every bool field must have its switch, and every
    # byte-counting command must offer it (the patch-only ones where schedules are).
    from dataclasses import fields

    from mncost.cost.execution import SWITCHES, Execution
    from tests.conftest import run_cli

    bools = sorted(f.name for f in fields(Execution) if f.type in (bool, "bool"))
    assert bools == sorted(s.field for s in SWITCHES)
    for command in ("memory", "sweep", "choose", "compare", "report"):
        text = run_cli(command, "--help").output
        for s in SWITCHES:
            offered = s.option in text
            assert offered or (s.patch_only and command in ("sweep", "compare")), (command, s)
    r = mncost.memory("mobilenet-v2", dtype="int8", dw_inplace=True, add_inplace=True)
    assert r.execution.add_inplace and r.execution.dw_inplace
