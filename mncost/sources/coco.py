"""Published COCO results: detectors' box mAP and segmentation models' mIoU, as points.

Two sources, each read as data, never retyped:

- the MobileNets paper's Table 13 (COCO object detection, mAP with the COCO primary
  challenge metric), from the paper's cells (``data/paper_tables.csv``). Its one row
  mncost counts, SSD 300 / MobileNet, is read as
  :data:`mncost.sources.paper_rows.DETECTORS` says (ssd300-mobilenet-v1 at 300); the
  others keep :func:`~mncost.sources.paper_rows.undefined_reason`'s reason. Then the
  MobileNetV2 paper's Table 6 (Sandler et al. 2018, arXiv:1801.04381), read the same way:
  its two SSDLite rows are counted at 320x320, its SSD300 row is quoted from other papers;
- torchvision's documented figures for its COCO weights (``data/torchvision_weights.csv``):
  box mAP of its SSD detectors on COCO val2017, mIoU of its segmentation models on the
  COCO-VOC subset, with their parameters and GFLOPS (MACs, as torchvision counts them).
  :data:`TORCHVISION_LAYOUTS` names the built-in model that is each builder's layout.

Each point's dataset (``coco``, ``coco_voc``) carries its metric
(:data:`~mncost.sources.points.DATASET_METRICS`): a point holds its mAP in ``box_map`` or
its mIoU in ``miou``, never in ``top1``, so nothing that ranks or plots ImageNet top-1
can take it for one.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import cache
from importlib import resources

from mncost.sources import published_cells, row_config, undefined_reason
from mncost.sources.points import DATASET_METRICS, FAMILIES, Provenance, PublishedPoint

__all__ = [
    "COCO_TABLE",
    "TABLE13_FAMILIES",
    "V2_COCO_TABLE",
    "V2_TABLE6_FAMILIES",
    "TORCHVISION_FIELDS",
    "TORCHVISION_LAYOUTS",
    "TORCHVISION_VERSION",
    "DATASET_NOTES",
    "CocoDataError",
    "TorchvisionLayout",
    "coco_points",
    "table13_points",
    "torchvision_points",
]

COCO_TABLE = "Table 13"
"""The MobileNets paper's COCO detection table."""

V2_COCO_TABLE = "V2 Table 6"
"""The MobileNetV2 paper's COCO detection table (Sandler et al. 2018, arXiv:1801.04381)."""

TABLE13_FAMILIES: dict[str, str] = {"MobileNet": "mobilenet_v1"}
"""Table 13's feature extractor (the part of a row label after " / ") -> its family: the
paper's own MobileNet is MobileNet v1; VGG, deeplab-VGG and Inception V2 are "other"."""

V2_TABLE6_FAMILIES: dict[str, str] = {
    "MobileNet V1 + SSDLite": "mobilenet_v1",
    "MobileNet V2 + SSDLite": "mobilenet_v2",
}
"""The MobileNetV2 paper's Table 6 rows -> their backbone's family; SSD300 is "other"."""

TORCHVISION_VERSION = "torchvision 0.28"
"""The release whose weights' documentation the figures were read from."""

TORCHVISION_FIELDS = [
    "builder",
    "weights",
    "dataset",
    "metric",
    "value",
    "resolution",
    "classes",
    "gflops",
    "num_params",
    "page",
]
"""The exact header of ``torchvision_weights.csv``."""

DATASET_NOTES: dict[str, str] = {
    "coco": "The paper's Table 13 detectors were trained on COCO train+val without 8k "
    "minival images and evaluated on minival (Howard et al. 2017, arXiv:1704.04861, "
    "Section 4.6); the MobileNetV2 paper's Table 6 detectors on trainval35k, evaluated on "
    "test-dev (Sandler et al. 2018, arXiv:1801.04381); torchvision's weights are "
    'evaluated on COCO val2017 (its "COCO-val2017"): the image sets differ, so the '
    "sources' figures are close kin, not the same measurement.",
    "coco_voc": "torchvision's segmentation weights are trained on a subset of COCO, "
    "using only the 20 categories Pascal VOC has, and evaluated on COCO val2017 with "
    'those labels (its "COCO-val2017-VOC-labels").',
}
"""What each COCO dataset's figures were measured on, as the sources say."""

_WHY_NOT = {
    "SSD": "the paper does not define this SSD's detection head (its extra feature layers, "
    "box predictors and anchors), nor mncost its backbone as the paper built it",
    "Faster-RCNN": "the paper does not define Faster-RCNN's region proposal network, the "
    "layers run once per proposal or its box classifier, and mncost cannot count layers "
    "run once per proposal",
}
"""Why Table 13's rows but SSD 300 / MobileNet have no count, in brief (by framework);
:func:`~mncost.sources.paper_rows.undefined_reason` gives each row's full reason, which
``mncost reproduce 13`` shows."""
_FULL_REASON = "`mncost reproduce 13` says what each row leaves out"

_BN = (
    "torchvision's num_params include batch norm's gamma and beta, which mncost's default "
    "convention leaves out (`--bn affine` counts them, as torchvision does)."
)


@dataclass(frozen=True)
class TorchvisionLayout:
    """How one torchvision builder's documented result is filed and counted."""

    family: str
    """The backbone's family (one of FAMILIES)."""
    model: str
    """The built-in model that is this builder's layout."""
    note: str = ""
    """What is known about the gap between the documented figures and mncost's count."""


TORCHVISION_LAYOUTS: dict[str, TorchvisionLayout] = {
    "ssdlite320_mobilenet_v3_large": TorchvisionLayout(
        "mobilenet_v3", "ssdlite320-mobilenet-v3-large", _BN
    ),
    "ssd300_vgg16": TorchvisionLayout("other", "ssd300-vgg16"),
    "lraspp_mobilenet_v3_large": TorchvisionLayout(
        "mobilenet_v3", "lraspp-mobilenet-v3-large", _BN
    ),
    "deeplabv3_mobilenet_v3_large": TorchvisionLayout(
        "mobilenet_v3", "deeplabv3-mobilenet-v3-large", _BN
    ),
}
"""A builder of ``torchvision_weights.csv`` -> its family and built-in model: the join to
mncost's count is this table, not a rule on names. Each built-in model follows the
builder as torchvision builds it for the released weights (tests/test_detection.py,
tests/test_detection_ssd_vgg.py, tests/test_segmentation.py)."""


class CocoDataError(ValueError):
    """The packaged COCO data is malformed (a bug in mncost's data, not user input)."""


def _decimal(text: str, where: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise CocoDataError(f"{where}: cannot read {text!r} as a number") from None
    if not value.is_finite() or value < 0:
        raise CocoDataError(f"{where}: {text!r} is not a published figure")
    return value


# --- the paper's Table 13 -----------------------------------------------------------------


@cache
def table13_points() -> tuple[PublishedPoint, ...]:
    """Table 13's rows as points, then the MobileNetV2 paper's Table 6 rows, each in its
    table's order (mncost's cost not yet attached): mAP in ``box_map``, mult-adds in
    millions with the printed digits kept (1.2 billion is ``Decimal("1.2E+3")``, so its
    rounding is the printed one's)."""
    return _detection_points(COCO_TABLE) + _detection_points(V2_COCO_TABLE)


def _detection_points(table: str) -> tuple[PublishedPoint, ...]:
    rows: dict[tuple[str, str], dict[str, Decimal]] = {}
    for cell in published_cells([table]):
        value = cell.value
        if cell.quantity == "mult_adds" and cell.unit.startswith("billion"):
            value = value.scaleb(3)
        rows.setdefault((cell.document, cell.row), {})[cell.quantity] = value
    points = []
    for (document, row), cells in rows.items():
        if "accuracy" not in cells:
            continue
        config = row_config(table, row)
        if table == COCO_TABLE:
            family = TABLE13_FAMILIES.get(row.rpartition(" / ")[2], "other")
            why_not = _why_not(row) if undefined_reason(table, row) else ""
        else:
            family = V2_TABLE6_FAMILIES.get(row, "other")
            why_not = _V2_WHY_NOT if undefined_reason(table, row) else ""
        points.append(
            PublishedPoint(
                label=row,
                family=family,
                source="paper",
                dataset="coco",
                precision="float32",
                provenance=(Provenance(document=document, table=table, row=row),),
                model=config.model if config is not None else None,
                alpha=config.alpha if config is not None else None,
                resolution=config.resolution if config is not None else None,
                classes=config.classes if config is not None else None,
                box_map=cells["accuracy"],
                mult_adds_m=cells.get("mult_adds"),
                params_m=cells.get("params"),
                latency_ms=cells.get("latency"),
                latencies=(("Pixel 1", cells["latency"]),) if "latency" in cells else (),
                not_computed=why_not,
            )
        )
    return tuple(points)


_V2_WHY_NOT = (
    "SSD300 is quoted from the SSD paper (Liu et al. 2016, arXiv:1512.02325), which "
    "defines it, not the MobileNetV2 paper: `mncost reproduce v2-6` says more"
)
"""Why the MobileNetV2 paper's Table 6 SSD300 row has no count, in brief."""


def _why_not(row: str) -> str:
    framework = row.split()[0]
    if framework not in _WHY_NOT:
        raise CocoDataError(f"Table 13 row {row!r}: no reason for framework {framework!r}")
    return f"{_WHY_NOT[framework]}: {_FULL_REASON}"


# --- torchvision's documented weights -----------------------------------------------------


def _torchvision_point(record: dict[str, str], where: str) -> PublishedPoint:
    layout = TORCHVISION_LAYOUTS.get(record["builder"])
    if layout is None or layout.family not in FAMILIES:
        raise CocoDataError(f"{where}: no layout for builder {record['builder']!r}")
    dataset, metric = record["dataset"], record["metric"]
    if DATASET_METRICS.get(dataset) != metric or metric == "top1":
        raise CocoDataError(f"{where}: {metric!r} is not the metric of dataset {dataset!r}")
    try:
        resolution, classes = int(record["resolution"]), int(record["classes"])
    except ValueError:
        raise CocoDataError(f"{where}: bad resolution or classes") from None
    value = _decimal(record["value"], where)
    params = _decimal(record["num_params"], where)
    document = (
        f"{TORCHVISION_VERSION} documentation, {record['weights']} "
        f"({record['page'].removeprefix('https://')})"
    )
    return PublishedPoint(
        label=record["builder"],
        family=layout.family,
        source="checkpoints",
        dataset=dataset,
        precision="float32",
        provenance=(
            Provenance(document=document, row=record["weights"], brief="torchvision docs"),
        ),
        model=layout.model,
        alpha=Fraction(1),
        resolution=resolution,
        classes=classes,
        box_map=value if metric == "box_map" else None,
        miou=value if metric == "miou" else None,
        # GFLOPS (MACs) in millions, the printed digits kept: 0.583 -> 583.
        mult_adds_m=_decimal(record["gflops"], where).scaleb(3),
        # An exact count, printed whole: 3440060 -> 3.440060 millions.
        params_m=params.scaleb(-6),
        note=layout.note,
    )


def _read_torchvision(text: str) -> tuple[PublishedPoint, ...]:
    name = "torchvision_weights.csv"
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    if reader.fieldnames != TORCHVISION_FIELDS:
        raise CocoDataError(
            f"{name}: expected columns {TORCHVISION_FIELDS}, got {reader.fieldnames}"
        )
    return tuple(
        _torchvision_point(record, f"{name} record {number}")
        for number, record in enumerate(reader, start=1)
    )


@cache
def torchvision_points() -> tuple[PublishedPoint, ...]:
    """torchvision's documented COCO weights as points, in the CSV's order (mncost's cost
    not yet attached)."""
    data = resources.files("mncost").joinpath("sources").joinpath("data")
    return _read_torchvision(data.joinpath("torchvision_weights.csv").read_text(encoding="utf-8"))


def coco_points() -> tuple[PublishedPoint, ...]:
    """Every published COCO result: the paper's Table 13, the MobileNetV2 paper's Table 6,
    then torchvision's weights."""
    return table13_points() + torchvision_points()
