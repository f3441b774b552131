"""One layer as a standard conv and as a depthwise separable conv: the paper's Section 3.1.

In the paper's notation a layer maps a D_F x D_F x M feature map to D_G x D_G x N with
D_K x D_K kernels (D_G = D_F at stride 1; here D_G = ceil(D_F / stride), SAME padding):

- standard conv:  D_K * D_K * M * N * D_G * D_G mult-adds, D_K * D_K * M * N weights;
- depthwise conv: D_K * D_K * M * D_G * D_G mult-adds,     D_K * D_K * M weights;
- pointwise conv: M * N * D_G * D_G mult-adds,             M * N weights;

so separable / standard = 1/N + 1/D_K^2, exactly, for mult-adds and for weights.
The width multiplier scales M and N through a width rule (:mod:`mncost.arch.width`);
the resolution multiplier scales the feature map: D_F' = round(D_F * rho), half up.
Counts are exact ints and the ratios exact Fractions; batch norm and biases are not counted
(Table 3 counts neither). :func:`table3_rows` counts the paper's Table 3 row by row, each
beside the figures it prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from mncost.arch import ops
from mncost.arch.ops import builtin
from mncost.arch.width import WidthError, parse_rule
from mncost.cost.conventions import Conventions
from mncost.cost.result import count
from mncost.cost.scaling import ScalingError, resolution_from_rho, resolution_hw
from mncost.sources import paper_cells, table3_layer

__all__ = [
    "FORMULAS",
    "LayerComparison",
    "LayerCounts",
    "Table3Row",
    "compare_layer",
    "table3_rows",
]

FORMULAS: dict[str, tuple[str, str]] = {
    "standard": ("D_K·D_K·M·N·D_G·D_G", "D_K·D_K·M·N"),
    "depthwise": ("D_K·D_K·M·D_G·D_G", "D_K·D_K·M"),
    "pointwise": ("M·N·D_G·D_G", "M·N"),
    "separable": ("D_K·D_K·M·D_G·D_G + M·N·D_G·D_G", "D_K·D_K·M + M·N"),
}
"""Mult-adds and weights of each form, in the paper's notation (D_G = D_F at stride 1)."""


@dataclass(frozen=True)
class LayerCounts:
    """Mult-adds (MACs) and weights of one form of the layer."""

    mult_adds: int
    params: int


@dataclass(frozen=True)
class LayerComparison:
    """One layer counted as a standard conv and as a depthwise separable conv."""

    kernel: int
    """D_K."""
    in_channels: int
    """M at alpha 1 (as given)."""
    out_channels: int
    """N at alpha 1 (as given)."""
    size: int
    """D_F at rho 1 (as given)."""
    stride: int
    alpha: Fraction
    rho: Fraction
    m: int
    """M after the width multiplier."""
    n: int
    """N after the width multiplier."""
    d_f: int
    """Input side after the resolution multiplier."""
    d_g: int
    """Output side: ceil(d_f / stride)."""
    standard: LayerCounts
    depthwise: LayerCounts
    pointwise: LayerCounts

    @property
    def separable(self) -> LayerCounts:
        """Depthwise plus pointwise."""
        return LayerCounts(
            self.depthwise.mult_adds + self.pointwise.mult_adds,
            self.depthwise.params + self.pointwise.params,
        )

    @property
    def ratio(self) -> Fraction:
        """Separable / standard mult-adds, exactly."""
        return Fraction(self.separable.mult_adds, self.standard.mult_adds)

    @property
    def params_ratio(self) -> Fraction:
        """Separable / standard weights, exactly."""
        return Fraction(self.separable.params, self.standard.params)

    @property
    def paper_ratio(self) -> Fraction:
        """The paper's reduction, 1/N + 1/D_K^2, with the scaled N."""
        return Fraction(1, self.n) + Fraction(1, self.kernel**2)


def _positive(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ScalingError(f"{what} must be a whole number of at least 1, got {value!r}")
    return value


def _one_layer(name: str, m: int, layers: list[ops.Layer]) -> ops.Architecture:
    # A spec of the layer alone: its input has M channels (already scaled, so alpha is
    # applied below to N only), no bias and no batch norm counted, as in Table 3. The
    # arguments were checked above, so the spec is built without pydantic's validator.
    return builtin(ops.Architecture)(name=name, input_channels=m, classes=0, layers=layers)


def compare_layer(
    kernel: int,
    in_channels: int,
    out_channels: int,
    size: int,
    stride: int = 1,
    alpha: Fraction = Fraction(1),
    rho: Fraction = Fraction(1),
    rounding: str = "round",
) -> LayerComparison:
    """Count one layer both ways at width ``alpha`` and resolution multiplier ``rho``.

    ``in_channels`` and ``out_channels`` are M and N at alpha 1, ``size`` is D_F at rho 1;
    ScalingError for a count below 1 or a non-positive multiplier. The counts come from
    the same interpreter and metrics as every model (:func:`mncost.cost.result.count`),
    run on a one-layer and a two-layer spec.
    """
    for value, what in (
        (kernel, "kernel"),
        (in_channels, "input channels"),
        (out_channels, "output channels"),
        (size, "size"),
        (stride, "stride"),
    ):
        _positive(value, what)
    if not isinstance(alpha, Fraction) or alpha <= 0:
        raise ScalingError(f"alpha must be a positive Fraction, got {alpha!r}")
    if not isinstance(rho, Fraction) or rho <= 0:
        raise ScalingError(f"rho must be a positive Fraction, got {rho!r}")
    rule = parse_rule(rounding)
    try:
        m = rule.scale(in_channels, alpha)
    except WidthError as exc:
        raise ScalingError(str(exc)) from None
    d_f = resolution_hw(resolution_from_rho(rho, size))[0]  # a square input
    conventions = Conventions(rounding=rounding)
    standard = count(
        _one_layer(
            "standard",
            m,
            [builtin(ops.Conv)(name="conv", kernel=kernel, stride=stride, filters=out_channels)],
        ),
        alpha,
        d_f,
        0,
        conventions,
    )
    separable = count(
        _one_layer(
            "separable",
            m,
            [
                builtin(ops.DepthwiseConv)(name="dw", kernel=kernel, stride=stride),
                builtin(ops.PointwiseConv)(name="pw", filters=out_channels),
            ],
        ),
        alpha,
        d_f,
        0,
        conventions,
    )
    conv, (dw, pw) = standard.layers[0], separable.layers
    return LayerComparison(
        kernel=kernel,
        in_channels=in_channels,
        out_channels=out_channels,
        size=size,
        stride=stride,
        alpha=alpha,
        rho=rho,
        m=m,
        n=conv.output[2],
        d_f=d_f,
        d_g=conv.output[0],
        standard=LayerCounts(conv.mult_adds, conv.params),
        depthwise=LayerCounts(dw.mult_adds, dw.params),
        pointwise=LayerCounts(pw.mult_adds, pw.params),
    )


@dataclass(frozen=True)
class Table3Row:
    """One row of the paper's Table 3: the layer it describes, counted, and what it prints."""

    row: str
    """The row label as printed ("Convolution", "α = 0.75", ...)."""
    separable: bool
    """Whether the row is the depthwise separable form (else the standard conv)."""
    comparison: LayerComparison
    """The row's layer counted both ways, at the row's alpha and rho."""
    printed_mult_adds: str
    """Table 3's "Million Mult-Adds" cell, exactly as printed."""
    printed_params: str
    """Table 3's "Million Parameters" cell, exactly as printed."""

    @property
    def counts(self) -> LayerCounts:
        """The form the row is about: separable or standard."""
        return self.comparison.separable if self.separable else self.comparison.standard


def table3_rows() -> list[Table3Row]:
    """Table 3's rows in printed order (cumulative: each adds to the one above), each
    counted by :func:`compare_layer` from the layer its caption and label describe."""
    cells = paper_cells(["Table 3"])
    printed = {(cell.row, cell.quantity): cell.text for cell in cells}
    rows = []
    for row in dict.fromkeys(cell.row for cell in cells):
        layer = table3_layer(row)
        if layer is None:  # the paper data and its reading are kept together in sources
            raise ValueError(f"Table 3 row {row!r} has no layer reading in mncost.sources")
        comparison = compare_layer(
            layer.kernel,
            layer.in_channels,
            layer.out_channels,
            layer.size,
            alpha=layer.alpha,
            rho=layer.rho,
        )
        rows.append(
            Table3Row(
                row=row,
                separable=layer.separable,
                comparison=comparison,
                printed_mult_adds=printed[(row, "mult_adds")],
                printed_params=printed[(row, "params")],
            )
        )
    return rows
