"""How mncost reads a published row: which model, width, resolution and classifier it means.

The paper names its models in row labels ("0.75 MobileNet-224") and in the text around
each table (Table 10 is Stanford Dogs, 120 classes; Table 12 reports the backbone). This
module turns that into a :class:`RowConfig` mncost can count, and says, for every row
it cannot count, what the paper leaves undefined. Table 3's rows are single layers, not
models: :func:`table3_layer` gives those. The detectors (Table 13's SSD on MobileNet, the
MobileNetV2 paper's SSDLite rows) are read as the TF Object Detection API builds them
(:data:`DETECTORS`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

__all__ = [
    "BASELINES",
    "Baseline",
    "DETECTORS",
    "Detector",
    "LayerConfig",
    "RowConfig",
    "TABLE_CONTEXT",
    "TableContext",
    "row_config",
    "table3_layer",
    "undefined_reason",
]


@dataclass(frozen=True)
class RowConfig:
    """How mncost computes a published row."""

    model: str
    """Registry name: "mobilenet-v1", "mobilenet-v1-conv", "mobilenet-v1-shallow", a
    comparison model ("vgg16") or a detector ("ssd300-mobilenet-v1")."""
    alpha: Fraction
    resolution: int
    classes: int
    """Classifier width: 1000 (ImageNet), 120 (Stanford Dogs), 0 = backbone only; a
    detector's class slots per anchor (91 for COCO: 90 ids and background)."""
    dataset: str
    """"ImageNet", "Stanford Dogs", "face attributes", "COCO", ..."""
    basis: str = ""
    """Why the row is read this way (the paper's words it rests on)."""
    reading: str = ""
    """How the row is read, in brief, when it is not a classifier ("" otherwise)."""


@dataclass(frozen=True)
class TableContext:
    """What the text around a table says about all its rows."""

    dataset: str
    classes: int | None
    """Classifier width of the table's MobileNets; None: not defined by the paper."""
    basis: str
    undefined: str = ""
    """Why the table's MobileNet rows cannot be computed ("" if they can)."""


TABLE_CONTEXT: dict[str, TableContext] = {
    **{
        f"Table {n}": TableContext("ImageNet", 1000, "ImageNet classification, 1000 classes")
        for n in (2, 4, 5, 6, 7, 8, 9)
    },
    "Table 10": TableContext(
        "Stanford Dogs",
        120,
        "fine-grained recognition on Stanford Dogs, which has 120 classes: a 120-way classifier",
    ),
    "Table 11": TableContext(
        "Im2GPS",
        None,
        "PlaNet geolocation, a classifier over the PlaNet cells",
        undefined="the PlaNet MobileNet's classifier (its number of geographic cells) "
        "and its input resolution are not given in the paper",
    ),
    "Table 12": TableContext(
        "face attributes",
        0,
        "face attribute classifiers distilled from a baseline; the 1.0 rows (568, 3.2) "
        "are the backbone without a classifier, so every row is read as the backbone",
    ),
    "Table 13": TableContext(
        "COCO",
        None,
        "object detection on COCO (Section 4.6)",
        undefined="the detection heads (SSD, Faster-RCNN: extra feature layers, box "
        "predictors, RPN and proposal count) are not defined in the paper",
    ),
    "V2 Table 6": TableContext(
        "COCO",
        None,
        "object detection on COCO (Sandler et al. 2018, arXiv:1801.04381, Section 6.2)",
        undefined="the row names no detector mncost builds",
    ),
    "Table 14": TableContext(
        "face embeddings",
        None,
        "FaceNet distilled into MobileNets",
        undefined="the embedding layer on top of the backbone is not defined in the paper "
        "(nor the same in every row: the 1.0 MobileNet has 4.9 M params at 160 but "
        "5.5 M at 128, which resolution alone cannot change)",
    ),
}
"""Per table: dataset, classifier width and why (from the paper's text)."""

# Models the paper quotes from elsewhere and never defines, and why.
_QUOTED = "is quoted from its own paper; the MobileNets paper does not define its layers"
_FOREIGN = {
    **{name: f"{name} {_QUOTED}" for name in ("FaceNet", "PlaNet")},
    "Baseline": "the baseline is an in-house face attribute classifier whose layers the "
    "paper does not describe",
}


@dataclass(frozen=True)
class Baseline:
    """A comparison model the paper quotes from its own paper, read as a built-in model."""

    model: str
    """The registry name of the original layout."""
    resolution: int
    basis: str
    """Why this model: the publication the figures come from."""
    crop: int | None = None
    """Another input size the original's released model was run at (Caffe's 227 crop)."""


BASELINES: dict[tuple[str, str], Baseline] = {
    ("Table 8", "GoogleNet"): Baseline(
        "googlenet-paper",
        224,
        "GoogLeNet as published (Szegedy et al. 2014, arXiv:1409.4842, Table 1): 5x5 "
        "branches, no batch norm",
    ),
    ("Table 8", "VGG 16"): Baseline(
        "vgg16",
        224,
        "VGG 16, configuration D of Simonyan and Zisserman 2014 (arXiv:1409.1556), whose "
        "layout torchvision keeps",
    ),
    ("Table 9", "Squeezenet"): Baseline(
        "squeezenet-1.0", 224, "SqueezeNet 1.0 (Iandola et al. 2016, arXiv:1602.07360)", crop=227
    ),
    ("Table 9", "AlexNet"): Baseline(
        "alexnet-paper",
        224,
        "AlexNet as published (Krizhevsky et al. 2012): two towers, 96-256-384-384-256",
        crop=227,
    ),
    ("Table 10", "Inception V3"): Baseline(
        "inception-v3-no-aux",
        299,
        "Inception V3 (Szegedy et al. 2016, arXiv:1512.00567) at inference, without its "
        "training-only auxiliary classifier",
    ),
}
"""The comparison rows mncost can count, each read as the original layout it quotes."""


@dataclass(frozen=True)
class Detector:
    """A published detector row, read as a built-in detector."""

    model: str
    """The registry name."""
    resolution: int
    classes: int
    """Class slots per anchor."""
    basis: str
    """Why this model, size and class count: what the publication says."""
    reading: str
    """The reading in brief, as the audit shows it."""


_TF_OD = (
    "in the framework of the 2016 COCO challenge work the paper builds on (Huang et al. "
    "2017, arXiv:1611.10012), the TF Object Detection API"
)
_COCO_SLOTS = "91 class slots (the API's 90 COCO ids and background)"
"""The class slots per anchor of the API's COCO configs: ``num_classes: 90`` plus one."""
_V2_320 = (
    "Sandler et al. 2018, arXiv:1801.04381, Section 6.2: SSDLite replaces the SSD "
    "prediction layers' regular convolutions with separable ones, both MobileNet models "
    "are trained and evaluated with the TF Object Detection API, at an input of 320x320"
)
DETECTORS: dict[tuple[str, str], Detector] = {
    ("Table 13", "SSD 300 / MobileNet"): Detector(
        "ssd300-mobilenet-v1",
        300,
        91,
        f"Section 4.6: SSD evaluated at 300x300 on COCO, {_TF_OD}; read as the API's "
        f"ssd_mobilenet_v1, with {_COCO_SLOTS}",
        f"the TF Object Detection API's SSD on MobileNet v1 at 300x300, {_COCO_SLOTS}",
    ),
    ("V2 Table 6", "MobileNet V1 + SSDLite"): Detector(
        "ssdlite320-mobilenet-v1",
        320,
        91,
        f"{_V2_320}; read as the API's ssdlite_mobilenet_v1, with {_COCO_SLOTS}",
        f"the TF Object Detection API's SSDLite on MobileNet v1 at 320x320, {_COCO_SLOTS}",
    ),
    ("V2 Table 6", "MobileNet V2 + SSDLite"): Detector(
        "ssdlite320-mobilenet-v2",
        320,
        91,
        f"{_V2_320}; read as the API's ssdlite_mobilenet_v2, with {_COCO_SLOTS}",
        f"the TF Object Detection API's SSDLite on MobileNet V2 at 320x320, {_COCO_SLOTS}",
    ),
}
"""The detector rows mncost counts, each read as the TF Object Detection API's layout."""

# Why the other detector rows cannot be counted: what the publication leaves out.
_HEAD = (
    "its detection head (the layers feeding the box predictors, the extra feature "
    "layers, the anchors per location{proposals}) is not defined in the paper"
)
_FASTER_RCNN = (
    "the paper gives Faster-RCNN's input ({size}) and its 300 RPN proposal boxes per "
    "image (Section 4.6), but not the rest: which MobileNet layer feeds the region "
    "proposal network and which layers run once per proposal, the RPN's conv and "
    "anchors per location, each proposal's crop size and pooling, the box classifier, "
    "or the input's shape (the shorter side {size} with the aspect ratio kept, or "
    "{size}x{size}); and mncost cannot run layers once per proposal (a crop and resize "
    "of 300 regions), so neither the detection head nor the whole can be counted"
)
_DEEPLAB_VGG = (
    "; what is known: DeepLab's VGG-16 is the reduced one whose fc6 and fc7 are "
    "subsampled, dilated convolutions, which Liu et al.'s SSD (arXiv:1512.02325) uses too, "
    "but the paper gives neither its layers nor this detector's, and its figures are of "
    "the framework's build, so torchvision's ssd300_vgg16 (Liu et al.'s layout, "
    "torchvision's choices) is not taken for it"
)
_VGG = (
    "; mncost's vgg16 is the ImageNet classifier, and the paper does not say which of its "
    "layers the detector keeps or runs once per proposal"
)
_INCEPTION_V2 = (
    "; nor does mncost build Inception V2 (BN-Inception, Ioffe and Szegedy 2015, "
    "arXiv:1502.03167), the backbone"
)
_QUOTED_SSD300 = (
    "SSD300 is quoted from the SSD paper (Liu et al. 2016, arXiv:1512.02325): the "
    "MobileNetV2 paper does not define that VGG-16 detector (its layers, default boxes "
    "per map and COCO class count are Liu et al.'s), and mncost builds no model of it; "
    "torchvision's ssd300_vgg16 re-implements the layout with its own choices, so it is "
    "not taken as the quoted model"
)
_DETECTOR_EXTRACTORS = {"deeplab-VGG", "VGG", "Inception V2", "MobileNet"}

_SCALED = re.compile(r"^(?P<alpha>\d+(?:\.\d+)?) MobileNet(?:-(?P<res>\d+))?$")

# Row labels that name a registered variant rather than a scaled MobileNet.
_VARIANTS = {
    ("Table 4", "Conv MobileNet"): (
        "mobilenet-v1-conv",
        "Table 4: every depthwise separable block as a full 3x3 conv",
    ),
    ("Table 4", "MobileNet"): ("mobilenet-v1", "Table 4: the baseline MobileNet, 1.0 at 224"),
    ("Table 5", "Shallow MobileNet"): (
        "mobilenet-v1-shallow",
        "Table 5: the five 14x14x512 separable blocks removed",
    ),
}


def undefined_reason(table: str, row: str) -> str:
    """Why ``row`` of ``table`` cannot be computed; "" when it can."""
    if table in ("Table 2", "Table 3"):
        return ""
    context = TABLE_CONTEXT.get(table)
    if context is None:
        return f"{table} is not one of the paper's tables with figures"
    if row in _FOREIGN:
        return _FOREIGN[row]
    if (table, row) in DETECTORS:
        return ""
    if table == "V2 Table 6" and row.startswith("SSD300"):
        return _QUOTED_SSD300
    framework, _, extractor = row.rpartition(" / ")
    if table == "Table 13" and extractor in _DETECTOR_EXTRACTORS:
        if framework.startswith("Faster-RCNN") and extractor == "MobileNet":
            return _FASTER_RCNN.format(size=framework.split()[-1])
        proposals = ", the region proposals" if framework.startswith("Faster-RCNN") else ""
        return (
            f"the figures are of a whole {framework} detector on {extractor}, in the "
            "framework of the 2016 COCO challenge work (Huang et al. 2017, "
            f"arXiv:1611.10012): {_HEAD.format(proposals=proposals)}, so neither the "
            "whole nor the backbone's share can be counted"
            + {"Inception V2": _INCEPTION_V2, "deeplab-VGG": _DEEPLAB_VGG}.get(extractor, _VGG)
        )
    if context.undefined:
        return context.undefined
    if (table, row) in _VARIANTS or (table, row) in BASELINES or _SCALED.match(row):
        return ""
    return f"row {row!r} names no model mncost can build"


def row_config(table: str, row: str) -> RowConfig | None:
    """The model, alpha, resolution and classes mncost computes a published row with.

    None when the paper does not define the model (see :func:`undefined_reason`), and
    for Table 3, whose rows are single layers (see :func:`table3_layer`).
    """
    if table == "Table 3" or undefined_reason(table, row):
        return None
    context = TABLE_CONTEXT[table]
    detector = DETECTORS.get((table, row))
    if detector is not None:
        return RowConfig(
            detector.model,
            Fraction(1),
            detector.resolution,
            detector.classes,
            context.dataset,
            f"{detector.basis}; {context.basis}",
            detector.reading,
        )
    assert context.classes is not None  # tables without a classifier width are undefined
    if table == "Table 2":
        # Table 2 breaks down the baseline model: 1.0 MobileNet-224, 1000 classes.
        return RowConfig(
            "mobilenet-v1",
            Fraction(1),
            224,
            context.classes,
            context.dataset,
            "Table 2: the resources of 1.0 MobileNet-224 per layer type",
        )
    baseline = BASELINES.get((table, row))
    if baseline is not None:
        return RowConfig(
            baseline.model,
            Fraction(1),
            baseline.resolution,
            context.classes,
            context.dataset,
            f"{baseline.basis}; {context.basis}",
        )
    variant = _VARIANTS.get((table, row))
    if variant is not None:
        return RowConfig(
            variant[0],
            Fraction(1),
            224,
            context.classes,
            context.dataset,
            f"{variant[1]}; {context.basis}",
        )
    match = _SCALED.match(row)
    assert match is not None  # undefined_reason returned "" only for these
    resolution = int(match["res"]) if match["res"] else 224
    basis = f"{row}: alpha {match['alpha']}, {resolution}x{resolution}; {context.basis}"
    return RowConfig(
        "mobilenet-v1",
        Fraction(match["alpha"]),
        resolution,
        context.classes,
        context.dataset,
        basis,
    )


@dataclass(frozen=True)
class LayerConfig:
    """One of Table 3's rows: a single layer, and whether it is a separable pair."""

    separable: bool
    kernel: int
    in_channels: int
    out_channels: int
    size: int
    alpha: Fraction
    rho: Fraction
    basis: str
    """What the row is, in words (cumulative on the rows above)."""


# Table 3's caption: "an internal MobileNet layer with D_K = 3, M = 512, N = 512, D_F = 14";
# each row is cumulative ("adding on top of the previous row").
_TABLE3_BASE = dict(kernel=3, in_channels=512, out_channels=512, size=14)
_TABLE3_ROWS = {
    "Convolution": (False, Fraction(1), Fraction(1), "a standard 3x3 conv"),
    "Depthwise Separable Conv": (
        True,
        Fraction(1),
        Fraction(1),
        "the same layer as 3x3 depthwise + 1x1 pointwise",
    ),
    "α = 0.75": (True, Fraction(3, 4), Fraction(1), "separable, alpha 0.75 (512 -> 384 channels)"),
    "ρ = 0.714": (
        True,
        Fraction(3, 4),
        Fraction("0.714"),
        "separable, alpha 0.75 and rho 0.714 (D_F 14 -> round(9.996) = 10)",
    ),
}


def table3_layer(row: str) -> LayerConfig | None:
    """The layer behind a row of Table 3 (D_K=3, M=N=512, D_F=14, cumulative); None if unknown."""
    spec = _TABLE3_ROWS.get(row)
    if spec is None:
        return None
    separable, alpha, rho, basis = spec
    return LayerConfig(separable=separable, alpha=alpha, rho=rho, basis=basis, **_TABLE3_BASE)
