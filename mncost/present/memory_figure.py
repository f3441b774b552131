"""The memory profile: the bytes live at every op, as a step chart (MCUNetV2's Figure 1).

Lin et al., "MCUNetV2: Memory-Efficient Patch-based Inference for Tiny Deep Learning"
(NeurIPS 2021, arXiv:2110.15352), Figure 1 draws MobileNetV2's activation memory op by
op: a few early ops far above the rest, and the patch-based schedule flattening them.
:func:`memory_figure` draws the same for any model, from the
:class:`~mncost.cost.memory.MemoryResult` objects it is handed (it counts nothing):

- one step per op that runs (an auxiliary head's ops do not run and are left out), in
  execution order: op k's step spans x = k - 0.5 to k + 0.5, at its live bytes in KiB
  (past ``_MAX_STEPS`` ops, one step per run of consecutive ops, at their most);
- each result one trace (layer by layer and patch-based overlaid), its peak op marked
  and named, and the patch stage shaded;
- a budget, if given, as a dashed horizontal line; a peak over it says by how much.

The figure is plain data (:class:`~mncost.present.plotly_data.Figure`): plotly's Python
package is never imported. Every name
that came from a user (a model's, an op's, a block's, a trace's label) is escaped before
plotly sees it: plotly reads a subset of HTML in its text. Labels are placed in pixels
for the figure's size (an image) or for a page 720 px wide (a page's plot fills the
page: on a wider one they only move apart), clear of each other and of the lines.
"""

from __future__ import annotations

import bisect
import html
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from mncost.cost.memory import MemoryResult, OpMemory
from mncost.cost.scaling import input_text, multiplier_text
from mncost.present.labels import Box, Frame, outside, overlap, text_width
from mncost.present.numbers import fixed
from mncost.present.plotly_data import Figure
from mncost.present.style import FONT as _FONT
from mncost.present.style import plot_text as _esc
from mncost.present.style import plotly_template
from mncost.text import shorten

__all__ = ["FIGURE_HEIGHT", "memory_figure", "memory_title"]

KIB = 1024
FIGURE_HEIGHT = 620
"""Height of the chart on a page, in CSS pixels (an image is 1280 x 720 unless told)."""
_PLACED_WIDTH = 720
"""The figure width labels and ticks are placed for when the figure has none of its own
(a page's plot is as wide as the page, at most 72em: 1,008 px)."""

_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2")
_DARK = ("#135482", "#a34f00", "#1b6e1b", "#5f3a86", "#5a372f", "#93407a")
"""Label text in each trace's colour, darkened so 12 px text reads on white."""
_OVER = "#c62828"
"""The budget, and a peak over it."""
_STAGE_FILL = "rgba(255, 127, 14, 0.09)"
_NAME_LIMIT = 40
"""A name in a label or the title is cut to this many characters."""
_TICK_LIMIT = 16
"""A tick's name is cut to this many characters."""
_TICK_SIZE = 11
_LABEL_SIZE = 12
_MAX_GRID_TICKS = 80
"""Block boundaries get a grid line each up to this many; past it, the labelled ones only."""
_MAX_STEPS = 2000
"""At most this many steps per trace: past it, each step is a run of consecutive ops
drawn at the most any of them holds (100,000 ops are 2,000 steps of 50; a page's plot
is about 600 px wide, so op by op each would be a fiftieth of a pixel). The peak, the
largest of them all, is drawn exactly."""
_OFF_CHART = 4
"""A budget more than this many times the highest live bytes is named, not drawn: the
chart would be a flat line at the bottom."""

_Box = Box
_Obstacle = tuple[_Box, float]
"""What a label should not cover, and what covering a px of it costs."""


def _name(text: str, limit: int = _NAME_LIMIT) -> str:
    """User text for a label: controls escaped, cut, then HTML-escaped for plotly."""
    return html.escape(shorten(text, limit), quote=False)


def _kib(value: int) -> str:
    return f"{fixed(value, KIB, 1)} KiB"


def _line_height(size: int, lines: Sequence[str]) -> int:
    """The height in px of ``lines`` of text at ``size`` px, as plotly sets them."""
    return math.ceil(len(lines) * size * 1.3) + 4 if lines else 0


# --- what is drawn ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Series:
    """One result as drawn: the ops that run, numbered 1, 2, ... in execution order."""

    label: str
    result: MemoryResult
    ops: tuple[OpMemory, ...]
    index: tuple[int, ...]
    """Each drawn op's index in the program (its place in ``result.layers``)."""
    peak_at: int | None
    """The x of the peak op (1-based), None when no op runs."""
    per: int = 1
    """Ops per step: 1, or past ``_MAX_STEPS`` ops, as many as keep the steps within it."""

    @property
    def steps(self) -> list[tuple[int, int, int]]:
        """Each step: its first and last op's x (1-based) and the most they hold."""
        per, ops = self.per, self.ops
        if per == 1:
            return [(k, k, op.live_bytes) for k, op in enumerate(ops, start=1)]
        return [
            (k, min(k + per - 1, len(ops)), max(op.live_bytes for op in ops[k - 1 : k - 1 + per]))
            for k in range(1, len(ops) + 1, per)
        ]

    @property
    def stage_end(self) -> int | None:
        """The x of the patch stage's last op that runs (None without a patch stage)."""
        stage = self.result.stage
        if stage is None:
            return None
        inside = [k for k, i in enumerate(self.index, start=1) if i <= stage.split_op]
        return inside[-1] if inside else None


def _series(label: str, result: MemoryResult) -> _Series:
    running = [(i, op) for i, op in enumerate(result.layers) if not op.aux]
    names = [op.name for _, op in running]
    peak_at = names.index(result.peak.layer) + 1 if result.peak.layer in names else None
    return _Series(
        label,
        result,
        tuple(op for _, op in running),
        tuple(i for i, _ in running),
        peak_at,
    )


def _stepped(drawn: list[_Series]) -> list[_Series]:
    # One number of ops per step for every trace, so that their steps line up.
    n = max((len(s.ops) for s in drawn), default=0)
    per = max(1, -(-n // _MAX_STEPS))
    return drawn if per == 1 else [replace(s, per=per) for s in drawn]


def _config(result: MemoryResult) -> str:
    return (
        f"{shorten(result.model, _NAME_LIMIT)}, alpha {multiplier_text(result.alpha)}, "
        f"{input_text(result.resolution)}, {result.dtype}"
    )


def _schedules(results: Sequence[tuple[str, MemoryResult]]) -> str:
    """The executions in words: their shared choices once, then each trace's schedule
    ("int8, depthwise convs in place: layer by layer vs patch-based up to block_4 (4x4
    patches, input held whole)"), or each trace's in full when they differ otherwise."""
    described = [r.execution.describe() for _, r in results]
    shared = {r.execution.layer_by_layer() for _, r in results}
    if len(results) > 1 and len(shared) == 1:
        common = shared.pop().describe().removesuffix(", layer by layer")
        if all(d.startswith(common + ", ") for d in described):
            return f"{common}: " + " vs ".join(d[len(common) + 2 :] for d in described)
    if len(results) == 1:
        return described[0]
    return "; ".join(
        f"{shorten(label, _NAME_LIMIT)}: {d}" for (label, _), d in zip(results, described)
    )


def memory_title(results: Sequence[tuple[str, MemoryResult]]) -> tuple[str, str]:
    """The chart's title and subtitle, plain text (escape before showing them as HTML).

    The title names the model, alpha, resolution and dtype and what is overlaid; the
    subtitle, the execution (:meth:`~mncost.cost.execution.Execution.describe`).
    """
    configs = list(dict.fromkeys(_config(r) for _, r in results))
    title = "Activation memory op by op: " + (" vs ".join(configs) or "nothing")
    if len(results) > 1:
        title += ", " + " vs ".join(shorten(label, _NAME_LIMIT) for label, _ in results)
    subtitle = (_schedules(results) + ". " if results else "") + (
        "Live bytes: what is held while each op runs."
    )
    return title, subtitle


# --- pixels ----------------------------------------------------------------------------


def _line_boxes(series: _Series, frame: Frame) -> list[_Box]:
    """The step line as thin boxes: each op's level, and each rise between two ops."""
    boxes: list[_Box] = []
    previous: float | None = None
    for first, last, level in series.steps:
        x0, y = frame.px(first - 0.5, level / KIB)
        x1, _ = frame.px(last + 0.5, 0.0)
        boxes.append((x0, y - 3, x1, y + 3))
        if previous is not None:
            boxes.append((x0 - 3, min(previous, y), x0 + 3, max(previous, y)))
        previous = y
    x_first, _ = frame.px(0.5, 0.0)
    x_next, _ = frame.px(1.5, 0.0)
    if x_next - x_first >= 1:
        return boxes
    # Narrower than a pixel, the ops' steps draw one band per pixel column, from its
    # lowest to its highest level: that band, one box, is what a label would cover (and
    # 100,000 ops stay 2,000 boxes, not 200,000).
    columns: dict[int, _Box] = {}
    for box in boxes:
        column = math.floor((box[0] + box[2]) / 2)
        held = columns.get(column)
        columns[column] = (
            box
            if held is None
            else (
                min(held[0], box[0]),
                min(held[1], box[1]),
                max(held[2], box[2]),
                max(held[3], box[3]),
            )
        )
    return list(columns.values())


@dataclass(frozen=True)
class _Text:
    """A boxed label to place: its lines (already escaped) and their plain width."""

    html: str
    width: float
    height: float


def _text(lines: Sequence[tuple[str, str]], size: int = _LABEL_SIZE) -> _Text:
    """A label from (plain, escaped) lines."""
    width = max(text_width(plain, size) for plain, _ in lines) + 12
    return _Text("<br>".join(h for _, h in lines), width, len(lines) * size * 1.3 + 8)


_ANGLES = (-55, -125, -25, -155, -90, 0, 180, 25, 155, 90)
_RADII = (38, 60, 90, 130, 180)


def _candidates(text: _Text) -> list[tuple[float, float, float]]:
    """Where a label's centre may go, as (dx, dy, distance) from its point (px, y down):
    around it, its edge ``distance`` away; and with a corner towards it, the box above
    or below and to one side, clear of the point by ``distance`` vertically."""
    out: list[tuple[float, float, float]] = []
    half_w, half_h = text.width / 2, text.height / 2
    for radius in _RADII:
        for angle in _ANGLES:
            a = math.radians(angle)
            out.append(
                (
                    math.cos(a) * (radius + half_w * abs(math.cos(a))),
                    math.sin(a) * (radius + half_h * abs(math.sin(a))),
                    radius,
                )
            )
        for sx in (1, -1):
            for sy in (-1, 1):
                out.append((sx * (half_w + 8), sy * (half_h + radius), radius))
    return out


def _place(
    point: tuple[float, float], text: _Text, frame: Frame, taken: Sequence[_Obstacle]
) -> tuple[float, float, _Box]:
    """The offset (px, y down) of a label's centre from its point, and its box: the
    cheapest candidate, where covering a line, a marker or another label costs its area
    (times its weight), leaving the plot costs more, and every px away a little."""
    cx, cy = point
    candidates = _candidates(text)
    boxes = [
        (
            cx + dx - text.width / 2,
            cy + dy - text.height / 2,
            cx + dx + text.width / 2,
            cy + dy + text.height / 2,
        )
        for dx, dy, _ in candidates
    ]
    # Only what a candidate can touch costs anything: the obstacles inside the box all
    # candidates span, found in one pass (a 100,000-op chart has as many markers).
    reach = (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    near = [(other, weight) for other, weight in taken if overlap(reach, other) > 0]
    best: tuple[float, float, float, _Box] | None = None
    for (dx, dy, distance), box in zip(candidates, boxes):
        cost = (
            sum(weight * overlap(box, other) for other, weight in near)
            + 20 * outside(box, frame.box)
            + 4 * distance
        )
        if best is None or cost < best[0]:
            best = (cost, dx, dy, box)
    assert best is not None
    return best[1], best[2], best[3]


# --- the figure ------------------------------------------------------------------------


def _hover_line(series: _Series, k: int, many: bool, name: str) -> str:
    """One trace's line of op k's hover text (``name``: the op the heading names)."""
    if k > len(series.ops):
        return f"{_esc(shorten(series.label, _NAME_LIMIT))}: no op {k}"
    op = series.ops[k - 1]
    text = f"<b>{_kib(op.live_bytes)}</b> ({op.live_bytes:,} bytes)"
    if many:
        text = f"{_esc(shorten(series.label, _NAME_LIMIT))}: " + text
    if op.name != name:
        text += f" at {_name(op.name)}"
    if op.patch is not None:
        text += f", the most over its patches (regions up to {op.patch[0]}x{op.patch[1]})"
    if k == series.peak_at:
        text += ", <b>the peak</b>"
    return text


def _hover_trace(drawn: Sequence[_Series]) -> dict[str, Any]:
    """One unseen marker at the middle of each op's step, atop the highest of its
    steps, whose hover text names the op and gives every trace's bytes there. Hovering
    anywhere over a step names that op (on the lines' own vertices, the right half of a
    step would name the next one)."""
    n = max((len(s.ops) for s in drawn), default=0)
    many = len(drawn) > 1
    if drawn and drawn[0].per > 1:
        return _hover_runs(drawn, n, many)
    xs, ys, texts = [], [], []
    for k in range(1, n + 1):
        first = next(s.ops[k - 1] for s in drawn if k <= len(s.ops))
        where = first.kind + (f", in {_name(first.block)}" if first.block else "")
        lines = [f"<b>op {k}: {_name(first.name)}</b> ({where})"]
        lines += [_hover_line(s, k, many, first.name) for s in drawn]
        xs.append(k)
        ys.append(max(s.ops[k - 1].live_bytes for s in drawn if k <= len(s.ops)) / KIB)
        texts.append("<br>".join(lines))
    return {
        "type": "scatter",
        "x": xs,
        "y": ys,
        "mode": "markers",
        "marker": {"color": "#444", "size": 8, "opacity": 0},
        "showlegend": False,
        "name": "ops",
        "hovertext": texts,
        "hovertemplate": "%{hovertext}<extra></extra>",
        "meta": {"kind": "hover"},
    }


def _hover_runs(drawn: Sequence[_Series], n: int, many: bool) -> dict[str, Any]:
    """:func:`_hover_trace` where a step is a run of ops: its marker names the run's first
    and last op, and every trace's most over the run, and the op that holds it."""
    per = drawn[0].per
    xs, ys, texts = [], [], []
    for first in range(1, n + 1, per):
        last = min(first + per - 1, n)
        head = next(s for s in drawn if first <= len(s.ops))
        lines = [
            f"<b>ops {first:,}-{last:,}</b>: {_name(head.ops[first - 1].name)} to "
            f"{_name(head.ops[min(last, len(head.ops)) - 1].name)}"
        ]
        top = 0
        for s in drawn:
            label = f"{_esc(shorten(s.label, _NAME_LIMIT))}: " if many else ""
            run = s.ops[first - 1 : last]
            if not run:
                lines.append(f"{label}no ops {first:,}-{last:,}")
                continue
            at = max(range(len(run)), key=lambda j: (run[j].live_bytes, -j))
            op = run[at]
            top = max(top, op.live_bytes)
            text = (
                f"{label}up to <b>{_kib(op.live_bytes)}</b> ({op.live_bytes:,} bytes) "
                f"at {_name(op.name)}"
            )
            if s.peak_at is not None and first <= s.peak_at <= last:
                text += ", <b>the peak</b>"
            lines.append(text)
        xs.append((first + last) / 2)
        ys.append(top / KIB)
        texts.append("<br>".join(lines))
    return {
        "type": "scatter",
        "x": xs,
        "y": ys,
        "mode": "markers",
        "marker": {"color": "#444", "size": 8, "opacity": 0},
        "showlegend": False,
        "name": "ops",
        "hovertext": texts,
        "hovertemplate": "%{hovertext}<extra></extra>",
        "meta": {"kind": "hover", "ops_per_step": per},
    }


def _trace(series: _Series, n: int, many: bool) -> dict[str, Any]:
    """The step line: op k's step spans x = k - 0.5 to k + 0.5 (a run of ops' step, from
    its first op's left to its last op's right)."""
    steps = series.steps
    xs = [first - 0.5 for first, _, _ in steps] + ([steps[-1][1] + 0.5] if steps else [])
    ys = [held / KIB for _, _, held in steps]
    ys += ys[-1:]  # close the last op's step
    return {
        "type": "scatter",
        "x": xs,
        "y": ys,
        "mode": "lines",
        "line": {
            "shape": "hv",
            "color": _COLORS[n % len(_COLORS)],
            "width": 3.5 if many and n == 0 else 2.2,
        },
        "name": _esc(shorten(series.label, _NAME_LIMIT)),
        "hoverinfo": "skip",
        "meta": {
            "kind": "memory",
            "label": series.label,
            "peak_op": series.peak_at,
            "ops": len(series.ops),
            **({"ops_per_step": series.per} if series.per > 1 else {}),
        },
    }


def _peak_trace(series: _Series, n: int, over: bool) -> dict[str, Any]:
    assert series.peak_at is not None
    peak = series.result.peak
    return {
        "type": "scatter",
        "x": [series.peak_at],  # the middle of the op's step
        "y": [peak.bytes / KIB],
        "mode": "markers",
        "marker": {
            "symbol": "circle",
            "size": 11,
            "color": _OVER if over else _COLORS[n % len(_COLORS)],
            "line": {"width": 1.5, "color": "white"},
        },
        "showlegend": False,
        "hoverinfo": "skip",
        "name": "peak",
        "meta": {"kind": "peak", "label": series.label, "op": peak.layer, "bytes": peak.bytes},
    }


def _peak_lines(series: _Series, budget: int | None, many: bool) -> list[tuple[str, str]]:
    peak = series.result.peak
    assert peak.layer is not None
    head = f"{shorten(series.label, _NAME_LIMIT)}: " if many else ""
    where = shorten(peak.layer, _NAME_LIMIT)
    lines = [
        (
            f"{head}peak {_kib(peak.bytes)} at {where}",
            f"{_esc(head)}<b>peak {_kib(peak.bytes)}</b> at {html.escape(where, quote=False)}",
        )
    ]
    if peak.part == "patch stage" and peak.patch is not None:
        text = f"in the patch stage, patch ({peak.patch[0]}, {peak.patch[1]})"
        lines.append((text, text))
    if budget is not None:
        if peak.bytes > budget:
            text = f"over the budget by {_kib(peak.bytes - budget)}"
            lines.append((text, f"<b>{text}</b>"))
        else:
            text = f"fits the budget: {_kib(budget - peak.bytes)} to spare"
            lines.append((text, text))
    return lines


def _ticks(
    series: _Series, plot_width: float, x_range: tuple[float, float], first: Sequence[int] = ()
) -> tuple[list[float], list[str]]:
    """Ticks where each block starts (a top-level op is a block of its own: x = k - 0.5
    for op k), named where the names fit side by side in ``plot_width`` px, the blocks
    holding the ops ``first`` (the peaks) named first; the others keep their grid line,
    unnamed (past ``_MAX_GRID_TICKS`` blocks, only the named ones)."""
    starts: list[tuple[int, str]] = []
    previous: tuple[str, str] | None = None
    for k, op in enumerate(series.ops, start=1):
        key = ("block", op.block) if op.block else ("op", op.name)
        if key != previous or not op.block:
            starts.append((k, op.block or op.name))
        previous = key
    scale = plot_width / (x_range[1] - x_range[0])
    # The blocks holding the ops ``first`` come first; then, in order, every block, or
    # past ``_MAX_STEPS`` ops the first block of each step (no two names fit in one).
    at = [k for k, _ in starts]
    holding = {bisect.bisect_right(at, k) - 1 for k in first if k >= 1 and at}
    rest: Sequence[int] = range(len(starts))
    if series.per > 1:
        rest = [
            j for j in rest if j == 0 or (at[j] - 1) // series.per != (at[j - 1] - 1) // series.per
        ]
    order = sorted(holding) + [j for j in rest if j not in holding]
    named: dict[int, str] = {}
    spans: list[tuple[float, float]] = []
    covered: set[int] = set()  # the whole px inside a named tick's span
    for j in order:
        k, name = starts[j]
        centre = (k - 0.5 - x_range[0]) * scale
        if math.floor(centre) in covered:  # inside a named span: it would overlap it
            continue
        text = shorten(name, _TICK_LIMIT)
        half = text_width(text, _TICK_SIZE) / 2 + 6
        if centre + half > plot_width + 40 or any(
            centre - half < right and left < centre + half for left, right in spans
        ):
            continue
        named[k] = html.escape(text, quote=False)
        spans.append((centre - half, centre + half))
        covered.update(range(math.floor(centre - half) + 1, math.ceil(centre + half)))
    kept = starts if len(starts) <= _MAX_GRID_TICKS else sorted((k, "") for k in named)
    return [k - 0.5 for k, _ in kept], [named.get(k, "") for k, _ in kept]


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
    drawn = _stepped([_series(label, result) for label, result in results])
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

    traces = [_trace(s, i, many) for i, s in enumerate(drawn)]
    over = {i: budget is not None and s.result.peak.bytes > budget for i, s in enumerate(drawn)}
    traces += [_peak_trace(s, i, over[i]) for i, s in enumerate(drawn) if s.peak_at is not None]
    if n:
        traces.append(_hover_trace(drawn))
    shapes: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    taken: list[_Obstacle] = [(b, 1.0) for s in drawn for b in _line_boxes(s, frame)]

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
                f"up to {_name(stage.split)}",
                "font": {"size": _TICK_SIZE, "color": _DARK[1]},
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
                "line": {"color": _OVER, "width": 1.6, "dash": "dash"},
                "name": "budget",
            }
        )
        text = f"budget {_kib(budget)}"
        box_size = _text(((text, text),), _TICK_SIZE)
        _, py = frame.px(0, y)
        line_box = (frame.left, py - 2, frame.left + frame.width, py + 2)
        # At the right end of the line, above it, unless a line is there: then the left
        # end, or below the line.
        best: tuple[float, dict[str, Any], _Box] | None = None
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
                        "font": {"size": _TICK_SIZE, "color": _OVER},
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
            f"budget {_kib(budget)}: above the chart (every peak fits)"
            if all(not v for v in over.values())
            else f"budget {_kib(budget)}: above the chart"
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
                "font": {"size": _TICK_SIZE, "color": _OVER},
            }
        )
        w = text_width(text, _TICK_SIZE) + 8
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
        label = _text(_peak_lines(s, budget, many))
        point = frame.px(s.peak_at, peak.bytes / KIB)
        dx, dy, box = _place(point, label, frame, taken)
        taken.append(((box[0] - 3, box[1] - 3, box[2] + 3, box[3] + 3), 3.0))
        color = _OVER if over[i] else _DARK[i % len(_DARK)]
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
                "font": {"size": _LABEL_SIZE, "color": color},
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
    ticks, tick_text = _ticks(drawn[0], frame.width, x_range, peaks) if drawn else ([], [])
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
            "tickfont": {"size": _TICK_SIZE},
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
