"""choose's heatmaps draw each budget's boundary with its label, explain every shade,
and leave out a model with nothing feasible (issue 16 §4). The figures are plain data,
read through plotly (tests/plotly_view.py), which validates them."""

from __future__ import annotations

import pytest

pytest.importorskip("plotly")

import numpy as np  # noqa: E402

import mncost  # noqa: E402
from mncost.present.heatmap import choose_figures  # noqa: E402
from mncost.present.heatmap_cells import boundary  # noqa: E402
from tests.plotly_view import as_plotly  # noqa: E402


def test_a_boundary_runs_between_cells_that_meet_a_budget_and_cells_that_do_not():
    # 2 alphas x 2 resolutions, only (0, 0) meets: one vertical edge at x = 1.5 between
    # alphas 1 and 2 (over resolution 10's cell, 5..15), one horizontal edge at y = 15.
    meets = np.array([[True, False], [False, False]])
    xs, ys = boundary(meets, [1.0, 2.0], [10.0, 20.0])
    segments = [(xs[k], ys[k], xs[k + 1], ys[k + 1]) for k in range(0, len(xs), 3)]
    assert sorted(segments) == [(0.5, 15.0, 1.5, 15.0), (1.5, 5.0, 1.5, 15.0)]


def test_each_budget_is_drawn_and_labelled_with_its_limit():
    result = mncost.choose(
        "mobilenet-v1", max_weight_bytes="1MiB", max_peak_bytes="256KiB", dtype="int8"
    )
    (plain,) = choose_figures(result)
    fig = as_plotly(plain)
    names = [t.name for t in fig.data]
    assert "weights <= 1MiB (boundary)" in names and "peak <= 256KiB (boundary)" in names
    labels = [a.text for a in fig.layout.annotations]
    assert "weights <= 1MiB" in labels and "peak <= 256KiB" in labels
    # Every label sits on a white ground, so no line strikes its text through.
    assert all(a.bgcolor.startswith("rgba(255, 255, 255") for a in fig.layout.annotations)


def test_a_model_with_nothing_feasible_is_not_mapped():
    # MobileNet v2's smallest weights in int8 (0.35/96: 1.67 M params) are over 1 MiB.
    result = mncost.choose(
        models=["mobilenet-v1", "mobilenet-v2"], max_weight_bytes="1MiB", dtype="int8"
    )
    titles = [as_plotly(f).layout.title.text for f in choose_figures(result)]
    assert len(titles) == 1 and titles[0].startswith("mobilenet-v1")


def test_cells_without_a_top1_are_explained_in_the_legend():
    result = mncost.choose("mobilenet-v2", max_macs="300M")
    (fig,) = choose_figures(result)
    assert any((t.name or "").startswith("no top-1") for t in as_plotly(fig).data)


def test_the_picks_chart_puts_each_pick_at_its_latency_and_top1():
    from mncost.present.heatmap import picks_figure

    result = mncost.choose(max_latency_ms=30, device="pixel1-cpu", top=8)
    plain = picks_figure(result)
    assert plain is not None
    fig = as_plotly(plain)
    points = {
        (text, x, y) for trace in fig.data for text, x, y in zip(trace.text, trace.x, trace.y)
    }
    for c in result.candidates:
        assert (str(c.rank), c.figures["latency_ms"], c.top1) in points
    assert fig.layout.shapes[0].x0 == 30  # the budget, as a line
    assert "latency <= 30 ms" in [a.text for a in fig.layout.annotations]
