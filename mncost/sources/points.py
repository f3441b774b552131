"""The record of one published result: a model's accuracy and cost as someone printed it.

A :class:`PublishedPoint` keeps the published figures (exact Decimals, as printed) apart
from mncost's own count for the same configuration (:class:`ComputedCost`, exact ints),
and says where every published figure came from (:class:`Provenance`).

A gap between the two is signed one way everywhere in mncost: mncost's count minus the
published figure, relative to the published figure (:func:`relative_gap`), so a positive
gap means mncost counts more than was printed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from mncost.cost.scaling import multiplier_text
from mncost.sources.paper_cells import cite, split_table

__all__ = [
    "DATASETS",
    "DATASET_METRICS",
    "FAMILIES",
    "METRICS",
    "SOURCES",
    "TOP1_DATASETS",
    "ComputedCost",
    "Metric",
    "Precision",
    "Provenance",
    "PublishedPoint",
    "SourceKind",
    "relative_gap",
    "within_rounding",
]

SourceKind = Literal["paper", "checkpoints"]
Precision = Literal["float32", "int8"]

FAMILIES: tuple[str, ...] = ("mobilenet_v1", "mobilenet_v2", "mobilenet_v3", "other")
"""Model families: the paper's comparison models and its MobileNet ablations (Conv
MobileNet, Shallow MobileNet) are "other". MobileNet V3's Large, Small and minimalistic
checkpoints are all "mobilenet_v3" (the registry's family for the four models); each
point's ``model`` says which one it is."""
SOURCES: tuple[str, ...] = ("paper", "checkpoints")
DATASETS: dict[str, str] = {
    "imagenet": "ImageNet",
    "stanford_dogs": "Stanford Dogs",
    "coco": "COCO",
    "coco_voc": "COCO-VOC",
}
"""Dataset key -> the name printed on axes and tables. "coco" is object detection on COCO
(the MobileNets paper's Table 13, torchvision's detection weights); "coco_voc" is semantic
segmentation on the subset of COCO with the 20 categories Pascal VOC has (torchvision's
segmentation weights, "COCO-val2017-VOC-labels" in their metadata)."""


@dataclass(frozen=True)
class Metric:
    """What a dataset's published accuracy measures, and how mncost names it."""

    key: str
    """The :class:`PublishedPoint` field that holds it: "top1", "box_map" or "miou"."""
    name: str
    """In running text and titles: "top-1", "mAP", "mIoU"."""
    header: str
    """A table column's header: "Top-1 %", "mAP %", "mIoU %"."""
    axis: str
    """The y axis title, with {dataset} for the dataset's name: "COCO mAP (%)"."""
    meaning: str
    """What it is, in a sentence's words, for notes under tables and plots."""
    task: str
    """The task it scores: "classification", "detection", "segmentation"."""


METRICS: dict[str, Metric] = {
    "top1": Metric(
        "top1",
        "top-1",
        "Top-1 %",
        "Top-1 accuracy on {dataset} (%)",
        "top-1 accuracy",
        "classification",
    ),
    "box_map": Metric(
        "box_map",
        "mAP",
        "mAP %",
        "{dataset} mAP (%)",
        "box mAP, COCO's primary challenge metric (AP averaged over IoU 0.50:0.05:0.95)",
        "detection",
    ),
    "miou": Metric(
        "miou",
        "mIoU",
        "mIoU %",
        "{dataset} mIoU (%)",
        "mean intersection over union of the predicted and true masks, over the classes",
        "segmentation",
    ),
}
"""Each accuracy a published point can carry, by its field."""

DATASET_METRICS: dict[str, str] = {
    "imagenet": "top1",
    "stanford_dogs": "top1",
    "coco": "box_map",
    "coco_voc": "miou",
}
"""Dataset key -> the key of :data:`METRICS` its results are published in. Each dataset
has one: top-1 (classification), mAP (detection) and mIoU (segmentation) never share an
axis, a column or a ranking."""

TOP1_DATASETS: tuple[str, ...] = tuple(d for d, m in DATASET_METRICS.items() if m == "top1")
"""The classification datasets: what mncost lists, plots and ranks by top-1 unless a
dataset is named."""


@dataclass(frozen=True)
class Provenance:
    """Where a published figure was printed."""

    document: str
    """For the paper, the transcription the row was read from (a file in shared/paper/:
    data for checking, never shown); for a checkpoint list, the repository file it was
    read from ("tensorflow/models research/slim/nets/mobilenet_v1.md (commit 02c04f49)")."""
    table: str = ""
    """"Table 6" for the paper; empty for a checkpoint list."""
    row: str = ""
    """The row label as printed ("0.75 MobileNet-224", "MobileNet_v1_0.75_224")."""
    brief: str = ""
    """The document in a few words, where its path does not say it ("torchvision
    docs"); empty: derived from ``document``."""

    @property
    def citation(self) -> str:
        """Where the figures are printed, as a reader can look it up: the publication and
        its table ("Howard et al. 2017, arXiv:1704.04861, Table 6"), or the checkpoint
        list's repository file."""
        return cite(self.table) if self.table else self.document

    def describe(self) -> str:
        """One line: the citation and the row."""
        return f"{self.citation}: row {self.row!r}"


@dataclass(frozen=True)
class ComputedCost:
    """mncost's exact count of the same configuration, at the paper's conventions."""

    mult_adds: int
    params: int


@dataclass(frozen=True)
class PublishedPoint:
    """One published (model, accuracy, mult-adds, params) result with its provenance."""

    label: str
    """The model as its source names it ("0.75 MobileNet-224", "MobileNet_v1_0.75_224")."""
    family: str
    """One of FAMILIES."""
    source: SourceKind
    dataset: str
    """A key of DATASETS: the accuracy is this dataset's metric (DATASET_METRICS): top-1
    on ImageNet or Stanford Dogs, box mAP on COCO, mIoU on COCO-VOC."""
    precision: Precision
    provenance: tuple[Provenance, ...]
    """Every place these exact figures were printed (a model repeated in several of the
    paper's tables with the same figures is one point)."""
    model: str | None = None
    """mncost's registry name when mncost can count this configuration."""
    alpha: Fraction | None = None
    resolution: int | None = None
    classes: int | None = None
    top1: Decimal | None = None
    """Top-1 accuracy in percent, as printed."""
    top5: Decimal | None = None
    box_map: Decimal | None = None
    """COCO box mAP in percent (AP at IoU 0.50:0.05:0.95), as printed: detectors only."""
    miou: Decimal | None = None
    """Mean IoU in percent, as printed: segmentation models only."""
    mult_adds_m: Decimal | None = None
    """Published mult-adds in millions, as printed."""
    params_m: Decimal | None = None
    """Published parameters in millions, as printed."""
    latency_ms: Decimal | None = None
    """Published latency in ms on a Pixel 1 phone (MobileNet V2 and V3 checkpoints, the
    MobileNetV2 paper's SSDLite detectors), as printed."""
    latencies: tuple[tuple[str, Decimal], ...] = ()
    """Every published latency in ms, by device, as printed: (("Pixel 1", 51.2),
    ("Pixel 2", 61), ("Pixel 3", 44)) for a V3 checkpoint."""
    computed: ComputedCost | None = None
    not_computed: str = ""
    """Why ``computed`` is None (e.g. "mncost has no built-in model 'resnet-50' yet")."""
    note: str = ""
    """What is known about a gap between the published figures and ``computed`` (a
    different layout in the publisher's code, a truncated figure); empty when none."""

    @property
    def metric(self) -> Metric:
        """What this point's accuracy measures: its dataset's metric."""
        return METRICS[DATASET_METRICS[self.dataset]]

    @property
    def accuracy(self) -> Decimal | None:
        """The published accuracy in its dataset's metric (:attr:`metric`), as printed:
        top-1 for ImageNet, box mAP for COCO, mIoU for COCO-VOC."""
        value: Decimal | None = getattr(self, self.metric.key)
        return value

    @property
    def tables(self) -> str:
        """The source in brief: "paper Tables 4, 6", "checkpoints (mobilenet_v1.md)" or
        a document's own brief ("torchvision docs")."""
        if self.source == "paper":
            return "; ".join(
                f"{prefix + ' ' if prefix else ''}paper {_tables(numbers)}"
                for prefix, numbers in self._paper_tables().items()
            )
        briefs = dict.fromkeys(p.brief for p in self.provenance if p.brief)
        if briefs:
            return ", ".join(briefs)
        # "tensorflow/models research/slim/nets/mobilenet/README.md (commit 0ba83cf0)"
        # -> "mobilenet/README.md": enough to tell the two lists apart.
        documents = dict.fromkeys(
            "/".join(p.document.split(" (")[0].split("/")[-2:]) for p in self.provenance
        )
        return "checkpoints " + ", ".join(documents)

    @property
    def citation(self) -> str:
        """Every place these figures are printed, as a reader can look it up: "Howard et
        al. 2017, arXiv:1704.04861, Tables 4, 6, 7, 8", or the checkpoint list's
        repository file ("tensorflow/models research/slim/nets/mobilenet_v1.md (commit
        02c04f49)")."""
        if self.source == "paper":
            return "; ".join(
                cite(f"{prefix + ' ' if prefix else ''}{_tables(numbers)}")
                for prefix, numbers in self._paper_tables().items()
            )
        return "; ".join(dict.fromkeys(p.citation for p in self.provenance))

    def _paper_tables(self) -> dict[str, list[str]]:
        """A paper point's tables by publication prefix ("" for the MobileNets paper,
        "V2" for the MobileNetV2 paper's), each a list of table numbers in order."""
        grouped: dict[str, list[str]] = {}
        for p in self.provenance:
            prefix, table = split_table(p.table)
            numbers = grouped.setdefault(prefix, [])
            if table.removeprefix("Table ") not in numbers:
                numbers.append(table.removeprefix("Table "))
        return grouped

    @property
    def config(self) -> str:
        """ "alpha/resolution" ("0.75/160"), or "" when the source does not define it."""
        if self.alpha is None or self.resolution is None:
            return ""
        return f"{multiplier_text(self.alpha)}/{self.resolution}"

    def with_computed(self, computed: ComputedCost | None, why_not: str = "") -> PublishedPoint:
        """This point with mncost's count attached (or the reason there is none)."""
        return replace(self, computed=computed, not_computed="" if computed else why_not)


def _tables(numbers: list[str]) -> str:
    """["4", "6"] -> "Tables 4, 6"; ["13"] -> "Table 13"."""
    return ("Table " if len(numbers) == 1 else "Tables ") + ", ".join(numbers)


def relative_gap(published_m: Decimal | None, computed: int | None) -> Fraction | None:
    """mncost's count against a published figure: (computed - published) / published,
    exactly; None when either is missing or the published figure is 0.

    ``published_m`` is in millions, as printed; 290 printed against 290,675,200 counted
    is +0.23%. The same sign and base as ``mncost reproduce``'s Diff %.
    """
    if published_m is None or computed is None or not published_m:
        return None
    published = Fraction(published_m) * 10**6
    return (computed - published) / published


def within_rounding(published_m: Decimal | None, computed: int | None) -> bool | None:
    """Whether ``computed`` rounds to the published figure at the places it was printed.

    "569" (millions, no decimals) admits 568.5 M to 569.5 M; "4.2" admits 4.15 M to 4.25 M;
    a figure printed in billions keeps its digits (1.2 B is ``Decimal("1.2E+3")`` millions)
    and admits 1,150 M to 1,250 M.
    """
    if published_m is None or computed is None:
        return None
    exponent = published_m.as_tuple().exponent
    unit = Fraction(10) ** exponent if isinstance(exponent, int) else Fraction(1)
    half_unit = Fraction(10**6) * unit / 2
    return abs(Fraction(published_m) * 10**6 - computed) <= half_unit
