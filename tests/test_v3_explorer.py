"""MobileNet V3 in the explorer (issue 16, item 1): its released checkpoints enter
choose, compare and sweep as measured points, with no estimate between them (one
checkpoint of each model in the layout mncost counts, all at 224).

Published figures: TF-slim's mobilenet/README.md V3 table (tensorflow/models,
research/slim/nets/mobilenet, commit 0ba83cf0): Large dm=1 75.2% top-1, 51.2 ms on a
Pixel 1; Small dm=1 67.5%, 15.8 ms; Large minimalistic 72.3%, 44.1 ms; Small
minimalistic 61.9%, 12.2 ms. Its 0.75 rows are TF-slim's own layout, another network
than torchvision's mobilenet-v3 at 0.75: they are the -slim models' checkpoints (Large
dm=0.75 73.3%, 39.8 ms; Small dm=0.75 65.4%, 12.8 ms).
"""

from __future__ import annotations

from fractions import Fraction

import mncost
from mncost.analysis.accuracy import PublishedOnly, top1_source
from tests.conftest import run_cli

V3 = {
    "mobilenet-v3-large": (75.2, 51.2),
    "mobilenet-v3-small": (67.5, 15.8),
    "mobilenet-v3-large-minimalistic": (72.3, 44.1),
    "mobilenet-v3-small-minimalistic": (61.9, 12.2),
}


def test_v3_top1_is_its_checkpoints_and_nothing_between():
    for model, (top1, _) in V3.items():
        source = top1_source(model)
        assert isinstance(source, PublishedOnly)
        at = source.estimate(1, 224)
        assert (at.value, at.status, at.loo_mae) == (top1, "measured", None)
        between = source.estimate(0.9, 224)
        assert between.value is None and between.status == "no estimate"
        assert "too few to estimate between" in between.describe()
    # TF-slim's 0.75 Large (73.3%) is another layout: not torchvision's 0.75 Large, but
    # mobilenet-v3-large-slim's one checkpoint.
    assert top1_source("mobilenet-v3-large").estimate(0.75, 224).status == "no estimate"
    for model, top1 in (("mobilenet-v3-large-slim", 73.3), ("mobilenet-v3-small-slim", 65.4)):
        source = top1_source(model)
        assert isinstance(source, PublishedOnly)
        assert (source.estimate(0.75, 224).value, source.estimate(0.75, 224).status) == (
            top1,
            "measured",
        )
        assert source.estimate(1, 224).status == "no estimate"  # filed under the 1.0 model


def test_choose_considers_v3_and_measures_it():
    result = mncost.choose(max_latency_ms=30, device="pixel1-cpu", top=1000)
    picked = {p.model: p for p in result.candidates if p.model in V3}
    # Only the two Small models run within 30 ms on a Pixel 1.
    assert set(picked) == {"mobilenet-v3-small", "mobilenet-v3-small-minimalistic"}
    for model, pick in picked.items():
        top1, ms = V3[model]
        assert (pick.alpha, pick.resolution) == (Fraction(1), 224)
        assert (pick.top1, pick.status, pick.figures["latency_ms"]) == (top1, "measured", ms)
        assert pick.latency_measured and not pick.latency_extrapolated
    # TF-slim's Small 0.75 is a measured pick too (65.4%, 12.8 ms), as its own layout;
    # its Large 0.75 (39.8 ms) is over the budget.
    slim = {p.model: p for p in result.candidates if p.model.endswith("-slim")}
    assert set(slim) == {"mobilenet-v3-small-slim"}
    small = slim["mobilenet-v3-small-slim"]
    assert (small.alpha, small.top1, small.figures["latency_ms"]) == (Fraction(3, 4), 65.4, 12.8)
    assert small.latency_measured
    tops = [p.top1 for p in result.candidates]
    assert tops == sorted(tops, reverse=True)


def test_family_mobilenet_v3_is_accepted():
    result = run_cli("choose", "--family", "mobilenet-v3", "--max-macs", "100M")
    assert result.exit_code == 0, result.stderr
    assert "mobilenet-v3-small" in result.stdout
    assert "only at their released checkpoints" in " ".join(result.stdout.split())
    wrong = run_cli("choose", "--family", "mobilenet-v4")
    assert wrong.exit_code == 2 and "mobilenet-v3" in wrong.stderr


def test_compare_shows_v3_top1_as_measured():
    c = mncost.compare("mobilenet-v2@0.75/160", "mobilenet-v3-small")
    assert (c.totals["top1"].a, c.totals["top1"].b) == (66.4, 67.5)
    other = mncost.compare("mobilenet-v3-large", "mobilenet-v3-large@0.75/224")
    assert other.totals["top1"].b is None
    assert "too few to estimate between" in other.b.accuracy_reason


def test_the_choose_page_maps_only_grids_with_more_than_one_cell(tmp_path):
    page = tmp_path / "c.html"
    result = run_cli("choose", "--max-latency-ms", "30", "--device", "pixel1-cpu", "-o", str(page))
    assert result.exit_code == 0, result.stderr
    text = page.read_text()
    assert "mobilenet-v2: estimated top-1" in text
    assert "mobilenet-v3-small: estimated top-1" not in text
    assert "Searched at one released configuration each, so not mapped" in text
