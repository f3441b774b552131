"""What the design-review page of one configuration concludes (``mncost report``).

The page (:mod:`mncost.present.views.review`) only lays out what this module works out:

- the configuration's **task** (:class:`Task`: its classes and its input) and which
  published results share it. Only those are compared with: a 10-class, 32x32 CIFAR net
  is not put on the ImageNet plot, nor divided by ImageNet MobileNets;
- the **nearest published models** by mult-adds, each counted by mncost under the
  configuration's counting conventions, with the cost ratios;
- where the configuration falls among the published results of its task (the Pareto
  data, with the configuration marked at its exact cost);
- on request, what the configuration needs on a device: memory in two settings, its
  memory profile and an estimated latency (:func:`~mncost.analysis.deployment.deployment`,
  re-exported here);
- on request, the summary of mncost's reproduction of the paper's cost figures (the
  appendix of ``mncost report --audit``).

"Same task" is decided by :meth:`Task.admits`: the same number of classes, an RGB input
(every published result mncost holds classifies RGB images), and an input side within
a factor of :data:`SIZE_FACTOR` of the configuration's. The factor lets a 160x160
MobileNet be compared with 224x224 ones, as the paper's own resolution tables do, and
keeps a 32x32 net away from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from math import ceil
from typing import TYPE_CHECKING

from mncost.analysis.deployment import REVIEW_DEVICE, Deployment, deployment
from mncost.analysis.pareto import (
    ParetoData,
    PlottedPoint,
    highlight_from_cost,
    matching_point,
    pareto_data,
)
from mncost.analysis.published import published_points
from mncost.arch.registry import get_entry, get_model
from mncost.cost.model import Model
from mncost.cost.result import CostResult, count
from mncost.cost.scaling import multiplier_text
from mncost.sources.points import DATASET_METRICS, DATASETS, METRICS, PublishedPoint

if TYPE_CHECKING:  # the audit is imported only when asked for
    from mncost.analysis.reproduce.audit import TableSummary
    from mncost.analysis.schedules import PatchSearch
    from mncost.cost.execution import Execution

__all__ = [
    "REVIEW_DEVICE",
    "Deployment",
    "deployment",
    "NEAREST",
    "PUBLISHED_INPUT_CHANNELS",
    "SIZE_FACTOR",
    "DatasetTask",
    "Neighbour",
    "Reproduction",
    "ReviewData",
    "Task",
    "closest",
    "nearest_models",
    "review_data",
]

SIZE_FACTOR = 2
"""A published input is "the same size" when each side is at most this many times the
configuration's, and at least 1/this of it (160 admits 80 to 320)."""

PUBLISHED_INPUT_CHANNELS = 3
"""Every published result mncost holds (ImageNet, Stanford Dogs) classifies RGB images."""

NEAREST = 5
"""How many published models the summary compares the configuration with."""


@dataclass(frozen=True)
class Task:
    """What a configuration classifies, as far as comparing it with published results goes."""

    classes: int
    """Classifier width (0: no classifier, so no published accuracy applies)."""
    height: int
    """Input height in pixels."""
    width: int
    """Input width in pixels."""
    channels: int
    """Input channels (3 for an RGB image)."""
    kind: str = "classification"
    """"classification", or a built-in detector's "detection" or segmenter's
    "segmentation": what its published accuracy scores (:attr:`Metric.task`)."""

    @classmethod
    def of(cls, result: CostResult, kind: str = "classification") -> Task:
        """The task of a counted configuration: the classifier that is actually there
        (none: 0 classes), and its input (tensor 0 of the geometry); a detector's or
        segmenter's (``kind``) classes are its class slots."""
        spatial, widths = result.geometry.spatial, result.geometry.width
        found = result.classifier
        if kind != "classification":
            classes = result.classes
        else:
            classes = found.outputs if found is not None else 0
        return cls(
            classes=classes,
            height=spatial.heights[0],
            width=spatial.widths[0],
            channels=widths.channels[0],
            kind=kind,
        )

    @property
    def sides(self) -> tuple[int, int]:
        """The smallest and the largest published input side this task admits."""
        return (
            ceil(max(self.height, self.width) / SIZE_FACTOR),
            SIZE_FACTOR * min(self.height, self.width),
        )

    def admits(self, point: PublishedPoint) -> bool:
        """Whether ``point`` is a result of this task: the same classes, an RGB input,
        and a (square) input side within :data:`SIZE_FACTOR` of each of this one's."""
        if point.metric.task != self.kind or self.channels != PUBLISHED_INPUT_CHANNELS:
            return False
        if self.kind != "classification":
            # A detector's row may name no model mncost builds (Table 13's "SSD 300 /
            # VGG"): its input is in its name, and it is of the task all the same.
            if point.classes is not None and point.classes != self.classes:
                return False
            if point.resolution is None:
                return True
        elif not self.classes or point.classes != self.classes or point.resolution is None:
            return False
        smallest, largest = self.sides
        return smallest <= point.resolution <= largest


@dataclass(frozen=True)
class DatasetTask:
    """The task of one dataset's published results, in brief: what there is to compare with."""

    dataset: str
    """A key of :data:`~mncost.sources.points.DATASETS`."""
    classes: tuple[int, ...]
    """The classifier widths of its results (one, in practice)."""
    smallest: int
    """The smallest input side among its results."""
    largest: int
    """The largest input side among its results."""
    results: int
    """How many published results it has."""


@dataclass(frozen=True)
class Neighbour:
    """One row of the comparison: a published model near this configuration's cost, or
    the configuration itself (``point`` None), both counted the same way."""

    point: PublishedPoint | None
    """The published result, with its figures as printed; None for this configuration."""
    mult_adds: Fraction
    """mncost's count under the configuration's counting conventions (the published
    figure when mncost cannot count the model: ``counted`` False)."""
    params: Fraction | None
    counted: bool
    """Whether the costs are mncost's count (else the published figures)."""
    mult_adds_ratio: Fraction | None
    """This configuration's mult-adds / this row's, exactly (None: this row costs 0)."""
    params_ratio: Fraction | None


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
    task: Task
    datasets: tuple[DatasetTask, ...]
    """Every dataset with published results, to say what exists when nothing is comparable."""
    dataset: str | None
    """The dataset whose published results are of the same task (None: no dataset's are)."""
    comparable: tuple[PublishedPoint, ...]
    """The published results of ``dataset`` of the same task (every precision)."""
    other_size: tuple[PublishedPoint, ...]
    """The results of ``dataset`` with the same classes left out for their input size."""
    published_self: PublishedPoint | None
    """The published result of this very configuration, when it is a built-in model's."""
    nearest: tuple[Neighbour, ...]
    """The :data:`NEAREST` published models nearest in mult-adds, and this configuration
    (``point`` None), cheapest first."""
    closest: Neighbour | None
    """The published model of ``nearest`` nearest in mult-adds."""
    pareto: ParetoData | None
    """The comparable results with this configuration highlighted (None: nothing to plot)."""
    best_cheaper: PlottedPoint | None
    """The most accurate comparable result that costs no more than this configuration."""
    reproduction: Reproduction | None
    """The paper audit's summary, when the appendix was asked for."""
    deployment: Deployment | None = None
    """Memory and latency of this configuration (None: not asked for)."""


_TASK_DATASETS = {
    task: dataset
    for dataset, metric in DATASET_METRICS.items()
    if (task := METRICS[metric].task) != "classification"
}
"""A detection or segmentation task -> the dataset its published results are of."""


def _kind(model: str | None) -> str:
    """A built-in model's task: its family's ("detection", "segmentation"), else
    "classification" (a spec file's model too: its name proves nothing)."""
    if model is None:
        return "classification"
    try:
        family = get_entry(model).family
    except KeyError:  # not a built-in name
        return "classification"
    return family if family in _TASK_DATASETS else "classification"


def _dataset_tasks(points: list[PublishedPoint]) -> tuple[DatasetTask, ...]:
    tasks = []
    for dataset in DATASETS:
        mine = [p for p in points if p.dataset == dataset]
        sides = [p.resolution for p in mine if p.resolution is not None]
        if not mine or not sides:
            continue
        tasks.append(
            DatasetTask(
                dataset=dataset,
                classes=tuple(sorted({p.classes for p in mine if p.classes})),
                smallest=min(sides),
                largest=max(sides),
                results=len(mine),
            )
        )
    return tuple(tasks)


def _same_configuration(a: PublishedPoint, b: PublishedPoint) -> bool:
    return (a.model or a.label, a.alpha, a.resolution, a.classes) == (
        b.model or b.label,
        b.alpha,
        b.resolution,
        b.classes,
    )


def _ratio(this: int, that: Fraction | None) -> Fraction | None:
    return None if not that else Fraction(this) / that


def _neighbour(result: CostResult, point: PublishedPoint) -> Neighbour:
    if point.computed is not None and point.model is not None and point.alpha is not None:
        # Under the configuration's counting conventions (--bn, --fc-bias) so a ratio
        # compares like with like, but with that model's own width rule: --rounding
        # changes the configuration's architecture, not the published one's.
        that = count(
            get_model(point.model),
            point.alpha,
            point.resolution,
            point.classes,
            replace(result.conventions, rounding=None),
        ).total
        mult_adds, counted = Fraction(that.mult_adds), True
        params: Fraction | None = Fraction(that.params)
    else:
        mult_adds, counted = Fraction(point.mult_adds_m or 0) * 10**6, False
        params = Fraction(point.params_m) * 10**6 if point.params_m is not None else None
    return Neighbour(
        point=point,
        mult_adds=mult_adds,
        params=params,
        counted=counted,
        mult_adds_ratio=_ratio(result.total.mult_adds, mult_adds),
        params_ratio=_ratio(result.total.params, params),
    )


def _distance(this: Fraction, row: Neighbour) -> tuple[int, Fraction]:
    """How far ``row``'s mult-adds are from ``this``: the cost ratio either way up.

    Against 0 no ratio is finite, so the cheapest rows are the nearest; a row that
    costs 0 is the farthest from a configuration that does not.
    """
    if this == 0:
        return (0, row.mult_adds)
    if row.mult_adds == 0:
        return (1, Fraction(0))
    return (0, max(this / row.mult_adds, row.mult_adds / this))


def closest(rows: Sequence[Neighbour], this: int) -> Neighbour | None:
    """The published row of ``rows`` nearest ``this`` many mult-adds (the first on a tie)."""
    published = [row for row in rows if row.point is not None]
    return min(published, key=lambda row: _distance(Fraction(this), row), default=None)


def nearest_models(
    result: CostResult,
    candidates: list[PublishedPoint],
    exclude: PublishedPoint | None = None,
    k: int = NEAREST,
) -> tuple[Neighbour, ...]:
    """The ``k`` published models of ``candidates`` nearest ``result`` in mult-adds, and
    ``result`` itself, cheapest first.

    "Nearest" is the smaller cost ratio either way up, max(a/b, b/a), so 2x cheaper and
    2x dearer are equally near; ties go to the earlier candidate (the paper's rows come
    first). One row per model configuration: an 8-bit checkpoint is the float model
    quantised (its accuracy is another model's), and a configuration printed by both
    the paper and the checkpoint list keeps the paper's row. ``exclude`` is this
    configuration's own published result, already stated beside its totals.
    """
    models: list[PublishedPoint] = []
    for point in candidates:
        if point.precision != "float32" or (point.mult_adds_m is None and point.computed is None):
            continue
        if exclude is not None and _same_configuration(point, exclude):
            continue
        if not any(_same_configuration(point, kept) for kept in models):
            models.append(point)
    rows = [_neighbour(result, point) for point in models]
    this = Fraction(result.total.mult_adds)
    order = sorted(range(len(rows)), key=lambda i: (_distance(this, rows[i]), i))
    chosen = [rows[i] for i in order[:k]]
    itself = Neighbour(
        point=None,
        mult_adds=this,
        params=Fraction(result.total.params),
        counted=True,
        mult_adds_ratio=Fraction(1) if this else None,
        params_ratio=Fraction(1) if result.total.params else None,
    )
    # Cheapest first, this configuration before a published model of the same cost.
    return tuple(sorted([itself, *chosen], key=lambda row: (row.mult_adds, row.point is not None)))


def _reproduction() -> Reproduction:
    try:
        from mncost.analysis.reproduce import STATUSES, reproduce, summarize
    except ImportError as exc:  # the audit is a package of its own; the page survives it
        return Reproduction(unavailable=str(exc))
    return Reproduction(summaries=tuple(summarize(reproduce())), statuses=tuple(STATUSES))


def review_data(
    result: CostResult,
    source: str,
    match_published: bool = True,
    audit: bool = False,
    arch: Model | None = None,
    model: str | None = None,
    execution: Execution | None = None,
    search: PatchSearch | None = None,
) -> ReviewData:
    """Work out the review of ``result``; ``source`` says where the architecture came from.

    ``match_published`` lets a built-in model take the published accuracy of the same
    configuration; a spec file's model never does (its name proves nothing). ``audit``
    adds the summary of the paper audit (the page's appendix). With ``arch`` (the
    architecture ``result`` counted) the review also says what the configuration needs
    on a device: memory and an estimated latency (:func:`deployment`), the memory
    profile under ``execution`` (or the patch schedule ``search`` picks).
    """
    kind = _kind(model)
    # A classifier's results are the top-1 datasets'; a detector's or segmenter's, its task's.
    points = published_points(dataset=_TASK_DATASETS.get(kind))
    task = Task.of(result, kind)
    by_dataset = {d: [p for p in points if p.dataset == d and task.admits(p)] for d in DATASETS}
    # One dataset's accuracy per plot: the one with the most results of this task.
    dataset = max(
        (d for d in DATASETS if by_dataset[d]), key=lambda d: len(by_dataset[d]), default=None
    )
    comparable = by_dataset[dataset] if dataset is not None else []
    other_size = [
        p
        for p in points
        if p.dataset == dataset and p.classes == task.classes and not task.admits(p)
    ]
    match = None
    if match_published and comparable:
        match = matching_point(result.model, result.alpha, result.resolution, comparable)
        if match is not None and match.classes not in (None, result.classes):
            match = None  # another classifier: the published accuracy is not this model's
    pareto = best = None
    if dataset is not None:
        label = (
            f"this configuration ({result.model} {multiplier_text(result.alpha)}/"
            f"{result.resolution})"
        )
        highlight = highlight_from_cost(
            label, result.total.mult_adds, result.total.params, "mult_adds", match
        )
        pareto = pareto_data(comparable, dataset, highlights=[highlight])
        cheaper = [p for p in pareto.points if p.x <= highlight.x]
        best = max(cheaper, key=lambda p: p.y) if cheaper else None
    nearest = nearest_models(result, comparable, exclude=match) if comparable else ()
    return ReviewData(
        result=result,
        source=source,
        task=task,
        datasets=_dataset_tasks(points),
        dataset=dataset,
        comparable=tuple(comparable),
        other_size=tuple(other_size),
        published_self=match,
        nearest=nearest,
        closest=closest(nearest, result.total.mult_adds),
        pareto=pareto,
        best_cheaper=best,
        reproduction=_reproduction() if audit else None,
        deployment=deployment(arch, result, model, execution, search) if arch is not None else None,
    )
