"""mncost's figure for a published cell, and the same figure under each named alternative.

The *computed* value always uses mncost's defaults (:class:`~mncost.cost.conventions.Conventions`:
FC bias counted, batch norm not, channels ``round(c * alpha)``) and the row's reading in
:mod:`mncost.sources.paper_rows`. Alternatives recompute the same cell with one thing changed, so
the status rules can say *why* a figure differs, never make it match:

- ``convention``: one of mncost's stated, selectable counting conventions (FC bias,
  batch-norm parameters, channel rounding);
- ``model``: a different classifier width than the table's (the 1000-class ImageNet
  classifier, or none);
- ``hypothesis``: a rule the paper does not state but a framework uses (TF-slim's
  ``min_depth``), reported as a hypothesis only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import partial
from typing import Literal

from mncost.analysis.layer import compare_layer
from mncost.arch import ops as layers
from mncost.arch.registry import get_entry, get_model, list_models
from mncost.arch.width import WidthRule
from mncost.cost.conventions import Conventions
from mncost.cost.result import CostResult, count
from mncost.cost.scaling import multiplier_text
from mncost.sources.paper_cells import PublishedCell
from mncost.sources.paper_rows import BASELINES, Baseline, RowConfig, row_config, table3_layer

__all__ = [
    "Alternative",
    "AlternativeKind",
    "Computed",
    "COST_QUANTITIES",
    "Evidence",
    "alternatives",
    "backbone_reference",
    "compute",
    "count_row",
    "evaluate",
    "unit_scale",
]

COST_QUANTITIES = ("mult_adds", "params", "mult_adds_share", "params_share")
"""The quantities mncost can compute (accuracy columns are published data only)."""

AlternativeKind = Literal["convention", "model", "hypothesis"]


@dataclass(frozen=True)
class Computed:
    """mncost's value for a cell, in the cell's published unit."""

    value: Fraction
    exact: int
    """The exact count behind it: MACs or parameters (of the layer type, for a share)."""
    basis: str
    """What was counted, in words."""
    remark: str = ""
    """How the row was read, when it is not the plain 1000-class ImageNet model."""


@dataclass(frozen=True)
class Alternative:
    """The same cell recomputed with one named change."""

    label: str
    kind: AlternativeKind
    value: Fraction


def unit_scale(unit: str) -> int:
    """How many of the counted things one published unit is: 10**6 for "million ..."."""
    for prefix, scale in (("million ", 10**6), ("billion ", 10**9)):
        if unit.startswith(prefix):
            return scale
    raise ValueError(f"no count scale for the unit {unit!r}")


def count_row(
    config: RowConfig, conventions: Conventions = Conventions(), classes: int | None = None
) -> CostResult:
    """Count the model a row means (optionally with another classifier width)."""
    return count(
        get_model(config.model),
        config.alpha,
        config.resolution,
        config.classes if classes is None else classes,
        conventions,
    )


def _is_detector(config: RowConfig) -> bool:
    return get_entry(config.model).family == "detection"


def _describe(config: RowConfig) -> str:
    if _is_detector(config):
        classes = f"{config.classes} class slots per anchor"
    else:
        classes = {0: "no classifier (backbone only)"}.get(
            config.classes, f"{config.classes}-way classifier"
        )
    return (
        f"{config.model}, alpha {multiplier_text(config.alpha)}, "
        f"{config.resolution}x{config.resolution}, {classes}"
    )


def _remark(config: RowConfig) -> str:
    if config.reading:
        return f"mncost's {config.model}, {config.reading}"
    parts = []
    if any(b.model == config.model for b in BASELINES.values()):
        parts.append(f"mncost's {config.model}")
    elif config.model != "mobilenet-v1":
        parts.append(f"the {config.model} variant")
    if config.classes == 0:
        parts.append("backbone only, no classifier")
    elif config.classes != 1000:
        parts.append(f"{config.classes}-way classifier ({config.dataset})")
    return ", ".join(parts)


def _from_result(cell: PublishedCell, result: CostResult) -> tuple[Fraction, int]:
    if cell.quantity in ("mult_adds_share", "params_share"):
        shares = {row.type: row for row in result.by_type}
        if cell.row not in shares:
            raise ValueError(f"{cell.table}: no layer type {cell.row!r} in {result.model}")
        row = shares[cell.row]
        if cell.quantity == "mult_adds_share":
            return row.mult_adds_share * 100, row.mult_adds
        return row.params_share * 100, row.params
    exact = result.total.mult_adds if cell.quantity == "mult_adds" else result.total.params
    return Fraction(exact, unit_scale(cell.unit)), exact


def compute(cell: PublishedCell) -> Computed | None:
    """mncost's value for ``cell``; None if the paper does not define what to count."""
    if cell.quantity not in COST_QUANTITIES:
        return None
    layer = table3_layer(cell.row) if cell.table == "Table 3" else None
    if layer is not None:
        comparison = compare_layer(
            layer.kernel,
            layer.in_channels,
            layer.out_channels,
            layer.size,
            alpha=layer.alpha,
            rho=layer.rho,
        )
        counts = comparison.separable if layer.separable else comparison.standard
        exact = counts.mult_adds if cell.quantity == "mult_adds" else counts.params
        return Computed(
            Fraction(exact, unit_scale(cell.unit)),
            exact,
            f"one layer, D_K=3, M=N=512, D_F=14: {layer.basis}",
            layer.basis,
        )
    config = row_config(cell.table, cell.row)
    if config is None:
        return None
    value, exact = _from_result(cell, count_row(config))
    return Computed(value, exact, _describe(config), _remark(config))


# mncost's selectable counting conventions, each one change from the default.
_CONVENTIONS: tuple[tuple[str, Conventions], ...] = (
    ("the FC bias not counted", Conventions(fc_bias=False)),
    ("batch-norm gamma and beta counted", Conventions(bn="affine")),
    ("all four batch-norm parameters counted", Conventions(bn="all")),
    ("channels max(int(c*alpha), 8) (TF-slim)", Conventions(rounding="floor")),
    ("channels made divisible by 8", Conventions(rounding="div8")),
)

# TF-slim's mobilenet_v1 has a min_depth argument (default 8, the "floor" rule above);
# the TF object-detection API's SSD MobileNet configs set it to 16.
_MIN_DEPTHS = (16,)


def _with_min_depth(config: RowConfig, min_depth: int) -> CostResult:
    """The row's model with every layer at least ``min_depth`` channels wide.

    Built as a spec whose filters are already scaled (max(round(c*alpha), min_depth)),
    then counted at alpha 1, so the counter's own rules are untouched.
    """
    arch = get_model(config.model)

    def widen(layer: layers.Layer) -> layers.Layer:
        if isinstance(layer, (layers.Conv, layers.PointwiseConv)) and isinstance(
            layer.filters, int
        ):  # a count, not classes or an expansion
            filters = max(WidthRule("round").scale(layer.filters, config.alpha), min_depth)
            return layer.model_copy(update={"filters": filters})
        return layer

    widened = arch.model_copy(update={"layers": [widen(layer) for layer in arch.layers]})
    return count(widened, Fraction(1), config.resolution, config.classes)


def alternatives(cell: PublishedCell) -> list[Alternative]:
    """``cell`` recomputed under each alternative that applies to it (see module doc)."""
    config = row_config(cell.table, cell.row)
    if config is None or cell.quantity not in COST_QUANTITIES:
        return []
    found: list[Alternative] = []
    for label, conventions in _CONVENTIONS:
        value, _ = _from_result(cell, count_row(config, conventions))
        found.append(Alternative(label, "convention", value))
    # Classifier widths change totals; a share's layer types would change with them.
    model_changes: list[tuple[str, Callable[[], CostResult]]] = []
    if cell.quantity in ("mult_adds", "params") and _is_detector(config):
        model_changes += _detector_changes(config)
    elif cell.quantity in ("mult_adds", "params"):
        if config.classes != 1000:
            model_changes.append(
                ("the 1000-class ImageNet classifier", lambda: count_row(config, classes=1000))
            )
        if config.classes != 0:
            model_changes.append(("no classifier", lambda: count_row(config, classes=0)))
    baseline = BASELINES.get((cell.table, cell.row))
    if baseline is not None and cell.quantity in ("mult_adds", "params"):
        model_changes += _baseline_changes(config, baseline)
    for label, run in model_changes:
        found.append(Alternative(label, "model", _from_result(cell, run())[0]))
    if cell.quantity == "mult_adds":
        # A figure printed as mult-adds that is really FLOPs (2 per multiply-accumulate):
        # mncost's own --flops convention, for the row's model and for each reading above.
        found.append(
            Alternative(
                "FLOPs (2 x MACs) instead of mult-adds",
                "convention",
                2 * _from_result(cell, count_row(config))[0],
            )
        )
        for label, run in model_changes:
            found.append(
                Alternative(
                    f"{label}, as FLOPs (2 x MACs)", "model", 2 * _from_result(cell, run())[0]
                )
            )
    if (
        baseline is not None
        and cell.quantity in ("mult_adds", "params")
        and _hidden_fcs(get_model(config.model))
    ):
        found.append(
            Alternative(
                "the convolutional layers only (no fully connected layers)",
                "hypothesis",
                _from_result(
                    cell,
                    count(
                        _without_fcs(get_model(config.model)),
                        config.alpha,
                        config.resolution,
                        config.classes,
                    ),
                )[0],
            )
        )
    if config.alpha < 1:
        for depth in _MIN_DEPTHS:
            value, _ = _from_result(cell, _with_min_depth(config, depth))
            found.append(
                Alternative(
                    f"a minimum of {depth} channels per layer (TF-slim min_depth={depth})",
                    "hypothesis",
                    value,
                )
            )
    return found


# A detector's other readings: COCO's class slots as other frameworks count them, and the
# input the TF Object Detection API's sample configs use.
_DETECTOR_CLASSES = (
    (81, "81 class slots (COCO's 80 categories and background)"),
    (90, "90 class slots (no background slot)"),
)
_DETECTOR_INPUT = 300


def _detector_changes(config: RowConfig) -> list[tuple[str, Callable[[], CostResult]]]:
    changes: list[tuple[str, Callable[[], CostResult]]] = [
        (label, partial(count_row, config, classes=classes))
        for classes, label in _DETECTOR_CLASSES
        if classes != config.classes
    ]
    if config.resolution != _DETECTOR_INPUT:
        size = _DETECTOR_INPUT
        changes.append(
            (
                f"a {size}x{size} input (the TF Object Detection API's sample configs)",
                partial(
                    count,
                    get_model(config.model),
                    config.alpha,
                    size,
                    config.classes,
                ),
            )
        )
    return changes


def _baseline_changes(
    config: RowConfig, baseline: Baseline
) -> list[tuple[str, Callable[[], CostResult]]]:
    # Other readings of a quoted model: the other layouts of its family that mncost has
    # built in (torchvision's, the paper's), and the input its released model was run at.
    family = get_entry(config.model).family
    changes: list[tuple[str, Callable[[], CostResult]]] = []
    for entry in list_models():
        if entry.family == family and entry.name != config.model:
            changes.append(
                (
                    f"the {entry.name} layout",
                    partial(
                        count,
                        get_model(entry.name),
                        config.alpha,
                        config.resolution,
                        config.classes,
                    ),
                )
            )
    if baseline.crop is not None:
        changes.append(
            (
                f"a {baseline.crop}x{baseline.crop} input (the released model's crop)",
                partial(
                    count, get_model(config.model), config.alpha, baseline.crop, config.classes
                ),
            )
        )
    return changes


def _hidden_fcs(arch: layers.Architecture) -> bool:
    return any(layer.kind == "fc" and layer.units is not None for layer in arch.layers)


def _without_fcs(arch: layers.Architecture) -> layers.Architecture:
    """``arch`` without its fully connected layers (and the softmax after them)."""
    kept = [layer for layer in arch.layers if layer.kind not in ("fc", "softmax")]
    return arch.model_copy(update={"layers": kept})


@dataclass(frozen=True)
class Evidence:
    """A published cell with mncost's figure and its alternatives: what a status rests on."""

    cell: PublishedCell
    computed: Computed | None
    alternatives: tuple[Alternative, ...]


def evaluate(cell: PublishedCell) -> Evidence:
    """Compute ``cell`` and all its alternatives."""
    return Evidence(cell, compute(cell), tuple(alternatives(cell)))


def backbone_reference(alpha: Fraction, resolution: int) -> CostResult:
    """The v1 backbone alone (no classifier): a reference figure for undefined rows."""
    return count(get_model("mobilenet-v1"), alpha, resolution, 0)
