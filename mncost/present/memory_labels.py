"""Where the memory profile's labels go, in pixels: clear of the step lines, the peak
markers and each other.

:func:`line_boxes` turns a :class:`~mncost.present.memory_steps.Series`'s step line into
the thin boxes a label should not cover (one band per pixel column when the ops are
narrower than a pixel); :func:`label_text` sizes a boxed label; :func:`place` picks the
cheapest of a few dozen positions around its point, where covering an obstacle costs its
area times its weight, leaving the plot costs more, and every pixel away a little.

Cut from :mod:`mncost.present.memory_figure`, which places the budget's and the peaks'
labels with these.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from mncost.present.labels import Box, Frame, outside, overlap, text_width
from mncost.present.memory_steps import KIB, Series

__all__ = ["LABEL_SIZE", "Obstacle", "label_text", "line_boxes", "place"]

LABEL_SIZE = 12
Obstacle = tuple[Box, float]
"""What a label should not cover, and what covering a px of it costs."""


def line_boxes(series: Series, frame: Frame) -> list[Box]:
    """The step line as thin boxes: each op's level, and each rise between two ops."""
    boxes: list[Box] = []
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
    columns: dict[int, Box] = {}
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


def label_text(lines: Sequence[tuple[str, str]], size: int = LABEL_SIZE) -> _Text:
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


def place(
    point: tuple[float, float], text: _Text, frame: Frame, taken: Sequence[Obstacle]
) -> tuple[float, float, Box]:
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
    best: tuple[float, float, float, Box] | None = None
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
