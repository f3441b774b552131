"""The memory profile: the bytes live at every op, as a step chart (MCUNetV2's Figure 1).

Lin et al., "MCUNetV2: Memory-Efficient Patch-based Inference for Tiny Deep Learning"
(NeurIPS 2021, arXiv:2110.15352), Figure 1 draws MobileNetV2's activation memory op by
op: a few early ops far above the rest, and the patch-based schedule flattening them.
:func:`memory_figure` draws the same for any model, from the
:class:`~mncost.cost.memory.MemoryResult` objects it is handed (it counts nothing):

- one step per op that runs (an auxiliary head's ops do not run and are left out), in
  execution order: op k's step spans x = k - 0.5 to k + 0.5, at its live bytes in KiB
  (past :mod:`~mncost.present.memory_steps`' ``_MAX_STEPS`` ops, one step per run of
  consecutive ops, at their most);
- each result one trace (layer by layer and patch-based overlaid), its peak op marked
  and named, and the patch stage shaded;
- a budget, if given, as a dashed horizontal line; a peak over it says by how much.

The figure is plain data (:class:`~mncost.present.plotly_data.Figure`): plotly's Python
package is never imported. Every name
that came from a user (a model's, an op's, a block's, a trace's label) is escaped before
plotly sees it: plotly reads a subset of HTML in its text. Labels are placed in pixels
for the figure's size (an image) or for a page 720 px wide (a page's plot fills the
page: on a wider one they only move apart), clear of each other and of the lines.

The modules: :mod:`~mncost.present.memory_steps` (each result as steps, the title),
:mod:`~mncost.present.memory_labels` (the labels' pixels and placement),
:mod:`~mncost.present.memory_traces` (the traces, hover text and ticks) and this one,
which lays them out in one figure (:func:`memory_figure`).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any

from mncost.cost.memory import MemoryResult
from mncost.present.labels import Box, Frame, outside, overlap, text_width
from mncost.present.memory_labels import LABEL_SIZE, Obstacle, label_text, line_boxes, place
from mncost.present.memory_steps import KIB, kib_text, memory_title, name_html, series_of, stepped
from mncost.present.memory_traces import (
    DARK,
    OVER,
    TICK_SIZE,
    block_ticks,
    hover_trace,
    memory_trace,
    peak_lines,
    peak_trace,
)
from mncost.present.plotly_data import Figure
from mncost.present.style import FONT as _FONT
from mncost.present.style import plot_text as _esc
from mncost.present.style import plotly_template

__all__ = ["FIGURE_HEIGHT", "memory_figure", "memory_title"]

FIGURE_HEIGHT = 620
"""Height of the chart on a page, in CSS pixels (an image is 1280 x 720 unless told)."""
_PLACED_WIDTH = 720
"""The figure width labels and ticks are placed for when the figure has none of its own
(a page's plot is as wide as the page, at most 72em: 1,008 px)."""
_STAGE_FILL = "rgba(255, 127, 14, 0.09)"
_OFF_CHART = 4
"""A budget more than this many times the highest live bytes is named, not drawn: the
chart would be a flat line at the bottom."""


def _line_height(size: int, lines: Sequence[str]) -> int:
    """The height in px of ``lines`` of text at ``size`` px, as plotly sets them."""
    return math.ceil(len(lines) * size * 1.3) + 4 if lines else 0


def memory_figure(
    results: Sequence[tuple[str, MemoryResult]],
    budget: int | None = None,
    titled: bool = True,
    width: int | None = None,
    height: int | None = None,
) -> Figure:
    """The live activation bytes at every op, one step chart per (label, result), each
    peak marked and named, the patch stage shaded, and ``budget`` (bytes) as a dashed
    horizontal line.

    ``titled=False`` leaves the title to the page. ``width`` and ``height`` (CSS px) fix
    the figure's size, as an exported image has it; by default it is ``FIGURE_HEIGHT``
    tall and as wide as its page.
    """
    drawn = stepped([series_of(label, result) for label, result in results])
    many = len(drawn) > 1
    fig_width = width or _PLACED_WIDTH
    fig_height = height or FIGURE_HEIGHT
    n = max((len(s.ops) for s in drawn), default=0)
    highest = max((op.live_bytes for s in drawn for op in s.ops), default=0)
    highest = max([highest] + [s.result.peak.bytes for s in drawn])
    budget_drawn = budget is not None and (highest == 0 or budget <= _OFF_CHART * highest)
    top = max(highest, budget if budget is not None and budget_drawn else 0) / KIB
    y_range = (0.0, top * 1.16 if top > 0 else 1.0)
    pad = max(0.3, 0.01 * n)
    x_range = (0.5 - pad, n + 0.5 + pad)

    title, subtitle = memory_title(results)
    # The title at 17 px (about 8.5 px a character), the subtitle at 12 (about 6.3):
    # each wraps to the figure's width.
    titlelines = textwrap.wrap(title, max(30, int((fig_width - 24) / 8.5)))
    sublines = textwrap.wrap(subtitle, max(40, int((fig_width - 24) / 6.3)))
    stages = [s for s in drawn if s.stage_end is not None]
    stage_room = 22 if stages else 0
    margin = {
        "l": 72,
        "r": 24,
        "t": (20 + _line_height(17, titlelines) + _line_height(12, sublines) if titled else 16)
        + stage_room,
        "b": 64 + (30 if many else 0),
    }
    frame = Frame(
        margin["l"],
        margin["t"],
        fig_width - margin["l"] - margin["r"],
        fig_height - margin["t"] - margin["b"],
        x_range,
        y_range,
    )

    traces = [memory_trace(s, i, many) for i, s in enumerate(drawn)]
    over = {i: budget is not None and s.result.peak.bytes > budget for i, s in enumerate(drawn)}
    traces += [peak_trace(s, i, over[i]) for i, s in enumerate(drawn) if s.peak_at is not None]
    if n:
        traces.append(hover_trace(drawn))
    shapes: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    taken: list[Obstacle] = [(b, 1.0) for s in drawn for b in line_boxes(s, frame)]

    for s in stages:  # the patch stage: shaded, named above the plot
        end = s.stage_end
        stage = s.result.stage
        assert end is not None and stage is not None
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": 0.5,
                "x1": end + 0.5,
                "y0": 0,
                "y1": 1,
                "fillcolor": _STAGE_FILL,
                "line": {"width": 0},
                "layer": "below",
                "name": "patch stage",
            }
        )
        notes.append(
            {
                "xref": "x",
                "yref": "paper",
                "x": 0.5,
                "y": 1,
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "name": "patch stage",
                "text": f"patch stage: {'op 1' if end == 1 else f'ops 1-{end}'}, "
                f"{stage.grid[0]}x{stage.grid[1]} patches "
                f"up to {name_html(stage.split)}",
                "font": {"size": TICK_SIZE, "color": DARK[1]},
            }
        )

    if budget is not None and budget_drawn:
        y = budget / KIB
        shapes.append(
            {
                "type": "line",
                "xref": "paper",
                "yref": "y",
                "x0": 0,
                "x1": 1,
                "y0": y,
                "y1": y,
                "line": {"color": OVER, "width": 1.6, "dash": "dash"},
                "name": "budget",
            }
        )
        text = f"budget {kib_text(budget)}"
        box_size = label_text(((text, text),), TICK_SIZE)
        _, py = frame.px(0, y)
        line_box = (frame.left, py - 2, frame.left + frame.width, py + 2)
        # At the right end of the line, above it, unless a line is there: then the left
        # end, or below the line.
        best: tuple[float, dict[str, Any], Box] | None = None
        for side, sign in (("right", -1), ("left", -1), ("right", 1), ("left", 1)):
            x0 = (
                frame.left + frame.width - box_size.width - 4 if side == "right" else frame.left + 4
            )
            y0 = py - box_size.height if sign < 0 else py
            box = (x0, y0, x0 + box_size.width, y0 + box_size.height)
            cost = sum(w * overlap(box, b) for b, w in taken) + 20 * outside(box, frame.box)
            if best is None or cost < best[0] - 1:
                best = (
                    cost,
                    {
                        "xref": "paper",
                        "yref": "y",
                        "x": 1 if side == "right" else 0,
                        "y": y,
                        "xanchor": side,
                        "yanchor": "bottom" if sign < 0 else "top",
                        "showarrow": False,
                        "name": "budget",
                        "text": text,
                        "font": {"size": TICK_SIZE, "color": OVER},
                        "bgcolor": "rgba(255,255,255,0.85)",
                    },
                    box,
                )
        assert best is not None
        notes.append(best[1])
        # A label may cross the dashed line (it has a white ground), at a small cost.
        taken += [(best[2], 3.0), (line_box, 0.1)]
    elif budget is not None:  # far above the data: named in a corner, not drawn
        text = (
            f"budget {kib_text(budget)}: above the chart (every peak fits)"
            if all(not v for v in over.values())
            else f"budget {kib_text(budget)}: above the chart"
        )
        notes.append(
            {
                "xref": "paper",
                "yref": "paper",
                "x": 1,
                "y": 1,
                "xanchor": "right",
                "yanchor": "top",
                "showarrow": False,
                "name": "budget",
                "text": text,
                "font": {"size": TICK_SIZE, "color": OVER},
            }
        )
        w = text_width(text, TICK_SIZE) + 8
        corner = (frame.left + frame.width - w, frame.top, frame.left + frame.width, frame.top + 20)
        taken.append((corner, 3.0))

    for s in drawn:  # markers first: no label covers another's marker
        if s.peak_at is not None:
            x, y = frame.px(s.peak_at, s.result.peak.bytes / KIB)
            taken.append(((x - 8, y - 8, x + 8, y + 8), 3.0))
    for i, s in enumerate(drawn):
        if s.peak_at is None:
            continue
        peak = s.result.peak
        label = label_text(peak_lines(s, budget, many))
        point = frame.px(s.peak_at, peak.bytes / KIB)
        dx, dy, box = place(point, label, frame, taken)
        taken.append(((box[0] - 3, box[1] - 3, box[2] + 3, box[3] + 3), 3.0))
        color = OVER if over[i] else DARK[i % len(DARK)]
        notes.append(
            {
                "x": s.peak_at,
                "y": peak.bytes / KIB,
                "text": label.html,
                "name": "peak",
                "showarrow": True,
                "ax": dx,
                "ay": dy,
                "arrowhead": 0,
                "arrowwidth": 1,
                "arrowcolor": color,
                "standoff": 6,
                "xanchor": "center",
                "yanchor": "middle",
                "align": "left",
                "font": {"size": LABEL_SIZE, "color": color},
                "bgcolor": "rgba(255,255,255,0.92)",
                "bordercolor": color,
                "borderpad": 3,
            }
        )
    if not any(s.ops for s in drawn):
        notes.append(
            {
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "showarrow": False,
                "name": "empty",
                "text": "No op runs: the peak is the network's input alone.",
            }
        )

    peaks = [s.peak_at for s in drawn if s.peak_at is not None]
    ticks, tick_text = block_ticks(drawn[0], frame.width, x_range, peaks) if drawn else ([], [])
    if titled:
        # Annotations, not plotly's title: plotly anchors a title of several lines by its
        # first line, so a wrapped one runs off the top; an annotation's box is whole.
        for name, lines, size, color, shift in (
            ("subtitle", sublines, 12, "#4a5260", stage_room + 4),
            ("title", titlelines, 17, "#2a3f5f", stage_room + 8 + _line_height(12, sublines)),
        ):
            notes.append(
                {
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0,
                    "y": 1,
                    "xanchor": "left",
                    "yanchor": "bottom",
                    "xshift": 12 - margin["l"],
                    "yshift": shift,
                    "align": "left",
                    "showarrow": False,
                    "name": name,
                    "text": "<br>".join(_esc(line) for line in lines),
                    "font": {"size": size, "color": color},
                }
            )
    layout: dict[str, Any] = {
        "template": plotly_template(),
        "title": {"text": ""},
        "height": fig_height,
        "margin": margin,
        "hovermode": "x",
        "hoverdistance": -1,
        "spikedistance": -1,
        "hoverlabel": {
            "bgcolor": "white",
            "bordercolor": "#888",
            "font": {"color": "#1b1f24", "size": 12},
            "align": "left",
        },
        "showlegend": many,
        "legend": {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": -56 / max(frame.height, 1),
            "yanchor": "top",
        },
        "xaxis": {
            "title": {
                "text": "Op, in execution order (ticks: where each block starts)"
                + (
                    f"; each step: {drawn[0].per} ops, at the most any of them holds"
                    if drawn and drawn[0].per > 1
                    else ""
                )
            },
            "range": list(x_range),
            "tickmode": "array",
            "tickvals": ticks,
            "ticktext": tick_text,
            "tickangle": 0,
            "tickfont": {"size": TICK_SIZE},
            "showgrid": True,
            "zeroline": False,
            "showspikes": True,
            "spikemode": "across",
            "spikesnap": "data",
            "spikethickness": 1,
            "spikedash": "dot",
            "spikecolor": "#888",
        },
        "yaxis": {
            "title": {"text": "Live activation memory, KiB (1,024 bytes)"},
            "range": list(y_range),
            "tickformat": ",~r",
            "rangemode": "tozero",
        },
        "shapes": shapes,
        "annotations": notes,
        "font": {"family": _FONT},
    }
    if width is not None:
        layout["width"] = width
    return Figure(traces, layout)
