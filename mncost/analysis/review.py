"""What the design-review page of one configuration concludes (``mncost report``).

The page (:mod:`mncost.present.views.review`) only lays out what this module works out:
the configuration's cost against each of the paper's published MobileNets, both counted
by mncost under the same conventions; where the configuration falls among published
results (the Pareto data, with the configuration marked at its exact cost); and the
summary of mncost's reproduction of the paper's cost figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from mncost.analysis.pareto import (
    ParetoData,
    PlottedPoint,
    highlight_from_cost,
    matching_point,
    pareto_data,
)
from mncost.arch.registry import get_model
from mncost.cost.result import CostResult, count
from mncost.cost.scaling import multiplier_text
from mncost.sources.points import PublishedPoint

if TYPE_CHECKING:  # the audit is imported only when the review is worked out
    from mncost.analysis.reproduce.audit import TableSummary

__all__ = ["PaperComparison", "Reproduction", "ReviewData", "review_data"]


@dataclass(frozen=True)
class PaperComparison:
    """The configuration against one of the paper's published models."""

    point: PublishedPoint
    """The paper's row, with its published figures as printed."""
    mult_adds: int
    """mncost's count of that model, under the configuration's conventions."""
    params: int
    mult_adds_ratio: Fraction
    """This configuration's mult-adds / that model's, exactly."""
    params_ratio: Fraction


@dataclass(frozen=True)
class Reproduction:
    """The summary of ``mncost reproduce``, or why it is missing."""

    summaries: tuple[TableSummary, ...] = ()
    """One summary per table, then "All"."""
    statuses: tuple[str, ...] = ()
    """Every status, in the order the summary counts them."""
    unavailable: str = ""
    """Why there is no summary ("" when there is one)."""


@dataclass(frozen=True)
class ReviewData:
    """Everything the review page shows about one configuration."""

    result: CostResult
    source: str
    """Where the architecture came from, in words."""
    comparisons: tuple[PaperComparison, ...]
    """Against each published MobileNet v1 of the paper on ``dataset``, paper order."""
    pareto: ParetoData
    """The published results of ``dataset`` with this configuration highlighted."""
    best_cheaper: PlottedPoint | None
    """The most accurate published result that costs no more than this configuration."""
    reproduction: Reproduction


def _comparisons(result: CostResult, paper: list[PublishedPoint]) -> tuple[PaperComparison, ...]:
    rows = []
    for p in paper:
        if p.model is None or p.alpha is None or p.resolution is None:
            continue
        # Count the paper's model under this configuration's conventions (--bn, --fc-bias,
        # --rounding), so a ratio compares like with like.
        that = count(get_model(p.model), p.alpha, p.resolution, p.classes,
                     result.conventions).total
        rows.append(PaperComparison(
            point=p, mult_adds=that.mult_adds, params=that.params,
            mult_adds_ratio=Fraction(result.total.mult_adds, that.mult_adds),
            params_ratio=Fraction(result.total.params, that.params)))
    return tuple(rows)


def _reproduction() -> Reproduction:
    try:
        from mncost.analysis.reproduce import STATUSES, reproduce, summarize
    except ImportError as exc:  # the audit is a package of its own; the page survives it
        return Reproduction(unavailable=str(exc))
    return Reproduction(summaries=tuple(summarize(reproduce())), statuses=tuple(STATUSES))


def review_data(result: CostResult, source: str, match_published: bool = True,
                dataset: str = "imagenet") -> ReviewData:
    """Work out the review of ``result``; ``source`` says where the architecture came from.

    ``match_published`` lets a built-in model take the published accuracy of the same
    configuration on the plot; a spec file's model never does (its name proves nothing).
    """
    from mncost.analysis.published import published_points

    points = published_points(dataset=dataset)
    paper_v1 = [p for p in points if p.source == "paper" and p.family == "mobilenet_v1"]
    match = None
    if match_published:
        match = matching_point(result.model, result.alpha, result.resolution, points)
        if match is not None and match.classes not in (None, result.classes):
            match = None  # another classifier: the published accuracy is not this model's
    label = (f"this configuration ({result.model} {multiplier_text(result.alpha)}/"
             f"{result.resolution})")
    highlight = highlight_from_cost(label, result.total.mult_adds, result.total.params,
                                    "mult_adds", match)
    pareto = pareto_data(points, dataset, highlights=[highlight])
    cheaper = [p for p in pareto.points if p.x <= highlight.x]
    return ReviewData(
        result=result, source=source, comparisons=_comparisons(result, paper_v1),
        pareto=pareto, best_cheaper=max(cheaper, key=lambda p: p.y) if cheaper else None,
        reproduction=_reproduction())
