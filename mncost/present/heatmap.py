"""Alpha x resolution heatmaps: a sweep's figure over the grid (``mncost sweep -o
sweep.html``) and a search's feasible region with its picks (``mncost choose -o
choose.html``), as offline HTML pages.

Drawing only: every value comes from an :class:`~mncost.analysis.explore.ExploreGrid`
(or a :class:`~mncost.analysis.choose.ChooseResult`). Each heatmap has alpha across and
the resolution up, lines of equal mult-adds over it (the cost contours, labelled in
millions), and the model's released checkpoints marked; a choose heatmap greys the
configurations that break a budget and numbers the picks. A withheld top-1 extrapolation
is an empty cell. A grid wider than :data:`MAX_CELLS` per axis is drawn at every k-th
value, and the page says so.

Every figure is plain data (:class:`~mncost.present.plotly_data.Figure`: trace dicts and
a layout dict, numpy arrays left in them for :func:`~mncost.present.plotly_data.figure_json`
to write as lists, NaN as null); plotly's Python package is never imported. The pages
are :func:`mncost.present.export.figures_page`'s, with plotly.js inline, so they open
offline.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mncost.analysis.explore import (
    ACCURACY,
    LATENCY,
    LATENCY_ESTIMATE,
    LATENCY_STATUS,
    METRIC_LABELS,
    ExploreGrid,
)
from mncost.cost.memory import PEAK_ACTIVATION
from mncost.cost.scaling import Resolution, multiplier_text, resolution_text
from mncost.present.plotly_data import Figure, FigureLike
from mncost.present.style import FONT as _FONT
from mncost.present.style import plot_text as _esc
from mncost.present.style import plotly_template

if TYPE_CHECKING:
    import numpy

    from mncost.analysis.choose import Budget, ChooseResult
    from mncost.present.model import Table

__all__ = [
    "MAX_CELLS",
    "UNITS",
    "choose_figures",
    "heatmap_page",
    "picks_figure",
    "sweep_figure",
]


def _label(metric: str) -> str:
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

_INFEASIBLE = "rgba(70, 70, 70, 0.62)"
_NO_VALUE = "#e9ebef"
"""The plot's background: what a cell without a value (no top-1 there) shows."""
_BOUNDARY_COLOURS = ("#e03131", "#1c7ed6", "#f76707", "#ae3ec9", "#0ca678")
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


def _viridis() -> list[list[float | str]]:
    """The heatmaps' colour scale, as plotly's validation spelled out the name: the
    colours evenly spaced from 0 to 1."""
    last = len(_VIRIDIS) - 1
    return [[n / last, colour] for n, colour in enumerate(_VIRIDIS)]


def _unit(metric: str) -> tuple[float, str, str]:
    return UNITS.get(metric, (1.0, _label(metric), ",.0f"))


_LOG_METRICS = ("weight_bytes", PEAK_ACTIVATION)
"""Memory spans orders of magnitude over a grid: coloured on a log scale."""


def _colouring(
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


def _stride(n: int) -> int:
    return max(1, math.ceil(n / MAX_CELLS))


def _square(grid: ExploreGrid) -> bool:
    """Whether every input is square: the resolution axis is then in pixels; else it is
    one row per size (HxW), evenly spaced, each labelled."""
    return all(isinstance(r, int) for r in grid.resolutions)


def _thinned(grid: ExploreGrid) -> tuple[slice, slice, list[float], list[int]]:
    sa, sr = _stride(len(grid.alphas)), _stride(len(grid.resolutions))
    xs = [float(a) for a in grid.alphas[::sa]]
    shown = grid.resolutions[::sr]
    ys = [r for r in shown if isinstance(r, int)] if _square(grid) else list(range(len(shown)))
    return slice(None, None, sa), slice(None, None, sr), xs, ys


def _y(grid: ExploreGrid, resolution: Resolution) -> float | None:
    """Where a configuration of ``resolution`` sits on the resolution axis (None: not on
    a non-square grid's axis)."""
    if _square(grid):
        return float(resolution) if isinstance(resolution, int) else None
    if resolution not in grid.resolutions:
        return None
    return grid.resolutions.index(resolution) / _stride(len(grid.resolutions))


def _y_ticks(grid: ExploreGrid) -> list[str] | None:
    """A non-square grid's row labels ("240x320", height x width); None: in pixels."""
    if _square(grid):
        return None
    return [resolution_text(r) for r in grid.resolutions[:: _stride(len(grid.resolutions))]]


def _nice_step(span: float, parts: int = 6) -> float:
    """A round contour spacing (1, 2, 2.5 or 5 times a power of ten) near span / parts."""
    if span <= 0:
        return 1.0
    raw = span / parts
    power = 10 ** math.floor(math.log10(raw))
    return float(next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw))


def _contours(
    grid: ExploreGrid, a: slice, r: slice, xs: list[float], ys: list[int]
) -> list[dict[str, Any]]:
    """Lines of equal mult-adds, labelled in millions: a white line over a dark one, so
    that they read over the dark and the light end of the colour scale alike."""
    if "mult_adds" not in grid.counts or len(xs) < 2 or len(ys) < 2:
        return []
    if not _square(grid):  # rows evenly spaced by size, not pixels: no line between them
        return []
    z = grid.counts["mult_adds"][a, r].T / 1e6
    low, high = float(z.min()), float(z.max())
    step = _nice_step(high - low)
    start = math.ceil(low / step) * step
    if start >= high:
        return []
    levels = {"coloring": "none", "start": start, "end": high, "size": step}
    halo = {
        "type": "contour",
        "x": xs,
        "y": ys,
        "z": z,
        "showscale": False,
        "hoverinfo": "skip",
        "showlegend": False,
        "contours": {**levels, "showlabels": False},
        "line": {"color": "rgba(0, 0, 0, 0.45)", "width": 3.2},
    }
    line = {
        "type": "contour",
        "x": xs,
        "y": ys,
        "z": z,
        "name": "equal MACs (millions)",
        "showscale": False,
        "hoverinfo": "skip",
        "contours": {
            **levels,
            "showlabels": True,
            "labelfont": {"size": 12, "color": "#1b1f24"},
            "labelformat": ",.0f",
        },
        "line": {"color": "#ffffff", "width": 1.3},
        "showlegend": True,
    }
    return [halo, line]


def _published_edge(
    grid: ExploreGrid, a: slice, r: slice, xs: list[float], ys: list[int]
) -> dict[str, Any] | None:
    """Where the published grid ends (interpolated inside, extrapolated outside), as a
    dashed line: drawn when extrapolations are shown, which would otherwise look alike."""
    acc = grid.accuracy
    if acc is None or not grid.extrapolate or len(xs) < 2 or len(ys) < 2:
        return None
    import numpy as np

    outside = np.isin(acc.status[a, r], ("extrapolated", "out of range"))
    inside = (~outside).T.astype(float)
    if inside.all() or not inside.any():
        return None
    return {
        "type": "contour",
        "x": xs,
        "y": ys,
        "z": inside,
        "showscale": False,
        "hoverinfo": "skip",
        "name": "edge of the published grid (outside: extrapolated)",
        "contours": {"coloring": "none", "start": 0.5, "end": 0.5, "size": 1},
        "line": {"color": "#ff4d4d", "width": 2.5, "dash": "dash"},
        "showlegend": True,
    }


def _hover(grid: ExploreGrid, a: slice, r: slice) -> numpy.ndarray:
    """Per cell: every figure of the grid, as lines of hover text."""
    import numpy as np

    alphas, resolutions = grid.alphas[a], grid.resolutions[r]
    lines = np.empty((len(resolutions), len(alphas)), dtype=object)
    arrays = {
        name: grid.array(name)[a, r]
        for name in grid.columns()
        if name not in ("top1_status", LATENCY_STATUS, LATENCY_ESTIMATE)
    }
    status = grid.accuracy.status[a, r] if grid.accuracy is not None else None
    measured = grid.latency_measured[a, r] if grid.latency_measured is not None else None
    for i, alpha in enumerate(alphas):
        for j, res in enumerate(resolutions):
            parts = [f"alpha {multiplier_text(alpha)}, {resolution_text(res)} px"]
            for name, values in arrays.items():
                scale, unit, fmt = _unit(name)
                value = float(values[i, j])
                if name == ACCURACY:
                    state = str(status[i, j]) if status is not None else ""
                    shown = "withheld" if math.isnan(value) else format(value, fmt) + "%"
                    parts.append(f"top-1: {shown} ({state})")
                elif name == LATENCY and measured is not None and measured[i, j]:
                    parts.append(f"{format(value / scale, fmt)} {unit} (measured)")
                else:
                    parts.append(f"{format(value / scale, fmt)} {unit}")
            lines[j, i] = "<br>".join(parts)
    return lines


def _checkpoints(grid: ExploreGrid, label_top1: bool) -> dict[str, Any] | None:
    """The released checkpoints inside the grid: open circles, labelled with their
    published top-1 on a top-1 heatmap (dark text on the light end of the scale)."""
    import numpy as np

    lo_a, hi_a = float(grid.alphas[0]), float(grid.alphas[-1])
    if _square(grid):
        lo_r, hi_r = grid.resolutions[0], grid.resolutions[-1]
        inside = [c for c in grid.checkpoints if lo_r <= c.resolution <= hi_r]  # type: ignore[operator]
    else:  # only where the axis has its size
        inside = [c for c in grid.checkpoints if _y(grid, c.resolution) is not None]
    shown = [c for c in inside if lo_a <= float(c.alpha) <= hi_a]
    if not shown:
        return None
    colors = ["#ffffff"] * len(shown)
    if label_top1 and grid.accuracy is not None:
        values = grid.accuracy.value
        low, high = float(np.nanmin(values)), float(np.nanmax(values))
        colors = [
            "#111111"
            if c.top1 is not None and high > low and (c.top1 - low) / (high - low) > 0.62
            else "#ffffff"
            for c in shown
        ]
    text = [f"{c.top1:.1f}" if label_top1 and c.top1 is not None else "" for c in shown]
    hover = [
        f"{_esc(c.label)}<br>published top-1 "
        f"{'' if c.top1 is None else f'{c.top1:.1f}%'}"
        + (
            f"<br>published latency {c.latency_ms:g} ms (Pixel 1)"
            if c.latency_ms is not None
            else ""
        )
        for c in shown
    ]
    return {
        "type": "scatter",
        "x": [float(c.alpha) for c in shown],
        "y": [_y(grid, c.resolution) for c in shown],
        "mode": "markers+text" if label_top1 else "markers",
        "text": text,
        "textposition": "top center",
        "textfont": {"size": 10, "color": colors},
        "marker": {
            "symbol": "circle-open",
            "size": 11,
            "color": colors,
            "line": {"width": 2, "color": colors},
        },
        "name": "released checkpoint" + (" (published top-1)" if label_top1 else ""),
        "hovertext": hover,
        "hoverinfo": "text",
    }


def _edges(values: Sequence[float]) -> list[float]:
    """The outer edges of a heatmap's first and last cells (half a step out), so that the
    axes end with the cells and no strip of padding looks like a missing column."""
    if len(values) < 2:
        half = abs(values[0]) * 0.05 or 0.5
        return [values[0] - half, values[0] + half]
    return [values[0] - (values[1] - values[0]) / 2, values[-1] + (values[-1] - values[-2]) / 2]


def _layout(
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
        "plot_bgcolor": _NO_VALUE,
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


def _over_budget(
    feasible: numpy.ndarray, a: slice, r: slice, xs: Sequence[float], ys: Sequence[int]
) -> dict[str, Any] | None:
    """The one shading of the cells over a budget (None when every cell meets them)."""
    import numpy as np

    over = (~feasible[a, r]).T.astype(float)
    over[over == 0] = np.nan  # feasible cells: no overlay
    if np.isnan(over).all():
        return None
    return {
        "type": "heatmap",
        "x": xs,
        "y": ys,
        "z": over,
        "colorscale": [[0, _INFEASIBLE], [1, _INFEASIBLE]],
        "showscale": False,
        "hoverinfo": "skip",
        "name": "over a budget",
        "showlegend": True,
    }


def _values(
    grid: ExploreGrid,
    a: slice,
    r: slice,
    xs: list[float],
    ys: list[int],
    z: numpy.ndarray,
    bar: dict[str, Any],
    name: str,
) -> dict[str, Any]:
    """The heatmap of a figure's values (``z``, one row per resolution), coloured by
    Viridis with ``bar``, every figure of a cell in its hover text; a cell without a
    value (NaN, written as null) is left empty."""
    return {
        "type": "heatmap",
        "x": xs,
        "y": ys,
        "z": z,
        "colorscale": _viridis(),
        "hoverongaps": False,
        "colorbar": bar,
        "hovertext": _hover(grid, a, r),
        "hoverinfo": "text",
        "name": name,
    }


def sweep_figure(
    grid: ExploreGrid,
    metric: str,
    budgets: Sequence[Budget] = (),
    meets: Sequence[numpy.ndarray] = (),
) -> Figure:
    """``metric`` over the grid, with MAC contours, the released checkpoints, and each of
    ``budgets``' boundary (``meets``: where each is met) with the cells over a budget
    shaded."""
    import numpy as np

    a, r, xs, ys = _thinned(grid)
    scale, unit, fmt = _unit(metric)
    z = np.asarray(grid.array(metric)[a, r], dtype=float).T / scale
    z, bar, words = _colouring(z, metric, unit, fmt)
    traces = [_values(grid, a, r, xs, ys, z, bar, _esc(unit))]
    traces += _contours(grid, a, r, xs, ys)
    edge = _published_edge(grid, a, r, xs, ys)
    if edge is not None:
        traces.append(edge)
    if budgets:
        feasible = np.ones(grid.shape, dtype=bool)
        for m in meets:
            feasible &= m
        shade = _over_budget(feasible, a, r, xs, ys)
        if shade is not None:
            traces.append(shade)
    lines, labels = _budget_lines(budgets, meets, a, r, xs, ys)
    traces += lines
    marks = _checkpoints(grid, label_top1=metric == ACCURACY)
    if marks is not None:
        traces.append(marks)
    title = f"{_esc(grid.model)}: {_esc(words or _label(metric))}"
    title += "; shaded: over a budget" if budgets else ""
    return Figure(traces, _layout(title, xs, ys, _y_ticks(grid), labels))


def _boundary(
    meets: numpy.ndarray, xs: Sequence[float], ys: Sequence[float]
) -> tuple[list[float | None], list[float | None]]:
    """The cell edges between cells that meet a budget and cells that do not, as one
    polyline with breaks (None): the budget's boundary, drawn on the cells' edges."""
    ex = _cell_edges(xs)
    ey = _cell_edges(ys)
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


def _cell_edges(values: Sequence[float]) -> list[float]:
    """Every cell's edges: midpoints between neighbours, half a step out at the ends."""
    if len(values) < 2:
        return list(_edges(values))
    mids = [(a + b) / 2 for a, b in zip(values, values[1:])]
    outer = _edges(values)
    return [outer[0], *mids, outer[1]]


def _budget_lines(
    budgets: Sequence[Budget],
    meets_each: Sequence[numpy.ndarray],
    a: slice,
    r: slice,
    xs: list[float],
    ys: list[int],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Each budget's boundary on a grid (``meets_each``: where each budget is met), and
    its label: an annotation on a white ground at the line's top right end, so no line
    strikes its text through."""
    traces: list[dict[str, Any]] = []
    labels: list[dict[str, Any]] = []
    if not meets_each:
        return traces, labels
    for b, (budget, meets) in enumerate(zip(budgets, meets_each)):
        m = meets[a, r]
        if m.all() or not m.any():  # no boundary inside the map
            continue
        px, py = _boundary(m, xs, [float(y) for y in ys])
        colour = _BOUNDARY_COLOURS[b % len(_BOUNDARY_COLOURS)]
        unit = " ms" if budget.kind.quantity == "ms" and budget.text[-1:].isdigit() else ""
        text = f"{budget.kind.short} <= {_esc(budget.text)}{unit}"
        traces.append(
            {
                "type": "scatter",
                "x": px,
                "y": py,
                "mode": "lines",
                "line": {"color": colour, "width": 3},
                "name": f"{text} (boundary)",
                "hoverinfo": "skip",
            }
        )
        ends = [(x, y) for x, y in zip(px, py) if x is not None and y is not None]
        x, y = max(ends, key=lambda p: (p[1], p[0]))
        at_right = x >= _cell_edges(xs)[-1]  # at the map's right edge: inside it, not past
        labels.append(
            {
                "x": x,
                "y": y,
                "text": text,
                "showarrow": False,
                "xanchor": "right" if at_right else "left",
                "yanchor": "bottom",
                "font": {"size": 12, "color": colour},
                "bgcolor": "rgba(255, 255, 255, 0.9)",
                "bordercolor": colour,
                "borderpad": 2,
            }
        )
    return traces, labels


def choose_figures(result: ChooseResult) -> list[Figure]:
    """One heatmap per model searched: estimated top-1, the configurations over a budget
    greyed, MAC contours, the released checkpoints and the numbered picks."""
    import numpy as np

    figures = []
    for k, (searched, grid, feasible) in enumerate(
        zip(result.searched, result.grids, result.feasible)
    ):
        label = searched.model  # the name the picks give it (a file's may differ from its graph's)
        if grid.size == 1:  # one released configuration (V3): the picks table says it all
            continue
        if result.budgets and not feasible.any():  # nothing to see: the notes say why
            continue
        a, r, xs, ys = _thinned(grid)
        goal = result.objective.metric
        shown = ACCURACY if goal == ACCURACY and grid.has(ACCURACY) else goal
        if not grid.has(shown):  # unranked (no top-1): map its MACs
            shown = "mult_adds"
        scale, unit, fmt = _unit(shown)
        if shown == ACCURACY:
            scale, unit, fmt = 1.0, "% top-1 (estimated)", ".1f"
        z = np.asarray(grid.array(shown)[a, r], dtype=float).T / scale
        z, bar, words = _colouring(z, shown, unit, fmt)
        traces = [_values(grid, a, r, xs, ys, z, bar, unit)]
        shade = _over_budget(feasible, a, r, xs, ys) if result.budgets else None
        if shade is not None:
            traces.append(shade)
        if shown == ACCURACY and np.isnan(z).any():  # say what a blank cell is
            traces.append(
                {
                    "type": "scatter",
                    "x": [None],
                    "y": [None],
                    "mode": "markers",
                    "marker": {"symbol": "square", "size": 14, "color": _NO_VALUE},
                    "name": "no top-1 (outside the checkpoints' range)",
                }
            )
        traces += _contours(grid, a, r, xs, ys)
        lines, labels = _budget_lines(
            result.budgets, result.meets[k] if result.meets else (), a, r, xs, ys
        )
        traces += lines
        edge = _published_edge(grid, a, r, xs, ys)
        if edge is not None:
            traces.append(edge)
        marks = _checkpoints(grid, label_top1=False)
        if marks is not None:
            traces.append(marks)
        picks = [c for c in result.candidates if c.model == label]
        if picks:
            traces.append(
                {
                    "type": "scatter",
                    "x": [float(c.alpha) for c in picks],
                    "y": [_y(grid, c.resolution) for c in picks],
                    "mode": "markers+text",
                    "text": [str(c.rank) for c in picks],
                    "textfont": {"size": 11, "color": "#111111"},
                    "textposition": "middle center",
                    "marker": {
                        "symbol": "circle",
                        "size": 20,
                        "color": "#ffd43b",
                        "line": {"width": 1.5, "color": "#111111"},
                    },
                    "name": "picks (rank)",
                    "hovertext": [
                        f"#{c.rank}: {_esc(c.model)} {multiplier_text(c.alpha)}/"
                        f"{resolution_text(c.resolution)}<br>"
                        + (f"top-1 {c.top1:.1f}% ({c.status})" if c.top1 is not None else "")
                        for c in picks
                    ],
                    "hoverinfo": "text",
                }
            )
        what = (
            "estimated top-1"
            if shown == ACCURACY
            else words
            if words
            else METRIC_LABELS[shown]
            if shown in METRIC_LABELS
            else shown
        )
        title = f"{_esc(label)}: {what}" + ("; shaded: over a budget" if result.budgets else "")
        figures.append(Figure(traces, _layout(title, xs, ys, _y_ticks(grid), labels)))
    return figures


_PICK_COLOURS = ("#1c7ed6", "#2f9e44", "#ae3ec9", "#e8590c", "#0c8599", "#c2255c")


def picks_figure(result: ChooseResult) -> Figure | None:
    """The picks side by side: top-1 against latency (with a device) or against the
    figure of the first budget (else MACs), each pick numbered by its rank, coloured by
    its model, a measured figure filled and an estimate open. None without picks that
    have a top-1."""
    picks = [c for c in result.candidates if c.top1 is not None]
    if not picks:
        return None
    if result.profile is not None:
        metric = LATENCY
    elif result.budgets:
        metric = result.budgets[0].metric
    else:
        metric = "mult_adds"
    scale, unit, _ = _unit(metric)
    if metric == LATENCY:
        unit = "latency in ms (measured or estimated)"
    traces: list[dict[str, Any]] = []
    models = list(dict.fromkeys(c.model for c in picks))
    for n, model in enumerate(models):
        mine = [c for c in picks if c.model == model]
        traces.append(
            {
                "type": "scatter",
                "x": [c.figures[metric] / scale for c in mine],
                "y": [c.top1 for c in mine],
                "mode": "markers+text",
                "text": [str(c.rank) for c in mine],
                "textposition": "top center",
                "marker": {
                    "size": 12,
                    "color": _PICK_COLOURS[n % len(_PICK_COLOURS)],
                    "symbol": ["circle" if c.status == "measured" else "circle-open" for c in mine],
                    "line": {"width": 2, "color": _PICK_COLOURS[n % len(_PICK_COLOURS)]},
                },
                "name": _esc(model),
                "hovertext": [
                    f"#{c.rank}: {_esc(c.model)} {multiplier_text(c.alpha)}/"
                    f"{resolution_text(c.resolution)}"
                    f"<br>top-1 {c.top1:.1f}% ({c.status})<br>{_esc(unit)}: "
                    f"{c.figures[metric] / scale:,.2f}"
                    for c in mine
                ],
                "hoverinfo": "text",
            }
        )
    layout: dict[str, Any] = {
        "template": plotly_template(),
        "title": {
            "text": f"The picks: top-1 against {_esc(unit)} (filled: measured top-1; open: "
            "estimated)",
            "x": 0.01,
            "xanchor": "left",
            "font": {"size": 16},
        },
        "font": {"family": _FONT, "size": 12},
        "height": 480,
        "margin": {"l": 70, "r": 30, "t": 60, "b": 60},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0.0},
        "xaxis": {"title": {"text": _esc(unit)}},
        "yaxis": {"title": {"text": "ImageNet top-1 %"}},
    }
    at = next((k for k, b in enumerate(result.budgets) if b.metric == metric), None)
    if at is not None:
        budget = result.budgets[at]
        colour = _BOUNDARY_COLOURS[at % len(_BOUNDARY_COLOURS)]  # as on the heatmaps
        ms = " ms" if budget.kind.quantity == "ms" and budget.text[-1:].isdigit() else ""
        x = float(budget.limit) / scale
        # The budget as a vertical line over the plot's height (its y in the axis's
        # domain, 0 to 1), labelled at its top right: what plotly's add_vline wrote.
        layout["shapes"] = [
            {
                "type": "line",
                "x0": x,
                "x1": x,
                "xref": "x",
                "y0": 0,
                "y1": 1,
                "yref": "y domain",
                "line": {"color": colour, "width": 2, "dash": "dash"},
            }
        ]
        layout["annotations"] = [
            {
                "text": f"{budget.kind.short} <= {_esc(budget.text)}{ms}",
                "font": {"color": colour},
                "bgcolor": "rgba(255, 255, 255, 0.9)",
                "showarrow": False,
                "x": x,
                "xanchor": "left",
                "xref": "x",
                "y": 1,
                "yanchor": "top",
                "yref": "y domain",
            }
        ]
    return Figure(traces, layout)


def _thinning_note(grids: Sequence[ExploreGrid]) -> list[str]:
    notes = []
    for grid in grids:
        sa, sr = _stride(len(grid.alphas)), _stride(len(grid.resolutions))
        if sa > 1 or sr > 1:
            notes.append(
                f"The heatmap of {grid.model} draws every {sa}th alpha and every "
                f"{sr}th resolution (at most {MAX_CELLS} of each); the tables and "
                "-f csv give every configuration."
            )
    return notes


def heatmap_page(
    figures: Sequence[FigureLike],
    grids: Sequence[ExploreGrid],
    title: str,
    intro: str = "",
    tables: Sequence[Table] = (),
    notes: Sequence[str] = (),
) -> str:
    """An offline HTML page: the title, a line of intro, the figures (``heatmap-0``,
    ``heatmap-1``, ...), tables, and notes (first, each thinned grid's)."""
    from mncost.present.export import figures_page

    return figures_page(
        {f"heatmap-{n}": fig for n, fig in enumerate(figures)},
        title,
        intro,
        [*_thinning_note(grids), *notes],
        tables,
    )
