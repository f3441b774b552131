"""How each published point shows on the Pareto plot, in words and marks: what it is
called (its label, its legend group), its family's colours and its marker's size, its
hover text; and the title and subtitle that name what is plotted.

Cut from :mod:`mncost.present.figures`, which draws the figure from these, and shared
with :mod:`mncost.present.pareto_labels`, which places the labels. Text that plotly shows
goes through :func:`~mncost.present.style.plot_text` (plotly reads a subset of HTML in it).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from mncost.analysis.pareto import HighlightPoint, ParetoData, PlottedPoint
from mncost.present.numbers import plain
from mncost.present.style import plot_text
from mncost.sources.points import DATASETS, TOP1_DATASETS, PublishedPoint

__all__ = [
    "FAMILY_COLOR",
    "FAMILY_NAMES",
    "HIGHLIGHT_COLOR",
    "LABEL_COLOR",
    "SOURCE_SYMBOL",
    "VARIANT_SYMBOL",
    "axis_words",
    "classifier",
    "group_name",
    "highlight_hover",
    "hover",
    "is_variant",
    "marker_size",
    "pareto_title",
    "point_label",
    "source_name",
    "subtitle_lines",
    "tables_text",
]

FAMILY_NAMES = {
    "mobilenet_v1": "MobileNet v1",
    "mobilenet_v2": "MobileNet v2",
    "mobilenet_v3": "MobileNet V3",
    "other": "other models",
}
FAMILY_COLOR = {
    "mobilenet_v1": "#1f77b4",
    "mobilenet_v2": "#2ca02c",
    "mobilenet_v3": "#9467bd",
    "other": "#8c564b",
}
LABEL_COLOR = {
    "mobilenet_v1": "#135482",
    "mobilenet_v2": "#1b6e1b",
    "mobilenet_v3": "#5f3a86",
    "other": "#333333",
}
"""Label text: each family's colour, darkened so 10 px text reads on white."""
_PRECISIONS_RELEASED = frozenset({"mobilenet_v1", "mobilenet_v3"})
"""Families released in float and 8-bit: their checkpoint legend entries name the precision."""
SOURCE_SYMBOL = {"paper": "circle", "checkpoints": "diamond"}
VARIANT_SYMBOL = "square"
"""The paper's architecture variants of a family (Table 4's Conv MobileNet, Table 5's
Shallow MobileNet): the family's colour, a marker of their own, apart from its
alpha/resolution grid."""
HIGHLIGHT_COLOR = "#d62728"

_esc = plot_text


def _num(value: Fraction, digits: int = 2) -> str:
    return f"{float(value):,.{digits}f}"


def axis_words(data: ParetoData) -> tuple[str, str]:
    """(what the x axis counts, its unit) for hover text and titles."""
    return ("mult-adds", "M MACs") if data.x_axis == "mult_adds" else ("params", "M params")


# --- what each point is called ---------------------------------------------------------


def _base_model(family: str) -> str:
    return family.replace("_", "-")  # mobilenet_v1 -> mobilenet-v1, the grid's model


def classifier(point: PublishedPoint) -> bool:
    """A top-1 result (ImageNet, Stanford Dogs): one of a family's alpha/resolution grid
    or a variant of it. A detector's or segmentation model's result (COCO) is neither:
    its family is its backbone's, and its own name is its label."""
    return point.dataset in TOP1_DATASETS


def is_variant(point: PublishedPoint) -> bool:
    """A paper result of a MobileNet family that is not its alpha/resolution grid: an
    architecture variant (Conv MobileNet, Shallow MobileNet), named on the plot."""
    return (
        classifier(point)
        and point.source == "paper"
        and point.family != "other"
        and point.model != _base_model(point.family)
    )


def source_name(point: PublishedPoint) -> str:
    """The source in a legend entry: "paper", "checkpoints", or a document's brief
    ("torchvision docs")."""
    briefs = [s.brief for s in point.provenance if s.brief]
    return briefs[0] if briefs else point.source


def point_label(point: PublishedPoint) -> str:
    """The short name a point carries on the plot: "0.75/160" on a MobileNet grid (the
    colour says which family), "Large 0.75/224" for a V3 line, the model's name for
    variants, other models and every COCO result ("SSD 300 / MobileNet")."""
    if not classifier(point) or point.family == "other" or is_variant(point) or not point.config:
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


def subtitle_lines(data: ParetoData, interactive: bool) -> list[str]:
    """The subtitle's lines: what is plotted, from which documents, and the cost basis."""
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
    return (f"{dataset} {metric} vs {what}", "; ".join(subtitle_lines(data, interactive)))


# --- hover -----------------------------------------------------------------------------


def hover(plotted: PlottedPoint, data: ParetoData) -> str:
    """A published point's hover text: its name, accuracy, cost and source."""
    point = plotted.point
    _, unit = axis_words(data)
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


def highlight_hover(h: HighlightPoint) -> str:
    """A highlighted configuration's hover text: mncost's counts and its accuracy."""
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


# --- marks ----------------------------------------------------------------------------


def marker_size(point: PublishedPoint) -> int:
    """A point's marker size in px: a variant's, a paper result's, a checkpoint's."""
    return 10 if is_variant(point) else 11 if point.source == "paper" else 8


def group_name(family: str, source: str, precision: str, variant: bool, at_published: bool) -> str:
    """A legend entry: the family (or its variants), the source, and where it matters
    the precision and the published cost."""
    name = f"{FAMILY_NAMES[family]}{' variants' if variant else ''}, {source}"
    if source not in SOURCE_SYMBOL:  # a document's brief ("torchvision docs")
        return name + (", published cost" if at_published else "")
    if source == "checkpoints" and family in _PRECISIONS_RELEASED:
        name += f" ({precision})"
    return name + (", published cost" if at_published else "")
