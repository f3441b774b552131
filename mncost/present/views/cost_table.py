"""The per-layer cost report of one configuration (what ``mncost table`` prints)."""

from __future__ import annotations

from fractions import Fraction

from mncost.cost.result import CostResult
from mncost.cost.scaling import multiplier_text
from mncost.present.numbers import millions, percent, shape
from mncost.present.model import Column, Report, Table

__all__ = ["cost_report", "table1_type"]

_TABLE1_TYPE = {
    # MobileNet v1's kinds, as its Table 1 prints them.
    "conv": "Conv", "pw": "Conv", "dw": "Conv dw", "avgpool": "Avg Pool", "fc": "FC",
    "softmax": "Softmax",
    # The ops of composite layers, in the same wording: an inverted residual's 1x1 convs
    # (its projection is linear: no activation), max pooling, squeeze-and-excite's convs.
    "expand": "Conv expand", "project": "Conv project", "maxpool": "Max Pool",
    "se_reduce": "Conv SE reduce", "se_expand": "Conv SE expand",
}
_ELEMENTWISE = {"add": "Residual add", "concat": "Concat", "scale": "SE scale"}
"""Ops that combine feature maps rather than slide a window: a stride says nothing."""


def table1_type(kind: str, stride: int) -> str:
    """A layer's "Type / Stride" cell in the paper's Table 1 wording, e.g. "Conv dw / s2".

    Element-wise joins (a residual add, a concatenation, squeeze-and-excite's scaling)
    have no stride: "Residual add". A kind without a wording of its own shows as named.
    """
    if kind in _ELEMENTWISE:
        return _ELEMENTWISE[kind]
    return f"{_TABLE1_TYPE.get(kind, kind)} / s{stride}"


def _readable(count: int) -> str:
    # Millions with two decimals where that says something; small counts in full.
    return millions(count) if count >= 1_000_000 else f"{count:,}"


def describe_config(result: CostResult) -> str:
    """One line naming the configuration: model, alpha, resolution, classes."""
    classes = f"{result.classes} classes" if result.classes else "no classifier"
    return (f"{result.model}  alpha={multiplier_text(result.alpha)}  "
            f"{result.resolution}x{result.resolution}  {classes}")


def cost_report(result: CostResult, flops: bool = False) -> Report:
    """Per-layer table, totals, by-type breakdown and the conventions line."""
    factor = 2 if flops else 1
    unit = "FLOPs" if flops else "MACs"
    total = result.total
    layer_cols = [
        Column("Layer", csv_header="name"),
        Column("Type / Stride", csv_header="type_stride", short_header="Type/Stride",
               hide_rank=1),
        Column("Filter Shape", csv_header="filter_shape", short_header="Filter"),
        Column("Input Size", csv_header="input", short_header="Input", hide_rank=3),
        Column("Output Size", csv_header="output", data_only=True),
        Column(f"Mult-Adds ({unit})" if not flops else "FLOPs", "right",
               csv_header="flops" if flops else "mult_adds", short_header=unit),
        Column("Params", "right", csv_header="params"),
        Column(f"% {unit}", "right", show=percent, csv_header=f"{unit.lower()}_share",
               short_header="%", hide_rank=2),
    ]
    rows = [
        [layer.name, table1_type(layer.kind, layer.stride), layer.filter_shape,
         shape(layer.input), shape(layer.output), layer.mult_adds * factor, layer.params,
         Fraction(layer.mult_adds, total.mult_adds) if total.mult_adds else None]
        for layer in result.layers
    ]
    layers = Table(
        title="Layers", columns=layer_cols, rows=rows,
        footer=[["Total", "", "", "", "", total.mult_adds * factor, total.params,
                 Fraction(1) if total.mult_adds else None]],
        caption=(f"Total: {_readable(total.mult_adds * factor)} {unit}, "
                 f"{_readable(total.params)} params"),
    )
    by_type = Table(
        title="By layer type (the paper's Table 2)",
        columns=[
            Column("Type", csv_header="type"),
            Column(f"Mult-Adds ({unit})" if not flops else "FLOPs", "right", short_header=unit,
                   csv_header="flops" if flops else "mult_adds"),
            Column(f"% {unit}", "right", show=percent, short_header="%", hide_rank=1,
                   csv_header=f"{unit.lower()}_share"),
            Column("Params", "right", csv_header="params"),
            Column("% Params", "right", show=percent, short_header="%", hide_rank=2,
                   csv_header="params_share"),
        ],
        rows=[[row.type, row.mult_adds * factor, row.mult_adds_share, row.params,
               row.params_share] for row in result.by_type],
    )
    data = result.to_dict()
    if flops:
        for record, layer in zip(data["layers"], result.layers):
            record["flops"] = 2 * layer.mult_adds
        data["total"]["flops"] = 2 * total.mult_adds
    return Report(
        title=describe_config(result),
        tables=[layers, by_type],
        notes=["Conventions: " + result.conventions.describe(result.own_rule)],
        data=data,
    )
