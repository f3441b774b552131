"""Plotly figures: the Pareto plot of published results, and a cost-by-layer-type chart.

Drawing only: every figure is built from data prepared elsewhere
(:func:`mncost.analysis.pareto.pareto_data`, a :class:`~mncost.cost.result.CostResult`).
Every figure is plain data (:class:`~mncost.present.plotly_data.Figure`): plotly's Python
package is never imported, so a page costs no more than its own work. Text that
plotly shows (hover, labels) goes through :func:`_esc`: plotly reads a subset of HTML in
it, and a model or layer name must show as typed, never as markup.

The Pareto plot is meant to be read as a static image too: its cost axis carries named
ticks only (10M, 20M, 50M, ..., 1G), and the frontier's points, the highlights and the
named models get labels placed in pixels by a small greedy search (:func:`_place`) that
keeps them off each other, off the markers and off the frontier's line.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from mncost.analysis.pareto import HighlightPoint, ParetoData, PlottedPoint
from mncost.present.labels import Box, Frame, crosses, outside, overlap, text_width, through
from mncost.present.numbers import plain
from mncost.present.plotly_data import Figure
from mncost.present.style import FONT, PLOT_CONFIG, plot_text, plotly_template
from mncost.sources.points import DATASETS, TOP1_DATASETS, PublishedPoint

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

FAMILY_NAMES = {
    "mobilenet_v1": "MobileNet v1",
    "mobilenet_v2": "MobileNet v2",
    "mobilenet_v3": "MobileNet V3",
    "other": "other models",
}
_FAMILY_COLOR = {
    "mobilenet_v1": "#1f77b4",
    "mobilenet_v2": "#2ca02c",
    "mobilenet_v3": "#9467bd",
    "other": "#8c564b",
}
_LABEL_COLOR = {
    "mobilenet_v1": "#135482",
    "mobilenet_v2": "#1b6e1b",
    "mobilenet_v3": "#5f3a86",
    "other": "#333333",
}
"""Label text: each family's colour, darkened so 10 px text reads on white."""
_PRECISIONS_RELEASED = frozenset({"mobilenet_v1", "mobilenet_v3"})
"""Families released in float and 8-bit: their checkpoint legend entries name the precision."""
_SOURCE_SYMBOL = {"paper": "circle", "checkpoints": "diamond"}
_VARIANT_SYMBOL = "square"
"""The paper's architecture variants of a family (Table 4's Conv MobileNet, Table 5's
Shallow MobileNet): the family's colour, a marker of their own, apart from its
alpha/resolution grid."""
_HIGHLIGHT_COLOR = "#d62728"
_FONT = FONT

FIGURE_HEIGHT = 720
"""Height of the Pareto figure in CSS pixels, on a page and in an image (16:9 at 1280)."""
PAGE_WIDTH = 1000
"""The width labels are placed for when the figure has none of its own (an HTML page,
where it fills the page): measured in Chromium, the plot is 1,232 px wide in a 1,280 px
window and 972 px in a 1,000 px one. Placing for the narrower page keeps the labels
clear in both, as markers only move apart on a wider one."""

_esc = plot_text


def _num(value: Fraction, digits: int = 2) -> str:
    return f"{float(value):,.{digits}f}"


def _axis_words(data: ParetoData) -> tuple[str, str]:
    """(what the x axis counts, its unit) for hover text and titles."""
    return ("mult-adds", "M MACs") if data.x_axis == "mult_adds" else ("params", "M params")


# --- what each point is called ---------------------------------------------------------


def _base_model(family: str) -> str:
    return family.replace("_", "-")  # mobilenet_v1 -> mobilenet-v1, the grid's model


def _classifier(point: PublishedPoint) -> bool:
    """A top-1 result (ImageNet, Stanford Dogs): one of a family's alpha/resolution grid
    or a variant of it. A detector's or segmentation model's result (COCO) is neither:
    its family is its backbone's, and its own name is its label."""
    return point.dataset in TOP1_DATASETS


def _is_variant(point: PublishedPoint) -> bool:
    """A paper result of a MobileNet family that is not its alpha/resolution grid: an
    architecture variant (Conv MobileNet, Shallow MobileNet), named on the plot."""
    return (
        _classifier(point)
        and point.source == "paper"
        and point.family != "other"
        and point.model != _base_model(point.family)
    )


def _source_name(point: PublishedPoint) -> str:
    """The source in a legend entry: "paper", "checkpoints", or a document's brief
    ("torchvision docs")."""
    briefs = [s.brief for s in point.provenance if s.brief]
    return briefs[0] if briefs else point.source


def _point_label(point: PublishedPoint) -> str:
    """The short name a point carries on the plot: "0.75/160" on a MobileNet grid (the
    colour says which family), "Large 0.75/224" for a V3 line, the model's name for
    variants, other models and every COCO result ("SSD 300 / MobileNet")."""
    if not _classifier(point) or point.family == "other" or _is_variant(point) or not point.config:
        return point.label
    base = _base_model(point.family)
    line = ""
    if point.model and point.model != base and point.model.startswith(base + "-"):
        # A -slim model counts TF-slim's own checkpoints of that line (Large 0.75).
        name = point.model.removeprefix(base + "-").removesuffix("-slim")
        line = name.replace("-", " ").capitalize() + " "
    return f"{line}{point.config}" + (" 8-bit" if point.precision == "int8" else "")


def tables_text(numbers: Sequence[int]) -> str:
    """The paper's tables in brief: (4, 5, 6, 7, 8, 9) -> "Tables 4-9", (10,) -> "Table 10"."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts = [f"{r[0]}-{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs]
    return ("Table " if len(numbers) == 1 else "Tables ") + ", ".join(parts)


def _listed(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _source_words(data: ParetoData) -> str:
    """The documents behind the plotted points, from their provenance."""
    parts = []
    if data.paper_tables:
        parts.append(f"the MobileNets paper ({tables_text(data.paper_tables)})")
    for publication, numbers in data.other_paper_tables.items():
        # "Sandler et al. 2018, arXiv:1801.04381" -> "Sandler et al. 2018 (Table 6)"
        parts.append(f"{publication.split(', arXiv')[0]} ({tables_text(numbers)})")
    if data.checkpoint_documents:
        # "tensorflow/models research/slim/nets/mobilenet/README.md (commit 0ba83cf0)"
        # -> "mobilenet/README.md": enough to tell TF-slim's two lists apart.
        files = dict.fromkeys(
            "/".join(d.split(" (")[0].split("/")[-2:]) for d in data.checkpoint_documents
        )
        parts.append("TF-slim's checkpoint lists (" + ", ".join(files) + ")")
    for brief, citations in data.documented.items():
        parts.append(f"{brief} ({len(citations)} {'page' if len(citations) == 1 else 'pages'})")
    return _listed(parts) if parts else "no source"


def _subtitle_lines(data: ParetoData, interactive: bool) -> list[str]:
    families = _listed([FAMILY_NAMES[f] for f in data.families]) if data.families else "no model"
    what = f"{len(data.points)} published results of {families}, from {_source_words(data)}"
    if data.cost_basis == "published":
        cost = "cost: the published figures"
    elif not data.at_published_cost:
        cost = "cost: mncost's exact count, for every point"
    else:
        counted = len(data.points) - data.at_published_cost
        cost = (
            f"cost: mncost's exact count for {counted} of {len(data.points)} points; "
            f"{data.at_published_cost} (marked x) at the published cost, as mncost "
            "cannot count them"
        )
    return [what, cost + ("; hover a point for its source" if interactive else "")]


def pareto_title(data: ParetoData, interactive: bool = True) -> tuple[str, str]:
    """The plot's title and subtitle (plain text). The subtitle names what is plotted:
    the families and sources left after --family, --source and --dataset, and the cost
    basis."""
    dataset = DATASETS[data.dataset]
    what = "mult-adds" if data.x_axis == "mult_adds" else "parameters"
    metric = "top-1 accuracy" if data.metric.key == "top1" else data.metric.name
    return (f"{dataset} {metric} vs {what}", "; ".join(_subtitle_lines(data, interactive)))


# --- hover -----------------------------------------------------------------------------


def _hover(plotted: PlottedPoint, data: ParetoData) -> str:
    point = plotted.point
    _, unit = _axis_words(data)
    lines = [f"<b>{_esc(point.label)}</b>"]
    if point.config:
        lines[0] += f" ({_esc(point.config)}, {point.precision})"
    lines.append(
        f"{point.metric.name} {point.accuracy}% ({DATASETS[point.dataset]})"
        + (f", top-5 {point.top5}%" if point.top5 is not None else "")
    )
    published = point.mult_adds_m if data.x_axis == "mult_adds" else point.params_m
    shown = plain(published)
    if plotted.x_basis == "mncost":
        lines.append(
            f"x: {_num(plotted.x)} {unit}, mncost's exact count (published: {shown} {unit})"
        )
    else:
        lines.append(f"x: {shown} {unit}, {_esc(plotted.x_basis)}")
    other = point.params_m if data.x_axis == "mult_adds" else point.mult_adds_m
    if other is not None:
        lines.append(
            f"{plain(other)} "
            + ("M params" if data.x_axis == "mult_adds" else "M MACs")
            + " (published)"
        )
    lines.append(f"source: {_esc(point.tables)}")
    return "<br>".join(lines)


def _highlight_hover(h: HighlightPoint) -> str:
    lines = [
        f"<b>{_esc(h.label)}</b> (highlighted)",
        f"mncost: {h.mult_adds:,} MACs, {h.params:,} params",
    ]
    if h.accuracy is not None and h.accuracy_from is not None:
        lines.append(
            f"{h.accuracy_from.metric.name} {h.accuracy_from.accuracy}% from "
            f"{_esc(h.accuracy_from.tables)} ({_esc(h.accuracy_from.label)})"
        )
    else:
        lines.append("no published accuracy")
    return "<br>".join(lines)


# --- traces ----------------------------------------------------------------------------


def _marker_size(point: PublishedPoint) -> int:
    return 10 if _is_variant(point) else 11 if point.source == "paper" else 8


def _group_name(family: str, source: str, precision: str, variant: bool, at_published: bool) -> str:
    name = f"{FAMILY_NAMES[family]}{' variants' if variant else ''}, {source}"
    if source not in _SOURCE_SYMBOL:  # a document's brief ("torchvision docs")
        return name + (", published cost" if at_published else "")
    if source == "checkpoints" and family in _PRECISIONS_RELEASED:
        name += f" ({precision})"
    return name + (", published cost" if at_published else "")


def _published_traces(data: ParetoData) -> list[dict[str, Any]]:

    groups: dict[tuple[str, bool, str, str, bool], list[PlottedPoint]] = {}
    for plotted in data.points:
        p = plotted.point
        # With --cost computed, a point mncost cannot count stays at its published cost:
        # a trace of its own, an x in its marker, "published cost" in the legend.
        at_published = data.cost_basis == "computed" and plotted.x_basis != "mncost"
        groups.setdefault(
            (p.family, _is_variant(p), _source_name(p), p.precision, at_published), []
        ).append(plotted)
    order = list(FAMILY_NAMES)
    traces = []
    for (family, variant, source, precision, at_published), members in sorted(
        groups.items(), key=lambda kv: (order.index(kv[0][0]),) + kv[0][1:]
    ):
        symbol = (
            (_VARIANT_SYMBOL if variant else _SOURCE_SYMBOL.get(source, "diamond"))
            + ("-x" if at_published else "")
            + ("-open" if precision == "int8" else "")
        )
        traces.append(
            _scatter(
                x=[float(m.x) for m in members],
                y=[float(m.y) for m in members],
                mode="markers",  # names are annotations, placed clear of each other
                text=[_esc(_point_label(m.point)) for m in members],
                name=_group_name(family, source, precision, variant, at_published),
                marker={
                    "symbol": symbol,
                    "color": _FAMILY_COLOR[family],
                    "size": _marker_size(members[0].point) + (3 if at_published else 0),
                    # The line draws an open marker's outline and the "x" inside a
                    # marker: white on a filled one, the family's colour on an open one.
                    "line": {
                        "width": 1.2 if at_published or precision == "int8" else 1,
                        "color": "white" if precision == "float32" else _FAMILY_COLOR[family],
                    },
                },
                hovertext=[_hover(m, data) for m in members],
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
                    "color": _HIGHLIGHT_COLOR,
                    "line": {"width": 1, "color": "#fff"},
                },
                name="highlighted (mncost cost)",
                hovertext=[_highlight_hover(h) for h in with_accuracy],
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
                line={"color": _HIGHLIGHT_COLOR, "dash": "dot", "width": 2},
                name=f"{_esc(h.label)}: no published accuracy",
                hovertext=[_highlight_hover(h)] * len(ys),
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


# --- axes ------------------------------------------------------------------------------


def _y_range(data: ParetoData) -> tuple[float, float]:
    ys = [float(p.y) for p in data.points]
    ys += [float(h.accuracy) for h in data.highlights if h.accuracy is not None]
    if not ys:
        return 0.0, 100.0
    return max(0.0, min(ys) - 3), min(100.0, max(ys) + 3)


def _x_range(xs: Sequence[float], log_x: bool) -> tuple[float, float]:
    """The x axis range in axis units (log10 of millions on a log axis): the data with a
    margin, so edge labels and markers are not cut."""
    if log_x:
        logs = [math.log10(x) for x in xs if x > 0] or [0.0]
        low, high = min(logs), max(logs)
        span = max(high - low, 0.5)
        pad = 0.04 * span + 0.04
        middle = (low + high) / 2
        return min(low - pad, middle - span / 2 - pad), max(high + pad, middle + span / 2 + pad)
    high = max([x for x in xs if x > 0], default=1.0)
    return -0.03 * high, 1.06 * high


def cost_text(millions: Fraction) -> str:
    """A cost given in millions, named as a tick: 10 -> "10M", 1500 -> "1.5G", 1/2 -> "500k"."""
    count = millions * 10**6
    for unit, size in (("G", 10**9), ("M", 10**6), ("k", 10**3), ("", 1)):
        if count >= size or size == 1:
            value = count / size
            text = str(value.numerator) if value.denominator == 1 else f"{float(value):g}"
            return text + unit
    raise AssertionError("unreachable")


_MANTISSAS = ((1, 2, 5), (1,), (1, 2, 3, 5, 7), (1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9))


def x_ticks(x_range: tuple[float, float], log_x: bool) -> list[Fraction]:
    """Named tick values (millions) inside ``x_range`` (axis units): 1-2-5 in each decade
    on a log axis, only the decades when that would crowd, more when it would be bare;
    on a linear axis, multiples of a 1-2-5 step from 0."""
    low, high = x_range
    if not log_x:
        raw = (high - max(low, 0.0)) / 6 or 1.0
        base = Fraction(10) ** math.floor(math.log10(raw))
        step = next(base * m for m in (1, 2, 5, 10) if base * m >= Fraction(raw))
        count = int(Fraction(high) / step)
        return [step * k for k in range(count + 1)]
    found: list[Fraction] = []
    for mantissas in _MANTISSAS:
        found = [
            Fraction(m).limit_denominator(10) * Fraction(10) ** k
            for k in range(math.floor(low) - 1, math.ceil(high) + 1)
            for m in mantissas
        ]
        found = [v for v in found if low <= math.log10(v) <= high]
        if 4 <= len(found) <= 12:
            break
    return found


# --- labels, placed clear of each other ----------------------------------------------

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
_COVER_LABEL, _COVER_MARK, _COVER_DOTTED, _COVER_OUTSIDE = 5.0, 3.0, 0.5, 50.0
_PER_PX_AWAY = 1.0
_LEADER_CROSSING = 150.0
"""A leader line across another label or another leader: as bad as a long way off."""


@dataclass(frozen=True)
class _Obstacle:
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
    labels: Sequence[_Label], frame: Frame, obstacles: list[_Obstacle]
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
        taken.append(_Obstacle(padded, _COVER_LABEL))
        placed.append(padded)
        if leader:
            leaders.append((cx, cy, cx + dx, cy + dy))
        offsets.append((dx, dy))
    return offsets


def _obstacles(data: ParetoData, frame: Frame, drawn: Sequence[HighlightPoint]) -> list[_Obstacle]:
    """What a label should not cover: markers, the frontier's staircase, highlight lines."""
    boxes: list[_Obstacle] = []
    for plotted in data.points:
        grown = data.cost_basis == "computed" and plotted.x_basis != "mncost"
        r = (_marker_size(plotted.point) + (3 if grown else 0)) / 2 + 1
        x, y = frame.px(float(plotted.x), float(plotted.y))
        boxes.append(_Obstacle((x - r, y - r, x + r, y + r), _COVER_MARK))
    members = [frame.px(float(data.points[i].x), float(data.points[i].y)) for i in data.frontier]
    for (x0, y0), (x1, y1) in zip(members, members[1:], strict=False):  # "hv": across, up
        boxes.append(_Obstacle((min(x0, x1) - 2, y0 - 2, max(x0, x1) + 2, y0 + 2), _COVER_MARK))
        boxes.append(_Obstacle((x1 - 2, min(y0, y1) - 2, x1 + 2, max(y0, y1) + 2), _COVER_MARK))
    for h in drawn:
        if h.accuracy is None:
            x, _ = frame.px(float(h.x), 0.0)
            boxes.append(
                _Obstacle((x - 3, frame.top, x + 3, frame.top + frame.height), _COVER_DOTTED)
            )
        else:
            x, y = frame.px(float(h.x), float(h.accuracy))
            boxes.append(_Obstacle((x - 10, y - 10, x + 10, y + 10), _COVER_MARK))
    return boxes


def _labels(data: ParetoData, drawn: Sequence[HighlightPoint]) -> list[_Label]:
    """Highlights first (the user's points), then the frontier, cheapest first, then the
    variants and other models that are not on it."""
    labels = [
        _Label(
            float(h.x), float(h.accuracy), h.label, "highlight", _HIGHLIGHT_COLOR, 12, 9, boxed=True
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
                _point_label(p.point),
                "frontier",
                _LABEL_COLOR[p.point.family],
                10,
                _marker_size(p.point) / 2,
            )
        )
    for i, p in enumerate(data.points):
        named = p.point.family == "other" or _is_variant(p.point) or not _classifier(p.point)
        if i not in on and named:
            labels.append(
                _Label(
                    float(p.x),
                    float(p.y),
                    _point_label(p.point),
                    "named",
                    _LABEL_COLOR["other"],
                    10,
                    _marker_size(p.point) / 2,
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
    y_range = _y_range(data)
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
    x_range = _x_range([float(p.x) for p in data.points] + [float(h.x) for h in drawn], log_x)

    # The margins are set, not left to plotly, so the plot area is known and the labels
    # can be placed in pixels: room for the title, the tick labels and the legend.
    names = [str(t.get("name", "")) for t in traces if t.get("showlegend") is not False]
    axis_room = 58
    legend_height = 22 * _legend_rows(names, width) + 8
    # The subtitle's lines wrap to the figure's width (<sup> text: about 6.5 px a character).
    sublines = [
        part
        for line in _subtitle_lines(data, interactive=False)
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
    obstacles = _obstacles(data, frame, drawn)
    if off_axis:
        what, _ = _axis_words(data)
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
                font={"size": 12, "color": _HIGHLIGHT_COLOR},
                text="<br>".join(_esc(line) for line in lines),
            )
        )
        obstacles.append(
            _Obstacle(
                (
                    frame.left,
                    frame.top,
                    frame.left + 8 + max(text_width(line, 12) for line in lines),
                    frame.top + 8 + 16 * len(lines),
                ),
                _COVER_LABEL,
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
                    font={"size": 11, "color": _HIGHLIGHT_COLOR},
                )
            )
    labels = _labels(data, drawn)
    for label, (dx, dy) in zip(labels, _place(labels, frame, obstacles), strict=True):
        notes.append(_annotation(label, frame, dx, dy))

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
