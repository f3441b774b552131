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
