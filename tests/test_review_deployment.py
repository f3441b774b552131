"""The review page says what a configuration needs on a device: memory (float32, and int8
with depthwise convs in place) and a latency estimate labelled as one (issue 11 item 6)."""

from __future__ import annotations

import pytest

from tests.conftest import run_cli


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("review")
    result = run_cli("report", "mobilenet-v2", "-o", str(folder / "r.html"))
    assert result.exit_code == 0, result.stderr
    return (folder / "r.html").read_text()


def test_review_gives_memory_in_both_settings(page):
    # MobileNet V2, int8, depthwise in place: MCUNetV2's 1,372 kB (1,404,928 bytes) at
    # block 2's expansion: 112*112*16 + 112*112*96 = 200,704 + 1,204,224 bytes.
    assert "1,404,928 B" in page and "block_2.expand" in page
    # float32, every op with its own output: block 2's depthwise conv holds its
    # 112*112*96 input and 56*56*96 output: (1,204,224 + 301,056) * 4 = 6,021,120 bytes.
    assert "6,021,120 B" in page and "block_2.dw" in page
    # Weights: torchvision's 3,504,872 params less 2 x 17,056 batch-norm values, times 4.
    assert f"{3_470_760 * 4:,} B" in page


def test_review_latency_is_labelled_an_estimate_with_its_error(page):
    assert "Latency on pixel1-cpu (an estimate)" in page
    assert "not a measurement" in page and "leave-one-out error" in page
    # MobileNet V2 1.0/224 was timed on a Pixel 1 (TF-slim's checkpoint table: 73.8 ms),
    # one of the points pixel1-cpu is fitted on: the measurement comes first.
    assert "Latency on pixel1-cpu (measured)" in page and "73.8 ms in float32" in page
    assert page.index("(measured)") < page.index("(an estimate)")
