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
are reports in parts (:func:`mncost.present.export.figures_report`), which the format
table renders: in HTML with plotly.js inline, so they open offline. The cells and their
colouring are :mod:`mncost.present.heatmap_cells`, the traces over them
:mod:`mncost.present.heatmap_layers`; this module puts them together.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mncost.analysis.explore import ACCURACY, LATENCY, METRIC_LABELS, ExploreGrid
from mncost.cost.scaling import multiplier_text, resolution_text
from mncost.present.export import figures_report
from mncost.present.heatmap_cells import (
    BOUNDARY_COLOURS,
    MAX_CELLS,
    NO_VALUE,
    UNITS,
    colouring,
    heatmap_layout,
    metric_label,
    stride,
    thinned,
    unit_of,
    y_of,
    y_ticks,
)
from mncost.present.heatmap_layers import (
    budget_lines,
    checkpoint_marks,
    contours,
    over_budget,
    published_edge,
    value_heatmap,
)
from mncost.present.model import Report
from mncost.present.plotly_data import Figure, FigureLike
from mncost.present.render import render
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
    "heatmap_report",
    "picks_figure",
    "sweep_figure",
]


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

    a, r, xs, ys = thinned(grid)
    scale, unit, fmt = unit_of(metric)
    z = np.asarray(grid.array(metric)[a, r], dtype=float).T / scale
    z, bar, words = colouring(z, metric, unit, fmt)
    traces = [value_heatmap(grid, a, r, xs, ys, z, bar, _esc(unit))]
    traces += contours(grid, a, r, xs, ys)
    edge = published_edge(grid, a, r, xs, ys)
    if edge is not None:
        traces.append(edge)
    if budgets:
        feasible = np.ones(grid.shape, dtype=bool)
        for m in meets:
            feasible &= m
        shade = over_budget(feasible, a, r, xs, ys)
        if shade is not None:
            traces.append(shade)
    lines, labels = budget_lines(budgets, meets, a, r, xs, ys)
    traces += lines
    marks = checkpoint_marks(grid, label_top1=metric == ACCURACY)
    if marks is not None:
        traces.append(marks)
    title = f"{_esc(grid.model)}: {_esc(words or metric_label(metric))}"
    title += "; shaded: over a budget" if budgets else ""
    return Figure(traces, heatmap_layout(title, xs, ys, y_ticks(grid), labels))


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
        a, r, xs, ys = thinned(grid)
        goal = result.objective.metric
        shown = ACCURACY if goal == ACCURACY and grid.has(ACCURACY) else goal
        if not grid.has(shown):  # unranked (no top-1): map its MACs
            shown = "mult_adds"
        scale, unit, fmt = unit_of(shown)
        if shown == ACCURACY:
            scale, unit, fmt = 1.0, "% top-1 (estimated)", ".1f"
        z = np.asarray(grid.array(shown)[a, r], dtype=float).T / scale
        z, bar, words = colouring(z, shown, unit, fmt)
        traces = [value_heatmap(grid, a, r, xs, ys, z, bar, unit)]
        shade = over_budget(feasible, a, r, xs, ys) if result.budgets else None
        if shade is not None:
            traces.append(shade)
        if shown == ACCURACY and np.isnan(z).any():  # say what a blank cell is
            traces.append(
                {
                    "type": "scatter",
                    "x": [None],
                    "y": [None],
                    "mode": "markers",
                    "marker": {"symbol": "square", "size": 14, "color": NO_VALUE},
                    "name": "no top-1 (outside the checkpoints' range)",
                }
            )
        traces += contours(grid, a, r, xs, ys)
        lines, labels = budget_lines(
            result.budgets, result.meets[k] if result.meets else (), a, r, xs, ys
        )
        traces += lines
        edge = published_edge(grid, a, r, xs, ys)
        if edge is not None:
            traces.append(edge)
        marks = checkpoint_marks(grid, label_top1=False)
        if marks is not None:
            traces.append(marks)
        picks = [c for c in result.candidates if c.model == label]
        if picks:
            traces.append(
                {
                    "type": "scatter",
                    "x": [float(c.alpha) for c in picks],
                    "y": [y_of(grid, c.resolution) for c in picks],
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
        figures.append(Figure(traces, heatmap_layout(title, xs, ys, y_ticks(grid), labels)))
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
    scale, unit, _ = unit_of(metric)
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
        colour = BOUNDARY_COLOURS[at % len(BOUNDARY_COLOURS)]  # as on the heatmaps
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
                "text": f"{budget.kind.short} <= {_esc(budget.with_unit)}",
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


def _every(step: int, what: str) -> str:
    return f"every {what}" if step == 1 else f"one {what} in {step}"


def _thinning_note(grids: Sequence[ExploreGrid]) -> list[str]:
    notes = []
    for grid in grids:
        sa, sr = stride(len(grid.alphas)), stride(len(grid.resolutions))
        if sa > 1 or sr > 1:
            notes.append(
                f"The heatmap of {grid.model} draws {_every(sa, 'alpha')} and "
                f"{_every(sr, 'resolution')} (at most {MAX_CELLS} of each); the tables and "
                "-f csv give every configuration."
            )
    return notes


def heatmap_report(
    figures: Sequence[FigureLike],
    grids: Sequence[ExploreGrid],
    title: str,
    intro: str = "",
    tables: Sequence[Table] = (),
    notes: Sequence[str] = (),
) -> Report:
    """A heatmap page as a report in parts (:func:`~mncost.present.export.figures_report`):
    the intro, the figures (``heatmap-0``, ``heatmap-1``, ...), tables, and notes (first,
    each thinned grid's)."""
    return figures_report(
        {f"heatmap-{n}": fig for n, fig in enumerate(figures)},
        title,
        intro,
        [*_thinning_note(grids), *notes],
        tables,
    )


def heatmap_page(
    figures: Sequence[FigureLike],
    grids: Sequence[ExploreGrid],
    title: str,
    intro: str = "",
    tables: Sequence[Table] = (),
    notes: Sequence[str] = (),
) -> str:
    """:func:`heatmap_report` as one offline HTML page."""
    return render(heatmap_report(figures, grids, title, intro, tables, notes), "html")
