"""Placing the Pareto plot's labels in pixels: the frontier's points, the highlights and
the named models each get a label, put by a small greedy search (:func:`_place`) where
it covers least of the markers, the frontier's line, the highlight lines and the labels
placed before it, and stays near its marker (a leader line joins the two when it is not
right beside it).

Cut from :mod:`mncost.present.figures`, which hands it the plot's frame and draws the
annotations it returns; the geometry of boxes and segments comes from
:mod:`mncost.present.labels`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mncost.analysis.pareto import HighlightPoint, ParetoData
from mncost.present.labels import Box, Frame, crosses, outside, overlap, text_width, through
from mncost.present.pareto_points import (
    HIGHLIGHT_COLOR,
    LABEL_COLOR,
    classifier,
    is_variant,
    marker_size,
    point_label,
)
from mncost.present.style import plot_text

__all__ = ["COVER_LABEL", "Obstacle", "label_annotations", "plot_obstacles"]

_esc = plot_text

_Box = Box


@dataclass(frozen=True)
class _Label:
    """A name to put next to a marker."""

    x: float
    y: float
    """The marker, in data units."""
    text: str
    """Plain text; escaped when drawn."""
    kind: str
    """"highlight", "frontier" or "named": the annotation's name, for tests and readers."""
    color: str
    size: int
    """Font size in px."""
    radius: float
    """The marker's radius in px: the label clears it."""
    boxed: bool = False


def _label_size(label: _Label) -> tuple[float, float]:
    pad = 10 if label.boxed else 4
    return text_width(label.text, label.size) + pad, label.size * 1.3 + pad


_GAPS = (2, 10, 22, 38, 58, 82, 110, 145)
"""Distances (px) from a marker to its label, nearest first; from the second on, a
leader line joins label and marker."""
_PREFERENCES = {
    # The frontier's staircase arrives at a member from below and leaves to the right,
    # and nothing lies above-left of the frontier: its labels go left, then up.
    "frontier": ((-1, 0), (-1, -1), (0, -1), (1, -1), (-1, 1), (0, 1), (1, 1), (1, 0)),
    "named": ((0, -1), (0, 1), (1, 0), (-1, 0), (1, -1), (-1, -1), (1, 1), (-1, 1)),
    "highlight": ((0, -1), (-1, -1), (1, -1), (-1, 0), (1, 0), (1, 1), (0, 1), (-1, 1)),
}
# What covering something costs, per px² (a label over a label is worst; text across a
# dotted highlight line stays readable), against a label's distance from its marker, per
# px: a label a few px across the dotted line beats one 60 px away on a long leader.
COVER_LABEL, _COVER_MARK, _COVER_DOTTED, _COVER_OUTSIDE = 5.0, 3.0, 0.5, 50.0
_PER_PX_AWAY = 1.0
_LEADER_CROSSING = 150.0
"""A leader line across another label or another leader: as bad as a long way off."""


@dataclass(frozen=True)
class Obstacle:
    """Something a label should not cover, and what covering it costs per px²."""

    box: _Box
    weight: float


def _offsets(
    label: _Label, width: float, height: float, n: int
) -> list[tuple[float, float, float]]:
    """Candidate (dx, dy, gap) offsets of the label's centre from its marker, in px."""
    directions = list(_PREFERENCES[label.kind])
    if label.kind == "named" and n % 2:  # alternate above and below among neighbours
        directions[0], directions[1] = directions[1], directions[0]
    offsets: list[tuple[float, float, float]] = []
    for gap in _GAPS:
        for sx, sy in directions:
            diagonal = 0.7 if sx and sy else 1.0
            offsets.append(
                (
                    sx * (width / 2 + label.radius + gap * diagonal),
                    sy * (height / 2 + label.radius + gap * diagonal),
                    gap,
                )
            )
    return offsets


def _place(
    labels: Sequence[_Label], frame: Frame, obstacles: list[Obstacle]
) -> list[tuple[float, float]]:
    """Each label's offset (px, y down) from its marker: the cheapest candidate, where
    covering a marker, the frontier's line, a highlight line or a label placed before
    costs its area, leaving the plot costs more, and every px away from the marker and
    a leader line across another label or leader cost too. Greedy, in the order given."""
    taken = list(obstacles)
    placed: list[_Box] = []
    leaders: list[tuple[float, float, float, float]] = []
    offsets = []
    for n, label in enumerate(labels):
        width, height = _label_size(label)
        cx, cy = frame.px(label.x, label.y)
        best: tuple[float, float, float, _Box, bool] | None = None
        for dx, dy, gap in _offsets(label, width, height, n):
            if best is not None and _PER_PX_AWAY * gap >= best[0]:
                break  # every candidate from here on is further away than the best
            box = (
                cx + dx - width / 2,
                cy + dy - height / 2,
                cx + dx + width / 2,
                cy + dy + height / 2,
            )
            cost = (
                sum(o.weight * overlap(box, o.box) for o in taken)
                + _COVER_OUTSIDE * outside(box, frame.box)
                + _PER_PX_AWAY * gap
            )
            leader = gap > _GAPS[0]
            if leader:
                segment = (cx, cy, cx + dx, cy + dy)
                cost += _LEADER_CROSSING * (
                    sum(crosses(segment, other) for other in leaders)
                    + sum(through(segment, other) for other in placed)
                )
            if best is None or cost < best[0]:
                best = (cost, dx, dy, box, leader)
        assert best is not None
        _, dx, dy, box, leader = best
        padded = (box[0] - 2, box[1] - 2, box[2] + 2, box[3] + 2)
        taken.append(Obstacle(padded, COVER_LABEL))
        placed.append(padded)
        if leader:
            leaders.append((cx, cy, cx + dx, cy + dy))
        offsets.append((dx, dy))
    return offsets


def plot_obstacles(
    data: ParetoData, frame: Frame, drawn: Sequence[HighlightPoint]
) -> list[Obstacle]:
    """What a label should not cover: markers, the frontier's staircase, highlight lines."""
    boxes: list[Obstacle] = []
    for plotted in data.points:
        grown = data.cost_basis == "computed" and plotted.x_basis != "mncost"
        r = (marker_size(plotted.point) + (3 if grown else 0)) / 2 + 1
        x, y = frame.px(float(plotted.x), float(plotted.y))
        boxes.append(Obstacle((x - r, y - r, x + r, y + r), _COVER_MARK))
    members = [frame.px(float(data.points[i].x), float(data.points[i].y)) for i in data.frontier]
    for (x0, y0), (x1, y1) in zip(members, members[1:], strict=False):  # "hv": across, up
        boxes.append(Obstacle((min(x0, x1) - 2, y0 - 2, max(x0, x1) + 2, y0 + 2), _COVER_MARK))
        boxes.append(Obstacle((x1 - 2, min(y0, y1) - 2, x1 + 2, max(y0, y1) + 2), _COVER_MARK))
    for h in drawn:
        if h.accuracy is None:
            x, _ = frame.px(float(h.x), 0.0)
            boxes.append(
                Obstacle((x - 3, frame.top, x + 3, frame.top + frame.height), _COVER_DOTTED)
            )
        else:
            x, y = frame.px(float(h.x), float(h.accuracy))
            boxes.append(Obstacle((x - 10, y - 10, x + 10, y + 10), _COVER_MARK))
    return boxes


def _labels(data: ParetoData, drawn: Sequence[HighlightPoint]) -> list[_Label]:
    """Highlights first (the user's points), then the frontier, cheapest first, then the
    variants and other models that are not on it."""
    labels = [
        _Label(
            float(h.x), float(h.accuracy), h.label, "highlight", HIGHLIGHT_COLOR, 12, 9, boxed=True
        )
        for h in drawn
        if h.accuracy is not None
    ]
    on = set(data.frontier)
    for i in data.frontier:
        p = data.points[i]
        labels.append(
            _Label(
                float(p.x),
                float(p.y),
                point_label(p.point),
                "frontier",
                LABEL_COLOR[p.point.family],
                10,
                marker_size(p.point) / 2,
            )
        )
    for i, p in enumerate(data.points):
        named = p.point.family == "other" or is_variant(p.point) or not classifier(p.point)
        if i not in on and named:
            labels.append(
                _Label(
                    float(p.x),
                    float(p.y),
                    point_label(p.point),
                    "named",
                    LABEL_COLOR["other"],
                    10,
                    marker_size(p.point) / 2,
                )
            )
    return labels


def _annotation(label: _Label, frame: Frame, dx: float, dy: float) -> dict[str, Any]:
    near = (
        abs(dx) <= _label_size(label)[0] / 2 + label.radius + _GAPS[0] + 0.5
        and abs(dy) <= _label_size(label)[1] / 2 + label.radius + _GAPS[0] + 0.5
    )
    note: dict[str, Any] = {
        "x": frame.axis_x(label.x),
        "y": label.y,
        "text": _esc(label.text),
        "name": label.kind,
        "xanchor": "center",
        "yanchor": "middle",
        "font": {"size": label.size, "color": label.color},
    }
    if label.boxed:
        note.update(bgcolor="rgba(255,255,255,0.9)", bordercolor=label.color, borderpad=3)
    if near:  # right beside its marker: no line needed
        note.update(showarrow=False, xshift=dx, yshift=-dy)
    else:  # further off: a thin leader line from the label to its marker
        note.update(
            showarrow=True,
            ax=dx,
            ay=dy,
            arrowhead=0,
            arrowwidth=0.8,
            arrowcolor=label.color,
            standoff=label.radius + 1,
        )
    return note


def label_annotations(
    data: ParetoData, drawn: Sequence[HighlightPoint], frame: Frame, obstacles: list[Obstacle]
) -> list[dict[str, Any]]:
    """The labels of the highlights ``drawn``, the frontier and the named points, placed
    clear of ``obstacles`` and of each other, as plotly annotations."""
    labels = _labels(data, drawn)
    return [
        _annotation(label, frame, dx, dy)
        for label, (dx, dy) in zip(labels, _place(labels, frame, obstacles), strict=True)
    ]
