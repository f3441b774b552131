"""Plotly figures: the Pareto plot of published results, and a cost-by-layer-type chart.

Drawing only: every figure is built from data prepared elsewhere
(:func:`mncost.analysis.pareto.pareto_data`, a :class:`~mncost.cost.result.CostResult`).
Every figure is plain data (:class:`~mncost.present.plotly_data.Figure`): plotly's Python
package is never imported, so a page costs no more than its own work. Text that
plotly shows (hover, labels) goes through :func:`_esc`: plotly reads a subset of HTML in
it, and a model or layer name must show as typed, never as markup.

The Pareto plot is meant to be read as a static image too: its cost axis carries named
ticks only (10M, 20M, 50M, ..., 1G), and the frontier's points, the highlights and the
named models get labels placed in pixels clear of each other, of the markers and of the
frontier's line. This module holds its traces and its layout; what each point is called
and how it is marked is :mod:`mncost.present.pareto_points`, the axes' ranges and ticks
:mod:`mncost.present.pareto_axes`, and where each label goes
:mod:`mncost.present.pareto_labels`.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mncost.analysis.pareto import HighlightPoint, ParetoData, PlottedPoint
from mncost.present.labels import Frame, text_width
from mncost.present.pareto_axes import accuracy_range, cost_range, cost_text, x_ticks
from mncost.present.pareto_labels import COVER_LABEL, Obstacle, label_annotations, plot_obstacles
from mncost.present.pareto_points import (
    FAMILY_COLOR,
    FAMILY_NAMES,
    HIGHLIGHT_COLOR,
    SOURCE_SYMBOL,
    VARIANT_SYMBOL,
    axis_words,
    group_name,
    highlight_hover,
    hover,
    is_variant,
    marker_size,
    pareto_title,
    point_label,
    source_name,
    subtitle_lines,
    tables_text,
)
from mncost.present.plotly_data import Figure
from mncost.present.style import FONT, PLOT_CONFIG, plot_text, plotly_template
from mncost.sources.points import DATASETS

if TYPE_CHECKING:
    from mncost.cost.result import CostResult

__all__ = [
    "FAMILY_NAMES",
    "FIGURE_HEIGHT",
    "FONT",
    "PAGE_WIDTH",
    "PLOT_CONFIG",
    "by_type_figure",
    "cost_text",
    "pareto_figure",
    "pareto_title",
    "plot_text",
    "plotly_template",
    "tables_text",
    "x_ticks",
]

_FONT = FONT

FIGURE_HEIGHT = 720
"""Height of the Pareto figure in CSS pixels, on a page and in an image (16:9 at 1280)."""
PAGE_WIDTH = 1000
"""The width labels are placed for when the figure has none of its own (an HTML page,
where it fills the page): measured in Chromium, the plot is 1,232 px wide in a 1,280 px
window and 972 px in a 1,000 px one. Placing for the narrower page keeps the labels
clear in both, as markers only move apart on a wider one."""

_esc = plot_text


# --- traces ----------------------------------------------------------------------------


def _published_traces(data: ParetoData) -> list[dict[str, Any]]:

    groups: dict[tuple[str, bool, str, str, bool], list[PlottedPoint]] = {}
    for plotted in data.points:
        p = plotted.point
        # With --cost computed, a point mncost cannot count stays at its published cost:
        # a trace of its own, an x in its marker, "published cost" in the legend.
        at_published = data.cost_basis == "computed" and plotted.x_basis != "mncost"
        groups.setdefault(
            (p.family, is_variant(p), source_name(p), p.precision, at_published), []
        ).append(plotted)
    order = list(FAMILY_NAMES)
    traces = []
    for (family, variant, source, precision, at_published), members in sorted(
        groups.items(), key=lambda kv: (order.index(kv[0][0]),) + kv[0][1:]
    ):
        symbol = (
            (VARIANT_SYMBOL if variant else SOURCE_SYMBOL.get(source, "diamond"))
            + ("-x" if at_published else "")
            + ("-open" if precision == "int8" else "")
        )
        traces.append(
            _scatter(
                x=[float(m.x) for m in members],
                y=[float(m.y) for m in members],
                mode="markers",  # names are annotations, placed clear of each other
                text=[_esc(point_label(m.point)) for m in members],
                name=group_name(family, source, precision, variant, at_published),
                marker={
                    "symbol": symbol,
                    "color": FAMILY_COLOR[family],
                    "size": marker_size(members[0].point) + (3 if at_published else 0),
                    # The line draws an open marker's outline and the "x" inside a
                    # marker: white on a filled one, the family's colour on an open one.
                    "line": {
                        "width": 1.2 if at_published or precision == "int8" else 1,
                        "color": "white" if precision == "float32" else FAMILY_COLOR[family],
                    },
                },
                hovertext=[hover(m, data) for m in members],
                hovertemplate="%{hovertext}<extra></extra>",
                meta={
                    "kind": "published",
                    "points": len(members),
                    "cost": "published"
                    if at_published or data.cost_basis == "published"
                    else "mncost",
                },
            )
        )
    return traces


def _frontier_trace(data: ParetoData) -> dict[str, Any]:

    members = [data.points[i] for i in data.frontier]
    # A staircase: the best accuracy reachable at a cost up to x.
    return _scatter(
        x=[float(m.x) for m in members],
        y=[float(m.y) for m in members],
        mode="lines",
        line={"color": "#555", "dash": "dash", "width": 1.5, "shape": "hv"},
        name=f"Pareto frontier ({len(members)} models)",
        hoverinfo="skip",
        meta={"kind": "frontier"},
    )


def _highlight_traces(
    highlights: Sequence[HighlightPoint], y_range: tuple[float, float]
) -> list[dict[str, Any]]:

    traces = []
    with_accuracy = [h for h in highlights if h.accuracy is not None]
    if with_accuracy:
        traces.append(
            _scatter(
                x=[float(h.x) for h in with_accuracy],
                y=[float(h.accuracy) for h in with_accuracy if h.accuracy is not None],
                mode="markers",
                marker={
                    "symbol": "star",
                    "size": 18,
                    "color": HIGHLIGHT_COLOR,
                    "line": {"width": 1, "color": "#fff"},
                },
                name="highlighted (mncost cost)",
                hovertext=[highlight_hover(h) for h in with_accuracy],
                hovertemplate="%{hovertext}<extra></extra>",
                meta={"kind": "highlight"},
            )
        )
    steps = 40  # vertices along the line, so hovering anywhere on it shows the text
    low, high = y_range
    for h in (h for h in highlights if h.accuracy is None):
        ys = [low + (high - low) * k / steps for k in range(steps + 1)]
        traces.append(
            _scatter(
                x=[float(h.x)] * len(ys),
                y=ys,
                mode="lines",
                line={"color": HIGHLIGHT_COLOR, "dash": "dot", "width": 2},
                name=f"{_esc(h.label)}: no published accuracy",
                hovertext=[highlight_hover(h)] * len(ys),
                hovertemplate="%{hovertext}<extra></extra>",
                meta={"kind": "highlight"},
            )
        )
    return traces


def _scatter(**trace: Any) -> dict[str, Any]:
    """A scatter trace as plain data: the figure is never validated (plotly's validators
    cost 100 ms to import on first use, and mncost writes every property itself)."""
    return {"type": "scatter", **trace}


_template = plotly_template


# --- the figure ------------------------------------------------------------------------


def _legend_rows(names: Sequence[str], width: float) -> int:
    # plotly lays a horizontal legend out in columns as wide as its widest entry, after
    # the legend title.
    if not names:
        return 0
    entry = 40 + max(text_width(n, 12) for n in names)
    columns = max(1, int((width - 110) // entry))
    return math.ceil(len(names) / columns)


def pareto_figure(
    data: ParetoData,
    log_x: bool = True,
    titled: bool = True,
    width: int | None = None,
    height: int | None = None,
) -> Figure:
    """Accuracy against cost: published points by family and source, the frontier, and
    the highlighted configurations, with the frontier, the highlights, the variants and
    the other models named on the plot (every point, on a COCO figure). The accuracy is
    the dataset's metric (top-1; mAP on COCO, its y axis "COCO mAP (%)"; mIoU on
    COCO-VOC), one per figure.

    ``titled=False`` leaves the title to the page. ``width`` and ``height`` (CSS px) fix
    the figure's size, as an exported image has it; by default the figure is
    ``FIGURE_HEIGHT`` tall and as wide as its page, and labels are placed for
    ``PAGE_WIDTH``.
    """
    fixed_width = width
    width, height = width or PAGE_WIDTH, height or FIGURE_HEIGHT
    y_range = accuracy_range(data)
    # A log axis has no place for a cost of 0 (a spec of pooling and softmax only):
    # such a highlight is named in a corner instead of drawn.
    drawn = [h for h in data.highlights if h.x > 0 or not log_x]
    # Traces and annotations are collected in lists, each written once (plotly's add_trace
    # and add_annotation re-validated what the figure held: 300 highlights took 30 s).
    traces = list(_published_traces(data))
    if data.frontier:
        traces.append(_frontier_trace(data))
    traces += _highlight_traces(drawn, y_range)
    notes: list[dict[str, Any]] = []
    x_range = cost_range([float(p.x) for p in data.points] + [float(h.x) for h in drawn], log_x)

    # The margins are set, not left to plotly, so the plot area is known and the labels
    # can be placed in pixels: room for the title, the tick labels and the legend.
    names = [str(t.get("name", "")) for t in traces if t.get("showlegend") is not False]
    axis_room = 58
    legend_height = 22 * _legend_rows(names, width) + 8
    # The subtitle's lines wrap to the figure's width (<sup> text: about 6.5 px a character).
    sublines = [
        part
        for line in subtitle_lines(data, interactive=False)
        for part in textwrap.wrap(line, max(40, int((width - 40) / 6.5)))
    ]
    margin = {
        "l": 70,
        "r": 30,
        "t": 64 + 18 * len(sublines) if titled else 36,
        "b": axis_room + legend_height,
    }
    frame = Frame(
        margin["l"],
        margin["t"],
        width - margin["l"] - margin["r"],
        height - margin["t"] - margin["b"],
        x_range,
        y_range,
        log_x,
    )

    off_axis = [h for h in data.highlights if log_x and h.x <= 0]
    obstacles = plot_obstacles(data, frame, drawn)
    if off_axis:
        what, _ = axis_words(data)
        lines = [f"{h.label}: 0 {what}, not drawn on the log scale" for h in off_axis]
        notes.append(
            dict(
                xref="paper",
                yref="paper",
                x=0.01,
                y=0.99,
                xanchor="left",
                yanchor="top",
                showarrow=False,
                align="left",
                font={"size": 12, "color": HIGHLIGHT_COLOR},
                text="<br>".join(_esc(line) for line in lines),
            )
        )
        obstacles.append(
            Obstacle(
                (
                    frame.left,
                    frame.top,
                    frame.left + 8 + max(text_width(line, 12) for line in lines),
                    frame.top + 8 + 16 * len(lines),
                ),
                COVER_LABEL,
            )
        )
    for h in drawn:
        if h.accuracy is None:  # name the dotted line where it meets the top of the plot
            notes.append(
                dict(
                    x=frame.axis_x(float(h.x)),
                    y=y_range[1],
                    text=_esc(h.label),
                    showarrow=False,
                    yanchor="bottom",
                    name="highlight",
                    font={"size": 11, "color": HIGHLIGHT_COLOR},
                )
            )
    notes += label_annotations(data, drawn, frame, obstacles)

    dataset = DATASETS[data.dataset]
    title, _ = pareto_title(data, interactive=False)
    subtitle = "<br>".join(f"<sup>{_esc(line)}</sup>" for line in sublines)
    ticks = x_ticks(x_range, log_x)
    x_title = ("Mult-adds (MACs)" if data.x_axis == "mult_adds" else "Parameters") + (
        ", log scale" if log_x else ""
    )
    layout: dict[str, Any] = {
        "template": _template(),
        "annotations": notes,
        "title": {
            "text": f"{_esc(title)}<br>{subtitle}" if titled else "",
            "x": 0.01,
            "xanchor": "left",
        },
        "height": height,
        "hovermode": "closest",
        "margin": margin,
        "legend": {
            "title": {"text": "family, source:"},
            "itemsizing": "constant",
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": -axis_room / frame.height,
            "yanchor": "top",
        },
        # Named ticks only (10M, 20M, 50M, 100M, ..., 1G): plotly's own log ticks label
        # the minor ones with bare digits ("2", "5").
        "xaxis": {
            "title": {"text": x_title},
            "type": "log" if log_x else "linear",
            "range": list(x_range),
            "tickmode": "array",
            "tickvals": [float(v) for v in ticks],
            "ticktext": [cost_text(v) for v in ticks],
            "showgrid": True,
            "zeroline": False,
        },
        "yaxis": {
            "title": {"text": data.metric.axis.format(dataset=dataset)},
            "range": list(y_range),
        },
        "font": {"family": _FONT},
    }
    if fixed_width is not None:
        layout["width"] = fixed_width
    return Figure(traces, layout)


def by_type_figure(result: CostResult) -> Figure:
    """Share of mult-adds and of parameters per layer type (the paper's Table 2), as bars."""
    rows = list(reversed(result.by_type))  # largest at the top of a horizontal bar chart
    types = [_esc(r.type) for r in rows]
    bars = [
        {
            "type": "bar",
            "y": types,
            "x": [float(share) * 100 for share in shares],
            "orientation": "h",
            "name": name,
            "marker": {"color": color},
            "hovertext": [f"{_esc(r.type)}: {n:,} {unit}" for r, n in zip(rows, counts)],
            "hovertemplate": "%{hovertext} (%{x:.2f}%)<extra></extra>",
        }
        for name, color, unit, shares, counts in (
            (
                "% of mult-adds (MACs)",
                "#1f77b4",
                "MACs",
                [r.mult_adds_share for r in rows],
                [r.mult_adds for r in rows],
            ),
            (
                "% of params",
                "#ff7f0e",
                "params",
                [r.params_share for r in rows],
                [r.params for r in rows],
            ),
        )
    ]
    layout: dict[str, Any] = {
        "template": _template(),
        "title": {"text": "Share of the cost by layer type", "x": 0.01, "xanchor": "left"},
        "barmode": "group",
        "height": 120 + 70 * max(len(rows), 1),
        "margin": {"l": 20, "r": 30, "t": 60, "b": 50},
        "xaxis": {"title": {"text": "% of the total"}, "range": [0, 100]},
        "yaxis": {"automargin": True, "ticksuffix": "  "},
        "legend": {"orientation": "h", "y": -0.25},
        "font": {"family": _FONT},
    }
    if not rows:  # every layer costs 0 (pooling and softmax only): say so, not a blank
        layout["annotations"] = [
            {
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "showarrow": False,
                "text": "No layer type has any mult-adds or params: nothing to chart.",
            }
        ]
        layout["yaxis"]["visible"] = False
    return Figure(bars, layout)
