"""Memory heatmaps: a log colour scale in the figure's unit, with the title and the
colour bar in the same unit (issue 16 §4). The figures are plain data, read through
plotly (tests/plotly_view.py), which validates them."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

pytest.importorskip("plotly")

import mncost  # noqa: E402
from mncost.analysis.explore import explore_grid  # noqa: E402
from mncost.arch.registry import get_model  # noqa: E402
from mncost.present.heatmap import sweep_figure  # noqa: E402
from tests.plotly_view import as_plotly  # noqa: E402


def test_peak_memory_is_coloured_by_its_log_in_kib():
    grid = explore_grid(
        get_model("mobilenet-v2"), [Fraction(7, 20), Fraction(1), Fraction(7, 5)], [96, 160, 320]
    )
    fig = as_plotly(sweep_figure(grid, "peak_activation_bytes"))
    heat = fig.data[0]
    assert "KiB" in fig.layout.title.text and "log" in fig.layout.title.text
    assert "KiB" in heat.colorbar.title.text
    # The colour is log10 of KiB: the smallest cell's exact bytes / 1024, logged.
    smallest = min(
        mncost.memory("mobilenet-v2", a, r).peak_activation_bytes
        for a in (0.35, 1.0, 1.4)
        for r in (96, 160, 320)
    )
    low = min(v for row in heat.z for v in row)
    assert low == pytest.approx(math.log10(smallest / 1024))
    # Ticks are round figures in KiB ("1,000 KiB"), never "1e+04" or a bare "1,500.0".
    assert all(t.endswith(" KiB") and "e+" not in t for t in heat.colorbar.ticktext)


def test_a_count_keeps_a_linear_scale():
    grid = explore_grid(get_model("mobilenet-v2"), [Fraction(7, 20), Fraction(1)], [96, 224])
    heat = as_plotly(sweep_figure(grid, "mult_adds")).data[0]
    assert heat.colorbar.ticktext is None
