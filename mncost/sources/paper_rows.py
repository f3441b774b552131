"""How mncost reads a published row: which model, width, resolution and classifier it means.

The paper names its models in row labels ("0.75 MobileNet-224") and in the text around
each table (Table 10 is Stanford Dogs, 120 classes; Table 12 reports the backbone). This
module turns that into a :class:`RowConfig` mncost can count, and says, for every row
it cannot count, what the paper leaves undefined. Table 3's rows are single layers, not
models: :func:`table3_layer` gives those.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

__all__ = [
    "BASELINES",
    "Baseline",
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
    """Registry name: "mobilenet-v1", "mobilenet-v1-conv" or "mobilenet-v1-shallow"."""
    alpha: Fraction
    resolution: int
    classes: int
    """Classifier width: 1000 (ImageNet), 120 (Stanford Dogs), 0 = backbone only."""
    dataset: str
    """"ImageNet", "Stanford Dogs", "face attributes", ..."""
    basis: str = ""
    """Why the row is read this way (the paper's words it rests on)."""


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
        "object detection on COCO",
        undefined="the detection heads (SSD, Faster-RCNN: extra feature layers, box "
        "predictors, RPN and proposal count) are not defined in the paper",
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
_DETECTOR_EXTRACTORS = {"deeplab-VGG", "VGG", "Inception V2"}

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
    framework, _, extractor = row.rpartition(" / ")
    if extractor in _DETECTOR_EXTRACTORS:
        return (
            f"the figures are of a whole {framework} detector on {extractor}, quoted "
            "from elsewhere: its detection head (extra feature layers, box predictors, "
            "region proposals) is not defined in the paper, so neither the whole nor "
            "the backbone's share can be counted"
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
