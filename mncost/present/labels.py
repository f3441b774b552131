"""Label geometry for figures that place their own labels (the Pareto plot, the memory
profile): rectangles in pixels, how wide a text is drawn, what a box covers, whether a
leader line crosses another or runs through a box. Each figure keeps its own placement
policy (which candidates, what covering costs) and uses these to score candidates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Box", "Frame", "crosses", "outside", "overlap", "text_width", "through"]

Box = tuple[float, float, float, float]
"""A rectangle in pixels: x0, y0, x1, y1, with y growing downwards as on screen."""


@dataclass(frozen=True)
class Frame:
    """The plot area in pixels as plotly lays it out, and the axis ranges it shows."""

    left: float
    top: float
    width: float
    height: float
    x_range: tuple[float, float]
    """In axis units: log10 of x on a log axis."""
    y_range: tuple[float, float]
    log_x: bool = False

    def axis_x(self, x: float) -> float:
        return math.log10(x) if self.log_x else x

    def px(self, x: float, y: float) -> tuple[float, float]:
        """A data point's position in page pixels (y down)."""
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        return (
            self.left + (self.axis_x(x) - x0) / (x1 - x0) * self.width,
            self.top + (y1 - y) / (y1 - y0) * self.height,
        )

    @property
    def box(self) -> Box:
        return self.left, self.top, self.left + self.width, self.top + self.height


def text_width(text: str, size: float) -> float:
    """A generous estimate of the drawn width of plain text (DejaVu Sans / system-ui
    advances), in px at font ``size``."""
    em = 0.0
    for ch in text:
        em += (
            0.33
            if ch in " .,:;/|()[]'!il"
            else 0.66
            if ch.isdigit()
            else 0.74
            if ch.isupper()
            else 0.6
        )
    return em * size


def overlap(a: Box, b: Box) -> float:
    """The area two boxes share, px²."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def outside(box: Box, bounds: Box) -> float:
    """The area of ``box`` outside ``bounds``, px²."""
    return (box[2] - box[0]) * (box[3] - box[1]) - overlap(box, bounds)


def crosses(a: Box, b: Box) -> bool:
    """Whether segments a and b, each (x0, y0, x1, y1), cross."""

    def side(p: tuple[float, float], q: tuple[float, float], r: tuple[float, float]) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    p1, p2, q1, q2 = a[:2], a[2:], b[:2], b[2:]
    return side(p1, p2, q1) * side(p1, p2, q2) < 0 and side(q1, q2, p1) * side(q1, q2, p2) < 0


def through(segment: Box, box: Box) -> bool:
    """Whether a segment passes through a box (sampled every 3 px: boxes are text-sized)."""
    x0, y0, x1, y1 = segment
    steps = max(1, int(math.hypot(x1 - x0, y1 - y0) / 3))
    return any(
        box[0] < x0 + (x1 - x0) * k / steps < box[2]
        and box[1] < y0 + (y1 - y0) * k / steps < box[3]
        for k in range(steps + 1)
    )
