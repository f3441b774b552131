"""Exact per-layer mult-adds and parameters of an architecture under alpha and rho.

The counting convention, written once, here:

- **Mult-adds** are the multiply-accumulates (MACs) of conv and fully connected layers:
  a D_K x D_K conv from M to N channels over a D_G x D_G output costs
  D_K * D_K * M * N * D_G * D_G; a depthwise conv D_K * D_K * M * D_G * D_G; a fully
  connected layer in_features * units. Batch norm, ReLU, pooling, softmax and bias
  additions count zero. One FLOP count is 2 x MACs, and is only shown when asked for.
- **Parameters** are conv weights (no conv bias: batch norm follows each conv; a conv
  spec'd with ``batch_norm: false`` carries a bias instead), plus fully connected weights
  and, by default, bias. Batch norm adds 0 (``bn="none"``, the paper's count), 2 per
  channel (``"affine"``: gamma, beta) or 4 per channel (``"all"``: with the running mean
  and variance). The paper's Table 2 counts the fully connected layer without its bias.
- **Shapes** follow SAME padding: output side = ceil(input side / stride). Average pooling
  is global unless a window is given. Channel counts scale with alpha through
  :func:`mncost.cost.scaling.scale_channels`; the classifier's units and the image's
  channels do not scale.

Every count is a Python int; nothing is rounded until a renderer shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable, Literal

from mncost.cost.scaling import Rounding, ScalingError, scale_channels
from mncost.spec.layers import (
    Architecture,
    AvgPool,
    Conv,
    DepthwiseConv,
    FullyConnected,
    PointwiseConv,
    Softmax,
)

if TYPE_CHECKING:
    import pandas

__all__ = [
    "BatchNormCount",
    "Conventions",
    "CostResult",
    "LayerCost",
    "Shape",
    "Totals",
    "TypeShare",
    "count",
]

BatchNormCount = Literal["none", "affine", "all"]
Shape = tuple[int, int, int]
"""A feature map's (height, width, channels)."""

_BN_PER_CHANNEL: dict[str, int] = {"none": 0, "affine": 2, "all": 4}


@dataclass(frozen=True)
class Conventions:
    """The counting choices that differ between the paper and frameworks."""

    bn: BatchNormCount = "none"
    """Batch norm parameters per channel: none (0), affine (2) or all (4)."""
    fc_bias: bool = True
    """Count the fully connected layer's bias among the parameters."""
    rounding: Rounding = "round"
    """Channel rounding rule under alpha (see scale_channels)."""

    def describe(self) -> str:
        """One line stating every convention, for the foot of every output."""
        bn = {"none": "not counted", "affine": "gamma+beta (2/channel)",
              "all": "gamma, beta, mean, var (4/channel)"}[self.bn]
        rounding = {"round": "round(c*alpha)", "floor": "max(int(c*alpha), 8)",
                    "div8": "make-divisible-by-8"}[self.rounding]
        return (
            "mult-adds = multiply-accumulates (MACs) of conv and FC layers; "
            "BN, ReLU, pooling, softmax count 0; FLOPs = 2 x MACs. "
            f"Params = conv weights (no conv bias under BN) + FC weights"
            f"{' + bias' if self.fc_bias else ' (no bias)'}; BN params: {bn}. "
            f"Channels: {rounding}; SAME padding."
        )

    def as_dict(self) -> dict[str, Any]:
        """The conventions as plain data, for JSON."""
        return {
            "mult_adds": "multiply-accumulates of conv and fully connected layers",
            "flops": "2 x mult-adds",
            "zero_cost": ["batch norm", "relu", "pooling", "softmax"],
            "conv_bias": False,
            "fc_bias": self.fc_bias,
            "bn": self.bn,
            "bn_params_per_channel": _BN_PER_CHANNEL[self.bn],
            "rounding": self.rounding,
            "padding": "SAME",
        }


@dataclass(frozen=True)
class LayerCost:
    """One layer's record: where it sits, what it is, and what it costs."""

    name: str
    kind: str
    type: str
    """The layer's group in the paper's Table 2 (e.g. "Conv 1x1", "Conv DW 3x3")."""
    stride: int
    filter_shape: str
    """The filter in the paper's Table 1 notation, e.g. 3x3x3x32, 3x3x32 dw, 1x1x32x64."""
    input: Shape
    output: Shape
    mult_adds: int
    params: int


@dataclass(frozen=True)
class Totals:
    """Sums over all layers."""

    mult_adds: int
    params: int


@dataclass(frozen=True)
class TypeShare:
    """One row of the by-type breakdown (the shape of the paper's Table 2)."""

    type: str
    mult_adds: int
    params: int
    mult_adds_share: Fraction
    """Exact fraction of the total mult-adds (0 when the total is 0)."""
    params_share: Fraction


@dataclass(frozen=True)
class CostResult:
    """The cost of one architecture at one configuration."""

    model: str
    alpha: Fraction
    resolution: int
    classes: int
    conventions: Conventions
    layers: tuple[LayerCost, ...]
    total: Totals = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", Totals(
            mult_adds=sum(layer.mult_adds for layer in self.layers),
            params=sum(layer.params for layer in self.layers),
        ))

    @property
    def by_type(self) -> tuple[TypeShare, ...]:
        """Mult-adds and params per layer type, largest mult-adds first; all-zero types left out."""
        groups: dict[str, list[int]] = {}
        for layer in self.layers:
            acc = groups.setdefault(layer.type, [0, 0])
            acc[0] += layer.mult_adds
            acc[1] += layer.params
        total = self.total
        rows = [
            TypeShare(
                type=name,
                mult_adds=macs,
                params=params,
                mult_adds_share=Fraction(macs, total.mult_adds) if total.mult_adds else Fraction(0),
                params_share=Fraction(params, total.params) if total.params else Fraction(0),
            )
            for name, (macs, params) in groups.items()
            if macs or params
        ]
        rows.sort(key=lambda r: (-r.mult_adds, -r.params))
        return tuple(rows)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (counts as ints) in the documented JSON layout."""
        return {
            "model": self.model,
            "alpha": float(self.alpha),
            "resolution": self.resolution,
            "classes": self.classes,
            "conventions": self.conventions.as_dict(),
            "layers": [
                {
                    "name": layer.name,
                    "kind": layer.kind,
                    "type": layer.type,
                    "stride": layer.stride,
                    "filter_shape": layer.filter_shape,
                    "input": list(layer.input),
                    "output": list(layer.output),
                    "mult_adds": layer.mult_adds,
                    "params": layer.params,
                }
                for layer in self.layers
            ],
            "total": {"mult_adds": self.total.mult_adds, "params": self.total.params},
            "by_type": [
                {
                    "type": row.type,
                    "mult_adds": row.mult_adds,
                    "params": row.params,
                    "mult_adds_share": float(row.mult_adds_share),
                    "params_share": float(row.params_share),
                }
                for row in self.by_type
            ],
        }

    def to_frame(self) -> pandas.DataFrame:
        """The per-layer records as a pandas DataFrame (one row per layer, ints kept)."""
        import pandas as pd  # heavy: only on this path

        rows = [
            {
                "name": layer.name,
                "kind": layer.kind,
                "type": layer.type,
                "stride": layer.stride,
                "filter_shape": layer.filter_shape,
                "input": layer.input,
                "output": layer.output,
                "mult_adds": layer.mult_adds,
                "params": layer.params,
            }
            for layer in self.layers
        ]
        return pd.DataFrame(rows)


@dataclass(frozen=True)
class _Context:
    alpha: Fraction
    classes: int
    conventions: Conventions

    def width(self, filters: int) -> int:
        return scale_channels(filters, self.alpha, self.conventions.rounding)

    def bn_params(self, channels: int, batch_norm: bool) -> int:
        # A conv followed by batch norm has no bias; one without batch norm has one.
        if batch_norm:
            return _BN_PER_CHANNEL[self.conventions.bn] * channels
        return channels


def _same(side: int, stride: int) -> int:
    # SAME padding: ceil(side / stride), in integers.
    return -(-side // stride)


def _conv(layer: Conv | PointwiseConv, shape: Shape, ctx: _Context) -> LayerCost:
    # A pointwise conv is a standard conv with a 1x1 kernel; the paper groups it apart
    # ("Conv 1x1") only in its Table 2 breakdown, which the type label keeps.
    h, w, c_in = shape
    k = layer.kernel if isinstance(layer, Conv) else 1
    s = layer.stride
    c_out = ctx.width(layer.filters)
    out = (_same(h, s), _same(w, s), c_out)
    weights = k * k * c_in * c_out
    return LayerCost(
        name=layer.name, kind=layer.kind, type=f"Conv {k}x{k}", stride=s,
        filter_shape=f"{k}x{k}x{c_in}x{c_out}", input=shape, output=out,
        mult_adds=weights * out[0] * out[1],
        params=weights + ctx.bn_params(c_out, layer.batch_norm),
    )


def _depthwise(layer: DepthwiseConv, shape: Shape, ctx: _Context) -> LayerCost:
    h, w, c = shape
    k, s = layer.kernel, layer.stride
    out = (_same(h, s), _same(w, s), c)
    weights = k * k * c
    return LayerCost(
        name=layer.name, kind=layer.kind, type=f"Conv DW {k}x{k}", stride=s,
        filter_shape=f"{k}x{k}x{c} dw", input=shape, output=out,
        mult_adds=weights * out[0] * out[1],
        params=weights + ctx.bn_params(c, layer.batch_norm),
    )


def _avgpool(layer: AvgPool, shape: Shape, ctx: _Context) -> LayerCost:
    h, w, c = shape
    if layer.size == "global":
        kh, kw, s, out = h, w, 1, (1, 1, c)
    else:
        kh = kw = s = layer.size
        out = (_same(h, s), _same(w, s), c)
    return LayerCost(
        name=layer.name, kind=layer.kind, type="Avg Pool", stride=s,
        filter_shape=f"Pool {kh}x{kw}", input=shape, output=out, mult_adds=0, params=0,
    )


def _fully_connected(layer: FullyConnected, shape: Shape, ctx: _Context) -> LayerCost:
    h, w, c = shape
    features = h * w * c
    units = ctx.classes if layer.units is None else layer.units
    weights = features * units
    return LayerCost(
        name=layer.name, kind=layer.kind, type="Fully Connected", stride=1,
        filter_shape=f"{features}x{units}", input=shape, output=(1, 1, units),
        mult_adds=weights, params=weights + (units if ctx.conventions.fc_bias else 0),
    )


def _softmax(layer: Softmax, shape: Shape, ctx: _Context) -> LayerCost:
    return LayerCost(
        name=layer.name, kind=layer.kind, type="Softmax", stride=1,
        filter_shape="Classifier", input=shape, output=shape, mult_adds=0, params=0,
    )


_COUNTERS: dict[type, Callable[[Any, Shape, _Context], LayerCost]] = {
    Conv: _conv,
    PointwiseConv: _conv,
    DepthwiseConv: _depthwise,
    AvgPool: _avgpool,
    FullyConnected: _fully_connected,
    Softmax: _softmax,
}


def count(
    arch: Architecture,
    alpha: Fraction = Fraction(1),
    resolution: int | None = None,
    classes: int | None = None,
    conventions: Conventions = Conventions(),
) -> CostResult:
    """Cost ``arch`` layer by layer at width ``alpha`` and input ``resolution``.

    ``classes`` overrides the architecture's classifier width; 0 drops the classifier
    (the first fc layer sized by the classes, and every layer after it).
    """
    if not isinstance(alpha, Fraction) or alpha <= 0:
        raise ScalingError(f"alpha must be a positive Fraction, got {alpha!r}")
    resolution = arch.resolution if resolution is None else resolution
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 1:
        raise ScalingError(f"resolution must be a positive integer, got {resolution!r}")
    classes = arch.classes if classes is None else classes
    if isinstance(classes, bool) or not isinstance(classes, int) or classes < 0:
        raise ScalingError(f"classes must be a whole number >= 0, got {classes!r}")
    ctx = _Context(alpha=alpha, classes=classes, conventions=conventions)

    records: list[LayerCost] = []
    shape: Shape = (resolution, resolution, arch.input_channels)
    for layer in arch.layers:
        if classes == 0 and isinstance(layer, FullyConnected) and layer.units is None:
            break
        record = _COUNTERS[type(layer)](layer, shape, ctx)
        records.append(record)
        shape = record.output
    return CostResult(
        model=arch.name, alpha=alpha, resolution=resolution, classes=classes,
        conventions=conventions, layers=tuple(records),
    )
