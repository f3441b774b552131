"""Querying the published set, with mncost's exact count attached where it can count.

mncost counts a published configuration when its source names the built-in model it is
(``PublishedPoint.model``: the paper's rows through their configuration, the released
checkpoints through :data:`mncost.sources.checkpoints.CHECKPOINT_LINES`, torchvision's
COCO weights through :data:`mncost.sources.coco.TORCHVISION_LAYOUTS`) and that model
is registered. The count uses mncost's default conventions (batch norm not counted, FC
bias counted, the model's own channel rounding) and the classifier width the source used.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from functools import cache

from mncost.arch.registry import get_model, list_models
from mncost.cost.result import count
from mncost.sources.checkpoints import checkpoint_points
from mncost.sources.coco import coco_points
from mncost.sources.paper_points import paper_points
from mncost.sources.points import (
    DATASETS,
    FAMILIES,
    SOURCES,
    TOP1_DATASETS,
    ComputedCost,
    PublishedPoint,
)

__all__ = ["PublishedQueryError", "computed_cost", "other_accuracy", "published_points"]


class PublishedQueryError(ValueError):
    """An unknown family, source or dataset; the message names the choices."""


def _check(value: str, choices: Iterable[str], what: str) -> None:
    choices = tuple(choices)
    if value not in choices:
        raise PublishedQueryError(f"unknown {what} {value!r}; choose from {', '.join(choices)}")


@cache
def computed_cost(
    model: str, alpha: Fraction, resolution: int, classes: int | None
) -> ComputedCost:
    """mncost's count of ``model`` at (alpha, resolution, classes), default conventions."""
    result = count(get_model(model), alpha, resolution, classes)
    return ComputedCost(mult_adds=result.total.mult_adds, params=result.total.params)


def _registered(name: str) -> bool:
    return any(entry.name == name for entry in list_models())


def _attach(point: PublishedPoint) -> PublishedPoint:
    # The source names the model (point.model); nothing is guessed from the family.
    name = point.model
    if name is None or point.alpha is None or point.resolution is None:
        return point.with_computed(
            None, point.not_computed or f"mncost has no spec for {point.label}"
        )
    if not _registered(name):
        return point.with_computed(
            None, point.not_computed or f"mncost has no built-in model {name!r} yet"
        )
    return point.with_computed(computed_cost(name, point.alpha, point.resolution, point.classes))


def published_points(
    source: str = "all",
    families: Iterable[str] | None = None,
    dataset: str | None = None,
    computed: bool = True,
) -> list[PublishedPoint]:
    """The published points, the paper's first, each with mncost's count when it has one.

    ``source`` is "paper", "checkpoints" or "all"; ``families`` any of FAMILIES (None:
    all); ``dataset`` a key of DATASETS, "all", or None: the top-1 datasets
    (:data:`~mncost.sources.points.TOP1_DATASETS`, ImageNet and Stanford Dogs), so that
    COCO's mAP and mIoU results come only when asked for. Raises PublishedQueryError on
    an unknown value.
    """
    _check(source, (*SOURCES, "all"), "source")
    wanted = tuple(families) if families is not None else FAMILIES
    for family in wanted:
        _check(family, FAMILIES, "family")
    if dataset is not None:
        _check(dataset, (*DATASETS, "all"), "dataset")
    datasets = (
        TOP1_DATASETS if dataset is None else tuple(DATASETS) if dataset == "all" else (dataset,)
    )
    points: list[PublishedPoint] = []
    if source in ("paper", "all"):
        points += paper_points()
    if source in ("checkpoints", "all"):
        points += checkpoint_points()
    if any(d not in TOP1_DATASETS for d in datasets):
        # The paper's Table 13 with the paper's tables, torchvision's with the checkpoints.
        coco = [p for p in coco_points() if source == "all" or p.source == source]
        paper = [p for p in points if p.source == "paper"]
        points = (
            paper
            + [p for p in coco if p.source == "paper"]
            + [p for p in points if p.source != "paper"]
            + [p for p in coco if p.source != "paper"]
        )
    points = [p for p in points if p.family in wanted and p.dataset in datasets]
    return [_attach(p) for p in points] if computed else points


def other_accuracy(model: str) -> list[PublishedPoint]:
    """The published results of built-in ``model`` in a metric other than top-1 (a
    detector's COCO mAP, a segmentation model's mIoU), mncost's count not attached: what
    it has instead of a top-1, for saying why it has none."""
    return [
        p
        for p in published_points(dataset="all", computed=False)
        if p.model == model and p.metric.key != "top1"
    ]
