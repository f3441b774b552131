"""The traces drawn over a heatmap's cells: a figure's values (every figure of a cell in
its hover text), lines of equal mult-adds, the edge of the published grid, the released
checkpoints, the shading of the cells over a budget and each budget's boundary with its
label. Plain data (trace dicts, numpy arrays left in them); cut from
:mod:`mncost.present.heatmap`, which puts them together into figures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mncost.analysis.explore import ACCURACY, LATENCY, LATENCY_ESTIMATE, LATENCY_STATUS, ExploreGrid
from mncost.cost.scaling import multiplier_text, resolution_text
from mncost.present.heatmap_cells import (
    BOUNDARY_COLOURS,
    INFEASIBLE,
    boundary,
    cell_edges,
    is_square,
    unit_of,
    viridis,
    y_of,
)
from mncost.present.style import plot_text as _esc

if TYPE_CHECKING:
    import numpy

    from mncost.analysis.choose import Budget

__all__ = [
    "budget_lines",
    "checkpoint_marks",
    "contours",
    "over_budget",
    "published_edge",
    "value_heatmap",
]


def _nice_step(span: float, parts: int = 6) -> float:
    """A round contour spacing (1, 2, 2.5 or 5 times a power of ten) near span / parts."""
    if span <= 0:
        return 1.0
    raw = span / parts
    power = 10 ** math.floor(math.log10(raw))
    return float(next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw))


def contours(
    grid: ExploreGrid, a: slice, r: slice, xs: list[float], ys: list[int]
) -> list[dict[str, Any]]:
    """Lines of equal mult-adds, labelled in millions: a white line over a dark one, so
    that they read over the dark and the light end of the colour scale alike."""
    if "mult_adds" not in grid.counts or len(xs) < 2 or len(ys) < 2:
        return []
    if not is_square(grid):  # rows evenly spaced by size, not pixels: no line between them
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


def published_edge(
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
                scale, unit, fmt = unit_of(name)
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


def checkpoint_marks(grid: ExploreGrid, label_top1: bool) -> dict[str, Any] | None:
    """The released checkpoints inside the grid: open circles, labelled with their
    published top-1 on a top-1 heatmap (dark text on the light end of the scale)."""
    import numpy as np

    lo_a, hi_a = float(grid.alphas[0]), float(grid.alphas[-1])
    if is_square(grid):
        lo_r, hi_r = grid.resolutions[0], grid.resolutions[-1]
        inside = [c for c in grid.checkpoints if lo_r <= c.resolution <= hi_r]  # type: ignore[operator]
    else:  # only where the axis has its size
        inside = [c for c in grid.checkpoints if y_of(grid, c.resolution) is not None]
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
        "y": [y_of(grid, c.resolution) for c in shown],
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


def over_budget(
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
        "colorscale": [[0, INFEASIBLE], [1, INFEASIBLE]],
        "showscale": False,
        "hoverinfo": "skip",
        "name": "over a budget",
        "showlegend": True,
    }


def value_heatmap(
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
        "colorscale": viridis(),
        "hoverongaps": False,
        "colorbar": bar,
        "hovertext": _hover(grid, a, r),
        "hoverinfo": "text",
        "name": name,
    }


def budget_lines(
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
        px, py = boundary(m, xs, [float(y) for y in ys])
        colour = BOUNDARY_COLOURS[b % len(BOUNDARY_COLOURS)]
        text = f"{budget.kind.short} <= {_esc(budget.with_unit)}"
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
        at_right = x >= cell_edges(xs)[-1]  # at the map's right edge: inside it, not past
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
