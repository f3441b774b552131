"""The cells of an alpha x resolution heatmap and how their values are shown.

Which cells are drawn (at most :data:`MAX_CELLS` per axis: a wider grid at every k-th
value), where each configuration sits on the axes (the resolution in pixels on a square
grid, one evenly spaced row per size on a non-square one), where the cells' edges and a
budget's boundary between them lie; each figure's unit and its colouring (Viridis, on a
log scale for memory); and the layout every heatmap shares. Cut from
:mod:`mncost.present.heatmap`, which draws the figures; the traces over the cells are
:mod:`mncost.present.heatmap_layers`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mncost.analysis.explore import ACCURACY, LATENCY, METRIC_LABELS, ExploreGrid
from mncost.cost.memory import PEAK_ACTIVATION
from mncost.cost.scaling import Resolution, resolution_text
from mncost.present.style import FONT as _FONT
from mncost.present.style import plot_text as _esc
from mncost.present.style import plotly_template

if TYPE_CHECKING:
    import numpy

__all__ = [
    "BOUNDARY_COLOURS",
    "INFEASIBLE",
    "MAX_CELLS",
    "NO_VALUE",
    "UNITS",
    "boundary",
    "cell_edges",
    "colouring",
    "heatmap_layout",
    "is_square",
    "metric_label",
    "stride",
    "thinned",
    "unit_of",
    "viridis",
    "y_of",
    "y_ticks",
]


def metric_label(metric: str) -> str:
    """A metric's name in prose."""
    return METRIC_LABELS[metric] if metric in METRIC_LABELS else metric


MAX_CELLS = 300
"""A heatmap draws at most this many alphas and this many resolutions."""

UNITS: dict[str, tuple[float, str, str]] = {
    # metric: (divide by, unit, number format)
    "mult_adds": (1e6, "M MACs", ",.1f"),
    "params": (1e6, "M params", ",.2f"),
    "weight_bytes": (2**20, "MiB of weights", ",.2f"),
    PEAK_ACTIVATION: (2**10, "KiB peak activation", ",.1f"),
    LATENCY: (1.0, "ms (measured or estimated)", ",.2f"),
    ACCURACY: (1.0, "% top-1 (estimated)", ".1f"),
}
"""How each figure is shown on a heatmap: its scale and unit (bytes in KiB/MiB)."""

INFEASIBLE = "rgba(70, 70, 70, 0.62)"
NO_VALUE = "#e9ebef"
"""The plot's background: what a cell without a value (no top-1 there) shows."""
BOUNDARY_COLOURS = ("#e03131", "#1c7ed6", "#f76707", "#ae3ec9", "#0ca678")
"""One line colour per budget (the picks are yellow, the MAC lines white)."""
_HEIGHT = 620

_VIRIDIS = (
    "#440154",
    "#482878",
    "#3e4989",
    "#31688e",
    "#26828e",
    "#1f9e89",
    "#35b779",
    "#6ece58",
    "#b5de2b",
    "#fde725",
)
"""plotly's Viridis (``plotly.colors.sequential.Viridis``): the colours plotly's
validation wrote for ``colorscale="Viridis"`` (plotly.js's own "Viridis" has others)."""


def viridis() -> list[list[float | str]]:
    """The heatmaps' colour scale, as plotly's validation spelled out the name: the
    colours evenly spaced from 0 to 1."""
    last = len(_VIRIDIS) - 1
    return [[n / last, colour] for n, colour in enumerate(_VIRIDIS)]


def unit_of(metric: str) -> tuple[float, str, str]:
    """How ``metric`` is shown: (divide by, unit, number format); see :data:`UNITS`."""
    return UNITS.get(metric, (1.0, metric_label(metric), ",.0f"))


_LOG_METRICS = ("weight_bytes", PEAK_ACTIVATION)
"""Memory spans orders of magnitude over a grid: coloured on a log scale."""


def colouring(
    z: numpy.ndarray, metric: str, unit: str, fmt: str
) -> tuple[numpy.ndarray, dict[str, Any], str | None]:
    """The values to colour, the colour bar and the title's words (None: the metric's
    own name will do). A memory
    figure is coloured by its log, with ticks at 1, 2 and 5 times powers of ten in its
    unit ("256 KiB"), so that small configurations do not all share one colour; the
    hover text keeps the exact bytes."""
    import numpy as np

    bar: dict[str, Any] = {"title": {"text": _esc(unit), "side": "right"}, "tickformat": fmt}
    finite = z[np.isfinite(z)]
    if metric not in _LOG_METRICS or finite.size == 0 or finite.min() <= 0:
        return z, bar, None
    low, high = float(finite.min()), float(finite.max())
    if high / low < 4:
        return z, bar, None
    short = unit.split(" ")[0]
    ticks = [
        m * 10.0**e
        for e in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
        for m in (1, 2, 5)
        if low <= m * 10.0**e <= high
    ]
    if len(ticks) > 8:
        ticks = [t for t in ticks if str(t).lstrip("0.").startswith("1")]
    bar = {
        "title": {"text": _esc(f"{unit} (log scale)"), "side": "right"},
        "tickvals": [math.log10(t) for t in ticks],
        "ticktext": [f"{t:,.0f} {short}" if t >= 1 else f"{t:.3g} {short}" for t in ticks],
    }
    what = {"weight_bytes": "weights", PEAK_ACTIVATION: "peak activation memory"}[metric]
    return np.log10(z), bar, f"{what} in {short} (log colour scale)"


def stride(n: int) -> int:
    """Every how many values an axis of ``n`` is drawn (1: all of them)."""
    return max(1, math.ceil(n / MAX_CELLS))


def is_square(grid: ExploreGrid) -> bool:
    """Whether every input is square: the resolution axis is then in pixels; else it is
    one row per size (HxW), evenly spaced, each labelled."""
    return all(isinstance(r, int) for r in grid.resolutions)


def thinned(grid: ExploreGrid) -> tuple[slice, slice, list[float], list[int]]:
    """The cells drawn: the alpha and resolution slices of the grid, and their x and y
    on the axes."""
    sa, sr = stride(len(grid.alphas)), stride(len(grid.resolutions))
    xs = [float(a) for a in grid.alphas[::sa]]
    shown = grid.resolutions[::sr]
    ys = [r for r in shown if isinstance(r, int)] if is_square(grid) else list(range(len(shown)))
    return slice(None, None, sa), slice(None, None, sr), xs, ys


def y_of(grid: ExploreGrid, resolution: Resolution) -> float | None:
    """Where a configuration of ``resolution`` sits on the resolution axis (None: not on
    a non-square grid's axis)."""
    if is_square(grid):
        return float(resolution) if isinstance(resolution, int) else None
    if resolution not in grid.resolutions:
        return None
    return grid.resolutions.index(resolution) / stride(len(grid.resolutions))


def y_ticks(grid: ExploreGrid) -> list[str] | None:
    """A non-square grid's row labels ("240x320", height x width); None: in pixels."""
    if is_square(grid):
        return None
    return [resolution_text(r) for r in grid.resolutions[:: stride(len(grid.resolutions))]]


def _edges(values: Sequence[float]) -> list[float]:
    """The outer edges of a heatmap's first and last cells (half a step out), so that the
    axes end with the cells and no strip of padding looks like a missing column."""
    if len(values) < 2:
        half = abs(values[0]) * 0.05 or 0.5
        return [values[0] - half, values[0] + half]
    return [values[0] - (values[1] - values[0]) / 2, values[-1] + (values[-1] - values[-2]) / 2]


def heatmap_layout(
    title: str,
    xs: Sequence[float],
    ys: Sequence[float],
    ticks: list[str] | None = None,
    labels: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """A heatmap's layout: its title, the axes ending with the cells, ``ticks`` a
    non-square grid's row labels (None: the rows in pixels), ``labels`` the budgets'
    annotations."""
    yaxis: dict[str, Any] = {
        "title": {
            "text": "resolution (pixels)" if ticks is None else "input (height x width, pixels)"
        },
        "showgrid": False,
        "zeroline": False,
        "range": _edges(ys),
    }
    if ticks is not None:
        yaxis.update(tickmode="array", tickvals=list(ys), ticktext=ticks)
    layout: dict[str, Any] = {
        "template": plotly_template(),
        "title": {"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 16}},
        "font": {"family": _FONT, "size": 12},
        "height": _HEIGHT,
        "margin": {"l": 70, "r": 30, "t": 50, "b": 100},
        "legend": {
            "orientation": "h",
            "yanchor": "top",
            "y": -0.14,
            "xanchor": "left",
            "x": 0.0,
            "bgcolor": "#c9cdd4",
        },  # grey, so the white marks show
        "plot_bgcolor": NO_VALUE,
        "xaxis": {
            "title": {"text": "width multiplier alpha"},
            "showgrid": False,
            "zeroline": False,
            "tickformat": ".2~f",
            "range": _edges(xs),
        },
        "yaxis": yaxis,
    }
    if labels:
        layout["annotations"] = list(labels)
    return layout


def boundary(
    meets: numpy.ndarray, xs: Sequence[float], ys: Sequence[float]
) -> tuple[list[float | None], list[float | None]]:
    """The cell edges between cells that meet a budget and cells that do not, as one
    polyline with breaks (None): the budget's boundary, drawn on the cells' edges."""
    ex = cell_edges(xs)
    ey = cell_edges(ys)
    px: list[float | None] = []
    py: list[float | None] = []
    n_a, n_r = meets.shape
    for i in range(n_a):
        for j in range(n_r):
            if i + 1 < n_a and meets[i, j] != meets[i + 1, j]:
                px += [ex[i + 1], ex[i + 1], None]
                py += [ey[j], ey[j + 1], None]
            if j + 1 < n_r and meets[i, j] != meets[i, j + 1]:
                px += [ex[i], ex[i + 1], None]
                py += [ey[j + 1], ey[j + 1], None]
    return px, py


def cell_edges(values: Sequence[float]) -> list[float]:
    """Every cell's edges: midpoints between neighbours, half a step out at the ends."""
    if len(values) < 2:
        return list(_edges(values))
    mids = [(a + b) / 2 for a, b in zip(values, values[1:])]
    outer = _edges(values)
    return [outer[0], *mids, outer[1]]
