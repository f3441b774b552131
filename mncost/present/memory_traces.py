"""The memory profile's traces and ticks: the step lines, the peak markers, the hover
text, a peak's label lines and the block ticks under the chart.

Every name that came from a user is escaped before plotly sees it (plotly reads a subset
of HTML in its text). Each result has a colour of its own (:data:`COLORS`; its labels
the darker :data:`DARK`); a peak over the budget, and the budget, are :data:`OVER`.

Cut from :mod:`mncost.present.memory_figure`, which lays these out in one figure.
"""

from __future__ import annotations

import bisect
import html
import math
from collections.abc import Sequence
from typing import Any

from mncost.present.labels import text_width
from mncost.present.memory_steps import KIB, NAME_LIMIT, Series, kib_text, name_html
from mncost.present.style import plot_text as _esc
from mncost.text import shorten

__all__ = [
    "COLORS",
    "DARK",
    "OVER",
    "TICK_SIZE",
    "block_ticks",
    "hover_trace",
    "memory_trace",
    "peak_lines",
    "peak_trace",
]

COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2")
DARK = ("#135482", "#a34f00", "#1b6e1b", "#5f3a86", "#5a372f", "#93407a")
"""Label text in each trace's colour, darkened so 12 px text reads on white."""
OVER = "#c62828"
"""The budget, and a peak over it."""
_TICK_LIMIT = 16
"""A tick's name is cut to this many characters."""
TICK_SIZE = 11
_MAX_GRID_TICKS = 80
"""Block boundaries get a grid line each up to this many; past it, the labelled ones only."""


def _hover_line(series: Series, k: int, many: bool, name: str) -> str:
    """One trace's line of op k's hover text (``name``: the op the heading names)."""
    if k > len(series.ops):
        return f"{_esc(shorten(series.label, NAME_LIMIT))}: no op {k}"
    op = series.ops[k - 1]
    text = f"<b>{kib_text(op.live_bytes)}</b> ({op.live_bytes:,} bytes)"
    if many:
        text = f"{_esc(shorten(series.label, NAME_LIMIT))}: " + text
    if op.name != name:
        text += f" at {name_html(op.name)}"
    if op.patch is not None:
        text += f", the most over its patches (regions up to {op.patch[0]}x{op.patch[1]})"
    if k == series.peak_at:
        text += ", <b>the peak</b>"
    return text


def hover_trace(drawn: Sequence[Series]) -> dict[str, Any]:
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
        where = first.kind + (f", in {name_html(first.block)}" if first.block else "")
        lines = [f"<b>op {k}: {name_html(first.name)}</b> ({where})"]
        lines += [_hover_line(s, k, many, first.name) for s in drawn]
        xs.append(k)
        ys.append(max(s.ops[k - 1].live_bytes for s in drawn if k <= len(s.ops)) / KIB)
        texts.append("<br>".join(lines))
    return _hover_markers(xs, ys, texts, {"kind": "hover"})


def _hover_markers(
    xs: Sequence[float], ys: Sequence[float], texts: Sequence[str], meta: dict[str, Any]
) -> dict[str, Any]:
    """The unseen markers that carry the hover text, one per step."""
    return {
        "type": "scatter",
        "x": list(xs),
        "y": list(ys),
        "mode": "markers",
        "marker": {"color": "#444", "size": 8, "opacity": 0},
        "showlegend": False,
        "name": "ops",
        "hovertext": list(texts),
        "hovertemplate": "%{hovertext}<extra></extra>",
        "meta": meta,
    }


def _hover_runs(drawn: Sequence[Series], n: int, many: bool) -> dict[str, Any]:
    """:func:`hover_trace` where a step is a run of ops: its marker names the run's first
    and last op, and every trace's most over the run, and the op that holds it."""
    per = drawn[0].per
    xs, ys, texts = [], [], []
    for first in range(1, n + 1, per):
        last = min(first + per - 1, n)
        head = next(s for s in drawn if first <= len(s.ops))
        lines = [
            f"<b>ops {first:,}-{last:,}</b>: {name_html(head.ops[first - 1].name)} to "
            f"{name_html(head.ops[min(last, len(head.ops)) - 1].name)}"
        ]
        top = 0
        for s in drawn:
            label = f"{_esc(shorten(s.label, NAME_LIMIT))}: " if many else ""
            run = s.ops[first - 1 : last]
            if not run:
                lines.append(f"{label}no ops {first:,}-{last:,}")
                continue
            at = max(range(len(run)), key=lambda j: (run[j].live_bytes, -j))
            op = run[at]
            top = max(top, op.live_bytes)
            text = (
                f"{label}up to <b>{kib_text(op.live_bytes)}</b> ({op.live_bytes:,} bytes) "
                f"at {name_html(op.name)}"
            )
            if s.peak_at is not None and first <= s.peak_at <= last:
                text += ", <b>the peak</b>"
            lines.append(text)
        xs.append((first + last) / 2)
        ys.append(top / KIB)
        texts.append("<br>".join(lines))
    return _hover_markers(xs, ys, texts, {"kind": "hover", "ops_per_step": per})


def memory_trace(series: Series, n: int, many: bool) -> dict[str, Any]:
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
            "color": COLORS[n % len(COLORS)],
            "width": 3.5 if many and n == 0 else 2.2,
        },
        "name": _esc(shorten(series.label, NAME_LIMIT)),
        "hoverinfo": "skip",
        "meta": {
            "kind": "memory",
            "label": series.label,
            "peak_op": series.peak_at,
            "ops": len(series.ops),
            **({"ops_per_step": series.per} if series.per > 1 else {}),
        },
    }


def peak_trace(series: Series, n: int, over: bool) -> dict[str, Any]:
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
            "color": OVER if over else COLORS[n % len(COLORS)],
            "line": {"width": 1.5, "color": "white"},
        },
        "showlegend": False,
        "hoverinfo": "skip",
        "name": "peak",
        "meta": {"kind": "peak", "label": series.label, "op": peak.layer, "bytes": peak.bytes},
    }


def peak_lines(series: Series, budget: int | None, many: bool) -> list[tuple[str, str]]:
    peak = series.result.peak
    assert peak.layer is not None
    head = f"{shorten(series.label, NAME_LIMIT)}: " if many else ""
    where = shorten(peak.layer, NAME_LIMIT)
    lines = [
        (
            f"{head}peak {kib_text(peak.bytes)} at {where}",
            f"{_esc(head)}<b>peak {kib_text(peak.bytes)}</b> at {html.escape(where, quote=False)}",
        )
    ]
    if peak.part == "patch stage" and peak.patch is not None:
        text = f"in the patch stage, patch ({peak.patch[0]}, {peak.patch[1]})"
        lines.append((text, text))
    if budget is not None:
        if peak.bytes > budget:
            text = f"over the budget by {kib_text(peak.bytes - budget)}"
            lines.append((text, f"<b>{text}</b>"))
        else:
            text = f"fits the budget: {kib_text(budget - peak.bytes)} to spare"
            lines.append((text, text))
    return lines


def block_ticks(
    series: Series, plot_width: float, x_range: tuple[float, float], first: Sequence[int] = ()
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
        half = text_width(text, TICK_SIZE) / 2 + 6
        if centre + half > plot_width + 40 or any(
            centre - half < right and left < centre + half for left, right in spans
        ):
            continue
        named[k] = html.escape(text, quote=False)
        spans.append((centre - half, centre + half))
        covered.update(range(math.floor(centre - half) + 1, math.ceil(centre + half)))
    kept = starts if len(starts) <= _MAX_GRID_TICKS else sorted((k, "") for k in named)
    return [k - 0.5 for k, _ in kept], [named.get(k, "") for k, _ in kept]
