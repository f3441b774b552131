"""What the Pareto plot shows, as plain data: plotted points, the frontier, highlights.

Kept apart from drawing (:mod:`mncost.present.figures`) so the choices (which cost each point
is placed at, which points are on the frontier, which accuracy a highlight gets) are
tested without plotly. Costs are in millions, as exact Fractions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from mncost.analysis.frontier import pareto_frontier
from mncost.analysis.scenario import DEFAULT_MODEL, Config, parse_config
from mncost.cost.result import count
from mncost.cost.scaling import Resolution, ScalingError, multiplier_text, resolution_text
from mncost.errors import ExploreError
from mncost.sources import publication, split_table
from mncost.sources.points import DATASET_METRICS, FAMILIES, METRICS, Metric, PublishedPoint
from mncost.text import quote

__all__ = [
    "COST_BASES",
    "CostBasis",
    "Highlight",
    "HighlightError",
    "HighlightPoint",
    "PlottedPoint",
    "ParetoData",
    "X_AXES",
    "XAxis",
    "highlight_from_cost",
    "matching_point",
    "pareto_data",
    "parse_highlight",
    "resolve_highlight",
]

XAxis = Literal["mult_adds", "params"]
CostBasis = Literal["published", "computed"]
X_AXES: tuple[str, ...] = ("mult_adds", "params")
COST_BASES: tuple[str, ...] = ("published", "computed")


class HighlightError(ValueError):
    """A --highlight that cannot be read or counted; the message is one line."""


@dataclass(frozen=True, eq=False)
class Highlight:
    """A configuration the user asked to mark: MODEL@ALPHA/RES (or ALPHA/RES: v1)."""

    config: Config

    @property
    def model(self) -> str:
        """The model's name (the registry's for a built-in model)."""
        return self.config.model.label

    @property
    def alpha(self) -> Fraction:
        return self.config.alpha

    @property
    def resolution(self) -> Resolution:
        return self.config.resolution

    @property
    def label(self) -> str:
        """ "0.75/160" for MobileNet v1, "MODEL@0.75/160" for any other model."""
        setting = f"{multiplier_text(self.alpha)}/{resolution_text(self.resolution)}"
        return (
            setting if self.config.model.registered == DEFAULT_MODEL else f"{self.model}@{setting}"
        )


@dataclass(frozen=True)
class PlottedPoint:
    """A published point placed on the plot."""

    point: PublishedPoint
    x: Fraction
    """Cost in millions (mult-adds or params)."""
    x_basis: str
    """"published", "mncost" or "published (mncost cannot count it)"."""
    y: Fraction
    """The published accuracy in percent, in the dataset's metric (top-1, mAP, mIoU)."""


@dataclass(frozen=True)
class HighlightPoint:
    """A marked configuration at mncost's exact cost."""

    label: str
    mult_adds: int
    params: int
    x: Fraction
    """Cost in millions on the plot's axis."""
    accuracy: Fraction | None
    """The published accuracy of the same configuration in the plotted dataset's metric
    (top-1, mAP, mIoU), if any."""
    accuracy_from: PublishedPoint | None


@dataclass(frozen=True)
class ParetoData:
    """Everything the Pareto plot draws."""

    dataset: str
    x_axis: XAxis
    cost_basis: CostBasis
    points: tuple[PlottedPoint, ...]
    frontier: tuple[int, ...]
    """Indices into ``points``, cheapest first."""
    highlights: tuple[HighlightPoint, ...] = ()
    left_out: tuple[PublishedPoint, ...] = ()
    """Points of the dataset with no accuracy (in its metric) or no cost on this axis."""

    @property
    def metric(self) -> Metric:
        """What the y axis measures: the dataset's metric (top-1 for ImageNet, mAP for
        COCO, mIoU for COCO-VOC); one figure never mixes two."""
        return METRICS[DATASET_METRICS[self.dataset]]

    @property
    def families(self) -> tuple[str, ...]:
        """The families of the plotted points, in :data:`FAMILIES` order: what a
        --family or --dataset filter left on the plot."""
        present = {p.point.family for p in self.points}
        return tuple(f for f in FAMILIES if f in present)

    @property
    def paper_tables(self) -> tuple[int, ...]:
        """The numbers of the paper's tables the plotted points come from, ascending."""
        return tuple(
            sorted(
                {
                    int(s.table.removeprefix("Table "))
                    for p in self.points
                    if p.point.source == "paper"
                    for s in p.point.provenance
                    if s.table.startswith("Table ")
                }
            )
        )

    @property
    def other_paper_tables(self) -> dict[str, tuple[int, ...]]:
        """Other papers' tables the plotted points come from (the MobileNetV2 paper's
        Table 6), by publication ("Sandler et al. 2018, arXiv:1801.04381"): numbers
        ascending, publications in the order first plotted."""
        found: dict[str, set[int]] = {}
        for p in self.points:
            if p.point.source != "paper":
                continue
            for s in p.point.provenance:
                prefix, table = split_table(s.table)
                if prefix:
                    found.setdefault(publication(s.table), set()).add(
                        int(table.removeprefix("Table "))
                    )
        return {name: tuple(sorted(numbers)) for name, numbers in found.items()}

    @property
    def checkpoint_documents(self) -> tuple[str, ...]:
        """The checkpoint lists (repository files) the plotted checkpoints come from;
        documents with a brief of their own are :attr:`documented`'s."""
        return tuple(
            sorted(
                {
                    s.document
                    for p in self.points
                    if p.point.source == "checkpoints"
                    for s in p.point.provenance
                    if not s.brief
                }
            )
        )

    @property
    def documented(self) -> dict[str, tuple[str, ...]]:
        """The other documents the plotted checkpoints come from, by their brief
        ("torchvision docs": torchvision's documentation of each weights), each with the
        citations of its documents in the points' order."""
        found: dict[str, dict[str, None]] = {}
        for p in self.points:
            if p.point.source != "checkpoints":
                continue
            for s in p.point.provenance:
                if s.brief:
                    found.setdefault(s.brief, {})[s.citation] = None
        return {brief: tuple(citations) for brief, citations in found.items()}

    @property
    def at_published_cost(self) -> int:
        """How many points sit at their published cost although mncost's was asked for."""
        return sum(
            1 for p in self.points if self.cost_basis == "computed" and p.x_basis != "mncost"
        )


def parse_highlight(text: str) -> Highlight:
    """ "0.75/160" (MobileNet v1) or any configuration, MODEL@ALPHA/RES (MODEL a model
    reference, RES a side or HxW), as a :class:`Highlight`; HighlightError, one line."""
    try:
        return Highlight(parse_config(text, default_model=DEFAULT_MODEL))
    except ExploreError as exc:
        if "@" not in str(text) and ":" not in str(text) and "unknown model" in str(exc):
            raise HighlightError(
                f"cannot read highlight {quote(text)}: expected ALPHA/RES such as 0.75/160, "
                "or MODEL@ALPHA/RES"
            ) from None
        raise HighlightError(f"highlight {exc}") from None


def matching_point(
    model: str, alpha: Fraction, resolution: Resolution, points: Sequence[PublishedPoint]
) -> PublishedPoint | None:
    """The published result of ``model`` at (alpha, resolution) with an accuracy (top-1,
    or its dataset's metric: a detector's mAP), if any.

    The paper's figure first, then a float checkpoint: never an 8-bit one, whose
    accuracy is that of a different (quantised) model.
    """
    matches = [
        p
        for p in points
        if p.model == model
        and p.alpha == alpha
        and p.resolution == resolution
        and p.precision == "float32"
        and p.accuracy is not None
    ]
    matches.sort(key=lambda p: p.source != "paper")
    return matches[0] if matches else None


def highlight_from_cost(
    label: str, mult_adds: int, params: int, x_axis: XAxis, match: PublishedPoint | None
) -> HighlightPoint:
    """A highlight at an exact cost, with the accuracy of ``match`` when given."""
    x = Fraction(mult_adds if x_axis == "mult_adds" else params, 10**6)
    published = match.accuracy if match is not None else None
    accuracy = Fraction(published) if published is not None else None
    return HighlightPoint(
        label=label,
        mult_adds=mult_adds,
        params=params,
        x=x,
        accuracy=accuracy,
        accuracy_from=match if accuracy else None,
    )


def resolve_highlight(
    highlight: Highlight, points: Sequence[PublishedPoint], x_axis: XAxis = "mult_adds"
) -> HighlightPoint:
    """Count ``highlight`` with mncost; take the accuracy of the same published
    configuration (top-1, or the dataset's metric: mAP on COCO).

    ``points`` are the published points of the plotted dataset. The classifier is the
    one that dataset's published results of the model use (120 classes for Stanford
    Dogs), else the model's own.
    """
    arch = highlight.config.model.arch
    registered = highlight.config.model.registered
    match = (
        matching_point(registered, highlight.alpha, highlight.resolution, points)
        if registered is not None
        else None
    )
    widths = [p.classes for p in points if p.model == highlight.model and p.classes is not None]
    classes = (
        match.classes
        if match is not None
        else (max(set(widths), key=widths.count) if widths else None)
    )
    try:
        result = count(arch, highlight.alpha, highlight.resolution, classes)
    except ScalingError as exc:
        raise HighlightError(f"highlight {highlight.label!r}: {exc}") from None
    return highlight_from_cost(
        highlight.label, result.total.mult_adds, result.total.params, x_axis, match
    )


def _place(
    point: PublishedPoint, x_axis: XAxis, cost_basis: CostBasis
) -> tuple[Fraction, str] | None:
    published = point.mult_adds_m if x_axis == "mult_adds" else point.params_m
    if cost_basis == "computed":
        if point.computed is not None:
            exact = point.computed.mult_adds if x_axis == "mult_adds" else point.computed.params
            return Fraction(exact, 10**6), "mncost"
        if published is not None:
            return Fraction(published), "published (mncost cannot count it)"
        return None
    return (Fraction(published), "published") if published is not None else None


def pareto_data(
    points: Sequence[PublishedPoint],
    dataset: str,
    x_axis: XAxis = "mult_adds",
    cost_basis: CostBasis = "published",
    highlights: Sequence[HighlightPoint] = (),
) -> ParetoData:
    """Place the points of ``dataset`` and find the frontier (highlights stay off it).

    y is the dataset's metric (:attr:`ParetoData.metric`): top-1 for ImageNet, mAP for
    COCO; points of any other dataset are not plotted, so no figure mixes two metrics.
    """
    plotted: list[PlottedPoint] = []
    left_out: list[PublishedPoint] = []
    for point in points:
        if point.dataset != dataset:
            continue
        place = _place(point, x_axis, cost_basis)
        accuracy = point.accuracy
        if place is None or accuracy is None:
            left_out.append(point)
            continue
        plotted.append(
            PlottedPoint(point=point, x=place[0], x_basis=place[1], y=Fraction(accuracy))
        )
    frontier = pareto_frontier([(p.x, p.y) for p in plotted])
    return ParetoData(
        dataset=dataset,
        x_axis=x_axis,
        cost_basis=cost_basis,
        points=tuple(plotted),
        frontier=tuple(frontier),
        highlights=tuple(highlights),
        left_out=tuple(left_out),
    )
