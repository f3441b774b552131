"""Outputs that stay bounded as they grow (issue 14, item 7): a capped, linear Pareto plot
and a sweep written as it is rendered.

Work and memory are counted, never timed: function calls into plotly for the plot, and
tracemalloc's peak for the sweep's JSON and CSV.
"""

from __future__ import annotations

import json
import sys
import tracemalloc
from fractions import Fraction

import pytest

from mncost.limits import MAX_HIGHLIGHTS
from tests.conftest import run_cli


def _highlights(n: int) -> list[str]:
    # Distinct configurations of MobileNet v1 with no published accuracy: each is a
    # dotted line with its own label and legend entry.
    return [f"0.{10 + k % 89}/{100 + k // 89}" for k in range(n)]


def test_plot_pareto_takes_at_most_the_stated_number_of_highlights(tmp_path):
    args: list[str] = []
    for h in _highlights(MAX_HIGHLIGHTS + 1):
        args += ["--highlight", h]
    result = run_cli("plot", "pareto", *args, "-o", str(tmp_path / "p.html"))
    assert result.exit_code == 2
    assert f"at most {MAX_HIGHLIGHTS}" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def _figure_calls(n: int) -> int:
    """Python calls made building the Pareto figure with ``n`` highlights and writing it
    as an HTML div: every call, mncost's and any library's."""
    from mncost.analysis.pareto import pareto_data, parse_highlight, resolve_highlight
    from mncost.analysis.published import published_points
    from mncost.present.export import figure_div
    from mncost.present.figures import pareto_figure

    points = published_points(source="all", families=None, dataset="imagenet")
    marked = [resolve_highlight(parse_highlight(h), points) for h in _highlights(n)]
    data = pareto_data(points, "imagenet", highlights=marked)
    calls = 0

    def profiler(frame, event, arg):
        nonlocal calls
        if event == "call":
            calls += 1

    sys.setprofile(profiler)
    try:
        figure_div(pareto_figure(data), "plot")
    finally:
        sys.setprofile(None)
    return calls


def test_the_pareto_figure_grows_linearly_with_its_highlights():
    # Added one by one, each annotation and trace once made plotly re-validate all the
    # ones before: four times the highlights cost sixteen times the calls (300 took 30 s).
    # Linear is at most four times (less: the published points are a fixed part).
    few, many = _figure_calls(40), _figure_calls(160)
    assert many / few < 5, (few, many)


def _peak_while_writing(fmt: str) -> tuple[int, int]:
    """tracemalloc's peak while a 100,000-row sweep is rendered and written, and the
    output's size in bytes."""
    from mncost.analysis.explore import explore_grid
    from mncost.arch.registry import get_model
    from mncost.cost.conventions import Conventions
    from mncost.present.render import render_pieces
    from mncost.present.views.sweep import sweep_report

    alphas = [Fraction(k, 400) for k in range(100, 300)]  # 0.25 to 0.7475: 200 alphas
    grid = explore_grid(
        get_model("mobilenet-v2"), alphas, list(range(96, 596)), None, Conventions(),
        metrics=["mult_adds", "params", "weight_bytes", "peak_activation_bytes"],
    )  # fmt: skip
    assert grid.size == 100_000
    report = sweep_report(grid, full=True)
    size = 0
    tracemalloc.start()
    try:
        for piece in render_pieces(report, fmt):
            size += len(piece.encode())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, size


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_large_sweep_is_written_as_it_is_rendered(fmt):
    # Held whole, the text alone is the output's size, and the rows before it more than
    # twice that (2.7 KB per configuration in all, once). Written as it goes, memory
    # holds the grid's flattened columns (about 2 MB here) and a few thousand rows.
    peak, size = _peak_while_writing(fmt)
    assert size > 3_000_000
    assert peak < 0.75 * size, (peak, size)


def test_the_streamed_json_is_the_same_data(tmp_path):
    out = tmp_path / "s.json"
    result = run_cli(
        "sweep", "mobilenet-v2", "--alpha", "0.35:1.4:0.05", "--res", "96:224:8", "-o", str(out)
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(out.read_text())
    assert data["configurations"] == len(data["rows"]) == 22 * 17
    assert data["rows"][0]["alpha"] == 0.35 and data["rows"][0]["resolution"] == 96
    assert data["rows"][-1]["alpha"] == 1.4 and data["rows"][-1]["resolution"] == 224
    empty = run_cli("sweep", "mobilenet-v2", "--alpha", "0.5", "--res", "96", "-f", "json")
    assert len(json.loads(empty.stdout)["rows"]) == 1
